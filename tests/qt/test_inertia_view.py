"""The inertia (log-likelihood) curve: a click anywhere jumps, its axis title fits, and
the narration above it does not move it."""

import pytest
from PySide6.QtCore import QPointF, QRect, Qt

from kmeans_studio.qt.scenes import settle_layout
from kmeans_studio.qt.views.inertia import PLOT_MINIMUM, InertiaView

from .helpers import settle, wait_state


def _click_at(qtbot, plot, x, y, button=Qt.MouseButton.LeftButton):
    """A real click on the plot's viewport at plot coordinates (x, y)."""
    scene = plot.getViewBox().mapViewToScene(QPointF(x, y))
    qtbot.mouseClick(plot.viewport(), button, pos=plot.mapFromScene(scene))


def test_a_click_anywhere_on_the_curve_goes_to_the_nearest_state(window, qtbot):
    """Clicks at the bottom of the plot, well below the curve's points and between
    them: the state nearest along the x axis is shown."""
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    window.actions["run_to_end"].trigger()
    final = wait_state(qtbot, window, lambda s: s.done)
    assert final.n_states >= 5
    plot = window.pages["blobs"].inertia.plot
    settle_layout()
    (_, _), (bottom, top) = plot.getViewBox().viewRange()
    low = bottom + 0.03 * (top - bottom)
    # States sit at 0, ½, 1, 1½ ...: 1.2 is nearest to state 2 (x = 1), 1.3 to 3 (x = 1½).
    for x, index in [(1.2, 2), (0.8, 2), (0.7, 1), (1.3, 3), (0.1, 0)]:
        _click_at(qtbot, plot, x, low)
        wait_state(qtbot, window, lambda s, i=index: s.index == i)
    # Beyond the last state: the last one.
    (_, right), _ = plot.getViewBox().viewRange()
    _click_at(qtbot, plot, right - 0.01, low)
    wait_state(qtbot, window, lambda s: s.index == final.n_states - 1)
    # The right button does not jump.
    with qtbot.assertNotEmitted(window.pages["blobs"].inertia.seek_requested):
        _click_at(qtbot, plot, 1.0, low, Qt.MouseButton.RightButton)


def _title_lines(view):
    """The left axis title's lines as laid out, and the axis."""
    axis = view.plot.getAxis("left")
    block = axis.label.document().firstBlock()
    layout = block.layout()
    text = block.text()
    return [text[line.textStart():line.textStart() + line.textLength()].strip()
            for line in map(layout.lineAt, range(layout.lineCount()))], axis


@pytest.fixture
def mixture_snapshot(window, qtbot):
    """A snapshot of a Gaussian mixture's run (its curve is its log-likelihood)."""
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    box = window.pages["blobs"].panel.run.model
    box.setCurrentIndex(box.findData("full"))
    wait_state(qtbot, window, lambda s: s.request.model == "full")
    window.actions["run_to_end"].trigger()
    snap = wait_state(qtbot, window, lambda s: s.request.model == "full" and s.done)
    assert snap.iteration.objective_name == "log-likelihood"
    return snap


@pytest.fixture(params=[1.0, 1.4], ids=["font", "larger_font"])
def font_scale(request, qapp):
    """The application's font, or one 1.4 times as large (a classroom's projector)."""
    font = qapp.font()
    if request.param != 1.0:
        larger = qapp.font()
        larger.setPointSizeF(font.pointSizeF() * request.param)
        qapp.setFont(larger)
    yield request.param
    qapp.setFont(font)


@pytest.mark.parametrize("width", [250, 500, 1200])
def test_the_log_likelihood_axis_title_fits_at_the_curves_smallest_height(
        qtbot, mixture_snapshot, font_scale, width):
    """At its smallest height the title fits the axis: on one line, or wrapped at its
    hyphen where one line does not fit (never inside a word); with room it is one
    line again."""
    view = InertiaView()
    qtbot.addWidget(view)
    view.set_snapshot(mixture_snapshot)
    view.show()
    qtbot.waitExposed(view)
    view.resize(max(width, view.minimumSizeHint().width()), view.minimumSizeHint().height())
    settle_layout()
    assert view.plot.height() == view.plot.minimumHeight()
    if font_scale == 1:
        assert view.plot.minimumHeight() == PLOT_MINIMUM[1]
    lines, axis = _title_lines(view)
    if font_scale > 1:
        assert lines == ["log-", "likelihood"]
    else:
        assert lines in (["log-likelihood"], ["log-", "likelihood"])
    assert axis.label.boundingRect().width() <= axis.height() + 2  # (test_layout's check)
    layout = axis.label.document().firstBlock().layout()
    assert all(layout.lineAt(i).naturalTextWidth() <= axis.label.boundingRect().width()
               for i in range(layout.lineCount()))
    # The title's lines stay left of the tick numbers (the axis is as wide as both).
    label = axis.label.mapRectToParent(axis.label.boundingRect())
    assert label.right() <= axis.width() - axis.textWidth + 2
    # Taller: one line again.
    view.resize(view.width(), view.minimumSizeHint().height() + 150)
    settle_layout()
    lines, axis = _title_lines(view)
    assert lines == ["log-likelihood"]
    assert axis.label.boundingRect().width() <= axis.height() + 2
    # And back to inertia (k-means): one line, whatever the height.
    view.resize(view.width(), view.minimumSizeHint().height())
    view._name_curve("inertia")
    settle_layout()
    assert _title_lines(view)[0] == ["inertia"]


ONE_LINE = "Assign: 1 point changed cluster."


def _height(label, text):
    """The height `text` takes in `label` at its width."""
    flags = int(Qt.TextFlag.TextWordWrap | label.alignment())
    return label.fontMetrics().boundingRect(QRect(0, 0, label.width(), 10_000), flags,
                                            text).height()


def _lines(label, text):
    """How many lines `text` takes in `label` at its width."""
    return round(_height(label, text) / _height(label, "Ag"))


def _narration_of(label, lines):
    """A narration that takes `lines` lines at the label's width."""
    words = ("Converged after 33 iterations; a last assignment makes the labels match the "
             "final centres (309 points moved).").split() * 8
    for n in range(1, len(words)):
        if _lines(label, " ".join(words[:n])) == lines:
            return " ".join(words[:n])
    raise AssertionError(f"no {lines}-line narration at this width")


def _plot_rect(view, window):
    """Where the plot is in the window."""
    return view.plot.rect().translated(view.plot.mapTo(window, view.plot.rect().topLeft()))


@pytest.mark.parametrize("size", [(1024, 768), (1200, 800), (1920, 1080)],
                         ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("model", ["k-means", "full"])
def test_a_two_line_narration_does_not_move_the_curve(window, qtbot, size, model):
    """Two lines are kept for the narration: the plot is as tall, and in the same
    place, with one line as with two; a longer sentence still gets the lines it
    needs, and a short one after it gives them back."""
    window.resize(*size)
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    if model != "k-means":  # (a narrower curve beside the pseudocode)
        box = window.pages["blobs"].panel.run.model
        box.setCurrentIndex(box.findData(model))
        wait_state(qtbot, window, lambda s: s.request.model == model)
        window.pseudocode_dock.show()
    settle(qtbot, window.controller)  # (no newer state comes to change the narration)
    settle_layout()
    view = window.pages["blobs"].inertia
    label = view.narration
    two_lines, three_lines = _narration_of(label, 2), _narration_of(label, 3)
    assert _lines(label, ONE_LINE) == 1
    places = {}
    for text in (ONE_LINE, two_lines, ONE_LINE, two_lines, three_lines, ONE_LINE):
        view.say(text)
        settle_layout()
        assert label.text() == text
        assert label.height() >= _height(label, text) - 1  # shown whole
        places.setdefault(text, set()).add(_plot_rect(view, window).getRect())
    assert places[ONE_LINE] == places[two_lines] and len(places[ONE_LINE]) == 1
