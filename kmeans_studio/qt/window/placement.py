"""The window's size and place and its docks' places, kept as typed numbers and names
(`settings.DOCKS`), never as Qt's saved-state bytes: `restoreState` trusts those, and a
crafted state (its digest recomputed) crashed it on every start."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget, QMainWindow

from kmeans_studio.qt.settings import NO_POSITION, Settings

#: Where a dock may sit, by its name in the settings (`settings.DOCK_AREAS`).
AREAS = {"left": Qt.DockWidgetArea.LeftDockWidgetArea,
         "right": Qt.DockWidgetArea.RightDockWidgetArea,
         "top": Qt.DockWidgetArea.TopDockWidgetArea,
         "bottom": Qt.DockWidgetArea.BottomDockWidgetArea}


#: The most a window manager's frame (title bar and borders) adds to a window.
FRAME = QSize(16, 48)


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
    room.adjust(0, 0, -FRAME.width(), -FRAME.height())
    width, height = settings["window/width"], settings["window/height"]
    # A window larger than the screen with its frame (the default 1200×800 on a
    # 1024×768 projector) is maximised: the window manager fits it, frame and all.
    too_large = width > room.width() or height > room.height()
    window.resize(min(width, room.width()), min(height, room.height()))
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
    if settings["window/maximized"] or too_large:
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


def _least(dock: QDockWidget, across: bool) -> int:
    """The least width (`across`) or height the layout gives `dock`."""
    hint, least = dock.minimumSizeHint(), dock.minimumSize()
    return max(hint.width(), least.width()) if across else max(hint.height(), least.height())


def give_way(window: QMainWindow, docks: list[QDockWidget], needs: QSize) -> int:
    """Docks give way to the page: where the central area is smaller than `needs`, the
    docks beside it (then above and below it) shrink towards their least size until it
    has that room.  Returns the width still missing (0 when the page has its room)."""
    have = window.centralWidget().size()
    missing = 0
    for sides, short in ((("right", "left"), needs.width() - have.width()),
                         (("bottom", "top"), needs.height() - have.height())):
        across = sides[0] == "right"
        for side in sides:
            if short <= 0:
                break
            shown = [dock for dock in docks if dock.isVisible() and not dock.isFloating()
                     and window.dockWidgetArea(dock) == AREAS[side]]
            if not shown:
                continue
            # Docks on one side share its width (stacked) or height (side by side).
            size = max(dock.width() if across else dock.height() for dock in shown)
            spare = size - max(_least(dock, across) for dock in shown)
            take = min(spare, short)
            if take > 0:
                window.resizeDocks(shown, [size - take] * len(shown),
                                   Qt.Orientation.Horizontal if across
                                   else Qt.Orientation.Vertical)
                short -= take
        if across:
            missing = max(0, short)
    return missing
