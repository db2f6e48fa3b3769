"""The colour cloud: a sample of the image's colours in colour space, by centre.

Up to `SAMPLE` distinct colours are drawn with probability proportional to their pixel
count (fixed per image), each in the colour of its cluster's palette entry; the centres
are large outlined markers that move with every iteration.  The points are painted
into one small RGBA image (one item, whatever the number of clusters; per-point brushes
are slow in pyqtgraph), and the cloud is redrawn at most `REDRAW_HZ` times a second.
The image's cells are square on screen whatever the plot's shape (a wide, flat plot
stretched square cells into dashes): its grid follows the plot's size and aspect.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QTimer
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kmeans_studio.core.data.datasets import Dataset
from kmeans_studio.qt.colors import is_dark, style_plot
from kmeans_studio.qt.contracts import Snapshot
from kmeans_studio.qt.layout import WrappedLabel

SAMPLE = 4000
REDRAW_HZ = 8
CELL_PX = 1.25  # screen pixels a cell of the cloud image takes (a dot is 2×2 cells)
GRID = (64, 1024)  # least and most cells of the cloud image along its longer side
PROJECTIONS = {"R–G": (0, 1), "R–B": (0, 2), "G–B": (1, 2), "PCA": None}


#: The margin around the colours, as a share of their range.
PAD = 0.06


class ColorCloudView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("color_cloud")
        self.projection = QComboBox()
        self.projection.setObjectName("cloud_projection")
        self.projection.setToolTip("Which plane of colour space to show")
        self.projection.setAccessibleName("Colour cloud projection")
        self.projection.addItems(list(PROJECTIONS))
        self.projection.currentIndexChanged.connect(self._new_plane)
        self.plot = pg.PlotWidget()
        self.plot.setAccessibleName("Colours of the image in colour space")
        style_plot(self.plot)
        self.plot.hideButtons()
        self.plot.setMinimumSize(190, 130)
        self.points = pg.ImageItem(axisOrder="row-major")
        edge = (240, 240, 240) if is_dark() else (20, 20, 20)
        # No symbol cache: palette colours change every iteration, and each new brush
        # would add rendered symbols to pyqtgraph's atlas.
        self.centers = pg.ScatterPlotItem(size=14, pen=pg.mkPen(edge, width=1.5), useCache=False)
        self.centers.setZValue(5)
        self.plot.addItem(self.points)
        self.plot.addItem(self.centers)
        self.note = WrappedLabel()
        top = QHBoxLayout()
        top.addWidget(QLabel("Plane"))
        top.addWidget(self.projection)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.note)
        self._dataset: Dataset | None = None
        self._rows = np.empty(0, dtype=np.intp)
        self._X = np.empty((0, 3))  # the drawn colours' RGB (premultiplied with alpha)
        self._snapshot: Snapshot | None = None
        self._axes: np.ndarray | None = None
        self._fit = True  # fit the range at the next drawing (new image or plane)
        self._painted: tuple | None = None  # (xy, colors) of the points drawn
        self._grid = (0, 0)  # cells across and down of the image drawn
        # A new shape of the plot, or a zoom along one axis only: new cells, square.
        self.plot.getViewBox().sigResized.connect(self._regrid)
        self.plot.getViewBox().sigRangeChanged.connect(self._regrid)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(1000 // REDRAW_HZ)
        self._timer.timeout.connect(self._redraw)

    def set_snapshot(self, snapshot: Snapshot) -> None:
        if snapshot.dataset is not self._dataset:
            self._set_dataset(snapshot.dataset)
        self._snapshot = snapshot
        if snapshot.done or snapshot.iteration is None:
            self._redraw()
        elif not self._timer.isActive():
            self._timer.start()

    def _set_dataset(self, dataset: Dataset) -> None:
        """Choose the colours drawn and the PCA plane, once per photo.  Above `SAMPLE`
        colours, `SAMPLE` of them are drawn by pixel count (Efraimidis and Spirakis'
        weighted sampling without replacement: one key per colour, the largest kept)
        and the plane is fitted on them: on the 2 million colours of an 8-megapixel
        photo this takes about 15 ms, where a plane fitted on every colour took the GUI
        thread 200 ms."""
        self._dataset = dataset
        n, weights = dataset.n_samples, dataset.sample_weight
        if n > SAMPLE:
            keys = np.log(np.random.default_rng(0).random(n)) / weights
            self._rows = np.sort(np.argpartition(keys, n - SAMPLE)[n - SAMPLE:])
            weights = np.ones(SAMPLE)  # drawn by pixel count already
        else:
            self._rows = np.arange(n)
        # Drawn in the RGB cube whatever space k-means runs in (Oklab's samples and
        # centres are converted; its clusters are then not Voronoi cells here).
        self._X = X = np.asarray(dataset.image.colors.rgb_of(dataset.X[self._rows]), dtype=float)
        mean = np.average(X, axis=0, weights=weights)
        centred = X - mean
        # Weighted by pixel counts (np.cov would warn for a photo of one colour).
        cov = (centred.T * weights) @ centred / weights.sum()
        values, vectors = np.linalg.eigh(cov)
        self._mean, self._axes = mean, vectors[:, ::-1][:, :2]
        xy = centred @ self._axes  # once per image, not per redraw
        self._pca_bounds = (xy.min(axis=0) - 1, xy.max(axis=0) + 1)
        self.note.setText(f"{len(self._rows):,} of {n:,} colours, drawn by pixel count.")
        self._fit = True

    def _new_plane(self) -> None:
        self._fit = True
        self._redraw()

    def _project(self, A: np.ndarray) -> np.ndarray:
        plane = PROJECTIONS[self.projection.currentText()]
        if plane is None:
            return (A - self._mean) @ self._axes
        return A[:, plane]

    def _redraw(self) -> None:
        snap = self._snapshot
        if snap is None or snap.dataset is None or snap.dataset.image is None:
            return
        names = self.projection.currentText()
        labels = {"R–G": ("red", "green"), "R–B": ("red", "blue"), "G–B": ("green", "blue"),
                  "PCA": ("first principal axis", "second principal axis")}[names]
        self.plot.setLabel("bottom", labels[0])
        self.plot.setLabel("left", labels[1])
        xy = self._project(self._X)
        state = snap.iteration
        if state is None or snap.derived is None:
            point_colors = self._dataset.image.colors.colors[self._rows, :3]
            self.centers.setData([])
        else:
            # One colour per centre, in the centres' order (a transparent image's
            # palette adds its transparent entry and is sorted by alpha).
            palette = self._dataset.image.colors.palette_of(state.centers)
            labels_now = (state.labels[self._rows] if state.labels is not None
                          else np.zeros(len(self._rows), dtype=int))
            point_colors = palette[labels_now, :3]
            shown = self._dataset.image.colors.rgb_of(np.asarray(state.centers, dtype=float))
            self.centers.setData(pos=self._project(np.asarray(shown, dtype=float)),
                                 brush=[pg.mkBrush(*c) for c in palette])
        self._painted = (xy, point_colors)
        if self._fit:
            self._fit = False
            # Colour axes run 0–255 (the whole cube's face, however wide the plot);
            # the principal axes keep equal scales.  Zoom and pan stay inside.
            lo, hi = self._bounds()
            cube = PROJECTIONS[names] is not None
            # (Room for half a centre's marker beyond the cube's face, in a small plot.)
            pad = PAD * (hi - lo)
            self.plot.setAspectLocked(not cube)
            self.plot.setLimits(**(dict(xMin=lo[0] - pad[0], xMax=hi[0] + pad[0],
                                        yMin=lo[1] - pad[1], yMax=hi[1] + pad[1]) if cube
                                   else dict(xMin=None, xMax=None, yMin=None, yMax=None)))
            self.plot.setRange(xRange=(lo[0], hi[0]), yRange=(lo[1], hi[1]), padding=PAD)
        self._paint_points()

    def _grid_shape(self) -> tuple[int, int]:
        """Cells across and down for the plane's bounds as the plot shows them now:
        square on screen, about `CELL_PX` wide (within `GRID` along the longer side)."""
        vb = self.plot.getViewBox()
        lo, hi = self._bounds()
        (x0, x1), (y0, y1) = vb.viewRange()
        with np.errstate(all="ignore"):
            screen = (hi - lo) / np.array([x1 - x0, y1 - y0]) * [vb.width(), vb.height()]
        if not np.all(np.isfinite(screen) & (screen > 0)):  # not laid out yet
            return GRID[0], GRID[0]
        cells = screen / CELL_PX
        cells *= np.clip(cells.max(), *GRID) / cells.max()
        nx, ny = np.maximum(2, np.round(cells)).astype(int)
        return int(nx), int(ny)

    def _regrid(self) -> None:
        if self._painted is not None and self._grid_shape() != self._grid:
            self._paint_points()

    def _paint_points(self) -> None:
        """Dots of 2x2 cells in an RGBA image laid over the plane's bounds."""
        xy, colors = self._painted
        lo, hi = self._bounds()
        self._grid = nx, ny = self._grid_shape()
        last = np.array([nx, ny])
        cells = np.clip(((xy - lo) / (hi - lo) * (last - 1)).astype(int), 0, last - 2)
        image = np.zeros((ny, nx, 4), dtype=np.uint8)
        for dy in (0, 1):
            for dx in (0, 1):
                image[cells[:, 1] + dy, cells[:, 0] + dx, :3] = colors
                image[cells[:, 1] + dy, cells[:, 0] + dx, 3] = 255
        self.points.setImage(image, levels=(0, 255), autoLevels=False)
        self.points.setRect(QRectF(lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1]))

    def _bounds(self) -> tuple[np.ndarray, np.ndarray]:
        if PROJECTIONS[self.projection.currentText()] is not None:
            return np.zeros(2), np.full(2, 255.0)
        return self._pca_bounds
