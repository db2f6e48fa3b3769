"""The scatter's point items draw exactly what pyqtgraph's own items draw."""

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QImage

from kmeans_studio.qt.views.scatter import UniformScatter


def _picture(item_class, qtbot, positions):
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.resize(300, 200)
    plot.setXRange(0, 1, padding=0)
    plot.setYRange(0, 1, padding=0)
    brush = pg.mkBrush(0, 114, 178, 230)
    items = [item_class(size=7, pen=None, brush=brush) for _ in range(2)]
    for item, pos in zip(items, positions):
        plot.addItem(item)
        item.setData(pos=pos, data=np.arange(len(pos)))
    items[0].setData(pos=positions[1][:50], data=np.arange(50))  # redrawn with new points
    return plot.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


def test_uniform_points_look_the_same_as_pyqtgraphs(qtbot):
    rng = np.random.default_rng(0)
    positions = [rng.random((400, 2)), rng.random((300, 2))]
    ours = _picture(UniformScatter, qtbot, positions)
    theirs = _picture(pg.ScatterPlotItem, qtbot, positions)
    assert ours.size() == theirs.size()
    assert ours == theirs
