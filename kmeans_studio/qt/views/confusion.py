"""The confusion matrix: true class (rows) × cluster (columns, ordered by matched class).

Counts are written in the cells over a white-to-blue colour scale with its colour bar;
the cells where a cluster meets the class it is matched to are framed.  Clicking a cell
emits `cell_clicked(class_index, cluster)`.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kmeans_studio.core.explore.metrics import MATCH_METHODS, Matching
from kmeans_studio.qt.colors import style_plot
from kmeans_studio.qt.layout import WrappedLabel
from kmeans_studio.qt.presentation import plot_font, relative_font

#: The least size of a cell, in pixels: a count of three digits still fits.
CELL = 22
#: The least cell beyond ten classes, and the least in which counts are written.
CELL_LEAST = 10
COUNTS_LEAST = 16
#: The strongest cell's colour: dark blue on a light base, light blue on a dark one.
STRONG = {"light": (8, 48, 107), "dark": (107, 174, 214)}


def heat_map(base: QColor) -> pg.ColorMap:
    """From the palette's base colour (no samples) to a strong blue (the most)."""
    strong = STRONG["dark" if base.lightness() < 128 else "light"]
    return pg.ColorMap([0.0, 1.0], [base.getRgb()[:3], strong])


def text_on(color: QColor) -> tuple[int, int, int]:
    """Black or white, whichever reads better on `color`."""
    return (20, 20, 20) if color.lightnessF() > 0.55 else (250, 250, 250)


def _label(value) -> str:
    return str(value.item() if hasattr(value, "item") else value)


def collision_warning(matching: Matching) -> str:
    """A sentence on the classes taken by several clusters ("" when there are none)."""
    collisions = matching.collisions
    if not collisions:
        return ""
    said = "; ".join(f"clusters {', '.join(map(str, c[:-1]))} and {c[-1]} are "
                     f"{'both' if len(c) == 2 else 'all'} called {label}"
                     for label, c in collisions.items())
    k, n_classes = matching.table.shape[1], matching.table.shape[0]
    if matching.method == "hungarian":  # only possible with more clusters than classes
        return (f"{k} clusters for {n_classes} classes: each class is matched to one "
                f"cluster, and the {k - n_classes} extra clusters take their most common "
                f"class, so {said}.")
    unused = [_label(c) for i, c in enumerate(matching.classes)
              if i not in set(matching.cluster_class.tolist())]
    missing = f"; no cluster is called {', '.join(unused)}" if unused else ""
    return f"⚠ Two clusters share a class: {said}{missing}. One-to-one matching avoids this."


class ConfusionView(QWidget):
    """Heat map of a `Matching`'s table, with the accuracy above it."""

    cell_clicked = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = WrappedLabel("The confusion matrix appears after the first assignment.")
        self.title.setObjectName("confusion_title")
        relative_font(self.title, 1.15)
        self.warning = WrappedLabel()
        self.warning.setObjectName("collision_warning")
        self.warning.setStyleSheet("color: #D55E00;")
        self.warning.hide()
        self.plot = pg.PlotWidget()
        self.plot.setObjectName("confusion_plot")
        self.plot.setAccessibleName("Confusion matrix: true class by cluster; click a cell "
                                    "to see its images")
        style_plot(self.plot)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.invertY(True)
        # Room above for the colour bar's top label.
        left, top, right, bottom = self.plot.getPlotItem().layout.getContentsMargins()
        self.plot.getPlotItem().setContentsMargins(left, top + 8, right, bottom)
        self.plot.setMinimumSize(300, 260)  # ten classes with their counts readable
        self.plot.setLabel("left", "true class")
        self.plot.setLabel("bottom", "cluster → matched class")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.colors = heat_map(self._base())
        self.bar = pg.ColorBarItem(values=(0, 1), colorMap=self.colors, interactive=False,
                                   width=14, colorMapMenu=False)
        self.bar.setImageItem(self.image, insert_in=self.plot.plotItem)
        self.frames = pg.PlotDataItem(connect="pairs", pen=pg.mkPen(213, 94, 0, width=2))
        self.frames.setZValue(5)
        self.plot.addItem(self.frames)
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        self.plot.getViewBox().sigResized.connect(self._fit_to_size)
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self._texts: list[pg.TextItem] = []
        self._apply_palette()
        self.matching: Matching | None = None
        self.columns = np.empty(0, dtype=np.intp)  # cluster shown in each column
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.warning)
        layout.addWidget(self.plot, 1)
        self.plot.hide()  # until there is a matching (an empty matrix ran to ±500)

    def _base(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.Base)

    def _apply_palette(self) -> None:
        self.colors = heat_map(self._base())
        self.image.setLookupTable(self.colors.getLookupTable(nPts=256))
        self.bar.setColorMap(self.colors)

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:
            self._apply_palette()
            if self.matching is not None:
                table = self.matching.table[:, self.columns]
                self._write_counts(table, max(1, int(table.max())))

    def set_matching(self, matching: Matching | None) -> None:
        previous, self.matching = self.matching, matching
        # Set together: a resize (which redraws the labels from both) can come as soon
        # as the plot is shown again below.
        self.columns = (np.empty(0, dtype=np.intp) if matching is None
                        else matching.column_order)
        if (matching is not None and previous is not None and matching.method == previous.method
                and np.array_equal(matching.table, previous.table)):
            return  # an update step: the labels, so the table, did not change
        self.plot.setVisible(matching is not None)
        if matching is None:
            self.title.setText("The confusion matrix appears after the first assignment.")
            self.warning.hide()
            return
        table = matching.table[:, self.columns]
        n_rows, n_cols = table.shape
        # Room for every cell's count and every class's name (the page scrolls or
        # reflows where the window is smaller).
        # Beyond ten classes the cells may shrink (their counts then hover) and the
        # rows be numbered (their names hover): a page must not scroll for them.
        names = QFontMetrics(self.font()).horizontalAdvance
        many = max(n_rows, n_cols) > 10
        label = (names(f"{n_rows}  ") if many
                 else max(names(f"{n_rows}  {_label(c)}") for c in matching.classes))
        cell = CELL_LEAST if many else CELL
        self.plot.setMinimumSize(max(300, label + 110 + cell * n_cols),
                                 max(260, 90 + cell * n_rows))
        self.title.setText(f"Accuracy {matching.accuracy:.3f} · matching: "
                           f"{MATCH_METHODS[matching.method]}")
        self.warning.setText(collision_warning(matching))
        self.warning.setVisible(bool(matching.collisions))
        # Orange for a warning; plain text for the expected sharing when k > classes.
        self.warning.setStyleSheet("color: #D55E00;" if matching.method == "mode" else "")
        top = max(1, int(table.max()))
        self.image.setImage(table.astype(np.float32), levels=(0, top))
        self.image.setRect(0, 0, n_cols, n_rows)
        self.bar.setLevels((0, top))
        self._write_counts(table, top)
        self._frame_matches(matching.cluster_class[self.columns])
        self.plot.setRange(xRange=(0, n_cols), yRange=(0, n_rows), padding=0.02)
        self._fit_to_size()

    def _fit_to_size(self) -> None:
        """Column labels and count sizes for the cells' width (on every resize)."""
        matching = self.matching
        if matching is None:
            return
        n_cols = len(self.columns)
        cell = self.plot.getViewBox().width() / max(1, n_cols)
        names = [_label(c) for c in matching.classes]
        matched = [int(matching.cluster_class[c]) for c in self.columns]
        metrics = QFontMetrics(self.font())

        def fit(labels: list[str]) -> bool:
            return max(metrics.horizontalAdvance(text) for text in labels) + 6 <= cell

        # "cluster→class" where there is room, else the class; where even the class
        # names do not fit, columns and rows are numbered (hover a cell for names).
        for axis_text, cols in (("cluster → matched class",
                                 [f"{c}→{names[m]}" for c, m in zip(self.columns, matched)]),
                                ("matched class", [names[m] for m in matched]),
                                ("matched class (row number)", [str(m + 1) for m in matched])):
            if fit(cols):
                break
        numbered = axis_text.endswith("(row number)")
        rows = [f"{i + 1}  {name}" if numbered else name for i, name in enumerate(names)]
        widest = max(metrics.horizontalAdvance(text) for text in rows)
        if numbered and self.plot.width() - widest - 110 < CELL * n_cols:
            rows = [str(i + 1) for i in range(len(names))]  # names on hover
        room = self.plot.getAxis("bottom").width()
        if metrics.horizontalAdvance(axis_text) > room and " (" in axis_text:
            axis_text = axis_text.split(" (")[0]
        if metrics.horizontalAdvance(axis_text) > room and "→" in axis_text:
            axis_text = "matched class"
        self.plot.setLabel("bottom", axis_text)
        self.plot.getAxis("bottom").setTicks([list(zip(np.arange(n_cols) + 0.5, cols))])
        self.plot.getAxis("left").setTicks([list(zip(np.arange(len(rows)) + 0.5, rows))])
        # Counts shrink with the cells (15 clusters need smaller digits than 10).
        font = plot_font()
        font.setPointSizeF(min(font.pointSizeF(), max(6.0, cell / 4.5)))
        for text in self._texts:
            text.setFont(font)
            text.setVisible(cell >= COUNTS_LEAST)  # too small to read: they hover

    def _write_counts(self, table: np.ndarray, top: int) -> None:
        n_rows, n_cols = table.shape
        while len(self._texts) < table.size:
            text = pg.TextItem(anchor=(0.5, 0.5))
            text.setZValue(10)
            self.plot.addItem(text)
            self._texts.append(text)
        for index, text in enumerate(self._texts):
            if index >= table.size:
                text.setText("")
                continue
            row, col = divmod(index, n_cols)
            count = int(table[row, col])
            color = (text_on(self.colors.map(count / top, mode="qcolor")) if count
                     else self.palette().color(QPalette.ColorRole.PlaceholderText))
            text.setText(str(count), color=color)
            text.setPos(col + 0.5, row + 0.5)

    def _frame_matches(self, matched_rows: np.ndarray) -> None:
        """Outline each column's matched cell: the samples counted as correct."""
        xs, ys = [], []
        for col, row in enumerate(matched_rows):
            x0, x1, y0, y1 = col + 0.04, col + 0.96, row + 0.04, row + 0.96
            xs += [x0, x1, x1, x1, x1, x0, x0, x0]
            ys += [y0, y0, y0, y1, y1, y1, y1, y0]
        self.frames.setData(xs, ys)

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        """(class index, cluster) of the cell at plot coordinates, or None."""
        if self.matching is None:
            return None
        n_rows, n_cols = self.matching.table.shape[0], len(self.columns)
        col, row = int(np.floor(x)), int(np.floor(y))
        if 0 <= row < n_rows and 0 <= col < n_cols:
            return row, int(self.columns[col])
        return None

    def tooltip_at(self, x: float, y: float) -> str:
        cell = self.cell_at(x, y)
        if cell is None:
            return ""
        row, cluster = cell
        m = self.matching
        true, matched = _label(m.classes[row]), _label(m.classes[m.cluster_class[cluster]])
        count = int(m.table[row, cluster])
        return (f"True {true} in cluster {cluster} (matched to {matched}): {count:,} "
                f"sample{'s' if count != 1 else ''}. Click to see them.")

    def _on_mouse_moved(self, scene_pos) -> None:
        point = self.plot.getViewBox().mapSceneToView(scene_pos)
        self.plot.setToolTip(self.tooltip_at(point.x(), point.y()))

    def _on_click(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        point = self.plot.getViewBox().mapSceneToView(event.scenePos())
        cell = self.cell_at(point.x(), point.y())
        if cell is not None:
            self.cell_clicked.emit(*cell)
