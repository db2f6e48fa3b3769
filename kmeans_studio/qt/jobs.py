"""Long work on a helper thread, with progress, Cancel and its outcome as Qt signals.

The signals belong to a GUI-thread QObject and are emitted from the helper thread, so
Qt queues them: connected slots run on the GUI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from kmeans_studio.core._validation import error_sentence

#: work(cancelled, progress) -> result; None when it stopped because it was cancelled.
Work = Callable[[Callable[[], bool], Callable[[int, int], None]], Any]


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

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, work: Work) -> None:
        """Run `work`, stopping (and waiting for) the one before, which then reports
        nothing."""
        stop = threading.Event()
        previous, self._stop = (self._thread, self._stop), stop
        previous[1].set()
        if previous[0] is not None:
            previous[0].join()

        def current() -> bool:
            return self._stop is stop

        def progress(done: int, total: int) -> None:
            if current() and not stop.is_set():
                self.progressed.emit(done, total)

        def run() -> None:
            try:
                result = work(stop.is_set, progress)
            except Exception as exc:  # noqa: BLE001 - said in a sentence, never lost
                if current():
                    self.failed.emit(error_sentence(exc))
                return
            if not current():
                return
            if stop.is_set() or result is None:
                self.cancelled.emit()
            else:
                self.succeeded.emit(result)

        self._thread = threading.Thread(target=run, name=self._name, daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        """Stop the work (it checks between iterations) and wait for its thread; it
        reports `cancelled`."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
