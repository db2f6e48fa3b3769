"""Learned and true labels side by side in the same 2-D PCA projection.

The projection is fitted once per data set (`Dataset.projection`); the centres of each
state are projected into it and move as the run goes, with their trails.  The two
plots share their axes (zooming one zooms the other).  Hovering a point shows its
image in the preview beside the plots.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kmeans_studio.core.cluster_colors import cluster_colors
from kmeans_studio.core.data.datasets import Dataset
from kmeans_studio.core.explore.metrics import Matching
from kmeans_studio.qt.colors import is_dark, style_plot
from kmeans_studio.qt.contracts import Snapshot
from kmeans_studio.qt.layout import WrappedLabel
from kmeans_studio.qt.views.image_grid import ImageGrid

DISPLAY_LIMIT = 20_000
HOVER_PIXELS = 8  # how close the pointer must be to a point to preview it


class _GroupedPoints:
    """One ScatterPlotItem per group (cluster or class), (the README's architecture section: drawing), and a
    grey one for points without a group yet."""

    def __init__(self, plot: pg.PlotWidget) -> None:
        self._plot = plot
        self._items: list[pg.ScatterPlotItem] = []
        self.brushes: list = []
        self._shown: tuple | None = None
        self._grey = pg.ScatterPlotItem(size=5, pen=None, brush=pg.mkBrush(150, 150, 150, 200))
        plot.addItem(self._grey)

    def show(self, xy: np.ndarray, groups: np.ndarray | None, n_groups: int) -> None:
        """Colour `xy` by `groups` (0..n_groups-1); None: all grey."""
        shown = (xy, None if groups is None else groups.copy(), n_groups)
        if (self._shown is not None and shown[0] is self._shown[0] and n_groups == self._shown[2]
                and (groups is None) == (self._shown[1] is None)
                and (groups is None or np.array_equal(groups, self._shown[1]))):
            return  # the same colouring (an update step does not change labels)
        self._shown = shown
        if len(self._items) != n_groups:
            for item in self._items:
                self._plot.removeItem(item)
            self.brushes = [pg.mkBrush(*c, 200) for c in cluster_colors(n_groups)]
            self._items = [pg.ScatterPlotItem(size=5, pen=None, brush=b) for b in self.brushes]
            for item in self._items:
                self._plot.addItem(item)
        self._grey.setData(pos=xy if groups is None else np.empty((0, 2)))
        for j, item in enumerate(self._items):
            item.setData(pos=np.empty((0, 2)) if groups is None else xy[groups == j])


def _make_plot(title: str, name: str) -> pg.PlotWidget:
    plot = pg.PlotWidget(title=title)
    plot.setObjectName(name)
    style_plot(plot)
    plot.hideButtons()
    plot.showGrid(x=True, y=True, alpha=0.12)
    plot.setMinimumSize(150, 150)
    return plot


class PcaView(QWidget):
    """Two PCA scatter plots (learned | true) and a preview of the hovered sample."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.learned = _make_plot("Learned", "pca_learned")
        self.learned.setAccessibleName("PCA projection coloured by learned cluster")
        self.truth = _make_plot("True", "pca_true")
        self.truth.setAccessibleName("PCA projection coloured by true class")
        self.truth.setXLink(self.learned)
        self.truth.setYLink(self.learned)
        edge = pg.mkPen(240, 240, 240, width=2) if is_dark() else pg.mkPen(20, 20, 20, width=2)
        self._edge = edge
        self._points = {"learned": _GroupedPoints(self.learned),
                        "truth": _GroupedPoints(self.truth)}
        self.trails = pg.PlotDataItem(connect="finite", pen=pg.mkPen(edge.color(), width=1,
                                                                      style=Qt.PenStyle.DashLine))
        self.centers = pg.ScatterPlotItem(size=15, pen=edge)
        self.true_centers = pg.ScatterPlotItem(size=15, pen=edge)
        for plot, item in ((self.learned, self.trails), (self.learned, self.centers),
                           (self.truth, self.true_centers)):
            item.setZValue(10)
            plot.addItem(item)
        self.preview = ImageGrid(fit=True)
        self.preview.setObjectName("hover_preview")
        self.preview.setAccessibleName("Image of the sample under the pointer")
        self.preview.setFixedWidth(96)
        self.preview_label = QLabel("Hover a point to see its image.")
        self.preview_label.setWordWrap(True)
        self.preview_label.setFixedWidth(96)
        self.note = WrappedLabel()
        self.note.setObjectName("pca_note")
        side = QVBoxLayout()
        side.addWidget(self.preview, 1)
        side.addWidget(self.preview_label)
        side.addStretch(1)
        plots = QHBoxLayout()
        plots.setContentsMargins(0, 0, 0, 0)
        plots.addWidget(self.learned, 1)
        plots.addWidget(self.truth, 1)
        plots.addLayout(side)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(plots, 1)
        layout.addWidget(self.note)
        for plot in (self.learned, self.truth):
            plot.scene().sigMouseMoved.connect(
                lambda pos, plot=plot: self._on_mouse_moved(plot, pos))
        self._dataset: Dataset | None = None
        self._shown = np.empty(0, dtype=np.intp)
        self._xy = np.empty((0, 2))
        self._snapshot: Snapshot | None = None
        self._matching: Matching | None = None
        self.hovered: int | None = None

    def set_dataset(self, dataset: Dataset) -> None:
        self._dataset = dataset
        n = dataset.n_samples
        if n > DISPLAY_LIMIT:
            self._shown = np.sort(np.random.default_rng(0).choice(n, DISPLAY_LIMIT, replace=False))
        else:
            self._shown = np.arange(n)
        self._xy = np.asarray(dataset.projection.points[self._shown], dtype=float)
        classes, true_groups = np.unique(dataset.y, return_inverse=True)
        self._points["truth"].show(self._xy, true_groups[self._shown], len(classes))
        self._points["learned"].show(self._xy, None, 0)
        self.centers.setData([])
        self.true_centers.setData([])
        self.trails.setData([])
        pc1, pc2 = (100 * dataset.projection.explained).round(1)
        for plot in (self.learned, self.truth):
            plot.setLabel("bottom", f"PC 1 ({pc1}%)")
            plot.setLabel("left", f"PC 2 ({pc2}%)")
        shown = (f"Showing {len(self._shown):,} of {n:,} samples (the clustering uses all). "
                 if len(self._shown) < n else "")
        self.note.setText(shown + "Principal components 1 and 2 (with the share of the "
                          "variance each explains), fitted once, in both plots. Colours "
                          "are classes: on the left each cluster takes the colour of the "
                          "class it is matched to, so the plots differ where the "
                          "clustering is wrong. Circles are the centres.")
        self.learned.autoRange()

    def set_state(self, snapshot: Snapshot, matching: Matching | None) -> None:
        if snapshot.dataset is not self._dataset:
            self.set_dataset(snapshot.dataset)
        self._snapshot, self._matching = snapshot, matching
        state = snapshot.iteration
        if state is None:
            return
        k = state.n_clusters
        projection = self._dataset.projection
        C = projection.transform(state.centers)
        if matching is None:  # before the first assignment: grey points, grey centres
            self._points["learned"].show(self._xy, None, 0)
            self.centers.setData(pos=C, brush=pg.mkBrush(160, 160, 160))
            self.true_centers.setData(pos=C, brush=pg.mkBrush(160, 160, 160))
        else:
            # Learned clusters in the colour of their matched class, so that the two
            # plots agree wherever the clustering is right.
            n_classes = len(matching.classes)
            groups = matching.cluster_class[state.labels[self._shown]]
            self._points["learned"].show(self._xy, groups, n_classes)
            class_brushes = self._points["truth"].brushes
            brushes = [class_brushes[c] for c in matching.cluster_class]
            self.centers.setData(pos=C, brush=brushes, data=np.arange(k))
            self.true_centers.setData(pos=C, brush=brushes, data=np.arange(k))
        trail = snapshot.trail
        if len(trail) >= 2:
            xy = np.full((k, len(trail) + 1, 2), np.nan)
            xy[:, :-1] = projection.transform(trail.reshape(-1, trail.shape[2])).reshape(
                len(trail), k, 2).transpose(1, 0, 2)
            xy = xy.reshape(-1, 2)
            self.trails.setData(xy[:, 0], xy[:, 1])
        else:
            self.trails.setData([])

    # -- hover preview
    def sample_near(self, plot: pg.PlotWidget, scene_pos) -> int | None:
        """The shown sample within a few pixels of a scene position, if any."""
        if len(self._xy) == 0 or not plot.sceneBoundingRect().contains(scene_pos):
            return None
        vb = plot.getViewBox()
        point = vb.mapSceneToView(scene_pos)
        px = vb.viewPixelSize()  # data units per pixel (x, y)
        d = ((self._xy[:, 0] - point.x()) / px[0]) ** 2 + ((self._xy[:, 1] - point.y()) / px[1]) ** 2
        nearest = int(np.argmin(d))
        return int(self._shown[nearest]) if d[nearest] <= HOVER_PIXELS ** 2 else None

    def show_sample(self, index: int) -> None:
        """Show sample `index` in the preview, with its class and cluster."""
        dataset = self._dataset
        self.hovered = index
        image = dataset.X[index].reshape(dataset.image_shape)
        levels = dataset.value_range
        text = f"sample {index}\ntrue {dataset.y[index]}"
        state = self._snapshot.iteration if self._snapshot is not None else None
        if state is not None and state.labels is not None:
            cluster = int(state.labels[index])
            text += f"\ncluster {cluster}"
            if self._matching is not None:
                matched = self._matching.classes[self._matching.cluster_class[cluster]]
                text += f" (→ {matched})"
        self.preview.set_images(image[None], levels, [""], [text.replace("\n", ", ")])
        self.preview_label.setText(text)

    def _on_mouse_moved(self, plot: pg.PlotWidget, pos) -> None:
        index = self.sample_near(plot, pos)
        if index is not None and index != self.hovered:
            self.show_sample(index)
