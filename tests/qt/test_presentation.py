"""View ▸ Presentation (F11): full screen, a larger interface, plots drawn larger
(text, lines and markers alike); Ctrl+= and Ctrl+− scale it live, Ctrl+0 back."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from kmeans_studio.qt import presentation, scenes


def _drawn_scale(plot) -> float:
    """Screen pixels per pixel of the plot's own layout."""
    return plot.transform().m11()


def test_presentation_scales_the_interface_and_the_plots(window, qtbot):
    qtbot.waitUntil(lambda: scenes.settled(window), timeout=60_000)
    plot = window.pages["blobs"].scatter.plot
    title = window.pages["digits"].panel  # (any widget: the interface's font)
    normal = QApplication.font().pointSizeF()
    narration = window.pages["blobs"].inertia.narration.font().pointSizeF()
    window._show_views(1)  # (the Digits page's views built)
    emphasised = window.pages["digits"].confusion.title.font().pointSizeF()
    assert _drawn_scale(plot) == 1.0

    QTest.keyClick(window, Qt.Key.Key_F11)
    assert window.actions["presentation"].isChecked()
    assert window.windowState() & Qt.WindowState.WindowFullScreen
    assert presentation.scale() == pytest.approx(presentation.PRESENTATION_SCALE)
    assert QApplication.font().pointSizeF() == pytest.approx(
        normal * presentation.PRESENTATION_SCALE)
    # (Qt posts the font change to each widget.)
    qtbot.waitUntil(lambda: title.font().pointSizeF() == QApplication.font().pointSizeF())
    # The plot is laid out in a smaller area and drawn larger: its text, lines and
    # markers grow together.
    qtbot.waitUntil(lambda: _drawn_scale(plot) == pytest.approx(presentation.scale()))
    inner = plot.getPlotItem().geometry()
    assert inner.width() == pytest.approx(plot.width() / presentation.scale(), abs=1)
    # Emphasised text keeps its emphasis.
    qtbot.waitUntil(lambda: window.pages["blobs"].inertia.narration.font().pointSizeF()
                    == pytest.approx(narration * presentation.PRESENTATION_SCALE, rel=0.02))
    qtbot.waitUntil(lambda: window.pages["digits"].confusion.title.font().pointSizeF()
                    == pytest.approx(emphasised * presentation.PRESENTATION_SCALE, rel=0.02))

    QTest.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    larger = presentation.PRESENTATION_SCALE * presentation.STEP
    assert presentation.scale() == pytest.approx(larger)
    qtbot.waitUntil(lambda: _drawn_scale(plot) == pytest.approx(larger))
    QTest.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert presentation.scale() == pytest.approx(presentation.PRESENTATION_SCALE
                                                 / presentation.STEP)
    for _ in range(20):  # bounded
        QTest.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert presentation.scale() == presentation.LEAST

    QTest.keyClick(window, Qt.Key.Key_F11)  # back: the window as it was, normal size
    assert not window.windowState() & Qt.WindowState.WindowFullScreen
    assert presentation.scale() == 1.0
    assert QApplication.font().pointSizeF() == pytest.approx(normal)
    qtbot.waitUntil(lambda: _drawn_scale(plot) == 1.0)


def test_a_view_built_later_takes_the_scale_and_closing_resets_it(window, qtbot):
    qtbot.waitUntil(lambda: scenes.settled(window), timeout=60_000)
    normal = QApplication.font().pointSizeF()
    QTest.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert presentation.scale() == pytest.approx(presentation.STEP)
    window.page_bar.setCurrentIndex(window.page_bar.findData("digits"))  # built now
    confusion = window.pages["digits"].confusion.plot
    qtbot.waitUntil(lambda: _drawn_scale(confusion) == pytest.approx(presentation.STEP))
    window.close()
    assert presentation.scale() == 1.0 and QApplication.font().pointSizeF() == normal


@pytest.mark.parametrize("size", [30, 45, 80, 200, 600])
def test_a_short_axis_keeps_its_labels_apart(qapp, size):
    """pyqtgraph keeps at least 2¼ intervals, whose labels overlapped on a short axis
    (a small curve, or a larger font): the interval grows to round steps until each
    label has its height and as much again."""
    from PySide6.QtGui import QFontMetrics

    from kmeans_studio.qt.colors import SpacedAxis

    axis = SpacedAxis("left")
    major = axis.tickSpacing(200.0, 400.0, size)[0][0]
    labels = max(1, size // (1.5 * QFontMetrics(axis.font()).height()))
    assert 200.0 / major <= labels
    mantissa = major / 10 ** np.floor(np.log10(major))
    assert round(mantissa, 6) in (1.0, 2.0, 5.0)


@pytest.mark.parametrize("size", [60, 100, 160, 400])
def test_a_short_horizontal_axis_keeps_its_labels_apart(qapp, size):
    """The k axis of a narrow sweep plot read "1011" where 10 and 11 met."""
    from PySide6.QtGui import QFontMetrics

    from kmeans_studio.qt.colors import SpacedAxis

    axis = SpacedAxis("bottom")
    major = axis.tickSpacing(2.0, 12.0, size)[0][0]
    room = QFontMetrics(axis.font()).horizontalAdvance("120")
    assert 10.0 / major <= max(1, size // room)
