"""Every scene of the screenshot check (`kmeans_studio.qt.scenes`) at both sizes: the
window keeps its size, no text is cut, no widget is squeezed below its minimum or
overlaps a sibling, and no plot title or axis text runs out of its plot."""

import pyqtgraph as pg
import pytest
from PySide6.QtWidgets import (
    QLabel,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from kmeans_studio.qt import scenes


def _shown(widget: QWidget) -> bool:
    return widget.isVisible() and widget.width() > 0 and widget.height() > 0


def _name(widget: QWidget) -> str:
    return widget.objectName() or type(widget).__name__


def _cut_labels(window) -> list[str]:
    """Labels whose text does not fit them (one line too narrow, wrapped too short)."""
    problems = []
    for label in window.findChildren(QLabel):
        if not _shown(label) or not label.text() or label.pixmap() and not label.pixmap().isNull():
            continue
        if label.wordWrap():
            need = label.heightForWidth(label.width())
            if need > label.height() + 1:
                problems.append(f"{label.objectName() or label.text()[:40]!r} wrapped needs "
                                f"{need} px of height, has {label.height()}")
        elif label.sizeHint().width() > label.width() + 1:
            problems.append(f"{label.objectName() or label.text()[:40]!r} needs "
                            f"{label.sizeHint().width()} px, has {label.width()}")
    return problems


def _squeezed(window) -> list[str]:
    """Widgets given less than the minimum size they ask for."""
    problems = []
    for widget in window.findChildren(QWidget):
        minimum = widget.minimumSize()
        if _shown(widget) and (widget.width() < minimum.width()
                               or widget.height() < minimum.height()):
            problems.append(f"{_name(widget)} is "
                            f"{widget.width()}×{widget.height()}, asks for at least "
                            f"{minimum.width()}×{minimum.height()}")
    return problems


def _overlaps(window) -> list[str]:
    """Visible children of one laid-out widget that cover each other."""
    problems = []
    for parent in window.findChildren(QWidget):
        if (parent.layout() is None or isinstance(parent, (QStackedWidget, QSplitter))
                or not _shown(parent)):
            continue
        children = [c for c in parent.children() if isinstance(c, QWidget) and _shown(c)
                    and not c.isWindow() and parent.layout().indexOf(c) >= 0]
        for i, a in enumerate(children):
            for b in children[i + 1:]:
                if a.geometry().intersects(b.geometry()):
                    problems.append(f"{_name(a)} overlaps {_name(b)} in {_name(parent)}")
    return problems


def _plot_text_cut(window) -> list[str]:
    """Plot titles wider than their plot, and axes whose tick labels overlap."""
    problems = []
    for plot in window.findChildren(pg.PlotWidget):
        if not _shown(plot):
            continue
        item = plot.getPlotItem()
        title = item.titleLabel
        if title.isVisible() and title.text:
            need = title.item.boundingRect().width()
            if need > item.vb.width() + item.getAxis("left").width() + 2:
                problems.append(f"{plot.objectName()}: title needs {need:.0f} px, the plot "
                                f"has {item.width():.0f}")
        for name in ("bottom", "left"):
            axis = item.getAxis(name)
            if axis.isVisible() and axis.label.isVisible():
                need = axis.label.boundingRect().width()
                room = axis.width() if name == "bottom" else axis.height()
                if need > room + 2:
                    problems.append(f"{plot.objectName()}: {name} axis label needs "
                                    f"{need:.0f} px, has {room:.0f}")
    return problems


@pytest.mark.parametrize("size", [(1024, 700), (1280, 800), (1920, 1080), (2560, 1440)],
                         ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_scene_is_whole_and_legible(window, size):
    problems = []
    for name, scene in scenes.SCENES:
        window.resize(*size)
        scene(window)
        scenes.wait(lambda: scenes.settled(window))
        scenes.settle_layout()
        found = ([] if (window.width(), window.height()) == size
                 else [f"the window grew to {window.width()}×{window.height()}"])
        found += _cut_labels(window) + _squeezed(window) + _overlaps(window)
        found += _plot_text_cut(window)
        problems += [f"{name}: {problem}" for problem in found]
    assert not problems, "\n".join(problems)


def test_with_the_explore_dock_the_digits_page_still_shows_every_figure(window):
    """At the smallest size, with the Explore dock open, the Digits page neither
    scrolls nor crushes its figures: the dock gives way."""
    window.resize(*scenes.SIZES[0])
    dict(scenes.SCENES)["digits_explore_sweep"](window)
    scenes.wait(lambda: not window.pages["digits"].area.scrolls())
    page = window.pages["digits"]
    for view in (page.confusion.plot, page.centroids.grid, page.metrics):
        assert view.height() >= view.minimumHeight() and view.width() >= view.minimumWidth()


@pytest.fixture
def dark(qapp):
    """The dark palette for one test (the light one given back after)."""
    light = qapp.palette()
    qapp.setPalette(scenes.palette(dark=True))
    yield
    qapp.setPalette(light)


def _lightness_of_glyph(icon) -> float:
    image = icon.pixmap(32, 32).toImage()
    values = [image.pixelColor(x, y) for x in range(32) for y in range(32)]
    drawn = [c.lightness() for c in values if c.alpha() > 128]
    assert drawn, "the icon draws nothing"
    return sum(drawn) / len(drawn)


def test_the_run_buttons_and_the_confusion_matrix_follow_a_dark_palette(window, qtbot, dark):
    """Icons drawn light on the dark toolbar (the styles draw them black); empty
    confusion cells in the palette's base colour, not a white block."""
    for name in ("reset", "step_back", "play", "step", "run_to_end"):
        assert _lightness_of_glyph(window.actions[name].icon()) > 160, name
    scenes.SCENES[[n for n, _ in scenes.SCENES].index("digits_converged")][1](window)
    confusion = window.pages["digits"].confusion
    base = window.palette().color(window.palette().ColorRole.Base)
    assert confusion.colors.map(0.0, mode="qcolor").name() == base.name()
    assert confusion.plot.backgroundBrush().color().name() == base.name()


def test_the_photos_keep_most_of_the_width_beside_their_numbers(window):
    """The Image page keeps the pictures beside the palette and the numbers at every
    size, the pictures taking the larger part of the width."""
    scene = dict(scenes.SCENES)["image_side_by_side"]
    for size in ((1024, 700), (1920, 1080)):
        window.resize(*size)
        scene(window)
        scenes.settle_layout()
        views = window.pages["image"].views
        assert views.orientation().name == "Horizontal"
        left, right = views.sizes()
        assert left > 1.3 * right
