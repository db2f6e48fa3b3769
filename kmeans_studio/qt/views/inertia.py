"""Inertia per half-step (a mixture: its log-likelihood), the current one marked, and a
sentence on the last half-step.

The x axis counts iterations; an assignment sits half-way to its update.  Clicking a
point on the curve asks to jump to that state (`seek_requested`).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kmeans_studio.core.engine.narration import narrate
from kmeans_studio.qt.colors import fixed_plot, is_dark
from kmeans_studio.qt.contracts import Snapshot
from kmeans_studio.qt.layout import WrappedLabel


class InertiaView(QWidget):
    """Inertia curve with the narration line above it."""

    seek_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.narration = WrappedLabel("Generating the data…")
        self.narration.setObjectName("narration")
        self.narration.setAccessibleName("What the last half-step did")
        font = self.narration.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.narration.setFont(font)
        self.plot = fixed_plot("inertia_plot", "Inertia per iteration", "iteration",
                               "inertia")
        color = (120, 170, 255) if is_dark() else (0, 90, 170)
        self.curve = pg.PlotDataItem(pen=pg.mkPen(color, width=2), symbol="o", symbolSize=6,
                                     symbolBrush=color, symbolPen=None)
        self.curve.setCurveClickable(True, width=8)
        self.curve.sigPointsClicked.connect(self._on_points_clicked)
        self.plot.addItem(self.curve)
        self.marker = pg.InfiniteLine(angle=90, pen=pg.mkPen(200, 80, 0, width=1.5,
                                                             style=Qt.PenStyle.DashLine))
        self.plot.addItem(self.marker)
        self.current = pg.ScatterPlotItem(size=13, brush=pg.mkBrush(213, 94, 0), pen=None)
        self.plot.addItem(self.current)
        self.plot.setMinimumSize(180, 100)
        self.placeholder = pg.TextItem("Inertia appears after the first assignment",
                                       anchor=(0.5, 0.5), color=(128, 128, 128))
        self.plot.addItem(self.placeholder)
        self._curve_name = "inertia"
        self.placeholder.setPos(1.5, 0.5)

        header = QHBoxLayout()
        header.addWidget(self.narration, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addLayout(header)
        layout.addWidget(self.plot, 1)

    def set_snapshot(self, snapshot: Snapshot) -> None:
        state = snapshot.iteration
        self.marker.setVisible(state is not None)
        if state is None:  # no centres yet (click-to-place): an empty chart
            self.curve.setData([])
            self.current.setData([])
            self.placeholder.show()
            self.plot.setXRange(0, 3.0, padding=0.02)
            self.plot.setYRange(0, 1, padding=0)
            self.narration.setText("Place centres to start.")
            return
        self._name_curve(state.objective_name)
        inertia = np.asarray(snapshot.objective, dtype=float)
        x = np.arange(len(inertia)) / 2.0
        finite = np.isfinite(inertia)
        self.curve.setData(x[finite], inertia[finite], data=np.flatnonzero(finite))
        self.plot.setXRange(0, max(3.0, x[-1] + 0.5 if len(x) else 0.0), padding=0.02)
        self.placeholder.setVisible(not finite.any())
        if finite.any():
            low, high = inertia[finite].min(), inertia[finite].max()
            span = max(high - low, abs(high) * 0.05, 1e-12)
            self.plot.setYRange(low - 0.08 * span, high + 0.08 * span, padding=0)
        self.marker.setPos(snapshot.index / 2.0)
        if snapshot.index < len(inertia) and np.isfinite(inertia[snapshot.index]):
            self.current.setData([snapshot.index / 2.0], [inertia[snapshot.index]])
        else:
            self.current.setData([])
        if not finite.any():
            self.plot.setYRange(0, 1, padding=0)
        self.narration.setText(narrate(state, snapshot.previous))

    def _name_curve(self, name: str) -> None:
        """Title and axis for what the run improves (inertia, or log-likelihood)."""
        if name != self._curve_name:
            self._curve_name = name
            self.plot.setAccessibleName(f"{name[0].upper()}{name[1:]} per iteration")
            self.plot.setLabel("left", name)
            self.placeholder.setText(f"{name[0].upper()}{name[1:]} appears after the "
                                     "first " + ("E-step" if name != "inertia"
                                                 else "assignment"))

    def _on_points_clicked(self, item, points, *args) -> None:
        if len(points):
            self.seek_requested.emit(int(points[0].data()))
