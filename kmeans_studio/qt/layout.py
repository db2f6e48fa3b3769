"""Layout pieces the window's pages share: splitters of views, and scrolling where a
window is too small to give every figure its minimum useful size."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSplitter, QWidget


def splitter(orientation: Qt.Orientation, widgets: list[QWidget], stretch: list[int],
             name: str) -> QSplitter:
    """Views side by side (or one above the other) sharing the space by `stretch`;
    none can be dragged below its minimum size."""
    result = QSplitter(orientation)
    result.setObjectName(name)
    result.setChildrenCollapsible(False)
    for widget, factor in zip(widgets, stretch):
        result.addWidget(widget)
        result.setStretchFactor(result.count() - 1, factor)
    return result


def scrolled(widget: QWidget, name: str = "") -> QScrollArea:
    """`widget` filling a frameless scroll area: it grows with the space it is given,
    and where that is less than its minimum size it scrolls instead of being crushed
    (or of making the window grow)."""
    area = QScrollArea()
    area.setObjectName(name or f"{widget.objectName()}_scroll")
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setWidget(widget)
    return area


def minimum_size(widget: QWidget) -> QSize:
    """The smallest size a layout gives `widget` (its minimum size, or else its
    minimum size hint)."""
    hint = widget.minimumSizeHint()
    size = widget.minimumSize()
    return QSize(size.width() or max(hint.width(), 0), size.height() or max(hint.height(), 0))


class ViewsArea(QScrollArea):
    """A page's views (a splitter) filling a frameless scroll area.  Views side by
    side go one above the other where the page is too narrow for them side by side
    (and back when it is wide enough again); what still does not fit scrolls."""

    #: Extra width needed to go back side by side: the scroll bar that comes and goes
    #: with the change must not flip it back and forth.
    HYSTERESIS = 32

    def __init__(self, views: QSplitter) -> None:
        super().__init__()
        self.setObjectName(f"{views.objectName()}_page")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setWidget(views)
        self._reflows = views.orientation() == Qt.Orientation.Horizontal

    def side_by_side_width(self) -> int:
        """The least width the views need side by side."""
        views: QSplitter = self.widget()
        widths = [minimum_size(views.widget(i)).width() for i in range(views.count())
                  if not views.widget(i).isHidden()]
        return sum(widths) + views.handleWidth() * max(0, len(widths) - 1)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.reflow()

    def reflow(self) -> None:
        if not self._reflows:
            return
        views: QSplitter = self.widget()
        width, need = self.viewport().width(), self.side_by_side_width()
        wide = views.orientation() == Qt.Orientation.Horizontal
        if wide and width < need:
            views.setOrientation(Qt.Orientation.Vertical)
        elif not wide and width >= need + self.HYSTERESIS:
            views.setOrientation(Qt.Orientation.Horizontal)
            views.setMinimumHeight(0)
            # Side by side again, in the shares the page was made with.
            shares = [views.widget(i).sizePolicy().horizontalStretch() or 1
                      for i in range(views.count())]
            views.setSizes([share * width // sum(shares) for share in shares])
        if views.orientation() == Qt.Orientation.Vertical:
            # One above the other, each view as tall as the page shows at once (or
            # its minimum, when more): scrolled through, not squeezed.
            shown = [views.widget(i) for i in range(views.count())]
            heights = [0 if w.isHidden() else max(minimum_size(w).height(),
                                                  self.viewport().height())
                       for w in shown]
            views.setMinimumHeight(sum(heights) + views.handleWidth() * (len(heights) - 1))
            views.setSizes(heights)


class WrappedLabel(QLabel):
    """A label whose lines wrap, with the height its text needs at its width as its
    minimum: splitters ignore height-for-width, and would cut a long sentence to its
    first line."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)
        self._fit()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt name
        super().setText(text)
        self._fit()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        need = self.heightForWidth(max(1, self.width()))
        if need > 0 and need != self.minimumHeight():
            self.setMinimumHeight(need)
