"""The window's size and place and its docks' places, kept as typed numbers and names
(`settings.DOCKS`), never as Qt's saved-state bytes: `restoreState` trusts those, and a
crafted state (its digest recomputed) crashed it on every start."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget, QMainWindow

from kmeans_studio.qt.settings import NO_POSITION, Settings

#: Where a dock may sit, by its name in the settings (`settings.DOCK_AREAS`).
AREAS = {"left": Qt.DockWidgetArea.LeftDockWidgetArea,
         "right": Qt.DockWidgetArea.RightDockWidgetArea,
         "top": Qt.DockWidgetArea.TopDockWidgetArea,
         "bottom": Qt.DockWidgetArea.BottomDockWidgetArea}


def _across(area: Qt.DockWidgetArea) -> bool:
    """A dock on the left or right is sized by its width, else by its height."""
    return area in (AREAS["left"], AREAS["right"])


def restore_layout(window: QMainWindow, settings: Settings,
                   docks: dict[str, QDockWidget]) -> None:
    """The size, place and docks the last close left, fitted to the screen the window
    is on (a 1200×800 window on a 1024×768 projector lost its edges)."""
    x, y = settings["window/x"], settings["window/y"]
    placed = x != NO_POSITION and y != NO_POSITION
    screen = QGuiApplication.screenAt(QPoint(x + 40, y + 40)) if placed else None
    if screen is None:  # not placed yet, or on a screen that is gone
        placed, screen = False, window.screen() or QGuiApplication.primaryScreen()
    room = screen.availableGeometry()
    window.resize(min(settings["window/width"], room.width()),
                  min(settings["window/height"], room.height()))
    if placed:
        window.move(x, y)
    sizes = []
    for name, dock in docks.items():
        area = AREAS[settings[f"dock/{name}/area"]]
        if window.dockWidgetArea(dock) != area:
            window.addDockWidget(area, dock)
        dock.setVisible(settings[f"dock/{name}/visible"])
        if settings[f"dock/{name}/size"]:
            sizes.append((dock, settings[f"dock/{name}/size"], area))
    if sizes:  # once laid out: a dock's size holds only in a shown window
        QTimer.singleShot(0, window, lambda: [
            window.resizeDocks([dock], [size], Qt.Orientation.Horizontal if _across(area)
                               else Qt.Orientation.Vertical) for dock, size, area in sizes])
    if settings["window/maximized"]:
        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)


def save_layout(window: QMainWindow, settings: Settings,
                docks: dict[str, QDockWidget]) -> None:
    normal = window.normalGeometry()
    settings["window/width"], settings["window/height"] = normal.width(), normal.height()
    settings["window/x"], settings["window/y"] = normal.x(), normal.y()
    settings["window/maximized"] = window.isMaximized()
    names = {area: name for name, area in AREAS.items()}
    for name, dock in docks.items():
        area = window.dockWidgetArea(dock)
        settings[f"dock/{name}/area"] = names.get(area, "left")
        settings[f"dock/{name}/visible"] = dock.isVisible()
        settings[f"dock/{name}/size"] = dock.width() if _across(area) else dock.height()
