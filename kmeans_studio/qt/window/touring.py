"""The tour of the notebook on the window's pages (`Guide`): each section's state put
on its page, what to look at framed, and the user's own pages given back as they were
when the tour ends.

The pages are named only by the tour's data (`tour.STEPS`: a source's page); the
window's pages, docks and Explore dock are driven through their public members.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QWidget

from kmeans_studio.core.data.sources import data_source
from kmeans_studio.core.engine.mixture import INITS as MIXTURE_INITS
from kmeans_studio.qt.tour import STEPS, Highlight, TourDock

#: The run fields a tour step or a saved run gives a request.
_RUN_FIELDS = ("model", "n_clusters", "init", "n_init", "random_state", "max_iter", "tol")


@dataclasses.dataclass(frozen=True)
class _PageBefore:
    """A page as the tour found it: what its panel asked for, and its run's state."""

    asked: object  # the panel's RunRequest
    snapshot: object  # the state shown (None: no run yet)
    started: bool
    matching: str | None


@dataclasses.dataclass(frozen=True)
class _Before:
    page: str
    docks: dict
    pages: dict


class Guide(QObject):
    """Help ▸ Tour of the notebook.

    Signals
    -------
    step_shown(int)
        The state of this section is on screen (converged where it runs to the end;
        the Explore tab it opens has started).
    """

    step_shown = Signal(int)

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.dock: TourDock | None = None
        self.highlight = Highlight(window)
        self._before: _Before | None = None  # from the first "Show me" to the end
        self._touched: set[str] = set()
        self._pending = None  # (index, page, request) until its state is shown
        self._framing = ""  # what to frame once the Explore dock's work has ended
        window.explore.busy_changed.connect(self._on_explore_busy)
        for page in window.pages.values():
            page.controller.iteration_done.connect(
                lambda snapshot, p=page: self._on_snapshot(p, snapshot))

    def start(self) -> TourDock:
        """Open the tour at its first section (or where it is, when open)."""
        if self.dock is None:
            self.dock = TourDock(self.window)
            self.dock.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea
                                      | Qt.DockWidgetArea.RightDockWidgetArea)
            self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
            self.dock.show_requested.connect(self.show_step)
            self.dock.section_changed.connect(lambda _: self.highlight.point_at(None))
            self.dock.ended.connect(self.end)
            # (Its room is taken from the other docks first, as theirs is.)
            self.dock.visibilityChanged.connect(lambda _: self.window.rearrange())
            self.dock.setMinimumWidth(260)
        self.dock.show()
        self.dock.raise_()
        return self.dock

    def show_step(self, index: int) -> None:
        """Put section `index`'s state on its page (the user's pages are kept first)."""
        step = STEPS[index]
        if step.source is None:
            return
        self._keep_before()
        source = data_source(step.source)
        page = self.window.pages[source.page]
        self._touched.add(page.key)
        page.panel.restore(source, step.run)
        request = dataclasses.replace(page.panel.request_for(source),
                                      **{name: step.run[name] for name in _RUN_FIELDS},
                                      run_to_end=step.to_end)
        self._pending = (index, page, request)
        self.highlight.point_at(None)
        page.start(request)
        self.window.show_page(page.key)
        self.window.pseudocode_dock.setVisible(step.pseudocode)
        if not step.explore:
            self.window.explore.hide()

    def _on_snapshot(self, page, snapshot) -> None:
        if self._pending is None:
            return
        index, asked_of, request = self._pending
        step = STEPS[index]
        if page is not asked_of or snapshot.request != request or (
                step.to_end and not snapshot.done):
            return
        self._pending = None
        if step.explore:
            self.window.show_explore(step.explore)
        self._frame(step.look_at)
        self.step_shown.emit(index)

    def _frame(self, name: str) -> None:
        """Frame what to look at once it is drawn: after the Explore dock's work (its
        tiles come with their results), once the docks have settled."""
        if self.window.explore.busy:
            self._framing = name
        else:
            self._frame_soon(name)

    def _frame_soon(self, name: str) -> None:
        QTimer.singleShot(0, self, lambda: self.highlight.point_at(self._target(name)))

    def _on_explore_busy(self, busy: bool) -> None:
        if not busy and self._framing:
            name, self._framing = self._framing, ""
            self._frame_soon(name)

    def _target(self, name: str) -> QWidget | None:
        """The widget to look at: on the page shown, else in the window's docks."""
        page = self.window.page
        found = page.area.findChild(QWidget, name) if page.built else None
        return found or self.window.findChild(QWidget, name)

    # -- the user's own pages
    def _keep_before(self) -> None:
        if self._before is not None:
            return
        pages = {}
        for key, page in self.window.pages.items():
            if page.controller.playing:
                page.controller.pause()
            pages[key] = _PageBefore(page.panel.request(), page.controller.snapshot,
                                     page.started, page.panel.matching)
        w = self.window
        self._before = _Before(w.page.key, {"pseudocode": w.pseudocode_dock.isVisible(),
                                            "explore": w.explore.isVisible()}, pages)

    def end(self, restart_runs: bool = True) -> None:
        """The tour is over: every page it changed shows again what the user had (its
        parameters, its run at the state shown: unless `restart_runs` is false, as the
        window closes), on the page they were on."""
        before, self._before = self._before, None
        touched, self._touched = self._touched, set()
        self._pending, self._framing = None, ""
        self.highlight.point_at(None)
        if self.dock is not None and self.dock.isVisible():
            self.dock.hide()
        if before is None:
            return
        for key in touched:
            page, kept = self.window.pages[key], before.pages[key]
            asked = kept.asked
            page.panel.restore(asked.data, dict(_run_of(asked), match=kept.matching))
            page.started = kept.started
            snapshot = kept.snapshot
            if not restart_runs:
                continue
            if snapshot is not None and snapshot.request is not None and len(snapshot.trail):
                page.start(_replayed(snapshot))
            elif kept.started:
                page.start(asked)
        self.window.show_page(before.page)
        self.window.pseudocode_dock.setVisible(before.docks["pseudocode"])
        self.window.explore.setVisible(before.docks["explore"])


def _run_of(request) -> dict:
    """A request's run fields as a session's run (placing by hand: "click")."""
    run = {name: getattr(request, name) for name in _RUN_FIELDS}
    if run["init"] is None:
        run["init"] = "click"
    return run


def _replayed(snapshot):
    """The request that shows `snapshot`'s run again at the same state: from its
    initial centres (a mixture from its initialisation, unless its means were
    given), one start, its edits of the centres made again, on to the same state."""
    request = snapshot.request
    (_, first), *edits = snapshot.stretches or ((0, snapshot.trail),)
    init = request.init
    if request.model == "kmeans" or not (isinstance(init, str) and init in MIXTURE_INITS):
        init = np.array(first[0])
    return dataclasses.replace(request, init=init, n_init=1, n_clusters=len(first[0]),
                               advance_to=snapshot.index, expected_trail=None,
                               run_to_end=False,
                               edits=tuple((state, np.array(trail)) for state, trail in edits))
