"""Regression for the PySide6 pin (<6.12).

With PySide6 6.12.0 and pyqtgraph 0.14.0 this loop aborts the interpreter ("Fatal
Python error: bool_dealloc") when plot items are removed from a plot.  It runs in a
subprocess so an abort fails this test instead of killing the test session.  When it
passes on a newer PySide6, the pin in pyproject.toml can be lifted.
"""

import subprocess
import sys
import textwrap

LOOP = textwrap.dedent(
    """
    import numpy as np
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    plot = pg.PlotWidget()
    plot.resize(400, 300)
    rng = np.random.default_rng(0)
    for _ in range(50):
        items = [pg.PlotDataItem(symbol="o") for _ in range(64)]
        for item in items:
            plot.addItem(item)
            item.setData(rng.random(20), rng.random(20))
        plot.grab()
        for item in items:
            plot.removeItem(item)
    print("survived")
    """
)


def test_removing_plot_items_does_not_abort():
    result = subprocess.run(
        [sys.executable, "-c", LOOP], capture_output=True, text=True, timeout=300,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "survived" in result.stdout
