"""Cold start: K-Means Studio's first paint against a bare PySide6 + pyqtgraph window.

Run:  python benchmarks/bench_startup.py

Each start is a fresh subprocess (offscreen Qt), timed from launch to the window's first
paint; the two kinds alternate, 5 of each, and the medians are compared (targets: the
studio paints within 1.3x the bare window's time, and its blobs are ready to step
within 1.5x).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

# Bytecode written and read, as an installed package's is: with PYTHONDONTWRITEBYTECODE
# set, the studio's 112 modules were compiled at every start (0.1 s), as no user's are.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

PAINT_PROBE = """
import sys, time
from PySide6.QtCore import QObject, QEvent, QTimer
class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and not getattr(self, "done", False):
            self.done = True
            print("painted", flush=True)
            QTimer.singleShot(0, after_paint)
        return False
"""

BARE = PAINT_PROBE + """
import pyqtgraph as pg
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.setCentralWidget(pg.PlotWidget())
window.resize(1200, 800)
probe = FirstPaint()
app.installEventFilter(probe)
def after_paint():
    app.quit()
window.show()
app.exec()
"""

STUDIO = PAINT_PROBE + """
from PySide6.QtCore import QSettings
QSettings.setDefaultFormat(QSettings.Format.IniFormat)
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[1])
from kmeans_studio.app import application, build_window
app = application()
window = build_window()
probe = FirstPaint()
app.installEventFilter(probe)
def after_paint():
    poll = QTimer(window)
    def ready():
        snap = window.controller.snapshot
        if snap is not None and snap.iteration is not None:
            print("ready", flush=True)
            window.close()
            app.quit()
    poll.timeout.connect(ready)
    poll.start(5)
window.show()
app.exec()
"""


def timed(script: str, settings: str) -> dict[str, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", script, settings], env=env,
                               stdout=subprocess.PIPE, text=True)
    marks = {}
    for line in process.stdout:
        marks[line.strip()] = time.perf_counter() - start
    process.wait()
    return marks


def main() -> None:
    bare, paint, ready = [], [], []
    with tempfile.TemporaryDirectory() as settings:
        timed(STUDIO, settings)  # warm the disk cache and the kernels' cache once
        for _ in range(5):
            bare.append(timed(BARE, settings)["painted"])
            marks = timed(STUDIO, settings)
            paint.append(marks["painted"])
            ready.append(marks["ready"])
    b, p, r = (statistics.median(x) for x in (bare, paint, ready))
    print(f"bare window's first paint {b:.2f} s, the studio's {p:.2f} s, its blobs ready "
          f"{r:.2f} s (medians of 5)")
    print(f"first paint: studio / bare window = {p / b:.2f}x  (target <= 1.3x)  "
          f"{'met' if p / b <= 1.3 else 'NOT MET'}")
    print(f"blobs ready to step: {r / b:.2f}x the bare window's first paint  (target <= 1.5x)"
          f"  {'met' if r / b <= 1.5 else 'NOT MET'}")


if __name__ == "__main__":
    main()
