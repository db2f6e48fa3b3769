"""One registry of the window's QActions: object name, text, shortcut, tooltip.

Actions are added to the main window itself, so their shortcuts work wherever the
focus is (a text field still gets the keys it edits with).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSize
from PySide6.QtGui import QAction, QIcon, QKeySequence, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QStyle, QWidget


@dataclass(frozen=True)
class ActionSpec:
    text: str
    shortcut: str | QKeySequence.StandardKey | None
    tip: str
    icon: QStyle.StandardPixmap | None = None
    checkable: bool = False


SP = QStyle.StandardPixmap
SPECS: dict[str, ActionSpec] = {
    "open": ActionSpec("&Open…", "Ctrl+O",
                             "Open an image to compress, or a data file", SP.SP_DialogOpenButton),
    "save_result": ActionSpec("&Save compressed image…", "Ctrl+S",
                             "Save the compressed image", SP.SP_DialogSaveButton),
    "open_folder": ActionSpec("Open &folder of tables…", None,
                              "Open a folder of Parquet or CSV files as one table, "
                              "clustered on a dask cluster"),
    "connect_cluster": ActionSpec("Connect to &cluster…", None,
                                  "Cluster tables larger than memory on a dask scheduler "
                                  "(tcp://host:8786), or on a cluster on this computer"),
    "paste": ActionSpec("&Paste image", "Ctrl+V", "Compress the image on the clipboard"),
    "export_view": ActionSpec("&Export main view…", "Ctrl+E",
                              "Save the page's main plot as a PNG or SVG picture"),
    "save_session": ActionSpec("Save &session…", "Ctrl+Shift+S",
                               "Save the data source, parameters, initial centres and "
                               "history, to reopen this state later"),
    "export_animation": ActionSpec("&Animation of the run…", None,
                                   "The run from its first state to the state shown, one "
                                   "frame per half-step, as an animated GIF, MP4 or PNG "
                                   "frames (for a slide)"),
    "export_centers": ActionSpec("Export &centres as CSV…", None,
                                 "The centres of the state shown, one row per cluster"),
    "export_labels": ActionSpec("Export &labels as CSV…", None,
                                "Every sample with its cluster in the state shown"),
    "export_script": ActionSpec("Export as Python s&cript…", None,
                                "A standalone script (numpy, scikit-learn, matplotlib) that "
                                "reproduces this run and saves its figures"),
    "export_notebook": ActionSpec("Export as &Jupyter notebook…", None,
                                  "A notebook whose cells rebuild the data, reproduce this "
                                  "run with scikit-learn and draw its figures, explained"),
    "reset_settings": ActionSpec("Reset &settings…", None,
                                 "Forget the saved window layout, parameters and recent files"),
    "quit": ActionSpec("&Quit", "Ctrl+Q", "Quit K-Means Studio"),
    "step_back": ActionSpec("Step &back", "Left", "Back one half-step (Left)",
                            SP.SP_MediaSeekBackward),
    "play": ActionSpec("&Play", "Space", "Play or pause the iterations (Space)",
                       SP.SP_MediaPlay, checkable=True),
    "step": ActionSpec("&Step", "Right",
                       "Forward one half-step: assign the points, or move the centres (Right)",
                       SP.SP_MediaSeekForward),
    "run_to_end": ActionSpec("&Run to convergence", "End", "Iterate until k-means converges (End)",
                             SP.SP_MediaSkipForward),
    "reset": ActionSpec("R&eset", "Home", "Back to the initial centres (Home)",
                        SP.SP_MediaSkipBackward),
    "reinitialise": ActionSpec("Re-&initialise", "Ctrl+R",
                               "New initial centres from the next seed (Ctrl+R)",
                               SP.SP_BrowserReload),
    "show_voronoi": ActionSpec("&Voronoi regions", "V", "Shade the region each centre owns",
                               checkable=True),
    "show_trails": ActionSpec("Centre &trails", "T", "Draw the path each centre took",
                              checkable=True),
    "show_links": ActionSpec("&Lines to centres", "L",
                             "Join each point to the centre it is assigned to", checkable=True),
    "presentation": ActionSpec("&Presentation", "F11",
                               "Full screen, with a larger interface and larger text, lines "
                               "and markers in the plots, for a projector (F11)",
                               checkable=True),
    "larger": ActionSpec("&Larger", "Ctrl+=", "Scale the interface and the plots up (Ctrl+=)"),
    "smaller": ActionSpec("&Smaller", "Ctrl+-", "Scale the interface and the plots down "
                          "(Ctrl+−)"),
    "actual_size": ActionSpec("&Normal size", "Ctrl+0",
                              "The interface and the plots at their normal size (Ctrl+0)"),
    "cancel": ActionSpec("&Cancel", "Esc",
                         "Stop the long work under way (loading, starts, running to "
                         "convergence); what is on screen stays", SP.SP_DialogCancelButton),
    "choose_k": ActionSpec("Choose &k (sweep)", "Ctrl+K",
                           "Run k-means for a range of k and compare the elbow, silhouette, "
                           "Calinski–Harabasz and Davies–Bouldin (Ctrl+K)"),
    "silhouette": ActionSpec("&Silhouette plot", "Ctrl+L",
                             "How well each point sits in its cluster, for the clustering "
                             "shown (Ctrl+L)"),
    "seed_race": ActionSpec("Seed &race", "Ctrl+Shift+R",
                            "Run k-means from several seeds and see which minima they reach "
                            "(Ctrl+Shift+R)"),
    "other_algorithms": ActionSpec("&Other algorithms", "Ctrl+Shift+A",
                                   "Cluster the points with scikit-learn's other algorithms "
                                   "(DBSCAN, spectral, Gaussian mixture, …) side by side "
                                   "(Ctrl+Shift+A)"),
    "tour": ActionSpec("&Tour of the notebook", "Shift+F1",
                       "Follow the K-Means In-Depth notebook section by section, each shown "
                       "in the studio; your own pages come back when it ends"),
    "shortcuts": ActionSpec("&Keyboard shortcuts", "F1", "List every keyboard shortcut"),
    "about": ActionSpec("&About K-Means Studio", None, "Version and libraries"),
}


def palette_icon(window: QWidget, kind: QStyle.StandardPixmap) -> QIcon:
    """The style's icon of `kind`; the media glyphs (play, step, ...) drawn in the
    palette's button-text colour, so that they stay visible on a dark palette (the
    styles draw them black whatever the palette)."""
    standard = window.style().standardIcon(kind)
    if not kind.name.startswith("SP_Media"):
        return standard
    image = standard.pixmap(QSize(GLYPH_PIXELS, GLYPH_PIXELS)).toImage()
    painter = QPainter(image)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
    painter.fillRect(image.rect(), window.palette().color(QPalette.ColorRole.ButtonText))
    painter.end()
    return QIcon(QPixmap.fromImage(image))


#: The glyphs are drawn this big and scaled down (sharp on high-density screens).
GLYPH_PIXELS = 64


def set_icons(window: QWidget, actions: dict[str, QAction]) -> None:
    """Give each action its icon for the window's palette (again when it changes)."""
    for name, spec in SPECS.items():
        actions[name].setIcon(QIcon() if spec.icon is None else palette_icon(window, spec.icon))


def create_actions(window: QWidget) -> dict[str, QAction]:
    """Create every action, parented to and added to `window`."""
    actions = {}
    for name, spec in SPECS.items():
        action = QAction(spec.text, window)
        action.setObjectName(name)
        if spec.shortcut is not None:
            action.setShortcut(QKeySequence(spec.shortcut))
        tip = spec.tip
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.setCheckable(spec.checkable)
        window.addAction(action)
        actions[name] = action
    set_icons(window, actions)
    return actions


def shortcut_table(actions: dict[str, QAction]) -> list[tuple[str, str]]:
    """(what it does, keys) for every action with a shortcut, for the help dialog."""
    rows = []
    for action in actions.values():
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys:
            rows.append((action.text().replace("&", "").rstrip("…"), keys))
    return rows
