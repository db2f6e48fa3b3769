"""The 2-D explorer: points by cluster, centres with trails, Voronoi regions, arrows
(a Gaussian mixture: points shaded by responsibility, σ-ellipses, its own regions).

Drawing follows the README's architecture section: pens and brushes are built once per k; one
ScatterPlotItem per cluster; Voronoi regions are one uint8 image with a small LUT, drawn smoothed;
clouds above `DISPLAY_LIMIT` points are display-subsampled (and the view says so)
while the engine always uses every point.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kmeans_studio.core.cluster_colors import cluster_colors
from kmeans_studio.core.data.datasets import Dataset
from kmeans_studio.core.engine.mixture_steps import MixtureIteration, owned_regions
from kmeans_studio.qt.colors import is_dark, style_plot
from kmeans_studio.qt.contracts import Snapshot
from kmeans_studio.qt.layout import WrappedLabel
from kmeans_studio.qt.views.brush import CLASS_SYMBOLS, PaintingViewBox
from kmeans_studio.qt.views.mixture_layer import MixtureLayer

DISPLAY_LIMIT = 20_000
#: Voronoi shading: one cell per this many screen pixels, at most this many a side.
VORONOI_PIXELS = 2
VORONOI_MAX_CELLS = 800
UNASSIGNED = (150, 150, 150)
#: A right-click this close to a centre (screen pixels; its marker's radius is 11)
#: removes it; a click this close adds none.
CENTER_PICK_PX = 14


class SmoothImageItem(pg.ImageItem):
    """An image drawn with smoothing when scaled up (pyqtgraph draws nearest pixels)."""

    def paint(self, painter, *args) -> None:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        super().paint(painter, *args)


class CentersItem(pg.ScatterPlotItem):
    """Centre markers that can be dragged with the left mouse button."""

    drag_moved = Signal(int, float, float)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.draggable = True
        self._drag_index: int | None = None

    def mouseDragEvent(self, ev) -> None:  # noqa: N802 - Qt override
        if ev.button() != Qt.MouseButton.LeftButton or not self.draggable:
            ev.ignore()
            return
        if ev.isStart():
            hits = self.pointsAt(ev.buttonDownPos())
            if len(hits) == 0:
                ev.ignore()
                return
            self._drag_index = int(hits[0].index())
        if self._drag_index is None:
            ev.ignore()
            return
        ev.accept()  # the view box does not pan while a centre is dragged
        self.drag_moved.emit(self._drag_index, ev.pos().x(), ev.pos().y())
        if ev.isFinish():
            self._drag_index = None


class ScatterView(QWidget):
    """Scatter plot of the current state.

    Signals
    -------
    centers_edited(ndarray)
        The user placed, removed or dragged centres; the new (k, 2) centres (the run
        starts again from them).
    center_added(x, y), center_removed(x, y)
        Mid-run (centres not placed by hand): a click on the plot away from the
        centres adds one there; a right-click on a centre removes it (x, y: its
        position).  The run goes on from the state shown with the centres edited.
    stroke_started(), stroke_moved(x, y, radius, erasing), stroke_finished()
        While painting (`set_painting`): a stroke of the brush or eraser, `radius`
        in data units.
    """

    centers_edited = Signal(object)
    center_added = Signal(float, float)
    center_removed = Signal(float, float)
    stroke_started = Signal()
    stroke_moved = Signal(float, float, float, bool)
    stroke_finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.box = PaintingViewBox()
        self.plot = pg.PlotWidget(viewBox=self.box)
        self.plot.setObjectName("scatter_plot")
        self.plot.setAccessibleName("Scatter plot of the data coloured by cluster")
        style_plot(self.plot)
        self.plot.setAspectLocked(True)
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.plot.hideButtons()
        self.plot.setMinimumSize(320, 220)  # smaller, and points and centres merge
        self.note = WrappedLabel()
        self.note.setObjectName("scatter_note")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.note)

        self.voronoi = SmoothImageItem(axisOrder="row-major")
        self.voronoi.setZValue(-20)
        self.voronoi.setOpacity(0.22)
        # It covers whatever is visible: it must not count when fitting the view.
        self.plot.addItem(self.voronoi, ignoreBounds=True)
        self.unassigned = pg.ScatterPlotItem(
            size=6, pen=None, brush=pg.mkBrush(*UNASSIGNED, 200), hoverable=True, tip=self._tip
        )
        self.plot.addItem(self.unassigned)
        # Points of a stroke under way, until the run on them arrives.
        self.sketch = pg.ScatterPlotItem(size=6, pen=None, brush=pg.mkBrush(*UNASSIGNED, 200))
        self.plot.addItem(self.sketch)
        self.changed = pg.ScatterPlotItem(size=12, brush=None)
        self.changed.setZValue(5)
        self.plot.addItem(self.changed)
        self.trails = pg.PlotDataItem(connect="finite")
        self.trails.setZValue(8)
        self.plot.addItem(self.trails)
        # A segment from each point to its centre (View ▸ Lines to centres), under the
        # points.
        self.links = pg.PlotDataItem(connect="pairs")
        self.links.setZValue(-5)
        self.plot.addItem(self.links)
        self.arrows = pg.PlotDataItem(connect="pairs")
        self.arrows.setZValue(9)
        self.plot.addItem(self.arrows)
        self.heads = pg.ScatterPlotItem(size=13, symbol="t")
        self.heads.setZValue(9)
        self.plot.addItem(self.heads)
        self.centers = CentersItem(size=22, hoverable=True, tip=self._center_tip)
        self.centers.setZValue(10)
        self.centers.drag_moved.connect(self._on_drag)
        self.plot.addItem(self.centers)
        self.mixture = MixtureLayer(self.plot)
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        # Voronoi regions cover the visible range; recomputed shortly after a zoom/pan.
        self._range_timer = pg.QtCore.QTimer(self)
        self._range_timer.setSingleShot(True)
        self._range_timer.setInterval(60)
        self._range_timer.timeout.connect(self._refresh_voronoi)
        self.plot.getViewBox().sigRangeChanged.connect(self._range_timer.start)

        self._cluster_items: list[pg.ScatterPlotItem] = []
        self._brushes: list = []
        self._dataset: Dataset | None = None
        self._shown: np.ndarray = np.empty(0, dtype=np.intp)
        self._xy = np.empty((0, 2))
        self._snapshot: Snapshot | None = None
        self._placing = False
        #: Clicks add and remove centres mid-run (`center_added`, `center_removed`):
        #: set by a page that passes them on to its run.
        self.edits_mid_run = False
        self._placed: np.ndarray = np.empty((0, 2))
        self._axes: tuple = ("columns", 0, 1)  # or ("pca",)
        self.show_voronoi = True
        self.show_trails = True
        self.show_links = False
        self.class_symbols = False  # drawn points' classes as marker shapes
        self._brush_px = 30
        self.box.claims_click = self._claims_click
        self.box.stroke_started.connect(self.stroke_started)
        self.box.stroke_moved.connect(self._on_stroke)
        self.box.stroke_finished.connect(self.stroke_finished)
        self._edge = (pg.mkPen(240, 240, 240, width=2.5) if is_dark()
                      else pg.mkPen(25, 25, 25, width=2.5))

    # -- inputs
    def set_dataset(self, dataset: Dataset) -> None:
        """New data: choose the points to draw (all, or a fixed subsample)."""
        self._dataset = dataset
        n = dataset.n_samples
        if n > DISPLAY_LIMIT:
            rng = np.random.default_rng(0)
            self._shown = np.sort(rng.choice(n, DISPLAY_LIMIT, replace=False))
        else:
            self._shown = np.arange(n)
        d = dataset.n_features
        # New data: their own plane when they have two features, else their principal
        # components (the page's picker can choose two columns instead).
        self._axes = (("columns", 0, 0) if d == 1 else ("columns", 0, 1)
                      if d == 2 or dataset.projection is None else ("pca",))
        self._xy = self._project(dataset.X[self._shown])
        self._label_axes()
        self._snapshot = None
        self._placed = np.empty((0, 2))
        self._clear_centre_items()  # the old data's centres must not widen the range
        self._show_unassigned()
        self._update_note()
        if not self.painting:  # the canvas stays still under the brush
            self.plot.autoRange()

    def set_snapshot(self, snapshot: Snapshot) -> None:
        """Show one state of the run."""
        if self.sketch.isVisible():  # a stroke's points: the run's data have them now
            self.sketch.setVisible(False)
            for item in (*self._cluster_items, self.unassigned):
                item.setVisible(True)
        if snapshot.dataset is not self._dataset:
            self.set_dataset(snapshot.dataset)
        self._snapshot = snapshot
        state = snapshot.iteration
        if state is None:
            self._placed = np.empty((0, 2))
            self._show_unassigned()
            self._clear_centre_items()
            self._update_note()
            return
        C = self._project(state.centers)
        self._placed = C
        self._ensure_k(state.n_clusters)
        self._show_links(state.labels, C)
        if state.labels is None:
            self._show_unassigned()
            self.changed.setData([])
        else:
            self.unassigned.setData([])
            labels = state.labels[self._shown]
            soft = (self.mixture.brushes(state.resp[self._shown])
                    if isinstance(state, MixtureIteration) else None)
            symbols = self._symbols()
            for j, item in enumerate(self._cluster_items):
                members = labels == j
                item.setData(pos=self._xy[members], data=self._shown[members],
                             brush=self._brushes[j] if soft is None else soft[members],
                             symbol="o" if symbols is None else symbols[members])
            self._show_changed(snapshot, labels)
        self.centers.setData(pos=C, brush=self._brushes, pen=self._edge,
                             data=np.arange(len(C)))
        self._show_trails(snapshot)
        self._show_arrows(snapshot)
        self.mixture.show(state if isinstance(state, MixtureIteration) else None,
                          *self._plane())
        self._show_voronoi(C)
        self._update_note()

    def set_painting(self, brush_px: int | None) -> None:
        """Drawing points with a brush `brush_px` wide (None: not drawing)."""
        self.box.painting = brush_px is not None
        if brush_px is not None:
            self._brush_px = brush_px
            self.box.set_brush_size(brush_px)
        else:
            self.box.cursor.setData([])
        self.box.setMenuEnabled(brush_px is None and not self._placing)
        self._update_note()

    @property
    def painting(self) -> bool:
        return self.box.painting

    def show_sketch(self, points: np.ndarray, classes: np.ndarray) -> None:
        """Show drawn points at once, while a stroke goes on (the run's data and
        clusters come back with the next state)."""
        for item in (*self._cluster_items, self.unassigned):
            item.setVisible(False)
        # The newest points (the stroke's among them) while there are many: a dab
        # stays well within the GUI thread's budget.
        points, classes = points[-DISPLAY_LIMIT:], classes[-DISPLAY_LIMIT:]
        symbols = np.array((*CLASS_SYMBOLS, "o"), dtype=object)[classes]  # -1: "o"
        self.sketch.setData(pos=points, symbol=symbols)
        self.sketch.setVisible(True)

    def _symbols(self) -> np.ndarray | None:
        """Marker shapes of the shown points' classes, when they are drawn."""
        y = self._dataset.y if self._dataset is not None else None
        if not self.class_symbols or y is None:
            return None
        return np.array(CLASS_SYMBOLS, dtype=object)[np.asarray(y)[self._shown] % len(
            CLASS_SYMBOLS)]

    def _on_stroke(self, x: float, y: float, erasing: bool) -> None:
        radius = self._brush_px / 2 * self.box.viewPixelSize()[0]
        self.stroke_moved.emit(x, y, radius, erasing)

    def set_placing(self, placing: bool) -> None:
        """Click-to-place mode: left click adds a centre, right click removes one."""
        self._placing = placing
        self.plot.getViewBox().setMenuEnabled(not placing)
        self._update_note()

    @property
    def axes(self) -> tuple:
        return self._axes

    @property
    def editable(self) -> bool:
        """The plot shows the data's own two features: centres can be placed and
        dragged, and Voronoi regions mean something."""
        return (self._dataset is not None and self._dataset.n_features == 2
                and self._axes == ("columns", 0, 1))

    def axis_choices(self) -> list[tuple[str, tuple]]:
        """(name, axes) for the axis picker: the principal components, then every
        pair of columns."""
        data = self._dataset
        if data is None or data.n_features <= 2:
            return []
        names = data.feature_names or tuple(f"feature {i + 1}" for i in range(data.n_features))
        choices = [("PC 1 × PC 2", ("pca",))] if data.projection is not None else []
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                choices.append((f"{names[i]} × {names[j]}", ("columns", i, j)))
        return choices

    def set_axes(self, axes: tuple) -> None:
        """Draw the data along two columns ("columns", i, j) or the principal
        components ("pca",)."""
        self._axes = tuple(axes)
        if self._dataset is None:
            return
        self._xy = self._project(self._dataset.X[self._shown])
        self._label_axes()
        snapshot = self._snapshot
        if snapshot is not None:
            self._snapshot = None
            self.set_snapshot(snapshot)
        else:
            self._show_unassigned()
        self._update_note()
        self.plot.autoRange()

    def _plane(self) -> tuple[np.ndarray, np.ndarray]:
        """(P, offset): the plot shows each point x at P @ x - offset (`_project`)."""
        d = self._dataset.n_features
        if self._axes[0] == "pca":
            projection = self._dataset.projection
            return projection.components, projection.components @ projection.mean
        if d == 1:
            return np.array([[1.0], [0.0]]), np.zeros(2)
        return np.eye(d)[list(self._axes[1:])], np.zeros(2)

    def _project(self, A: np.ndarray) -> np.ndarray:
        A = np.asarray(A, dtype=float)
        if self._axes[0] == "pca":
            projection = self._dataset.projection
            return (A - projection.mean) @ projection.components.T
        if A.shape[1] == 1:  # one feature: spread along x only
            return np.column_stack([A[:, 0], np.zeros(len(A))])
        return A[:, list(self._axes[1:])]

    def _label_axes(self) -> None:
        data = self._dataset
        if data.feature_names is None:
            self.plot.setLabel("bottom", "")
            self.plot.setLabel("left", "")
            return
        if self._axes[0] == "pca":
            share = data.projection.explained
            labels = [f"PC {i + 1} ({share[i]:.1%})" for i in (0, 1)]
        else:
            names = data.feature_names
            labels = [names[self._axes[1]], names[self._axes[2]] if len(names) > 1 else ""]
            unit = {"standardise": "standardised", "minmax": "min–max scaled"}.get(
                data.scaling)
            if unit:  # the view says how the columns were scaled
                labels = [f"{label} ({unit})" if label else "" for label in labels]
        self.plot.setLabel("bottom", labels[0])
        self.plot.setLabel("left", labels[1])

    # -- drawing helpers
    def _ensure_k(self, k: int) -> None:
        if len(self._cluster_items) == k:
            return
        for item in self._cluster_items:
            self.plot.removeItem(item)
        colors = cluster_colors(k)
        self._brushes = [pg.mkBrush(*c, 230) for c in colors]
        self._cluster_items = []
        for j in range(k):
            item = pg.ScatterPlotItem(size=7, pen=None, brush=self._brushes[j],
                                      hoverable=True, tip=self._tip)
            self.plot.addItem(item)
            self._cluster_items.append(item)
        lut = np.zeros((256, 4), dtype=np.uint8)
        lut[:k, :3] = colors
        lut[:k, 3] = 255
        self._lut = lut

    def _clear_centre_items(self) -> None:
        for item in (self.centers, self.changed, self.trails, self.arrows, self.heads,
                     self.links):
            item.setData([])
        self.mixture.clear()
        for item in self._cluster_items:
            item.setData([])
        self.voronoi.clear()

    def _show_unassigned(self) -> None:
        for item in self._cluster_items:
            item.setData([])
        symbols = self._symbols()
        self.unassigned.setData(pos=self._xy, data=self._shown,
                                symbol="o" if symbols is None else symbols)

    def _show_changed(self, snapshot: Snapshot, labels: np.ndarray) -> None:
        state, previous = snapshot.iteration, snapshot.previous
        if state.phase != "assign" or previous is None or previous.labels is None:
            self.changed.setData([])
            return
        moved = labels != previous.labels[self._shown]
        self.changed.setData(pos=self._xy[moved], pen=self._edge, brush=None)

    def _show_links(self, labels: np.ndarray | None, C: np.ndarray) -> None:
        """Each point shown joined to its centre (none before the first assignment)."""
        if not self.show_links or labels is None:
            self.links.setData([])
            return
        pairs = np.empty((2 * len(self._shown), 2))
        pairs[0::2], pairs[1::2] = self._xy, C[labels[self._shown]]
        color = self._edge.color()
        color.setAlpha(70)
        self.links.setData(pairs[:, 0], pairs[:, 1], pen=pg.mkPen(color, width=1))

    def _show_trails(self, snapshot: Snapshot) -> None:
        trail = snapshot.trail
        if not self.show_trails or len(trail) < 2:
            self.trails.setData([])
            return
        k = trail.shape[1]
        # One polyline per centre, separated by NaN (connect="finite").
        xy = np.full((k, len(trail) + 1, 2), np.nan)
        xy[:, :-1] = self._project(trail.reshape(-1, trail.shape[2])).reshape(
            len(trail), k, 2).transpose(1, 0, 2)
        xy = xy.reshape(-1, 2)
        self.trails.setData(xy[:, 0], xy[:, 1], pen=pg.mkPen(self._edge.color(), width=1.2,
                                                              style=Qt.PenStyle.DashLine))

    def _show_arrows(self, snapshot: Snapshot) -> None:
        state = snapshot.iteration
        if state.phase != "update" or len(snapshot.trail) < 2:
            self.arrows.setData([])
            self.heads.setData([])
            return
        old, new = self._project(snapshot.trail[-2]), self._project(snapshot.trail[-1])
        moved = np.hypot(*(new - old).T) > 0
        pairs = np.empty((2 * moved.sum(), 2))
        pairs[0::2], pairs[1::2] = old[moved], new[moved]
        self.arrows.setData(pairs[:, 0], pairs[:, 1], pen=pg.mkPen(self._edge.color(), width=2))
        step = (new - old)[moved]
        angles = np.degrees(np.arctan2(step[:, 1], step[:, 0]))
        symbols = [_arrow_head(a) for a in angles]
        self.heads.setData(pos=new[moved], symbol=symbols, brush=self._edge.color(), pen=None)

    def _refresh_voronoi(self) -> None:
        if self._snapshot is not None and self._snapshot.iteration is not None:
            self._show_voronoi(self._placed)

    def _show_voronoi(self, C: np.ndarray) -> None:
        if not self.show_voronoi or len(self._xy) == 0 or not self.editable:
            self.voronoi.clear()
            return
        box = self.plot.getViewBox()
        (x0, x1), (y0, y1) = box.viewRange()
        lo, hi = np.array([x0, y0]), np.array([x1, y1])
        # One cell per VORONOI_PIXELS screen pixels, sampled at the cells' centres,
        # drawn smoothed: the borders show no staircase.
        nx, ny = (int(np.clip(side / VORONOI_PIXELS, 16, VORONOI_MAX_CELLS))
                  for side in (box.width(), box.height()))
        gx = lo[0] + (np.arange(nx) + 0.5) * (hi[0] - lo[0]) / nx
        gy = lo[1] + (np.arange(ny) + 0.5) * (hi[1] - lo[1]) / ny
        grid = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2)
        # numpy's BLAS on the GUI thread: a few milliseconds, and no numba, scipy or
        # thread pool here.
        cells = owned_regions(self._snapshot.iteration, C, grid)
        cells = cells.astype(np.uint8).reshape(ny, nx)
        self.voronoi.setImage(cells, levels=(0, 255), lut=self._lut, autoLevels=False)
        self.voronoi.setRect(QRectF(lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1]))

    def _update_note(self) -> None:
        parts = []
        if self._dataset is not None:
            n = self._dataset.n_samples
            if len(self._shown) < n:
                parts.append(f"Showing {len(self._shown):,} of {n:,} points (the "
                             "clustering uses all of them).")
        if self.painting:
            parts.append("Left-drag to draw points, right-drag to erase them"
                         + ("; Shift-click to place centres." if self._placing else "."))
        if self._placing:
            count = len(self._placed)
            shift = "Shift-" if self.painting else ""
            parts.append(f"{shift}Click to place centres, {shift.lower()}right-click to "
                         f"remove ({count} placed); drag a centre to move it.")
        elif self._editing_mid_run():
            shift = "Shift-" if self.painting else ""
            parts.append(f"{shift}Click to add a centre, {shift.lower()}right-click a centre "
                         "to remove it (the run goes on); drag a centre to start again "
                         "from there.")
        elif (self._snapshot is not None and self._snapshot.iteration is not None
              and self.editable):
            parts.append("Drag a centre to move it; the assignment follows.")
        if self._dataset is not None and not self.editable:
            parts.append(f"A 2-D view of {self._dataset.n_features} features, centres "
                         "projected alike (not draggable).")
        self.note.setText("  ".join(parts))
        self.note.setVisible(bool(parts))

    # -- hover tips
    def _tip(self, x: float, y: float, data) -> str:
        index = int(data)
        state = self._snapshot.iteration if self._snapshot is not None else None
        if state is None or state.labels is None:
            return f"point {index}\n({x:.3g}, {y:.3g})\nnot assigned yet"
        label = int(state.labels[index])
        distance = float(np.sqrt(((self._dataset.X[index] - state.centers[label]) ** 2).sum()))
        return f"point {index}\ncluster {label + 1}\ndistance to its centre {distance:.3g}"

    def _center_tip(self, x: float, y: float, data) -> str:
        what = ("drag to move, right-click to remove" if self._placing
                or self._editing_mid_run() else "drag to move")
        return f"centre {int(data) + 1}\n({x:.3g}, {y:.3g})\n{what}"

    # -- editing centres
    def _on_drag(self, index: int, x: float, y: float) -> None:
        C = self._placed.copy()
        if not 0 <= index < len(C) or not self.editable:
            return
        C[index] = (x, y)
        self._placed = C
        self.centers.setData(pos=C, brush=self._brushes[: len(C)], pen=self._edge,
                             data=np.arange(len(C)))
        self.centers_edited.emit(C)

    def _editing_mid_run(self) -> bool:
        """Centres are shown (not placed by hand) where they can be edited, on a page
        that takes the edits (`edits_mid_run`)."""
        return (self.edits_mid_run and not self._placing and self.editable
                and self._snapshot is not None and self._snapshot.iteration is not None)

    def _mid_run_edit(self, event) -> tuple[str, float, float] | None:
        """("add", x, y) for a click away from the centres, ("remove", x, y) for a
        right-click on one (x, y: that centre), else None."""
        if not self._editing_mid_run():
            return None
        if self.painting and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            return None  # a dab of the brush
        button = event.button()
        if button not in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            return None
        vb = self.plot.getViewBox()
        if not vb.sceneBoundingRect().contains(event.scenePos()) or not len(self._placed):
            return None
        on_screen = np.array([[p.x(), p.y()] for p in
                              (vb.mapViewToScene(QPointF(*c)) for c in self._placed)])
        gaps = np.hypot(*(on_screen - [event.scenePos().x(), event.scenePos().y()]).T)
        nearest = int(np.argmin(gaps))
        near = gaps[nearest] <= CENTER_PICK_PX
        if button == Qt.MouseButton.RightButton:
            return ("remove", *map(float, self._placed[nearest])) if near else None
        if near:
            return None  # a click on a centre (a drag moves it)
        point = vb.mapSceneToView(event.scenePos())
        return "add", point.x(), point.y()

    def _claims_click(self, event) -> bool:
        """A right-click that removes a centre: the view box shows no menu for it."""
        return (event.button() == Qt.MouseButton.RightButton
                and self._mid_run_edit(event) is not None)

    def _on_click(self, event) -> None:
        if self._dataset is None or not self.editable:
            return
        if not self._placing:
            edit = self._mid_run_edit(event)
            if edit is not None:
                event.accept()
                change, x, y = edit
                (self.center_added if change == "add" else self.center_removed).emit(x, y)
            return
        if self.painting and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            return  # a dab of the brush
        vb = self.plot.getViewBox()
        if not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        point = vb.mapSceneToView(event.scenePos())
        C = self._placed
        if event.button() == Qt.MouseButton.LeftButton:
            C = np.vstack([C, [[point.x(), point.y()]]])
        elif event.button() == Qt.MouseButton.RightButton and len(C):
            nearest = int(np.argmin(np.hypot(*(C - [point.x(), point.y()]).T)))
            C = np.delete(C, nearest, axis=0)
        else:
            return
        event.accept()
        self._placed = C
        self._update_note()
        self.centers_edited.emit(C)


def _arrow_head(degrees: float):
    """A triangle pointing at `degrees` (counter-clockwise from +x, in data space)."""
    from PySide6.QtGui import QPainterPath, QTransform

    path = QPainterPath()
    path.moveTo(QPointF(0.5, 0.0))
    path.lineTo(QPointF(-0.4, 0.45))
    path.lineTo(QPointF(-0.4, -0.45))
    path.closeSubpath()
    # Symbols are drawn with y pointing down on screen: rotate the other way.
    return QTransform().rotate(-degrees).map(path)
