"""Help ▸ Keyboard shortcuts and Help ▸ About."""

from __future__ import annotations

from importlib import metadata

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kmeans_studio.qt.actions import shortcut_table


def shortcuts_dialog(parent: QWidget, actions: dict[str, QAction]) -> QDialog:
    """A table of every action with its keys (opened, not blocking)."""
    dialog = QDialog(parent)
    dialog.setObjectName("shortcuts_dialog")
    dialog.setWindowTitle("Keyboard shortcuts")
    rows = [*shortcut_table(actions),
            ("Leave a number field for the run keys (the value is taken)", "Enter"),
            ("Zoom a plot or picture", "Wheel (Ctrl+Wheel where the page scrolls)"),
            ("Scroll a page that does not fit the window", "Wheel")]
    table = QTableWidget(len(rows), 2)
    table.setHorizontalHeaderLabels(["Action", "Keys"])
    for i, (what, keys) in enumerate(rows):
        table.setItem(i, 0, QTableWidgetItem(what))
        table.setItem(i, 1, QTableWidgetItem(keys))
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.close)
    layout = QVBoxLayout(dialog)
    layout.addWidget(table)
    layout.addWidget(buttons)
    dialog.resize(420, 440)
    dialog.open()
    return dialog


def about_text() -> str:
    """The About box's text (rich text): the version, the notebook the studio grew
    from, and the libraries' versions."""
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    from kmeans_studio import __version__

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    return (
        f"<h3>K-Means Studio {__version__}</h3>"
        "<p>See k-means clustering work, step by step, and use it for real.</p>"
        "<p>Grown out of the teaching notebook <i>K\u2011Means In\u2011Depth</i>: its "
        "blobs, its digits and its colour compression became the Blobs, Digits and Image "
        "pages.</p>"
        f"<p>Qt {qVersion()} · PySide6 {pyside_version} · numpy {version('numpy')} · "
        f"scikit\u2011learn {version('scikit-learn')} · Pillow {version('pillow')} · "
        f"pyqtgraph {version('pyqtgraph')}</p>"
    )
