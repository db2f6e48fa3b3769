"""Other clustering algorithms side by side: a small scatter plot each, with its time,
clusters and scores; clicking a tile opens it large."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kmeans_studio.core.cluster_colors import cluster_colors
from kmeans_studio.qt.colors import fixed_plot
from kmeans_studio.qt.layout import WrappedLabel

#: Points drawn in a tile (a fixed random subset of larger data).
TILE_POINTS = 3000
NOISE = (150, 150, 150)
#: A tile's width when the grid chooses its number of columns (2 to 6).
TILE_WIDTH = 190


def caption(result) -> str:
    """One line on a result: how it was run (when its title does not say), time,
    clusters found, noise and scores."""
    if result.refused is not None:
        return result.refused
    parts = [f"{result.n_clusters} clusters"]
    if np.isfinite(result.seconds):
        parts.insert(0, f"{result.seconds * 1000:,.0f} ms")
    if result.about:
        parts.insert(0, result.about)
    if result.n_noise:
        parts.append(f"{result.n_noise:,} noise")
    if np.isfinite(result.ari):
        parts.append(f"ARI {result.ari:.2f}")
    if np.isfinite(result.silhouette):
        parts.append(f"silhouette {result.silhouette:.2f}")
    return " · ".join(parts)


def colour_order(labels: np.ndarray, reference: np.ndarray | None) -> np.ndarray:
    """The colour index of each cluster of `labels`: a cluster takes the colour of the
    `reference` cluster it shares most points with (one each, by the Hungarian
    method), so tiles that find the same groups colour them alike; the others take
    the colours left, in order."""
    found = int(labels.max()) + 1 if len(labels) and labels.max() >= 0 else 0
    order = np.arange(found)
    if reference is None or found == 0 or reference.max() < 0:
        return order
    from scipy.optimize import linear_sum_assignment

    kept = (labels >= 0) & (reference >= 0)
    table = np.zeros((found, int(reference.max()) + 1))
    np.add.at(table, (labels[kept], reference[kept]), 1)
    clusters, colours = linear_sum_assignment(table, maximize=True)
    order[:] = -1
    order[clusters] = colours
    spare = iter(sorted(set(range(max(found, table.shape[1]) + found)) - set(colours)))
    for cluster in np.flatnonzero(order < 0):
        order[cluster] = next(spare)
    return order


def _draw(plot: pg.PlotWidget, points: np.ndarray, labels: np.ndarray | None,
          size: float, reference: np.ndarray | None = None) -> None:
    plot.clear()
    if labels is None:
        return
    found = int(labels.max()) + 1 if len(labels) and labels.max() >= 0 else 0
    order = colour_order(labels, reference)
    colors = cluster_colors(max(int(order.max()) + 1 if found else 1, 1))
    for cluster in range(-1, found):
        where = labels == cluster
        if where.any():
            color = NOISE if cluster < 0 else tuple(colors[order[cluster]])
            plot.addItem(pg.ScatterPlotItem(points[where, 0], points[where, 1], size=size,
                                            pen=None, brush=pg.mkBrush(*color)))


class AlgorithmGrid(QWidget):
    """One tile per algorithm; `chosen(name)` when a tile is clicked,
    `setting_changed(name, value)` when a tile's setting is edited."""

    chosen = Signal(str)
    setting_changed = Signal(str, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("algorithm_grid")
        self.note = WrappedLabel("Run to see how other algorithms cluster these points.")
        self.note.setObjectName("algorithms_note")
        self.grid = QGridLayout()
        self.grid.setSpacing(6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addLayout(self.grid, 1)
        self.results: dict[str, object] = {}
        self.points = np.empty((0, 2))
        self._rows = np.empty(0, dtype=np.intp)
        self._tiles: dict[str, tuple[pg.PlotWidget, QWidget]] = {}
        self._captions: dict[str, WrappedLabel] = {}
        self.setting_boxes: dict[str, QSpinBox | QDoubleSpinBox] = {}
        self._columns = 4

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        columns = max(2, min(6, self.width() // TILE_WIDTH))
        if columns != self._columns:  # as many tiles a row as fit
            self._columns = columns
            self._place()

    def _place(self) -> None:
        while self.grid.count():  # (a widget added twice would be laid out twice)
            self.grid.takeAt(0)
        for column in range(6):  # equal columns, whatever their captions say
            self.grid.setColumnStretch(column, 1 if column < self._columns else 0)
        for index, (plot, below) in enumerate(self._tiles.values()):
            row, column = divmod(index, self._columns)
            self.grid.addWidget(plot, 2 * row, column)
            self.grid.addWidget(below, 2 * row + 1, column)

    def set_results(self, points: np.ndarray, results: list, what: str) -> None:
        """Show `results` (`algorithms.AlgorithmResult`, the first may be the page's
        k-means on the same standardised data) over `points` (n, 2): the data as
        drawn."""
        self.points = np.asarray(points, dtype=float)
        n = len(self.points)
        self._rows = (np.sort(np.random.default_rng(0).choice(n, TILE_POINTS, replace=False))
                      if n > TILE_POINTS else np.arange(n))
        self.results = {r.name: r for r in results}
        for name in list(self._tiles):
            if name not in self.results:
                plot, below = self._tiles.pop(name)
                self._captions.pop(name)
                self.setting_boxes.pop(name, None)
                plot.deleteLater()
                below.deleteLater()
                self._place()
        for result in results:
            self.replace_result(result)
        drawn = (f"{len(self._rows):,} of {n:,} {what} drawn in each" if n > len(self._rows)
                 else f"all {n:,} {what}")
        self.note.setText(f"All on the standardised data (each column to mean 0 and "
                          f"variance 1, as scikit-learn's gallery does), k-means too "
                          f"({drawn}); ARI compares with the true labels. Click a tile "
                          "to see it large.")

    def replace_result(self, result) -> None:
        """Draw one algorithm's result on its tile (made when new)."""
        self.results[result.name] = result
        plot = self._tile(result.name)
        plot.setTitle(result.title, size="9pt")
        labels = None if result.labels is None else result.labels[self._rows]
        _draw(plot, self.points[self._rows], labels, 4, self._reference(result.name))
        self._captions[result.name].setText(caption(result))
        plot.setToolTip(f"{result.title}: {caption(result)}. Click to see it large.")

    def _reference(self, name: str) -> np.ndarray | None:
        """The labels every tile's colours follow: the first tile's (k-means)."""
        first = next(iter(self.results.values()), None)
        if first is None or first.name == name or first.labels is None:
            return None
        return first.labels[self._rows]

    def _tile(self, name: str) -> pg.PlotWidget:
        if name not in self._tiles:
            from kmeans_studio.core.explore.algorithms import settings

            plot = fixed_plot(f"algorithm_{name}", f"Clustering by {name}", "", "")
            plot.setMinimumSize(150, 110)
            for axis in ("left", "bottom"):
                plot.getAxis(axis).setStyle(showValues=False)
            plot.scene().sigMouseClicked.connect(lambda _event, n=name: self.chosen.emit(n))
            below = QWidget()
            column = QVBoxLayout(below)
            column.setContentsMargins(0, 0, 0, 0)
            label = WrappedLabel("")
            label.setObjectName(f"algorithm_{name}_caption")
            column.addWidget(label)
            setting = settings().get(name)
            if setting is not None:  # its one setting, run again when edited
                box = QSpinBox() if setting.whole else QDoubleSpinBox()
                box.setObjectName(f"algorithm_{name}_setting")
                box.setRange(setting.low, setting.high)
                box.setSingleStep(setting.step)
                box.setValue(setting.default)
                box.setToolTip(f"{setting.label} of {name}: change it to run it again")
                box.setAccessibleName(setting.label)
                box.setKeyboardTracking(False)  # one run per value, not per keystroke
                box.valueChanged.connect(
                    lambda value, n=name: self.setting_changed.emit(n, float(value)))
                row = QHBoxLayout()
                row.addWidget(QLabel(setting.label))
                row.addWidget(box, 1)
                column.addLayout(row)
                self.setting_boxes[name] = box
            self._tiles[name] = (plot, below)
            self._captions[name] = label
            self._place()
        return self._tiles[name][0]

    def values(self) -> dict[str, float]:
        """The settings as edited on the tiles."""
        return {name: float(box.value()) for name, box in self.setting_boxes.items()}

    def open_large(self, name: str) -> QDialog | None:
        """A window with one result drawn large, every point."""
        result = self.results.get(name)
        if result is None:
            return None
        dialog = QDialog(self)
        dialog.setObjectName("algorithm_large")
        dialog.setWindowTitle(result.title)
        plot = fixed_plot("algorithm_large_plot", f"Clustering by {result.title}", "", "",
                          movable=True)
        first = next(iter(self.results.values()))
        _draw(plot, self.points, result.labels, 6,
              None if first is result or first.labels is None else first.labels)
        layout = QVBoxLayout(dialog)
        layout.addWidget(plot, 1)
        layout.addWidget(WrappedLabel(caption(result)))
        dialog.resize(640, 560)
        dialog.show()
        return dialog
