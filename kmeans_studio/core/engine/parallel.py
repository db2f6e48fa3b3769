"""The engine's threads, all from here: one persistent pool for the kernels' blocks of
rows, pools of a call's own for independent runs side by side, and a way to give
abandoned work the lowest priority.

The kernels, numpy and BLAS release the GIL, so plain threads use every core.  The
shared pool (`shared_pool`) is for short blocks whose caller waits for them (never
for work that itself waits on this pool); `side_by_side` and `on_every_core` make a
pool for one call, so whole runs never queue behind one another's blocks.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kmeans_studio.core.engine.platform import n_cores

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None


def shared_pool() -> ThreadPoolExecutor:
    """The process's pool of one thread per core ("kmeans-assign"), made on first use:
    the blocks of rows of one pass of the kernels, the colour octree's parts."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=n_cores(), thread_name_prefix="kmeans-assign")
    return _pool


def in_row_blocks(work: Callable[[int, int], Any], n: int, rows: int) -> None:
    """``work(start, stop)`` for consecutive blocks of `rows` rows out of n, on every
    core (the shared pool); `work` must let go of the GIL (numpy, the kernels)."""
    edges = list(range(0, n, max(1, rows))) + [n]
    for future in [shared_pool().submit(work, a, b) for a, b in zip(edges[:-1], edges[1:])]:
        future.result()


def on_every_core(work: Callable[[Any], Any], items: Iterable[Any], name: str = "kmeans-map"
                  ) -> list:
    """``[work(item) for item in items]`` on a pool of one thread per core made for
    this call (so it may be called from any thread, the shared pool's included)."""
    with ThreadPoolExecutor(n_cores(), thread_name_prefix=name) as pool:
        return list(pool.map(work, items))


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

    with ThreadPoolExecutor(max_workers=max(1, min(len(items), n_cores())),
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
