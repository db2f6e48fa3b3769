"""A grid of small grey-level images with captions: cluster centres, galleries.

All tiles are painted by one widget (no child widget per tile), with crisp pixels
(no smoothing) and the "binary" colour map of the seed notebook: low values white,
high values black.  Clicking a tile emits `clicked(index)`; hovering shows its tooltip.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QEvent, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

CAPTION = 16  # pixels of text under each tile
GAP = 6


def grey_image(values: np.ndarray, levels: tuple[float, float]) -> QImage:
    """(h, w) values as a QImage in the binary colour map (`levels` low → white)."""
    low, high = levels
    scaled = (np.asarray(values, dtype=np.float64) - low) / ((high - low) or 1.0)
    grey = np.ascontiguousarray(255 - np.clip(scaled, 0, 1) * 255, dtype=np.uint8)
    h, w = grey.shape
    return QImage(grey.data, w, h, w, QImage.Format.Format_Grayscale8).copy()


class ImageGrid(QWidget):
    """Tiles of images, each with a caption and a tooltip.

    With ``fit=True`` the tiles grow or shrink so that all of them fill the widget (the
    centre images); otherwise tiles keep `tile` pixels and the widget grows in height
    (a gallery inside a scroll area).
    """

    clicked = Signal(int)

    def __init__(self, *, fit: bool, tile: int = 64, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self._fit = fit
        self._tile = tile
        self._images: list[QImage] = []
        self._aspect = 1.0  # height / width of one image
        self.captions: list[str] = []
        self.tooltips: list[str] = []
        self.highlight: int | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding,
                           QSizePolicy.Policy.Expanding if fit else QSizePolicy.Policy.Minimum)

    def __len__(self) -> int:
        return len(self._images)

    def set_images(self, images: np.ndarray, levels: tuple[float, float],
                   captions: list[str], tooltips: list[str] | None = None) -> None:
        """`images` of shape (n, h, w) in data units; `levels` the data's (min, max)."""
        images = np.asarray(images)
        self._images = [grey_image(image, levels) for image in images]
        if len(images):
            self._aspect = images.shape[1] / images.shape[2]
        self.captions = list(captions)
        self.tooltips = list(tooltips) if tooltips is not None else list(captions)
        if not self._fit:
            self.setMinimumHeight(self.heightForWidth(max(self.width(), self._tile)))
        self.updateGeometry()
        self.update()

    # -- geometry
    def _layout(self, width: int, height: int | None) -> tuple[int, int, int]:
        """(columns, tile width, tile image height) for the widget's size."""
        n = max(1, len(self._images))
        if not self._fit or height is None:
            columns = max(1, (width - GAP) // (self._tile + GAP))
            return columns, self._tile, round(self._tile * self._aspect)
        best = (1, 8, 8)
        for columns in range(1, n + 1):  # the column count that gives the largest tiles
            rows = math.ceil(n / columns)
            tile_w = (width - GAP) / columns - GAP
            tile_h = (height - GAP) / rows - GAP - CAPTION
            side = min(tile_w, tile_h / self._aspect)
            if side > best[1]:
                best = (columns, int(side), int(side * self._aspect))
        return best

    def tile_rect(self, index: int) -> QRect:
        """The image part of tile `index` (the caption sits under it)."""
        columns, w, h = self._layout(self.width(), self.height())
        row, col = divmod(index, columns)
        used = columns * (w + GAP) + GAP
        left = max(0, (self.width() - used) // 2) if self._fit else 0
        return QRect(left + GAP + col * (w + GAP), GAP + row * (h + CAPTION + GAP), w, h)

    def index_at(self, pos) -> int | None:
        for i in range(len(self._images)):
            rect = self.tile_rect(i).adjusted(0, 0, 0, CAPTION)
            if rect.contains(pos):
                return i
        return None

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return not self._fit

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        columns, _, h = self._layout(width, None)
        rows = max(1, math.ceil(len(self._images) / columns))
        return GAP + rows * (h + CAPTION + GAP)

    def sizeHint(self) -> QSize:  # noqa: N802
        width = 5 * (self._tile + GAP) + GAP
        return QSize(width, self.heightForWidth(width) if not self._fit else 2 * width // 5)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if not self._fit:
            self.setMinimumHeight(self.heightForWidth(self.width()))

    # -- painting and events
    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        text = self.palette().color(QPalette.ColorRole.Text)
        frame = QPen(self.palette().color(QPalette.ColorRole.Mid))
        exposed = event.rect()
        for i, image in enumerate(self._images):
            rect = self.tile_rect(i)
            if not rect.adjusted(0, 0, 0, CAPTION).intersects(exposed):
                continue
            painter.drawImage(rect, image)
            if i == self.highlight:
                painter.setPen(QPen(QColor(213, 94, 0), 3))
                painter.drawRect(rect.adjusted(-2, -2, 1, 1))
            else:
                painter.setPen(frame)
                painter.drawRect(rect.adjusted(0, 0, -1, -1))
            painter.setPen(text)
            caption = QRect(rect.left() - GAP // 2, rect.bottom() + 1, rect.width() + GAP, CAPTION)
            # Shortened to its tile (whole in the tooltip): captions must not run
            # into each other's.
            words = painter.fontMetrics().elidedText(self.captions[i],
                                                     Qt.TextElideMode.ElideRight, caption.width())
            painter.drawText(caption, Qt.AlignmentFlag.AlignCenter, words)
        painter.end()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        index = self.index_at(event.position().toPoint())
        if index is not None and event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(index)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            index = self.index_at(event.pos())
            if index is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), self.tooltips[index], self)
            return True
        return super().event(event)
