"""Layout pieces the window's pages share: splitters of views, tabs, and scrolling
where a window is too small to give every figure its minimum useful size."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QFrame,
    QLabel,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QWidget,
)


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


def tabs(pages: list[tuple[str, QWidget]], name: str) -> QTabWidget:
    """Views that compete for one place, one tab each (the first shown)."""
    result = QTabWidget()
    result.setObjectName(name)
    result.setDocumentMode(True)
    # Where the tabs are narrow, their names are shortened (whole in the tooltips)
    # rather than scrolled out of sight.
    result.setUsesScrollButtons(False)
    result.setElideMode(Qt.TextElideMode.ElideRight)
    for title, widget in pages:
        result.setTabToolTip(result.addTab(widget, title), title)
    return result


class ViewsArea(QScrollArea):
    """A page's views (a splitter) filling a frameless scroll area.  The page is laid
    out to show every view at once in `needs()` (its views' minimum sizes); the window
    gives it that room first (its docks give way), and only a smaller window scrolls.

    The wheel over a plot zooms it, except where the page scrolls: there the wheel
    scrolls the page and Ctrl+wheel zooms (a page that scrolls must not trap the wheel
    in a plot, which zoomed out to ±1000 instead)."""

    def __init__(self, views: QSplitter) -> None:
        super().__init__()
        self.setObjectName(f"{views.objectName()}_page")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setWidget(views)
        self._plots: set[QWidget] = set()
        self.catch_wheel()

    def needs(self) -> QSize:
        """The least size that shows every view without scrolling."""
        return self.widget().minimumSizeHint().expandedTo(self.widget().minimumSize())

    def scrolls(self) -> bool:
        return self.verticalScrollBar().maximum() > 0 or self.horizontalScrollBar().maximum() > 0

    def catch_wheel(self) -> None:
        """Watch the wheel over every plot and picture of the page (call again after
        adding views)."""
        for view in self.widget().findChildren(QAbstractScrollArea):
            viewport = view.viewport()
            if viewport not in self._plots:
                self._plots.add(viewport)
                viewport.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        if (event.type() == QEvent.Type.Wheel and self.scrolls()
                and not event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            vertical = self.verticalScrollBar().maximum() > 0
            bar = self.verticalScrollBar() if vertical else self.horizontalScrollBar()
            pixels = event.pixelDelta()  # a touchpad's, when it gives one
            delta = (pixels.y() or pixels.x()) if not pixels.isNull() else round(
                (event.angleDelta().y() or event.angleDelta().x()) / 120
                * QApplication.wheelScrollLines() * bar.singleStep())
            bar.setValue(bar.value() - delta)
            return True
        return False


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
