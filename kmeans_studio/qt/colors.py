"""Cluster colours and plot styling that follows the system's light or dark palette."""

from __future__ import annotations

import colorsys

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

# Okabe & Ito's colour-blind-safe set, then Paul Tol's "muted" set.
_BASE = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442",
    "#999999", "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77",
    "#CC6677", "#882255", "#AA4499",
]


def cluster_colors(k: int) -> np.ndarray:
    """(k, 3) uint8 RGB; colour j always belongs to cluster j."""
    colors = [tuple(int(h[i:i + 2], 16) for i in (1, 3, 5)) for h in _BASE[:k]]
    golden = 0.618033988749895
    for j in range(len(colors), k):  # beyond the named sets: well-spread hues
        r, g, b = colorsys.hsv_to_rgb((j * golden) % 1.0, 0.65, 0.85)
        colors.append((int(r * 255), int(g * 255), int(b * 255)))
    return np.array(colors, dtype=np.uint8).reshape(k, 3)


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


def fixed_plot(name: str, description: str, x_label: str, y_label: str,
               movable: bool = False) -> pg.PlotWidget:
    """A styled plot for a chart that is read, not explored: no context menu or
    auto-range button, plain tick numbers, and (unless `movable`) no pan or zoom."""
    plot = pg.PlotWidget()
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
