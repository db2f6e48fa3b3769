"""Before and after: side by side with linked zoom and pan, or one image with a wipe.

Images are shown as `ImageItem(axisOrder="row-major")` of RGB uint8 without levels, so
pyqtgraph wraps the pixels in a QImage as they are instead of rescaling every pixel
(64 ms for 8 MP on the GUI thread);
every view box shares one zoom and pan, so switching modes keeps the place.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSlider,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)



def _image_box() -> pg.ViewBox:
    box = pg.ViewBox(lockAspect=True, invertY=True, enableMenu=False)
    return box


def _image_item() -> pg.ImageItem:
    return pg.ImageItem(axisOrder="row-major")


class CompareView(QWidget):
    """The original and the compressed image; `set_original`, then `set_result`."""

    mode_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compare_view")
        self._original: np.ndarray | None = None
        self._result: np.ndarray | None = None

        self.side = pg.GraphicsLayoutWidget()
        self.side.setAccessibleName("Original and compressed image side by side")
        self.before_box, self.after_box = _image_box(), _image_box()
        # Equal columns: linked, aspect-locked boxes of different widths would keep
        # pushing each other's ranges outwards.
        self.side.addItem(self.before_box, row=0, col=0)
        self.side.addItem(self.after_box, row=0, col=1)
        self.side.ci.layout.setColumnStretchFactor(0, 1)
        self.side.ci.layout.setColumnStretchFactor(1, 1)
        self.before_label, self.after_label = QLabel("Original"), QLabel("Compressed")
        for label in (self.before_label, self.after_label):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        side_page = QWidget()
        side_layout = QVBoxLayout(side_page)
        side_layout.setContentsMargins(0, 0, 0, 0)
        captions = QHBoxLayout()
        captions.addWidget(self.before_label, 1)
        captions.addWidget(self.after_label, 1)
        side_layout.addLayout(captions)
        side_layout.addWidget(self.side, 1)
        self.before, self.after = _image_item(), _image_item()
        self.before_box.addItem(self.before)
        self.after_box.addItem(self.after)

        self.wipe = pg.GraphicsLayoutWidget()
        self.wipe.setAccessibleName("Compressed image with the original wiped over it")
        self.wipe_box = _image_box()
        self.wipe.addItem(self.wipe_box)
        self.wipe_after, self.wipe_before = _image_item(), _image_item()
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
        wipe_page = QWidget()
        wipe_layout = QVBoxLayout(wipe_page)
        wipe_layout.setContentsMargins(0, 0, 0, 0)
        wipe_layout.addWidget(self.wipe, 1)
        wipe_layout.addWidget(self.slider)

        self.after_box.setXLink(self.before_box)  # one zoom and pan for both
        self.after_box.setYLink(self.before_box)

        self.pages = QStackedWidget()
        self.pages.addWidget(side_page)
        self.pages.addWidget(wipe_page)
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
        self.caption = QLabel()
        self.caption.setObjectName("compare_caption")
        top = QHBoxLayout()
        top.addWidget(self.side_button)
        top.addWidget(self.wipe_button)
        top.addStretch(1)
        top.addWidget(self.caption)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)

    # -- inputs
    def set_original(self, pixels: np.ndarray, caption: str = "") -> None:
        self._original = pixels
        self._result = None
        self.before.setImage(pixels, autoLevels=False)
        self.after.clear()
        self.wipe_after.clear()
        h, w = pixels.shape[:2]
        self.wipe_line.setBounds((0, w))
        self.wipe_line.setValue(w * self.slider.value() / 1000)
        self._update_wipe()
        self.caption.setText(caption)
        self.fit()

    def fit(self) -> None:
        """Show the whole image."""
        if self._original is not None:
            h, w = self._original.shape[:2]
            for box in (self.before_box, self.wipe_box):
                box.setRange(xRange=(0, w), yRange=(0, h), padding=0.01)

    def showEvent(self, event) -> None:  # noqa: N802 - fit once the boxes have a size
        super().showEvent(event)
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, self.fit)

    def set_result(self, rgb: np.ndarray, label: str = "Compressed") -> None:
        self._result = rgb
        self.after.setImage(rgb, autoLevels=False)
        self.wipe_after.setImage(rgb, autoLevels=False)
        self.after_label.setText(label)

    def set_mode_index(self, index: int) -> None:
        # The wipe view takes over the zoom and pan of the side-by-side views.
        source, target = (self.before_box, self.wipe_box) if index else (self.wipe_box, self.before_box)
        target.setRange(rect=source.viewRect(), padding=0)
        self.pages.setCurrentIndex(index)
        (self.wipe_button if index else self.side_button).setChecked(True)
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
        cut = int(round(min(max(self.wipe_line.value(), 0), self._original.shape[1])))
        if cut == 0:
            self.wipe_before.clear()
            return
        self.wipe_before.setImage(self._original[:, :cut], autoLevels=False)
