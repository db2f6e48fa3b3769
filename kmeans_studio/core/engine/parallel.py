"""Independent runs side by side, one per core, stopping together when cancelled."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kmeans_studio.core.engine._compiled import _n_cores


def side_by_side(
    work: Callable[[Any], Any],
    items: Sequence[Any],
    cancelled: Callable[[], bool],
    on_progress: Callable[[int, int], Any] | None = None,
    name: str = "kmeans-runs",
) -> list | None:
    """``[work(item) for item in items]``, one item per core at a time, the first
    items first; None when `cancelled` says so.

    An item not yet begun is dropped once `cancelled` is True; `work` itself should ask
    it between iterations.  `on_progress(done, total)` is told after every item (from
    the worker threads).  The engine's kernels and BLAS release the GIL, so the runs
    overlap.
    """
    lock = threading.Lock()
    finished = [0]

    def run(item: Any) -> Any:
        if cancelled():
            return None
        result = work(item)
        with lock:
            finished[0] += 1
            if on_progress is not None and not cancelled():
                on_progress(finished[0], len(items))
        return result

    with ThreadPoolExecutor(max_workers=max(1, min(len(items), _n_cores())),
                            thread_name_prefix=name) as pool:
        results = [future.result() for future in [pool.submit(run, i) for i in items]]
    if cancelled() or any(result is None for result in results):
        return None
    return results


def lowest_priority(thread_id: int | None = None) -> None:
    """Give a thread (by native id; default: the calling one) the lowest CPU priority
    (Linux: nice 19), so that every other thread goes first when the cores are busy;
    elsewhere nothing.

    For work that has been abandoned but cannot be stopped, such as one of Pillow's
    quantizers in a superseded photo comparison: while it finishes what nobody waits
    for, it takes only the CPU no one else wants.
    """
    try:
        os.setpriority(os.PRIO_PROCESS, thread_id or threading.get_native_id(), 19)
    except (AttributeError, OSError):
        pass
