"""The status bar's run line, progress bar and Cancel button.

`RunStatus` keeps what each page's worker (and an export) is busy with, and shows the
work of the pages it is asked about: the page on screen first, then a file being opened
for another page, then an export.  Progress appears only for work that lasts (300 ms),
so quick steps do not flicker.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QToolButton

from kmeans_studio.core.engine.mixture_steps import MixtureIteration
from kmeans_studio.qt.contracts import Snapshot

#: Work that lasts less than this shows no progress bar.
SHOW_AFTER_MS = 300


class RunStatus(QObject):
    """The run line (`label`), `progress` and `cancel_button` in `bar`, with Cancel
    bound to `cancel` (enabled while the work shown, or `also_busy()`, is under way)."""

    def __init__(self, bar: QStatusBar, cancel: QAction, also_busy=lambda: False) -> None:
        super().__init__(bar)
        self._cancel, self._also_busy = cancel, also_busy
        self.label = QLabel("Loading…")
        self.label.setObjectName("run_status")
        self.label.setAccessibleName("Run status")
        self.progress = QProgressBar()
        self.progress.setObjectName("progress")
        self.progress.setAccessibleName("Progress of the work under way")
        self.progress.setFixedWidth(220)
        self.progress.setTextVisible(True)
        self.cancel_button = QToolButton()
        self.cancel_button.setObjectName("cancel_button")
        self.cancel_button.setDefaultAction(cancel)
        self.cancel_button.setAccessibleName("Cancel the work under way")
        self.cancel_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for widget in (self.progress, self.cancel_button, self.label):
            bar.addPermanentWidget(widget)
        self.progress.hide()
        self.cancel_button.hide()
        cancel.setEnabled(False)
        self._busy: dict[Hashable, tuple[str, int, int]] = {}
        self._shown_keys: list[Hashable] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SHOW_AFTER_MS)
        self._timer.timeout.connect(self._show_progress)

    def set_busy(self, key: Hashable, what: str, done: int, total: int) -> None:
        """`key`'s work: `what` ("" when idle), `done` of `total` (0: unknown)."""
        self._busy[key] = (what, done, total)
        self.update()

    def show_for(self, keys: Iterable[Hashable]) -> None:
        """Show the work of the first busy key of `keys` (in that order)."""
        self._shown_keys = list(keys)
        self.update()

    def busy(self) -> tuple[str, int, int]:
        """The work shown: (what, done, total), what "" when none."""
        for key in self._shown_keys:
            if self._busy.get(key, ("",))[0]:
                return self._busy[key]
        return ("", 0, 0)

    def update(self) -> None:
        what, done, total = self.busy()
        self._cancel.setEnabled(bool(what) or self._also_busy())
        if not what:
            self._timer.stop()
            # Not left indeterminate: the style would keep animating it while hidden.
            self.progress.setRange(0, 1)
            self.progress.hide()
            self.cancel_button.hide()
            return
        self.progress.setRange(0, total)  # 0..0: a busy indicator
        self.progress.setValue(done)
        self.progress.setFormat(what)
        self.progress.setToolTip(what)
        if not self.progress.isVisible() and not self._timer.isActive():
            self._timer.start()

    def _show_progress(self) -> None:
        if self.busy()[0]:
            self.progress.show()
            self.cancel_button.show()

    def show_snapshot(self, snapshot: Snapshot | None) -> None:
        self.label.setText("Loading…" if snapshot is None else describe(snapshot))
        # A status bar lays out its permanent widgets again only when their height
        # changes: a longer line would be cut without this (asked only then).
        if self.label.sizeHint().width() > self.label.width():
            self.parent().layout().invalidate()


def describe(snapshot: Snapshot) -> str:
    """The status-bar line for a snapshot ("Loading…" before it has data)."""
    state = snapshot.iteration
    if snapshot.dataset is None:
        return "Loading…"
    if state is None:
        return f"{snapshot.dataset.name}: {snapshot.dataset.n_samples:,} points · no centres"
    # The assignment after convergence adds no iteration (as in scikit-learn): it is
    # named for what it is, after the iteration it follows.
    previous = snapshot.previous
    final = (state.phase == "assign" and previous is not None
             and previous.phase == "update" and previous.n_iter == state.n_iter)
    phase = ({"assign": "E-step", "update": "M-step"}.get(state.phase, state.phase)
             if isinstance(state, MixtureIteration) else state.phase)
    if state.phase == "edit":
        phase = f"centres edited, k = {state.n_clusters}"
    parts = ([f"After iteration {state.n_iter}", "final assignment"] if final
             else [f"Iteration {state.n_iter}", phase])
    if snapshot.start is not None:
        best, n_init = snapshot.start
        parts.insert(0, f"best of {n_init} starts (start {best + 1})")
    if state.labels is not None:
        parts.append(f"{state.objective_name} {state.objective:.5g}")
    if state.phase == "assign":
        parts.append(f"{state.n_changed:,} changed")
    if state.converged:
        parts.append("converged")
    elif snapshot.done:
        parts.append("stopped at the iteration limit")
    parts.append(f"state {snapshot.index + 1}/{snapshot.n_states}")
    return " · ".join(parts)
