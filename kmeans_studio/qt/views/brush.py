"""Drawing points on the scatter plot: a view box that turns drags into strokes.

While `painting`, a left drag (or click) is a stroke of the brush and a right drag of
the eraser (with Shift held, clicks and drags are the plot's own: placing centres):
`stroke_started`, then `stroke_moved(x, y, erasing)` in data coordinates for every
mouse move, then `stroke_finished`.  A circle the brush's size follows the
mouse.  Otherwise the box pans and zooms as any pyqtgraph view box.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal

#: Marker shapes of drawn points' classes (colour says the cluster).
CLASS_SYMBOLS = ("o", "s", "t", "d", "star", "h", "p", "t1")


class PaintingViewBox(pg.ViewBox):
    """A view box that, while `painting`, draws instead of panning."""

    stroke_started = Signal()
    stroke_moved = Signal(float, float, bool)  # x, y, erasing
    stroke_finished = Signal()

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.painting = False
        #: ``claims_click(ev)``: True for a click the plot acts on itself, which the
        #: view box must then leave alone (its menu on a right-click); None: none.
        self.claims_click = None
        self.cursor = pg.ScatterPlotItem(size=30, brush=None, pxMode=True,
                                         pen=pg.mkPen(128, 128, 128, width=1.5,
                                                      style=Qt.PenStyle.DashLine))
        self.cursor.setZValue(20)
        self.addItem(self.cursor, ignoreBounds=True)

    def set_brush_size(self, pixels: int) -> None:
        self.cursor.setSize(pixels)

    def paints(self, ev) -> bool:
        """The mouse event is a stroke's (painting, a button, no Shift)."""
        return (self.painting and ev.button() in (Qt.MouseButton.LeftButton,
                                                  Qt.MouseButton.RightButton)
                and not ev.modifiers() & Qt.KeyboardModifier.ShiftModifier)

    def mouseDragEvent(self, ev, axis=None) -> None:  # noqa: N802 - Qt override
        button = ev.button()
        if not self.paints(ev):
            super().mouseDragEvent(ev, axis)
            return
        ev.accept()
        erasing = button == Qt.MouseButton.RightButton
        if ev.isStart():
            self.stroke_started.emit()
            self._dab(ev.buttonDownPos(), erasing)
        self._dab(ev.pos(), erasing)
        if ev.isFinish():
            self.stroke_finished.emit()

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 - Qt override
        button = ev.button()
        if self.claims_click is not None and self.claims_click(ev):
            ev.accept()  # the plot's own (a right-click on a centre removes it): no menu
            return
        if not self.paints(ev):
            super().mouseClickEvent(ev)
            return
        ev.accept()
        self.stroke_started.emit()
        self._dab(ev.pos(), button == Qt.MouseButton.RightButton)
        self.stroke_finished.emit()

    def hoverEvent(self, ev) -> None:  # noqa: N802 - Qt override
        if self.painting and not ev.isExit():
            self._show_cursor(self.mapToView(ev.pos()))
        elif ev.isExit():
            self.cursor.setData([])

    def _dab(self, pos: QPointF, erasing: bool) -> None:
        point = self.mapToView(pos)
        self._show_cursor(point)
        self.stroke_moved.emit(point.x(), point.y(), erasing)

    def _show_cursor(self, point: QPointF) -> None:
        self.cursor.setData([point.x()], [point.y()])
