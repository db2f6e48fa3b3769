"""A photo's quality and file size against its number of colours, and a target box:
the fewest colours reaching a PSNR, or the most whose PNG fits a size.

Clicking a point takes its k (`k_chosen`); Find asks for the search (`find_requested`).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kmeans_studio.qt.colors import fixed_plot, is_dark
from kmeans_studio.qt.layout import WrappedLabel

#: What the target box can aim at: (label, unit, low, high, default, decimals).
TARGETS = {
    "psnr": ("PSNR at least", " dB", 1.0, 99.0, 40.0, 1),
    "size": ("File at most", " KiB", 0.1, 1e7, 100.0, 1),
}
#: k labelled on the axis (the curve's points lie between them too).
TICKS = (2, 4, 8, 16, 32, 64, 128, 256)


class QualityCurveView(QWidget):
    """PSNR and indexed-PNG size against k (log scale), the current k marked."""

    k_chosen = Signal(int)
    find_requested = Signal(str, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("quality_curve")
        self.target = QComboBox()
        self.target.setObjectName("target_kind")
        self.target.setAccessibleName("What the number of colours must reach")
        self.target.setToolTip("Find the fewest colours whose PSNR reaches the value, or the "
                               "most whose indexed PNG is at most the size")
        for key, (label, *_rest) in TARGETS.items():
            self.target.addItem(label, key)
        self.value = QDoubleSpinBox()
        self.value.setObjectName("target_value")
        self.value.setAccessibleName("Target value")
        self.value.setToolTip("The PSNR to reach (dB), or the largest file (KiB)")
        self.find = QPushButton("Find k")
        self.find.setObjectName("find_k")
        self.find.setAccessibleName("Find the number of colours for the target")
        self.find.setToolTip("The fewest colours reaching the PSNR, or the most whose indexed "
                             "PNG fits the size: a bisection on the photo's colours, as the "
                             "compress command's --quality and --max-size; then take it")
        self.find.clicked.connect(
            lambda: self.find_requested.emit(self.target.currentData(), self.value.value()))
        self.target.currentIndexChanged.connect(self._show_target)
        self._show_target()
        self.note = WrappedLabel("The curve appears once the photo is loaded.")
        self.note.setObjectName("curve_note")

        line = (120, 170, 255) if is_dark() else (0, 90, 170)
        self.psnr_plot = fixed_plot("curve_psnr", "PSNR against the number of colours",
                                    "colours k", "")
        self.size_plot = fixed_plot("curve_size", "PNG size against the number of colours",
                                    "colours k", "")
        # The units in the titles, not up the axes: the plots may be too short for an
        # axis title.
        self.psnr_plot.setTitle("PSNR (dB)", size="9pt")
        self.size_plot.setTitle("Indexed PNG size (KiB)", size="9pt")
        self._curves, self._marks = {}, {}
        for name, plot in (("psnr", self.psnr_plot), ("size", self.size_plot)):
            plot.setMinimumHeight(72)
            plot.getAxis("left").showLabel(False)
            plot.setToolTip("Click a point to compress the photo with that many colours")
            curve = pg.PlotDataItem(pen=pg.mkPen(line, width=2), symbol="o", symbolSize=7,
                                    symbolBrush=line, symbolPen=None)
            curve.sigPointsClicked.connect(self._on_points_clicked)
            mark = pg.InfiniteLine(angle=90, pen=pg.mkPen(200, 80, 0, width=1.5,
                                                          style=Qt.PenStyle.DashLine))
            mark.hide()
            plot.addItem(mark)
            plot.addItem(curve)
            plot.getAxis("bottom").setTicks([[(math.log2(k), str(k)) for k in TICKS]])
            plot.setXRange(1, 8, padding=0.04)
            self._curves[name], self._marks[name] = curve, mark
        self.size_plot.setXLink(self.psnr_plot)
        # The lower plot numbers and names the shared axis.
        self.psnr_plot.getAxis("bottom").setStyle(showValues=False)
        self.psnr_plot.setLabel("bottom", "")

        row = QHBoxLayout()
        row.addWidget(self.target)
        row.addWidget(self.value)
        row.addWidget(self.find)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addWidget(self.note)
        layout.addWidget(self.psnr_plot, 1)
        layout.addWidget(self.size_plot, 1)
        self.setMinimumWidth(180)  # the height: what the layout needs

    def _show_target(self) -> None:
        _label, unit, low, high, default, decimals = TARGETS[self.target.currentData()]
        self.value.setRange(low, high)
        self.value.setDecimals(decimals)
        self.value.setSuffix(unit)
        self.value.setValue(default)

    def set_points(self, points, done: bool, total: int) -> None:
        """Draw the curve's points so far (`search.CurvePoint`s)."""
        ks = np.array([p.n_colors for p in points], dtype=float)
        x = np.log2(ks) if len(ks) else ks
        psnr = np.array([p.psnr for p in points], dtype=float)
        finite = np.isfinite(psnr)  # an exact copy has no PSNR to draw
        self._curves["psnr"].setData(x[finite], psnr[finite], data=ks[finite].astype(int))
        self._curves["size"].setData(x, np.array([p.png_bytes for p in points]) / 1024,
                                     data=ks.astype(int))
        if done:
            self.note.setText(
                f"k-means at {len(points)} numbers of colours (seed as on the page). "
                "Click a point to take that k.")
        else:
            self.note.setText(f"Compressing the photo at {len(points) + 1} of {total} "
                              "numbers of colours…")

    def set_current(self, k: int | None) -> None:
        for mark in self._marks.values():
            mark.setVisible(k is not None)
            if k is not None:
                mark.setPos(math.log2(k) if k > 0 else 0)

    def clear(self, text: str) -> None:
        for curve in self._curves.values():
            curve.setData([], [])
        self.note.setText(text)

    def _on_points_clicked(self, item, points, *args) -> None:
        if len(points):
            self.k_chosen.emit(int(points[0].data()))
