"""Plot styling that follows the system's light or dark palette."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFontMetrics, QPalette
from PySide6.QtWidgets import QApplication


def is_dark() -> bool:
    app = QApplication.instance()
    if app is None:
        return False
    return app.palette().color(QPalette.ColorRole.Window).lightness() < 128


class _Restyler(QObject):
    """Styles a plot again when its palette changes (the desktop went dark or light)."""

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.PaletteChange:
            _apply_palette(watched)
        return False


_restyler: _Restyler | None = None


def _apply_palette(plot: pg.PlotWidget) -> None:
    palette = plot.palette()
    plot.setBackground(palette.color(QPalette.ColorRole.Base))
    text = palette.color(QPalette.ColorRole.Text)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(text))
        axis.setTextPen(pg.mkPen(text))
    plot.getPlotItem().titleLabel.setAttr("color", text.name())


def style_plot(plot: pg.PlotWidget) -> None:
    """Background, axis and title colours from the palette, now and when it changes."""
    global _restyler
    if _restyler is None:
        _restyler = _Restyler(QApplication.instance())
    _apply_palette(plot)
    plot.installEventFilter(_restyler)


def _next_round(step: float) -> float:
    """The round step (1, 2 or 5 × 10ⁿ) after `step`."""
    power = 10.0 ** math.floor(math.log10(step))
    return next(n * power for n in (1, 2, 5, 10) if n * power > step * (1 + 1e-9))


class SpacedAxis(pg.AxisItem):
    """An axis whose labels never overlap: on a short axis (a small plot, or a large
    font) pyqtgraph keeps at least two and a quarter intervals, whose labels then ran
    into each other; here the interval grows (1, 2, 5 × 10ⁿ) until each label has
    room: its height and half as much again up an axis, its digits and one more
    along one."""

    def tickSpacing(self, minVal: float, maxVal: float, size: float):  # noqa: N802, N803
        levels = super().tickSpacing(minVal, maxVal, size)
        if not levels or size <= 0:
            return levels
        metrics = QFontMetrics(self.font())
        if self.orientation in ("left", "right"):
            room = 1.5 * metrics.height()
        else:
            widest = max(abs(minVal), abs(maxVal))  # its digits, and one more as a gap
            room = metrics.horizontalAdvance(f"{round(widest)}0")
        labels = max(1, int(size // room))
        major = levels[0][0]
        while abs(maxVal - minVal) / major > labels:
            major = _next_round(major)
        if major == levels[0][0]:
            return levels
        mantissa = round(major / 10.0 ** math.floor(math.log10(major)))
        return [(major, 0), (major / (5 if mantissa == 5 else 2), 0)]


def fixed_plot(name: str, description: str, x_label: str, y_label: str,
               movable: bool = False) -> pg.PlotWidget:
    """A styled plot for a chart that is read, not explored: no context menu or
    auto-range button, plain tick numbers, and (unless `movable`) no pan or zoom."""
    plot = pg.PlotWidget(axisItems={"left": SpacedAxis("left"),
                                    "bottom": SpacedAxis("bottom")})
    plot.setObjectName(name)
    plot.setAccessibleName(description)
    style_plot(plot)
    plot.setLabel("bottom", x_label)
    plot.setLabel("left", y_label)
    plot.hideButtons()
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(x=movable, y=movable)
    for axis in ("bottom", "left"):
        plot.getAxis(axis).enableAutoSIPrefix(False)
    return plot
