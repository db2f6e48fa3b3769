"""Pieces the Data pages share."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


class ErrorLabel(QLabel):
    """A sentence in the page saying why the last request could not be carried out."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("panel_error")
        self.setWordWrap(True)
        self.setStyleSheet("color: #D55E00;")  # Okabe–Ito vermillion: readable, not alarming
        self.hide()

    def show_error(self, message: str | None) -> None:
        self.setText(message or "")
        self.setVisible(bool(message))
