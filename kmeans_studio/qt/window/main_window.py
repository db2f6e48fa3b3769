"""The main window: the pages (their panels in the Parameters dock, their views in the middle),
menus, toolbar, status and routing."""

from __future__ import annotations

import dataclasses
import gc
import importlib
import os
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Slot
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSlider,
    QSpinBox,
    QStackedWidget,
    QStyle,
    QWidget,
)

from kmeans_studio.qt import presentation
from kmeans_studio.qt.actions import create_actions, palette_icon, set_icons
from kmeans_studio.qt.controller import RunController, Snapshot
from kmeans_studio.qt.drop_hint import DropHint
from kmeans_studio.qt.explore import ExploreDock
from kmeans_studio.qt.help import about_text, shortcuts_dialog
from kmeans_studio.qt.jobs import BackgroundJob
from kmeans_studio.qt.layout import scrolled
from kmeans_studio.qt.pages import PAGES
from kmeans_studio.qt.presentation import PRESENTATION_SCALE, STEP
from kmeans_studio.qt.settings import RANGES, Settings
from kmeans_studio.qt.status import RunStatus
from kmeans_studio.qt.views.pseudocode import PseudocodeView
from kmeans_studio.qt.window.cluster_link import ClusterLink
from kmeans_studio.qt.window.exporting import Exporter
from kmeans_studio.qt.window.opening import Opener
from kmeans_studio.qt.window.page_bar import PageBar
from kmeans_studio.qt.window.placement import give_way, restore_layout, save_layout
from kmeans_studio.qt.window.touring import Guide

#: The least height of the Explore dock: its tabs, controls and a row of plots.
EXPLORE_LEAST = 200
#: The View menu's display options (actions, and the option the pages take) and
#: where each is remembered.
VIEW_OPTIONS = {"show_voronoi": "view/voronoi", "show_trails": "view/trails",
                "show_links": "view/links"}
#: What core imports inside its functions when a page first needs it (scipy and pandas
#: come with scikit-learn): the digits, photos and tables, circles and moons, mixtures'
#: starts and the Explore dock's scores.  The window starts without them (a second of
#: imports: the blobs need none) and `preload` imports them once the first run is on
#: screen, so their first use does not wait for them.
PRELOADED_MODULES = ("sklearn.datasets", "sklearn.decomposition", "sklearn.metrics",
                     "sklearn.preprocessing", "sklearn.cluster", "sklearn.mixture",
                     "scipy.optimize", "scipy.spatial.distance")


class MainWindow(QMainWindow):
    """K-Means Studio's window: the pages (each with its own run, `page.controller`),
    menus, toolbar, status and routing; `controller` is the run of the page shown, and
    `open_path` opens files."""

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.setWindowTitle("K-Means Studio")
        self.setAcceptDrops(True)
        self.drop_hint = DropHint(self)  # shown while files are dragged over the window
        self.settings = settings if settings is not None else Settings()
        self.actions = create_actions(self)
        self.actions["larger"].setShortcuts([QKeySequence("Ctrl+="), QKeySequence("Ctrl++")])
        self.scaler = presentation.Scaler()
        self._state_before = Qt.WindowState.WindowNoState  # (before Presentation)
        self.last_message: QMessageBox | None = None

        self.pages = {
            page.key: page
            for page in (kind(self.settings, RunController(self))
                           for kind in PAGES)
        }
        self.opener = Opener(self.pages, self.settings, lambda: self.page, self)
        self.opener.run_requested.connect(lambda page, request: page.start(request))
        self.opener.recent_changed.connect(lambda: self._update_recent_menu())
        self.exporter = Exporter(self.pages, self.settings, lambda: self.page,
                                 self.opener.current_session, self)
        for files, key in ((self.opener, "reading"), (self.exporter, "exporting")):
            files.said.connect(self.show_message)
            files.noted.connect(lambda text, ms: self.statusBar().showMessage(text, ms))
            files.busy.connect(lambda *busy, k=key: self._on_busy(k, *busy))
        # The libraries the other pages need take a second to import, and the colour
        # kernels seconds to compile on a new install: both on a job of their own once
        # the first state is on screen (`preload`), so no page's worker waits.
        self._warm_up = BackgroundJob("warm-up")
        # Once the heavy modules are loaded, the objects alive are the program itself:
        # frozen out of the cycle collector, whose full passes over them took 100-160 ms
        # of the GUI thread.
        self._warm_up.succeeded.connect(lambda _: gc.freeze())
        self._warmed = False
        self._page_shown = ""  # the page the status bar describes
        self._settings_reset = False
        # Docks give way to the page: whenever its room, its needs or the docks
        # change, they shrink (towards their least size) until it has the room it needs.
        self._giving_way = QTimer(self)
        self._giving_way.setSingleShot(True)
        self._giving_way.timeout.connect(self._give_way)
        self._needs = QSize()  # what the page shown needed when the docks last gave way
        self._rearranged = True  # the window or its docks changed since
        self._build_central()
        self._build_dock()
        self._build_explore()
        self._build_toolbar()
        self._build_menus()
        self._build_status()
        self._connect()
        restore_layout(self, self.settings, self._docks())
        # Start after the first paint: the worker makes the first data meanwhile.
        QTimer.singleShot(0, self, self._enter_page)  # not after the window is gone

    # ------------------------------------------------------------------ layout
    def _build_central(self) -> None:
        # One slot per page; a page's views are built the first time it is shown.
        self.views = QStackedWidget()
        for _ in self.pages:
            self.views.addWidget(QWidget())
        self.setCentralWidget(self.views)

    def _show_views(self, index: int) -> None:
        """Show page `index`'s views (built the first time), as its run left them."""
        page = list(self.pages.values())[index]
        if not page.built:
            placeholder = self.views.widget(index)
            self.views.insertWidget(index, page.build())
            page.area.installEventFilter(self)  # (see eventFilter)
            self.views.removeWidget(placeholder)
            placeholder.deleteLater()
        self.views.setCurrentIndex(index)

    def _build_dock(self) -> None:
        # The pages: tabs at the top of the window (Ctrl+1, Ctrl+2, …); each page's
        # parameters in the dock at its side.
        self.page_bar = PageBar(self.pages.values(), self)
        pages = self.addToolBar("Pages")
        pages.setObjectName("pages_toolbar")
        pages.setMovable(False)
        pages.addWidget(self.page_bar)
        self.panel_stack = QStackedWidget()
        for page in self.pages.values():
            self.panel_stack.addWidget(scrolled(page.panel))
        self.data_dock = QDockWidget("Parameters", self)
        self.data_dock.setObjectName("data_dock")
        self.data_dock.setWidget(self.panel_stack)
        self.data_dock.toggleViewAction().setStatusTip(
            "The data and clustering parameters of the page shown")
        # At least as wide as the widest panel at the normal size: no sideways scrolling.
        self.data_dock.setMinimumWidth(self._panel_width())
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.data_dock)
        saved = self.page_bar.findData(self.settings["window/source"])
        self.page_bar.setCurrentIndex(max(0, saved))
        self.panel_stack.setCurrentIndex(self.page_bar.currentIndex())
        self._show_views(self.page_bar.currentIndex())

    def _panel_width(self) -> int:
        """The Parameters dock's width that shows the widest panel whole."""
        return max(page.panel.minimumSizeHint().width() for page in self.pages.values()) + 24

    def _widen_parameters(self) -> None:
        """Scaled, the Parameters dock widens to show the widest panel whole, as far as
        the page can give (the page first: a panel then scrolls sideways in its dock)."""
        self.resizeDocks([self.data_dock], [self._panel_width()], Qt.Orientation.Horizontal)
        self.rearrange()

    def _build_explore(self) -> None:
        self.explore = ExploreDock(self._explore_context, self)
        self.explore.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                                 | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                                 | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.explore)
        self.explore.hide()  # until asked for (or as the last session left it)
        self.explore.setMinimumHeight(EXPLORE_LEAST)
        self.pseudocode = PseudocodeView()
        self.pseudocode_dock = QDockWidget("Pseudocode", self)
        self.pseudocode_dock.setObjectName("pseudocode_dock")
        self.pseudocode_dock.setWidget(self.pseudocode)
        self.pseudocode_dock.toggleViewAction().setStatusTip(
            "Lloyd's loop in seven lines, the step just taken marked")
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.pseudocode_dock)
        self.pseudocode_dock.hide()
        self.views.installEventFilter(self)
        for dock in self._docks().values():
            dock.visibilityChanged.connect(lambda _: self.rearrange())
            dock.dockLocationChanged.connect(lambda _: self.rearrange())

    def _docks(self) -> dict[str, QDockWidget]:
        """The docks whose place is remembered, by their name in `settings.DOCKS`."""
        return {"data": self.data_dock, "explore": self.explore,
                "pseudocode": self.pseudocode_dock}

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        # The docks give way when the window shrinks, a dock is opened or moved, or
        # the page needs more (its content's hints); not when the user drags a dock
        # larger: it keeps the size the user gave it (the page then scrolls).
        kind = event.type()
        if ((kind == QEvent.Type.Resize and watched is self.views and self._rearranged)
                or (kind == QEvent.Type.LayoutRequest and self.page.built
                    and watched is self.page.area and self.page.area.needs() != self._needs)):
            self._giving_way.start(0)  # once the layout has settled
        return False

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.rearrange()

    def rearrange(self) -> None:
        """The window or its docks changed: the docks give way once laid out."""
        self._rearranged = True
        self._giving_way.start(0)

    def _give_way(self) -> None:
        if not self.page.built:
            return
        self._rearranged = False
        self._needs = self.page.area.needs()
        if give_way(self, self._giving_docks(), self._needs):
            # Still too narrow with every dock at its least: the docks on the page's
            # right join the Parameters dock (on its left, where they share its column)
            # as tabs; a tab brings its dock forward.
            beside = [dock for dock in self._giving_docks()
                      if dock is not self.data_dock and dock.isVisible() and not dock.isFloating()
                      and self.dockWidgetArea(dock) == Qt.DockWidgetArea.RightDockWidgetArea]
            for dock in beside:
                self.tabifyDockWidget(self.data_dock, dock)
            if beside:
                self.rearrange()

    def _giving_docks(self) -> list[QDockWidget]:
        """The docks that give way to the page: the remembered ones and the tour's."""
        tour = [self.guide.dock] if self.guide.dock is not None else []
        return [*self._docks().values(), *tour]

    def show_explore(self, tab: str) -> None:
        """Open the Explore dock at `tab` and start its work; the first time, give it
        about a third of the window's height, so the main view stays the larger."""
        first = not self.explore.isVisible()
        self.explore.show_tab(tab)
        if first:
            self.resizeDocks([self.explore], [max(260, self.height() // 3)],
                             Qt.Orientation.Vertical)
            self.rearrange()  # (then as much as the page can give)

    def _explore_context(self):
        snap = self.controller.snapshot
        if snap is None or snap.dataset is None:
            return None, None
        return snap, self.page.panel.request()

    def load_run(self, k: int, centers, seed: int, what: str) -> None:
        """Show a run chosen in the Explore dock from its initial centres, or a
        mixture's from its initialisation's name (the data must still be those it ran
        on)."""
        panel = self.page.panel
        panel.show_run(k, seed)
        # Shown from its start, to step through (not run on to its end).
        given = not isinstance(centers, str)  # else a mixture's initialisation
        request = dataclasses.replace(panel.request(), n_clusters=k, n_init=1,
                                      init=np.asarray(centers) if given else centers,
                                      random_state=seed, run_to_end=False)
        self.page.start(request)
        self.statusBar().showMessage(
            f"Showing {what}, from its {'initial centres' if given else 'start'}", 10_000)

    def _build_toolbar(self) -> None:
        bar = self.addToolBar("Playback")
        bar.setObjectName("playback_toolbar")
        bar.setIconSize(QSize(22, 22))
        for name in ("reset", "step_back", "play", "step", "run_to_end"):
            bar.addAction(self.actions[name])
            button = bar.widgetForAction(self.actions[name])
            # The tooltip, not the text: it stays right when Play turns into Pause.
            button.setAccessibleName(self.actions[name].toolTip())
        bar.addSeparator()
        bar.addWidget(QLabel(" Speed "))
        self.speed_slider = QSlider(Qt.Orientation.Horizontal)
        self.speed_slider.setObjectName("speed_slider")
        self.speed_slider.setRange(1, 60)
        self.speed_slider.setFixedWidth(140)
        self.speed_slider.setToolTip("Half-steps per second while playing (1–60)")
        self.speed_slider.setAccessibleName("Playback speed")
        self.speed = QSpinBox()
        self.speed.setObjectName("speed")
        self.speed.setRange(*RANGES["play/speed"])
        self.speed.setSuffix(" steps/s")
        self.speed.setToolTip("Half-steps per second while playing ({}–{})".format(
            *RANGES["play/speed"]))
        self.speed.setAccessibleName("Playback speed in steps per second")
        self.speed.valueChanged.connect(self.speed_slider.setValue)
        self.speed_slider.valueChanged.connect(self.speed.setValue)
        self.speed.valueChanged.connect(self._on_speed)
        bar.addWidget(self.speed_slider)
        bar.addWidget(self.speed)
        self.speed.setValue(self.settings["play/speed"])
        self._on_speed(self.speed.value())

    def _build_menus(self) -> None:
        a = self.actions
        menu = self.menuBar().addMenu("&File")
        menu.addAction(a["open"])
        menu.addAction(a["open_folder"])
        self.recent_menu = menu.addMenu("Open &recent")
        self.recent_menu.setObjectName("open_recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        menu.addAction(a["paste"])
        menu.addSeparator()
        menu.addAction(a["save_result"])
        menu.addAction(a["save_session"])
        menu.addSeparator()
        self.export_menu = menu.addMenu("E&xport")
        self.export_menu.setObjectName("export_menu")
        self.export_menu.aboutToShow.connect(self._fill_export_menu)
        self._fill_export_menu()
        menu.addSeparator()
        menu.addAction(a["connect_cluster"])
        menu.addAction(a["reset_settings"])
        menu.addAction(a["quit"])
        menu = self.menuBar().addMenu("&Run")
        for name in ("step", "step_back", "play", "run_to_end", "reset", "reinitialise",
                     "cancel"):
            menu.addAction(a[name])
        menu = self.menuBar().addMenu("&View")
        for action in self.page_bar.actions_:
            menu.addAction(action)
        menu.addSeparator()
        for name in VIEW_OPTIONS:
            menu.addAction(a[name])
        menu.addSeparator()
        menu.addAction(self.data_dock.toggleViewAction())
        menu.addAction(self.explore.toggleViewAction())
        menu.addAction(self.pseudocode_dock.toggleViewAction())
        menu.addSeparator()
        for name in ("presentation", "larger", "smaller", "actual_size"):
            menu.addAction(a[name])
        menu = self.menuBar().addMenu("&Analyse")
        for name in ("choose_k", "silhouette", "seed_race", "other_algorithms"):
            menu.addAction(a[name])
        menu = self.menuBar().addMenu("&Help")
        menu.addAction(a["tour"])
        menu.addAction(a["shortcuts"])
        menu.addAction(a["about"])
        self._update_recent_menu()

    def _fill_export_menu(self) -> None:
        """One entry per view of the page shown, then the centres, labels, script and
        animation."""
        menu = self.export_menu
        menu.clear()
        for name in self.page.export_targets:
            action = menu.addAction(f"{name} as PNG or SVG…")
            action.triggered.connect(lambda checked=False, n=name: self.exporter.export_view(n))
        menu.addSeparator()
        for key in ("export_animation", "export_centers", "export_labels", "export_script",
                    "export_notebook"):
            menu.addAction(self.actions[key])

    def _build_status(self) -> None:
        self.run_status = RunStatus(self.statusBar(), self.actions["cancel"],
                                    also_busy=lambda: self.explore.busy)
        # The widgets, for the tests and the screenshots.
        self.cluster_link = ClusterLink(self.settings, self.statusBar(), self)
        self.status = self.run_status.label
        self.progress = self.run_status.progress
        self.cancel_button = self.run_status.cancel_button

    def _connect(self) -> None:
        a = self.actions
        # The run commands go to the run of the page shown.
        a["step"].triggered.connect(lambda: self.controller.step())
        a["step_back"].triggered.connect(lambda: self.controller.step_back())
        a["play"].triggered.connect(self._on_play_triggered)
        a["run_to_end"].triggered.connect(lambda: self.controller.run_to_end())
        a["reset"].triggered.connect(lambda: self.controller.reset())
        a["reinitialise"].triggered.connect(lambda: self.page.panel.reinitialise())
        a["quit"].triggered.connect(self.close)
        files = self.opener
        # File ▸ Open… offers the files of the page shown first.
        a["open"].triggered.connect(lambda: files.open_dialog(self.page.open_filter or None))
        a["export_view"].triggered.connect(lambda: self.exporter.export_view())
        a["save_session"].triggered.connect(self.exporter.save_session_dialog)
        a["export_centers"].triggered.connect(lambda: self.exporter.export_text_dialog("centres"))
        a["export_labels"].triggered.connect(lambda: self.exporter.export_text_dialog("labels"))
        a["export_script"].triggered.connect(lambda: self.exporter.export_text_dialog("script"))
        a["export_notebook"].triggered.connect(
            lambda: self.exporter.export_text_dialog("notebook"))
        a["export_animation"].triggered.connect(self.exporter.export_animation_dialog)
        a["reset_settings"].triggered.connect(self.reset_settings)
        a["save_result"].triggered.connect(self.exporter.save_compressed)
        a["paste"].triggered.connect(files.paste)
        a["open_folder"].triggered.connect(files.open_folder_dialog)
        link = self.cluster_link
        a["connect_cluster"].triggered.connect(link.ask)
        link.said.connect(self.show_message)
        link.noted.connect(lambda text, ms: self.statusBar().showMessage(text, ms))
        link.busy.connect(lambda *busy: self._on_busy("connecting", *busy))
        link.connected.connect(self._reload_cluster_data)
        for page in self.pages.values():  # the panels' Open…, Paste, Columns…
            page.connect(files)
        a["choose_k"].triggered.connect(lambda: self.show_explore("sweep"))
        a["silhouette"].triggered.connect(lambda: self.show_explore("silhouette"))
        a["seed_race"].triggered.connect(lambda: self.show_explore("race"))
        a["other_algorithms"].triggered.connect(lambda: self.show_explore("algorithms"))
        a["cancel"].triggered.connect(self.explore.cancel)
        self.explore.load_requested.connect(self.load_run)
        self.explore.busy_changed.connect(lambda _: self.run_status.update())
        self.guide = Guide(self)
        a["tour"].triggered.connect(self.guide.start)
        a["shortcuts"].triggered.connect(self.show_shortcuts)
        a["about"].triggered.connect(self.show_about)
        for name, key in VIEW_OPTIONS.items():
            a[name].setChecked(self.settings[key])
        a["presentation"].toggled.connect(self._present)
        a["larger"].triggered.connect(lambda: self._scale_to(presentation.scale() * STEP))
        a["smaller"].triggered.connect(lambda: self._scale_to(presentation.scale() / STEP))
        a["actual_size"].triggered.connect(lambda: self._scale_to(1.0))
        for name in VIEW_OPTIONS:
            a[name].toggled.connect(self._on_view_options)
        self._on_view_options()
        a["cancel"].triggered.connect(self._cancel)
        self.page_bar.currentChanged.connect(self._on_page_chosen)
        for page in self.pages.values():
            c = page.controller
            # Each page's results reach the window with the page they belong to.
            c.iteration_done.connect(lambda snapshot, s=page: self._on_snapshot(s, snapshot))
            c.data_changed.connect(lambda data, request, s=page: self._on_data(s, data,
                                                                               request))
            c.failed.connect(lambda message, s=page: self._on_failed(s, message))
            c.warned.connect(lambda message, s=page: self._on_warned(s, message))
            c.refused.connect(lambda message, s=page: self._on_refused(s, message))
            c.busy.connect(lambda *busy, s=page: self._on_busy(s.key, *busy))
            c.playing_changed.connect(lambda playing, s=page: self._on_playing(s, playing))

    # ------------------------------------------------------------------ pages
    @property
    def page(self):
        """The page shown."""
        return self.pages[self.page_bar.currentData()]

    @property
    def controller(self) -> RunController:
        """The run of the page shown."""
        return self.page.controller

    @Slot(int)
    def _on_page_chosen(self, index: int) -> None:
        self._leave_page()
        self.panel_stack.setCurrentIndex(index)
        self._show_views(index)
        self._enter_page()
        self.rearrange()  # (another page may need more room)

    def _leave_page(self) -> None:
        """A page that plays stops when it is left (its run and position stay)."""
        left = self.pages.get(self._page_shown)
        if left is not None and left.controller.playing:
            left.controller.pause()

    def _enter_page(self) -> None:
        """Status, progress, Cancel and the play button describe the page shown."""
        page = self.page
        self._page_shown = page.key
        page.start_once()
        snapshot = page.controller.snapshot
        if snapshot is not None:
            self._show_snapshot(page, snapshot)
        else:
            self.run_status.show_snapshot(None)
            self.pseudocode.set_snapshot(None)
        self._show_busy_state()
        self._on_playing(page, page.controller.playing)
        self.explore.page_shown(snapshot)

    def _cancel(self) -> None:
        """Esc: stop the long work of the page shown, the file being opened, the Explore
        dock's and exports; what each page showed stays."""
        self.controller.cancel()
        opening, self.opener.opening = self.opener.opening, None
        if opening is not None:
            opening.page.controller.cancel()
            opening.page.panel.load_failed()
        self.explore.cancel()
        self.opener.cancel()
        self.exporter.cancel()
        self.cluster_link.cancel()
        self.page.cancel()

    # ------------------------------------------------------------------ results
    def _on_snapshot(self, page, snapshot: Snapshot) -> None:
        if not self._warmed:
            self._warmed = True
            self._warm_up.start(preload)
        opening = self.opener.opened(snapshot.request)
        if opening is not None:  # the opened file is on screen
            self.opener.opening = None
            if opening.path:  # (pasted pixels have none)
                self.opener.remember(opening.path)
            if self.page is not opening.page:
                self.show_page(opening.page.key)  # which shows its newest state
                return
        if page is self.page:  # other pages show their newest state when shown
            self._show_snapshot(page, snapshot)
            self.explore.snapshot_shown(snapshot)

    def _show_snapshot(self, page, snapshot: Snapshot) -> None:
        page.set_snapshot(snapshot)
        self.run_status.show_snapshot(snapshot)
        self.pseudocode.set_snapshot(snapshot)
        self.actions["save_result"].setEnabled(page.saves_result(snapshot))

    def _on_data(self, page, dataset, request) -> None:
        opened = self.opener.opened(request)  # a session's parameters go on its page now
        page.panel.data_loaded(dataset)
        if dataset.cluster is not None:
            self.cluster_link.show_link()
        # A dropped or opened file shows its page; a page's own data (the first page's
        # sample, loaded after the user moved on) never takes the user back to it.
        if opened is not None and self.page is not page:
            self.show_page(page.key)

    def _reload_cluster_data(self) -> None:
        """The window connected to another cluster: the pages whose data were held by
        the former one load them on the new one (their runs start again)."""
        for page in self.pages.values():
            snapshot = page.controller.snapshot
            if snapshot is not None and snapshot.request is not None \
                    and snapshot.request.data.on_cluster:
                page.start(page.panel.request())

    def show_page(self, key: str) -> None:
        """Show a page (its run goes on as it was; the one left stops playing)."""
        self.page_bar.setCurrentIndex(self.page_bar.findData(key))

    def _on_failed(self, page, message: str) -> None:
        if self.opener.opening is not None and self.opener.opening.page is page:
            self.opener.opening = None  # the file the user opened: say so plainly
            page.panel.load_failed()
            self.show_message(message)
        else:
            page.panel.fall_back()  # e.g. a remembered file that went bad
            page.panel.show_error(message)
        if page is self.page:
            self.statusBar().showMessage(message, 10_000)

    def _on_busy(self, key: str, what: str, done: int, total: int) -> None:
        """The worker of page `key` (or "reading" a file, or "exporting") is busy with
        `what`, or idle ("")."""
        self.run_status.set_busy(key, what, done, total)
        self._show_busy_state()  # (a file being opened may have started or ended)

    def _show_busy_state(self) -> None:
        """The status bar shows the work of the page shown, else of the file being
        opened for another page, else an export's."""
        opening = self.opener.opening
        self.run_status.show_for([self.page.key,
                                  None if opening is None else opening.page.key,
                                  "reading", "exporting", "connecting"])

    def _on_refused(self, page, message: str) -> None:
        """An edit of the centres the run would not take: said in the status bar (the
        run shown stays)."""
        if page is self.page:
            self.statusBar().showMessage(message, 10_000)

    def _on_warned(self, page, message: str) -> None:
        if page is self.page:
            self.statusBar().showMessage(message, 15_000)
        self.show_message(message)

    def _on_playing(self, page, playing: bool) -> None:
        if page is not self.page:
            return
        action = self.actions["play"]
        action.setChecked(playing)
        action.setText("&Pause" if playing else "&Play")
        action.setIcon(palette_icon(self, QStyle.StandardPixmap.SP_MediaPause if playing
                                    else QStyle.StandardPixmap.SP_MediaPlay))

    def _on_play_triggered(self) -> None:
        # The action's check state follows the controller, not the click.
        self.actions["play"].setChecked(self.controller.playing)
        self.controller.toggle_play()

    @Slot(int)
    def _on_speed(self, value: int) -> None:
        for page in self.pages.values():
            page.controller.set_rate(value)

    def _on_view_options(self) -> None:
        """The View menu's display options, for the pages that draw them."""
        options = {name: self.actions[name].isChecked() for name in VIEW_OPTIONS}
        for page in self.pages.values():
            page.set_view_options(**options)

    # ------------------------------------------------------------------ files
    def open_path(self, path: str | os.PathLike) -> bool:
        """Open a file, whichever way it came (drop, Open…, recent files, the command
        line): see `Opener.open_path`."""
        return self.opener.open_path(path)

    def show_message(self, text: str, icon=QMessageBox.Icon.Warning,
                     rich: bool = False) -> QMessageBox:
        """A window-modal message that does not block the event loop.  Plain text unless
        `rich`: a file named "<h1>…" is shown as it is named."""
        box = QMessageBox(icon, "K-Means Studio", text, QMessageBox.StandardButton.Ok, self)
        box.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
        box.setObjectName("message")
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.open()
        self.last_message = box
        return box

    def _update_recent_menu(self) -> None:
        """Open recent is enabled when files are remembered; which of them are still
        there is checked only when it opens (`_fill_recent_menu`)."""
        self.recent_menu.setEnabled(self.opener.remembers_files)

    def _fill_recent_menu(self) -> None:
        """The remembered files that are still there (`Opener.recent_files`)."""
        self.recent_menu.clear()
        recent = self.opener.recent_files()
        for path in recent:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(lambda checked=False, p=path: self.open_path(p))
        if not recent:
            self.recent_menu.addAction("No recent files here any more").setEnabled(False)

    def reset_settings(self) -> None:
        """Forget every saved setting; the next start uses the defaults."""
        answer = QMessageBox.question(
            self, "Reset settings",
            "Forget the window layout, every page's parameters, the playback speed and "
            "the recent files? K-Means Studio will start with its defaults next time.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.settings.reset()
        self._settings_reset = True  # closing must not write the current ones back
        self._update_recent_menu()
        self.statusBar().showMessage("Settings reset: the defaults apply from the next start.",
                                     10_000)

    # ------------------------------------------------------------------ help
    def show_shortcuts(self) -> QDialog:
        pages = {action.objectName(): action for action in self.page_bar.actions_}
        return shortcuts_dialog(self, {**self.actions, **pages})

    def show_about(self) -> QMessageBox:
        return self.show_message(about_text(), QMessageBox.Icon.Information, rich=True)

    # ------------------------------------------------------------------ events
    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:  # e.g. the desktop went dark
            set_icons(self, self.actions)
            self._on_playing(self.page, self.controller.playing)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.drop_hint.show_for(paths)
        else:
            event.ignore()

    def dragLeaveEvent(self, event) -> None:  # noqa: N802
        self.drop_hint.hide()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self.drop_hint.hide()
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        for path in paths:
            self.open_path(path)

    # ------------------------------------------------------------------ presentation
    def _present(self, on: bool) -> None:
        """View ▸ Presentation: full screen and the interface scaled up; off, the
        window as it was and its normal size."""
        if on:
            self._state_before = self.windowState()
            self.setWindowState(Qt.WindowState.WindowFullScreen)
            self._scale_to(max(presentation.scale(), PRESENTATION_SCALE))
        else:
            self.setWindowState(self._state_before)
            self._scale_to(1.0)

    def _scale_to(self, value: float) -> None:
        taken = self.scaler.set(value)
        QTimer.singleShot(0, self, self._widen_parameters)  # once the fonts have changed
        self.statusBar().showMessage(f"Interface at {100 * taken:.0f}%", 5_000)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        # The user's own parameters and docks come back before they are saved.
        self.guide.end(restart_runs=False)
        # Every run is told to stop first, so that their waits overlap: each thread
        # is waited for about a second at most, then abandoned (it ends by itself).
        for page in self.pages.values():
            page.controller.stop()
        self.opener.shutdown()
        self.exporter.shutdown()
        self.explore.shutdown()
        self._warm_up.cancel(wait=False)  # imports no more modules (nothing waits for it)
        for page in self.pages.values():
            page.controller.shutdown()
            page.shutdown()
        # A dask cluster started for a table on it ends with the window (its worker
        # processes would outlive the os._exit the program leaves by).
        self.cluster_link.shutdown()
        self.scaler.reset()  # (the application's font: the next window starts normal)
        if self._settings_reset:
            super().closeEvent(event)
            return
        save_layout(self, self.settings, self._docks())
        self.settings["window/source"] = self.page_bar.currentData()
        self.settings["play/speed"] = self.speed.value()
        for name, key in VIEW_OPTIONS.items():
            self.settings[key] = self.actions[name].isChecked()
        for page in self.pages.values():
            page.panel.save(self.settings)
        self.settings.sync()
        super().closeEvent(event)


def preload(cancelled, progress) -> bool | None:
    """Import `PRELOADED_MODULES`, then compile (or load from the cache) the colour
    octree's kernels; None when cancelled."""
    for name in PRELOADED_MODULES:
        if cancelled():
            return None
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the colour kernels are warmed all the same:
            continue  # what uses the module imports it again and says what failed
    from kmeans_studio.core.color import warmup

    warmup.warm_up()
    return True
