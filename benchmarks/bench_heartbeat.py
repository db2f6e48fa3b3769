"""The GUI thread's longest stall while the worker computes, beside a bare window's.

Run:  python benchmarks/bench_heartbeat.py

A 10 ms QTimer ticks on the GUI thread while ten k-means starts of k = 64 run on
273,280 blob points in the worker (several seconds, nothing to paint).  The longest gap
between two ticks is what a user feels as a frozen window; it is printed beside the
same timer's longest gap in an idle window of the same process (target: at most
50 ms, and not far above the idle window's).  Offscreen Qt; median of 5.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QSettings, QTimer  # noqa: E402


def wait_until(predicate, timeout: float = 120.0) -> None:
    end = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > end:
            raise TimeoutError("the window did not reach the state in time")
        QCoreApplication.processEvents()
        time.sleep(0.001)


def longest_gap(seconds: float, still_busy=lambda: True) -> float:
    """Longest gap (ms) of a 10 ms timer over `seconds`, counting only ticks while
    `still_busy()`; the first 200 ms are left out (queued events)."""
    gc.collect()
    stamps: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: still_busy() and stamps.append(time.perf_counter()))
    timer.start()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        QCoreApplication.processEvents()
        time.sleep(0.001)
    timer.stop()
    stamps = [t for t in stamps if t > stamps[0] + 0.2]
    return 1000 * max((b - a for a, b in zip(stamps, stamps[1:])), default=float("nan"))


def main() -> None:
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      tempfile.mkdtemp())
    from kmeans_studio.app import build_window

    window = build_window()
    window.show()
    wait_until(lambda: window.controller.snapshot is not None
               and window.controller.snapshot.iteration is not None)
    panel = window.sources["blobs"].panel
    panel.run.init.setCurrentIndex(panel.run.init.findData("random"))
    panel.n_centers.setValue(20)
    panel.run.k.setValue(64)
    panel.n_samples.setValue(273_280)
    wait_until(lambda: window.controller.snapshot.dataset.n_samples == 273_280
               and window.controller.snapshot.iteration.n_clusters == 64)
    busy, idle = [], []
    for seed in range(5):
        idle.append(longest_gap(1.0))
        starts: list[str] = []
        window.controller.busy.connect(lambda what, *_: starts.append(what))
        panel.run.n_init.setValue(10)
        panel.run.seed.setValue(seed + 1)
        wait_until(lambda: any(w.startswith("Start 2 of 10") for w in starts))
        busy.append(longest_gap(2.0, lambda: starts and starts[-1].startswith("Start")))
        wait_until(lambda: starts and starts[-1] == "")
        window.controller.busy.disconnect()
        panel.run.n_init.setValue(1)
    window.close()
    print(f"longest GUI-thread gap, idle window:        {statistics.median(idle):6.1f} ms "
          f"(runs: {', '.join(f'{g:.0f}' for g in idle)})")
    print(f"longest GUI-thread gap, 10 starts of k=64:  {statistics.median(busy):6.1f} ms "
          f"(runs: {', '.join(f'{g:.0f}' for g in busy)}; target ≤ 50 ms)")


if __name__ == "__main__":
    sys.exit(main())
