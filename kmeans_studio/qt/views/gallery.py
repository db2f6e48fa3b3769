"""A window of sample images: the samples behind a confusion-matrix cell or nearest to
a centre.  One gallery per page is reused, so clicking around does not pile up windows."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kmeans_studio.qt.views.image_grid import ImageGrid


class Gallery(QDialog):
    """Non-modal: the main window stays usable while it is open."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gallery")
        self.setWindowTitle("Samples")
        self.title = QLabel()
        self.title.setObjectName("gallery_title")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.grid = ImageGrid(fit=False, tile=56)
        self.grid.setAccessibleName("Sample images")
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.grid)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        self.resize(560, 480)

    def show_images(self, title: str, images: np.ndarray, levels: tuple[float, float],
                    captions: list[str], tooltips: list[str]) -> None:
        self.setWindowTitle(title)
        empty = "" if len(images) else "\nNo samples here."
        self.title.setText(f"{title}: {len(images):,} image{'s' if len(images) != 1 else ''}{empty}")
        self.grid.set_images(images, levels, captions, tooltips)
        self.show()
        self.raise_()
        self.activateWindow()
