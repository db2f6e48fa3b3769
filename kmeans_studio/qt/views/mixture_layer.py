"""What the scatter view adds for a Gaussian mixture: each component's 1- and 2-σ
ellipses, points shaded by their responsibilities, and the mixture's regions.

A point's colour is its responsibilities' mix of the components' colours: a point the
model is sure of has its component's colour, one shared between two lies between them.
The colours are rounded to steps of `SHADE_STEP`, so a few hundred brushes serve any
number of points (pyqtgraph draws each distinct brush once).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from kmeans_studio.core.cluster_colors import cluster_colors
from kmeans_studio.core.engine.mixture import ellipses
from kmeans_studio.core.engine.mixture_steps import MixtureIteration

SHADE_STEP = 8


class MixtureLayer:
    """The ellipse items of up to k components, kept on `plot`."""

    def __init__(self, plot: pg.PlotWidget) -> None:
        self._plot = plot
        self._items: list[pg.PlotDataItem] = []  # per component: 1 σ, then 2 σ
        self._brushes: dict[tuple, pg.QtGui.QBrush] = {}

    def show(self, state: MixtureIteration | None, projection: np.ndarray,
             offset: np.ndarray) -> None:
        """Draw `state`'s ellipses in the plane x ↦ projection @ x - offset (nothing
        for None: a k-means state)."""
        if state is None:
            self.clear()
            return
        outlines = ellipses(state.mixture_state(), state.covariance_type,
                            projection=projection) - offset
        self._ensure(len(outlines))
        for j, pair in enumerate(outlines):
            for i, outline in enumerate(pair):
                self._items[2 * j + i].setData(outline[:, 0], outline[:, 1])

    def clear(self) -> None:
        for item in self._items:
            item.setData([])

    def brushes(self, resp: np.ndarray) -> np.ndarray:
        """One brush per row of responsibilities (n, k): the mix of the colours."""
        colors = np.asarray(cluster_colors(resp.shape[1]), dtype=np.float64)
        mixed = np.rint(resp @ colors / SHADE_STEP).astype(np.int16)
        keys, inverse = np.unique(mixed, axis=0, return_inverse=True)
        palette = np.empty(len(keys), dtype=object)
        for i, key in enumerate(map(tuple, keys)):
            brush = self._brushes.get(key)
            if brush is None:
                rgb = np.clip(np.array(key) * SHADE_STEP, 0, 255).astype(int)
                brush = self._brushes[key] = pg.mkBrush(*rgb, 230)
            palette[i] = brush
        return palette[inverse.ravel()]

    def _ensure(self, k: int) -> None:
        if len(self._items) == 2 * k:
            return
        for item in self._items:
            self._plot.removeItem(item)
        self._items = []
        for color in cluster_colors(k):
            for style, width in ((Qt.PenStyle.SolidLine, 2.6), (Qt.PenStyle.DashLine, 1.6)):
                item = pg.PlotDataItem(pen=pg.mkPen(*color, width=width, style=style))
                item.setZValue(7)
                self._plot.addItem(item)
                self._items.append(item)
