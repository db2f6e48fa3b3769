"""The pages as tabs at the top of the window, each with its Ctrl+number."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QTabBar, QWidget


class PageBar(QTabBar):
    """One tab per page (its title), and for each a View menu action with Ctrl+1,
    Ctrl+2, … that shows it (`actions`).  The pages' keys are the tabs' data."""

    def __init__(self, pages, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.setAccessibleName("Page")
        self.setDrawBase(False)
        self.setExpanding(False)
        self.actions_: list[QAction] = []
        for index, page in enumerate(pages):
            keys = QKeySequence(f"Ctrl+{index + 1}")
            self.addTab(page.title)
            self.setTabData(index, page.key)
            tip = f"{page.tip} ({keys.toString(QKeySequence.SequenceFormat.NativeText)})"
            self.setTabToolTip(index, tip)
            action = QAction(f"&{index + 1} {page.title}", parent)
            action.setObjectName(f"page_{page.key}")
            action.setShortcut(keys)
            action.setStatusTip(tip)
            action.setCheckable(True)
            action.triggered.connect(lambda checked=False, i=index: self.setCurrentIndex(i))
            parent.addAction(action)  # its shortcut works wherever the focus is
            self.actions_.append(action)
        self.currentChanged.connect(self._check)
        self._check(self.currentIndex())

    def findData(self, key) -> int:  # noqa: N802 - as QComboBox names it
        """The index of the page `key` (-1 when there is none)."""
        return next((i for i in range(self.count()) if self.tabData(i) == key), -1)

    def currentData(self):  # noqa: N802 - as QComboBox names it
        """The key of the page shown."""
        return self.tabData(self.currentIndex())

    def _check(self, index: int) -> None:
        for i, action in enumerate(self.actions_):
            action.setChecked(i == index)
