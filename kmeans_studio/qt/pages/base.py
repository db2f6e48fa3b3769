"""A page of the window: its parameters panel, its own run and its views (`Page`), and
what pages share (`Throttle`)."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QElapsedTimer, QTimer
from PySide6.QtWidgets import QComboBox, QWidget

from kmeans_studio.qt.controller import RunController
from kmeans_studio.qt.layout import ViewsArea


class FileRequests(Protocol):
    """What a page's panel may ask of the window's file handling
    (`window.opening.Opener` provides it)."""

    def open_dialog(self, first_filter: str | None = None) -> None:
        """File ▸ Open…, `first_filter` offered first."""

    def paste(self) -> bool:
        """Use the clipboard's image."""

    def choose_columns(self) -> None:
        """The import dialog again for the table shown."""


class Throttle:
    """Calls `show(latest)` at most every `interval_ms` while values stream in; an
    urgent value (the final state), or one after a pause, is shown at once.

    The interval also stretches to four times the last `show`'s duration, so that
    views slow to update (many clusters, big clouds) leave the GUI thread idle at
    least three quarters of the time while a run streams states.
    """

    def __init__(self, show, interval_ms: int) -> None:
        self._show = show
        self._base = interval_ms
        self._interval = interval_ms
        self._latest = None
        self._since = QElapsedTimer()
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._fire)

    def push(self, value, urgent: bool = False) -> None:
        self._latest = value
        elapsed = self._since.elapsed() if self._since.isValid() else 1 << 30
        if urgent or elapsed >= self._interval:
            self._timer.stop()
            self._fire()
        elif not self._timer.isActive():
            self._timer.start(self._interval - elapsed)

    def stop(self) -> None:
        self._timer.stop()

    def _fire(self) -> None:
        self._since.start()
        self._show(self._latest)
        self._interval = max(self._base, 4 * self._since.elapsed())


#: Views that are heavy to paint are refreshed at most this often while playing.
HEAVY_INTERVAL_MS = 125



#: The letters a choice box in a panel always shows.
COMBO_LETTERS = 10


class Page:
    """A page of the window: its parameters panel (`panel`, built at once), its own run
    (`controller`: one worker thread per page, so a page keeps its run, history and
    position while another is shown) and its views (built by `build()` the first time
    the page is shown, so that start-up builds only the page on screen)."""

    key = ""
    title = ""
    tip = ""  # what the page is for, in a sentence (its tab's tooltip)
    data_kind = ""  # the `Dataset.kind` this page shows

    def __init__(self, panel, controller: RunController) -> None:
        self.panel = panel
        self.controller = controller
        # Choices shortened with an ellipsis where the dock is narrow (the list shows
        # them whole): a long choice must not widen the dock into the page's room.
        for box in panel.findChildren(QComboBox):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(COMBO_LETTERS)
        self.views: QWidget | None = None
        #: Whether this page's run has been started (the first time it is shown, or
        #: when its panel, a file or the Explore dock asked for a run).
        self.started = False
        #: The newest request started (its run's states come last).
        self.requested = None
        panel.request_changed.connect(self.start)

    def start(self, request) -> None:
        """Start `request` on this page's own run (the other pages' runs go on)."""
        self.started = True
        self.requested = request
        self.controller.start(request)

    def start_once(self) -> None:
        """Start the panel's run, unless this page's run has been started already: a
        page keeps its run whatever other pages do."""
        if not self.started:
            self.start(self.panel.request())

    # -- hooks the window calls (it names no page; a page overrides what it needs)
    #: How the page shows its clusters matched to classes (`metrics.Matching`), for the
    #: exported figures; None where it matches none.
    matching = None

    #: The file-dialog filter of the files this page opens ("" when it opens none):
    #: offered first by its Open… button, and by File ▸ Open… while it is shown.
    open_filter = ""

    def accepts(self, dataset) -> bool:
        """Whether this page shows `dataset`."""
        return dataset.kind == self.data_kind

    def connect(self, files: FileRequests) -> None:
        """Route the panel's requests (Open…, Paste, Columns…) to the window's file
        handling: Open… offers this page's files first."""
        if hasattr(self.panel, "open_requested"):
            self.panel.open_requested.connect(
                lambda: files.open_dialog(self.open_filter or None))

    def saves_result(self, snapshot) -> bool:
        """Whether File ▸ Save compressed image… saves this page's `result()` for
        `snapshot`, the state shown."""
        return False

    def result(self):
        """(palette, indices) of the picture this page shows, for saving; None when
        it has none."""
        return None

    def cancel(self) -> None:
        """Esc: stop the work this page runs beside its run (its run is stopped by
        its controller); what it shows stays."""

    def set_view_options(self, **options: bool) -> None:
        """The View menu's display options (`show_voronoi`, `show_trails`,
        `show_links`); a page that draws none of them ignores them."""

    @property
    def built(self) -> bool:
        return self.views is not None

    def build(self) -> QWidget:
        """The page's views (built the first time), scrolling where the window is too
        small to give each view its minimum size (`layout.ViewsArea`)."""
        if self.views is None:
            self._build(self.controller)
            self.area = ViewsArea(self.views)
        return self.area

    def _build(self, controller: RunController) -> None:
        raise NotImplementedError

    def shutdown(self) -> None:
        """Stop what runs outside the controller (before the window goes away)."""
        if self.built:
            self._shutdown()

    def _shutdown(self) -> None:
        raise NotImplementedError
