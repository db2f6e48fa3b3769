"""A page of the window: its Data panel, its own run and its views (`Page`), and
what pages share (`Throttle`)."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QTimer
from PySide6.QtWidgets import QWidget

from kmeans_studio.qt.controller import RunController
from kmeans_studio.qt.layout import ViewsArea


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



class Page:
    """A page of the window: its Data panel (`panel`, built at once), its own run
    (`controller`: one worker thread per page, so a page keeps its run, history and
    position while another is shown) and its views (built by `build()` the first time
    the page is shown, so that start-up builds only the page on screen)."""

    key = ""
    title = ""
    data_kind = ""  # the `Dataset.kind` this page shows

    def __init__(self, panel, controller: RunController) -> None:
        self.panel = panel
        self.controller = controller
        self.views: QWidget | None = None

    def accepts(self, dataset) -> bool:
        """Whether this page shows `dataset`."""
        return dataset.kind == self.data_kind

    @property
    def built(self) -> bool:
        return self.views is not None

    def build(self) -> QWidget:
        """The page's views (built the first time), reflowing and scrolling where
        the window is too small to give each view its minimum size (`layout.ViewsArea`)."""
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
