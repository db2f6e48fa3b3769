"""The frame shown over the window while files are dragged over it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QWidget


class DropHint(QLabel):
    """A dashed frame in the palette's highlight colour over the whole window, saying
    what a drop will open; it lets every mouse event through."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("drop_hint")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.hide()

    def show_for(self, paths: list[str]) -> None:
        what = (f"“{Path(paths[0]).name}”" if len(paths) == 1
                else f"these {len(paths)} files")
        self.setText(f"Drop to open {what}\n(a photo, a table or a session)")
        palette = self.palette()
        mark = palette.color(QPalette.ColorRole.Highlight)
        self.setStyleSheet(
            f"#drop_hint {{ border: 3px dashed {mark.name()}; border-radius: 10px;"
            f" background: rgba({mark.red()}, {mark.green()}, {mark.blue()}, 40);"
            f" color: {palette.color(QPalette.ColorRole.WindowText).name()};"
            f" font-size: 16pt; font-weight: bold; }}")
        self.setGeometry(self.parentWidget().rect().adjusted(10, 10, -10, -10))
        self.raise_()
        self.show()
