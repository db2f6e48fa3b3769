"""Before and after: side by side with linked zoom and pan, or one image with a wipe.

Images are shown as `ImageItem(axisOrder="row-major")` of RGB uint8 without levels, so
pyqtgraph wraps the pixels in a QImage as they are instead of rescaling every pixel
(64 ms for 8 MP on the GUI thread);
every view box shares one zoom and pan, so switching modes keeps the place.

The pictures fit their view until the user zooms or pans (wheel, drag, or the zoom
buttons), and fit again on Fit; side by side, they go next to each other or one
above the other, whichever shows them larger.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QRadioButton,
    QSizePolicy,
    QSlider,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from kmeans_studio.qt.layout import WrappedLabel

#: Each zoom button press or step scales by this factor.
ZOOM_STEP = 1.25


def _image_box() -> pg.ViewBox:
    return pg.ViewBox(lockAspect=True, invertY=True, enableMenu=False)


def _image_item() -> pg.ImageItem:
    return pg.ImageItem(axisOrder="row-major")


#: Transparency is shown over a checkerboard of these greys, about 64 squares across.
CHECKER_GREYS = (204, 255)
CHECKER_SQUARES = 64


def checkerboard(height: int, width: int) -> np.ndarray:
    """RGB uint8 squares to lay under a (height, width) picture, stretched to its size."""
    side = max(1, round(max(height, width) / CHECKER_SQUARES))
    rows, columns = -(-height // side), -(-width // side)
    odd = np.add.outer(np.arange(rows), np.arange(columns)) % 2
    return np.repeat(np.array(CHECKER_GREYS, dtype=np.uint8)[odd][..., None], 3, axis=2)


def _checker_item() -> pg.ImageItem:
    item = pg.ImageItem(axisOrder="row-major")
    item.setZValue(-1)
    item.hide()
    return item


def _picture_view(box: pg.ViewBox) -> pg.GraphicsView:
    view = pg.GraphicsView()
    view.setCentralItem(box)
    # Equal cells whatever the pictures: the views never ask for room of their own.
    view.setMinimumSize(60, 60)
    view.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
    return view


def _caption(text: str) -> QLabel:
    """A picture's caption, centred, wrapped where the picture is narrow."""
    label = WrappedLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # a file's name, as named
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


def _tool_button(text: str, tip: str, clicked) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    button.setAccessibleName(tip.split(" (")[0])
    button.setAutoRaise(True)
    button.clicked.connect(clicked)
    return button


class CompareView(QWidget):
    """The original and the compressed image; `set_original`, then `set_result`."""

    mode_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compare_view")
        self._original: np.ndarray | None = None
        self._result: np.ndarray | None = None
        self.fitted = True  # the pictures follow the view's size until zoomed or panned
        self.stacked = False  # side by side: one above the other

        # Side by side: two views of equal size (a grid's equal cells, each caption in
        # a row of its own), so that one fit fits both pictures whole.
        self.before_box, self.after_box = _image_box(), _image_box()
        self.before_view, self.after_view = _picture_view(self.before_box), _picture_view(
            self.after_box)
        self.before_label, self.after_label = _caption("Original"), _caption("Compressed")
        self.side = QWidget()
        self.side.setAccessibleName("Original and compressed image side by side")
        self._grid = QGridLayout(self.side)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(4)
        self._arrange(stacked=False)
        self.before, self.after = _image_item(), _image_item()
        self.checkers = [_checker_item() for _ in range(3)]  # under each picture
        for box, item, checker in ((self.before_box, self.before, self.checkers[0]),
                                   (self.after_box, self.after, self.checkers[1])):
            box.addItem(checker)
            box.addItem(item)

        self.wipe = pg.GraphicsLayoutWidget()
        self.wipe.setAccessibleName("Compressed image with the original wiped over it")
        self.wipe_box = _image_box()
        self.wipe.addItem(self.wipe_box)
        self.wipe_after, self.wipe_before = _image_item(), _image_item()
        self.wipe_box.addItem(self.checkers[2])
        self.wipe_box.addItem(self.wipe_after)
        self.wipe_box.addItem(self.wipe_before)
        self.wipe_line = pg.InfiniteLine(angle=90, movable=True,
                                         pen=pg.mkPen(255, 255, 255, width=2),
                                         hoverPen=pg.mkPen(255, 200, 0, width=3))
        self.wipe_line.setZValue(10)
        self.wipe_box.addItem(self.wipe_line)
        self.wipe_line.sigPositionChanged.connect(self._on_line_moved)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("wipe_slider")
        self.slider.setRange(0, 1000)
        self.slider.setValue(500)
        self.slider.setToolTip("Wipe: original on the left of the line, compressed on the right")
        self.slider.setAccessibleName("Wipe position")
        self.slider.valueChanged.connect(self._on_slider)
        # Which side is which: the original left of the line, the compressed right.
        self.wipe_left, self.wipe_right = _caption("◀ Original"), _caption("Compressed ▶")
        self.wipe_right.setAlignment(Qt.AlignmentFlag.AlignRight)
        sides = QHBoxLayout()
        sides.addWidget(self.wipe_left, 1)
        sides.addWidget(self.wipe_right, 1)
        wipe_page = QWidget()
        wipe_layout = QVBoxLayout(wipe_page)
        wipe_layout.setContentsMargins(0, 0, 0, 0)
        wipe_layout.addLayout(sides)
        wipe_layout.addWidget(self.wipe, 1)
        wipe_layout.addWidget(self.slider)

        # One zoom and pan for both pictures: a zoomed one's range is given to the
        # other.  (Not pyqtgraph's links: with locked aspects, boxes a pixel apart in
        # size pushed each other's ranges and cut a fitted picture's edges.)
        self._following = False
        for box in (self.before_box, self.after_box, self.wipe_box):
            box.sigRangeChangedManually.connect(self._on_zoomed_by_hand)
            box.sigResized.connect(self._on_resized)
        for box, other in ((self.before_box, self.after_box), (self.after_box, self.before_box)):
            box.sigRangeChanged.connect(lambda source, *_, o=other: self._follow(source, o))
        for box in (self.before_box, self.wipe_box):
            box.sigRangeChanged.connect(self._show_zoom)

        for view in (self.before_view, self.after_view, self.wipe):  # said on hover
            view.setStatusTip("Wheel: zoom (Ctrl+wheel where the page scrolls) · drag: pan")
        self.pages = QStackedWidget()
        self.pages.addWidget(self.side)
        self.pages.addWidget(wipe_page)
        self.pages.setMinimumSize(320, 240)
        self.side_button = QRadioButton("Side by side")
        self.wipe_button = QRadioButton("Wipe")
        for button, tip in ((self.side_button, "Original and compressed next to each other"),
                            (self.wipe_button, "One image; drag the line to compare")):
            button.setToolTip(tip)
            button.setAccessibleName(button.text())
        self.side_button.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.side_button, 0)
        group.addButton(self.wipe_button, 1)
        group.idClicked.connect(self.set_mode_index)
        self.fit_button = _tool_button("Fit", "Show the whole picture (Fit)", self.fit)
        # The zoom shown, and under it 100% and the steps (the wheel zooms too): one
        # button, so the bar fits a narrow pane at a large interface scale.
        self.zoom_label = QToolButton()
        self.zoom_label.setObjectName("zoom_label")
        self.zoom_label.setToolTip("The zoom; 100%, zoom in or out (or turn the wheel "
                                   "over a picture, and drag it to pan)")
        self.zoom_label.setAccessibleName("Zoom")
        self.zoom_label.setAutoRaise(True)
        self.zoom_label.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.zoom_label)
        menu.addAction("100%: one picture pixel per screen pixel", self.actual_size)
        menu.addAction("Zoom in", lambda: self.zoom_by(ZOOM_STEP))
        menu.addAction("Zoom out", lambda: self.zoom_by(1 / ZOOM_STEP))
        self.zoom_label.setMenu(menu)
        top = QHBoxLayout()
        top.addWidget(self.side_button)
        top.addWidget(self.wipe_button)
        top.addStretch(1)
        top.addWidget(self.fit_button)
        top.addWidget(self.zoom_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)
        self._apply_palette()

    def _apply_palette(self) -> None:
        """The pictures sit on the palette's base colour."""
        for view in (self.before_view, self.after_view, self.wipe):
            view.setBackground(self.palette().color(QPalette.ColorRole.Base))

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:
            self._apply_palette()

    # -- arrangement
    def _arrange(self, stacked: bool) -> None:
        """Captions and pictures next to each other, or one above the other: the
        pictures' cells stretch equally and the captions' rows are shared (side by
        side), so the two views are always the same size."""
        grid = self._grid
        for widget in (self.before_label, self.before_view, self.after_label, self.after_view):
            grid.removeWidget(widget)
        places = ((0, 0), (1, 0), (2, 0), (3, 0)) if stacked else ((0, 0), (1, 0), (0, 1), (1, 1))
        for widget, (row, column) in zip((self.before_label, self.before_view,
                                          self.after_label, self.after_view), places):
            grid.addWidget(widget, row, column)
        for index in range(4):
            grid.setColumnStretch(index, 0)
            grid.setRowStretch(index, 0)
        for row in ((1, 3) if stacked else (1,)):
            grid.setRowStretch(row, 1)
        for column in ((0,) if stacked else (0, 1)):
            grid.setColumnStretch(column, 1)
        self.stacked = stacked

    def _better_stacked(self) -> bool:
        """Whether the pictures show larger one above the other than side by side."""
        if self._original is None:
            return self.stacked
        h, w = self._original.shape[:2]
        caption = self.before_label.sizeHint().height() + self._grid.spacing()
        width, height = self.side.width(), self.side.height() - 2 * caption
        across = min((width - self._grid.spacing()) / 2 / w, (height + caption) / h)
        down = min(width / w, height / 2 / h)
        return down > across * 1.05 if not self.stacked else down * 1.05 > across

    # -- inputs
    def set_original(self, pixels: np.ndarray, caption: str = "") -> None:
        self._original = pixels
        self._result = None
        self.before.setImage(pixels, autoLevels=False)
        self.after.clear()
        self.wipe_after.clear()
        h, w = pixels.shape[:2]
        transparent = pixels.shape[2] == 4
        squares = checkerboard(h, w) if transparent else None
        for checker in self.checkers:
            checker.setVisible(transparent)
            if transparent:
                checker.setImage(squares, autoLevels=False)
                checker.setRect(0, 0, w, h)
        self.wipe_line.setBounds((0, w))
        self.wipe_line.setValue(w * self.slider.value() / 1000)
        self._update_wipe()
        self.before_label.setText(f"Original: {caption}" if caption else "Original")
        self._rearrange()
        self.fit()

    def set_result(self, rgb: np.ndarray, label: str = "Compressed") -> None:
        """The compressed picture, RGB (or RGBA, over the checkerboard)."""
        self._result = rgb
        self.after.setImage(rgb, autoLevels=False)
        if self._transparent():
            self._update_wipe()
        else:  # the original's part covers it: set once, whole
            self.wipe_after.setImage(rgb, autoLevels=False)
            self.wipe_after.setPos(0, 0)
        self.after_label.setText(label)
        self.wipe_right.setText(f"{label} ▶")

    def _transparent(self) -> bool:
        return self._original is not None and self._original.shape[2] == 4

    # -- zoom
    @property
    def box(self) -> pg.ViewBox:
        """The view box of the mode shown (the side-by-side pair follow `before_box`)."""
        return self.wipe_box if self.pages.currentIndex() else self.before_box

    def fit(self) -> None:
        """Show the whole picture, and keep showing it whole as the view's size changes."""
        self.fitted = True
        if self._original is None:
            return
        h, w = self._original.shape[:2]
        self._following = True  # each fitted to its own view
        for box in (self.before_box, self.after_box, self.wipe_box):
            box.setRange(xRange=(0, w), yRange=(0, h), padding=0)
        self._following = False

    def _follow(self, source: pg.ViewBox, other: pg.ViewBox) -> None:
        """The other side-by-side picture shows what a zoomed or panned one shows."""
        if self.fitted or self._following:
            return
        self._following = True
        other.setRange(rect=source.viewRect(), padding=0)
        self._following = False

    def zoom(self) -> float:
        """Screen pixels per picture pixel in the mode shown."""
        per_pixel = self.box.viewPixelSize()[0]
        return 1 / per_pixel if per_pixel > 0 else 1.0

    def zoom_by(self, factor: float) -> None:
        """Zoom in (factor > 1) or out about the middle of the view."""
        self.fitted = False
        self.box.scaleBy((1 / factor, 1 / factor))

    def actual_size(self) -> None:
        """One picture pixel per screen pixel, about the middle of the view."""
        self.zoom_by(1 / self.zoom())

    def _on_zoomed_by_hand(self, *_) -> None:
        self.fitted = False

    def _on_resized(self, *_) -> None:
        if self.fitted:
            self.fit()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._rearrange()

    def _rearrange(self) -> None:
        """Side by side, the pictures go where they show larger (the boxes' own
        resizing then refits them)."""
        if self._better_stacked() != self.stacked:
            self._arrange(not self.stacked)

    def _show_zoom(self, *_) -> None:
        self.zoom_label.setText(f"{100 * self.zoom():.0f}%" if self._original is not None
                                else "")

    def set_mode_index(self, index: int) -> None:
        if not self.fitted:
            # The wipe view takes over the zoom and pan of the side-by-side views.
            source, target = (self.before_box, self.wipe_box) if index else (self.wipe_box,
                                                                             self.before_box)
            target.setRange(rect=source.viewRect(), padding=0)
        self.pages.setCurrentIndex(index)
        (self.wipe_button if index else self.side_button).setChecked(True)
        if self.fitted:
            self.fit()
        self._show_zoom()
        self.mode_changed.emit("wipe" if index else "side")

    # -- wipe
    def _on_slider(self, value: int) -> None:
        if self._original is not None:
            self.wipe_line.setValue(self._original.shape[1] * value / 1000)

    def _on_line_moved(self) -> None:
        if self._original is None:
            return
        w = self._original.shape[1]
        self.slider.blockSignals(True)
        self.slider.setValue(round(1000 * self.wipe_line.value() / max(w, 1)))
        self.slider.blockSignals(False)
        self._update_wipe()

    def _update_wipe(self) -> None:
        if self._original is None:
            return
        width = self._original.shape[1]
        cut = int(round(min(max(self.wipe_line.value(), 0), width)))
        if self._transparent():
            # Each side shows only its own picture: the compressed one must not show
            # through the original's transparent pixels.
            if self._result is not None and cut < width:
                self.wipe_after.setImage(self._result[:, cut:], autoLevels=False)
                self.wipe_after.setPos(cut, 0)
            else:
                self.wipe_after.clear()
        if cut == 0:
            self.wipe_before.clear()
            return
        self.wipe_before.setImage(self._original[:, :cut], autoLevels=False)
