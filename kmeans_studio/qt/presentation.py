"""Presentation: the whole interface scaled for the back of a room.

The interface's font grows with the scale; every pyqtgraph view lays its plot out in
a smaller logical area and draws it magnified, so text, lines and markers all grow
together and keep their proportions (as a screen with a larger device pixel ratio
would show them).  Views made later (a page built for the first time, a gallery)
take the scale as they are shown.
"""

from __future__ import annotations

import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFont, QTransform
from PySide6.QtWidgets import QApplication, QWidget

#: The scale Presentation starts at, each Larger / Smaller step, and the range.
PRESENTATION_SCALE = 1.4
STEP = 1.15
LEAST, MOST = 0.7, 3.0

_scale = 1.0
_base_font: QFont | None = None  # the interface's font at scale 1


def scale() -> float:
    """The interface's scale now (1: normal)."""
    return _scale


def plot_font() -> QFont:
    """The font of text inside plots: the interface's at scale 1 (the plots are drawn
    magnified by the scale already)."""
    return QFont(_base_font if _base_font is not None else QApplication.font())


_pyqtgraph_resize = pg.GraphicsView.resizeEvent
_pyqtgraph_update = pg.GraphicsView.updateMatrix


def _resize_event(view: pg.GraphicsView, event) -> None:
    """pyqtgraph's own; scaled, a view that follows its size takes a range in logical
    pixels (its size / the scale), and text inside the plot the unscaled font."""
    font = plot_font()  # magnified already by the scale: not scaled twice
    if view.font() != font:
        view.setFont(font)  # (what the axes draw their ticks with)
    if view.scene() is not None and view.scene().font() != font:
        view.scene().setFont(font)
    _pyqtgraph_resize(view, event)
    if view.autoPixelRange and _scale != 1.0 and not view.closed:
        view.range = QRectF(0, 0, view.width() / _scale, view.height() / _scale)
        pg.GraphicsView.setRange(view, view.range, padding=0, disableAutoPixel=False)


def _update_matrix(view: pg.GraphicsView, propagate: bool = True) -> None:
    """pyqtgraph's own; scaled, a view that follows its size is drawn magnified."""
    _pyqtgraph_update(view, propagate)
    if view.autoPixelRange and _scale != 1.0:
        view.setTransform(QTransform.fromScale(_scale, _scale))
        view.sigDeviceTransformChanged.emit(view)


pg.GraphicsView.resizeEvent = _resize_event
pg.GraphicsView.updateMatrix = _update_matrix


#: Widgets whose font is relative to the interface's: (widget, factor, family).
_relative: list[tuple[QWidget, float, str | None]] = []


def _apply(widget: QWidget, factor: float, family: str | None) -> None:
    font = QFont(QApplication.font())
    if family:
        font.setFamily(family)
    font.setPointSizeF(font.pointSizeF() * factor)
    widget.setFont(font)


def relative_font(widget: QWidget, factor: float = 1.0, family: str | None = None) -> None:
    """Give `widget` a font `factor` times the interface's, which follows the scale
    (a font set once would not)."""
    _relative.append((widget, factor, family))
    _apply(widget, factor, family)


class Scaler:
    """Sets the scale: the application's font and every pyqtgraph view."""

    def __init__(self) -> None:
        global _base_font
        self._font = QFont(QApplication.font())  # the font at scale 1
        _base_font = self._font

    def set(self, value: float) -> float:
        """Scale the interface to `value` (within LEAST..MOST); the scale taken."""
        global _scale
        value = min(max(value, LEAST), MOST)
        if value == _scale:
            return value
        _scale = value
        font = QFont(self._font)
        font.setPointSizeF(self._font.pointSizeF() * value)
        QApplication.setFont(font)
        _relative[:] = [entry for entry in _relative if shiboken6.isValid(entry[0])]
        for entry in _relative:
            _apply(*entry)
        for widget in QApplication.allWidgets():
            if isinstance(widget, pg.GraphicsView):
                _resize_event(widget, None)
        return value

    def reset(self) -> None:
        self.set(1.0)
