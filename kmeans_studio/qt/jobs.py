"""Long work on a helper thread, with progress, Cancel and its outcome as Qt signals.

The signals belong to a GUI-thread QObject and are emitted from the helper thread, so
Qt queues them: connected slots run on the GUI thread.  Helper threads are started by
a launcher thread: `Thread.start` waits until the new thread runs, which took the GUI
thread 17 ms on a busy machine.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from kmeans_studio.core.checks import error_sentence
from kmeans_studio.core.engine.parallel import lowest_priority

#: work(cancelled, progress) -> result; None when it stopped because it was cancelled.
Work = Callable[[Callable[[], bool], Callable[[int, int], None]], Any]

#: The longest `BackgroundJob.cancel` waits for work told to stop before it abandons it:
#: closing the window must not hang on a read stuck in a call that cannot be
#: interrupted (a named pipe opened as a table blocked it for good).
CANCEL_WAIT_S = 1.0


class BackgroundJob(QObject):
    """One piece of long work at a time, on a helper thread.

    Signals
    -------
    progressed(int, int)
        Done and total so far.
    succeeded(object)
        The work's result.
    failed(str)
        The work raised; the sentence says why (`error_sentence`).
    cancelled()
        The work stopped because `cancel` was called (nothing else changed).
    """

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, name: str) -> None:
        # No Qt parent: Python owns the job, and the work under way holds it, so the
        # helper thread always reports into a live object.  (A window that deleted its
        # child job while a helper thread emitted into it crashed the process.)  Slots of
        # objects that are gone are disconnected by Qt.
        super().__init__()
        self._name = name
        self._stop = threading.Event()
        self._ended = threading.Event()
        self._ended.set()
        self._thread_ids: list[int] = []

    @property
    def running(self) -> bool:
        return not self._ended.is_set()

    def start(self, work: Work) -> None:
        """Run `work`.  Work under way is told to stop and is abandoned, never waited
        for (it may be inside a foreign call that cannot be interrupted, such as one
        of Pillow's quantizers): whatever it reports later is dropped."""
        stop, ended = threading.Event(), threading.Event()
        self._abandon()
        self._stop, self._ended = stop, ended
        native: list[int] = []

        def current() -> bool:
            return self._stop is stop and not stop.is_set()

        def report(signal, *args) -> None:
            try:
                signal.emit(*args)
            except RuntimeError:  # Qt is shutting down
                pass

        def progress(done: int, total: int) -> None:
            if current():
                report(self.progressed, done, total)

        def outcome() -> None:
            try:
                result = work(stop.is_set, progress)
            except Exception as exc:  # noqa: BLE001 - said in a sentence, never lost
                if current():
                    report(self.failed, error_sentence(exc))
                elif self._stop is stop:  # it failed because it was told to stop
                    report(self.cancelled)
                return
            if self._stop is not stop:
                return  # superseded by newer work: it reports, not this
            if stop.is_set() or result is None:
                report(self.cancelled)
            else:
                report(self.succeeded, result)

        def run() -> None:
            native.append(threading.get_native_id())
            try:
                outcome()
            finally:
                ended.set()

        self._thread_ids = native
        _launch(threading.Thread(target=run, name=self._name, daemon=True))

    def cancel(self, wait: bool = True) -> None:
        """Stop the work (it checks between its units); it reports `cancelled`.  With
        `wait`, return once its thread has ended, or abandon it after `CANCEL_WAIT_S`
        (it is inside a call that cannot be interrupted); without, abandon it now."""
        self._stop.set()
        if not (wait and self._ended.wait(CANCEL_WAIT_S)):
            self._abandon()

    def _abandon(self) -> None:
        """Tell the work under way to stop; if it goes on (inside a call that cannot be
        interrupted), it does so at the lowest CPU priority: its results will never be
        shown, and it must not slow the work that replaces it."""
        self._stop.set()
        if not self._ended.is_set():
            for thread_id in self._thread_ids:
                lowest_priority(thread_id)


_lock = threading.Lock()
_launches: queue.SimpleQueue | None = None


def _launch(thread: threading.Thread) -> None:
    """Start `thread` from the launcher thread, without waiting for it."""
    global _launches
    with _lock:
        if _launches is None:
            _launches = queue.SimpleQueue()
            threading.Thread(target=_launcher, args=(_launches,), name="job-launcher",
                             daemon=True).start()
    _launches.put(thread)


def _launcher(launches: queue.SimpleQueue) -> None:
    while True:
        launches.get().start()
