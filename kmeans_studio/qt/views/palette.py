"""The palette as swatches sorted by pixel share; hover a swatch for its hex value.
Entries with transparency are drawn over a checkerboard."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from kmeans_studio.qt.views.image_compare import CHECKER_GREYS

SWATCH = 26
GAP = 3


class PaletteView(QWidget):
    """Equal swatches, most-used first, each with a bar showing its share."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("palette_view")
        self.setAccessibleName("Palette sorted by share of pixels")
        self.setMouseTracking(True)
        self.setMinimumHeight(SWATCH + 2 * GAP)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.colors = np.empty((0, 3), dtype=np.uint8)
        self.shares = np.empty(0)

    def set_palette(self, palette: np.ndarray, counts: np.ndarray) -> None:
        """Colours and the number of pixels using each; shown by decreasing share."""
        counts = np.asarray(counts, dtype=float)
        order = np.argsort(-counts, kind="stable")
        total = counts.sum() or 1.0
        self.colors = np.asarray(palette)[order]
        self.shares = counts[order] / total
        self.setMinimumHeight(self.heightForWidth(max(self.width(), 8 * (SWATCH + GAP))))
        self.updateGeometry()
        self.update()

    def resizeEvent(self, event) -> None:  # noqa: N802 - rows rewrap with the width
        super().resizeEvent(event)
        self.setMinimumHeight(self.heightForWidth(self.width()))

    def tooltip_at(self, index: int) -> str:
        color = [int(v) for v in self.colors[index]]
        alpha = f", alpha {color[3]}" if len(color) == 4 else ""
        hex_rgb = "".join(f"{v:02X}" for v in color[:3])
        return f"#{hex_rgb}{alpha} — {100 * self.shares[index]:.2f}% of pixels"

    def _per_row(self) -> int:
        return max(1, (self.width() - GAP) // (SWATCH + GAP))

    def _rect(self, index: int) -> QRect:
        row, col = divmod(index, self._per_row())
        return QRect(GAP + col * (SWATCH + GAP), GAP + row * (SWATCH + GAP), SWATCH, SWATCH)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        per_row = max(1, (width - GAP) // (SWATCH + GAP))
        rows = max(1, -(-len(self.colors) // per_row))
        return GAP + rows * (SWATCH + GAP)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(8 * (SWATCH + GAP), self.heightForWidth(8 * (SWATCH + GAP)))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        top = self.shares.max() if len(self.shares) else 1.0
        half = SWATCH // 2
        for i, (color, share) in enumerate(zip(self.colors, self.shares)):
            rect = self._rect(i)
            if len(color) == 4 and color[3] < 255:  # transparency over a checkerboard
                painter.fillRect(rect, QColor(*(CHECKER_GREYS[1],) * 3))
                for dx, dy in ((0, 0), (half, half)):
                    painter.fillRect(QRect(rect.left() + dx, rect.top() + dy, half, half),
                                     QColor(*(CHECKER_GREYS[0],) * 3))
            painter.fillRect(rect, QColor(*(int(c) for c in color)))
            bar = max(1, round((SWATCH - 4) * share / top))
            shown = color[:3] * (color[3] / 255 if len(color) == 4 else 1.0)
            painter.fillRect(QRect(rect.left() + 2, rect.bottom() - 4, bar, 3),
                             Qt.GlobalColor.white if shown.mean() < 128 else Qt.GlobalColor.black)
        painter.end()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pos = event.position().toPoint()
        for i in range(len(self.colors)):
            if self._rect(i).contains(pos):
                QToolTip.showText(event.globalPosition().toPoint(), self.tooltip_at(i), self)
                return
        QToolTip.hideText()
