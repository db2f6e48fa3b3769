"""Drawn points: the brush, the eraser, undo and redo, and drawn data in sessions."""

import json

import numpy as np
import pytest

from kmeans_studio.core.data.drawing import (
    MAX_POINTS,
    Drawing,
    Sketch,
    dab,
    drawing_from_source,
    drawn_dataset,
)
from kmeans_studio.core.data.sources import data_source
from kmeans_studio.core.export.session import Session


def test_a_dab_spreads_points_over_its_disc_and_the_eraser_takes_them_back():
    rng = np.random.default_rng(0)
    drawing = dab(Drawing(), (2.0, -1.0), 0.5, 400, 3, rng)
    assert len(drawing) == 400 and set(drawing.classes) == {3}
    distance = np.hypot(*(drawing.points - (2.0, -1.0)).T)
    assert distance.max() <= 0.5 and np.mean(distance < 0.5 / np.sqrt(2)) == pytest.approx(
        0.5, abs=0.08)  # even over the area: half the points inside half the area
    sketch = Sketch(drawing)
    sketch.begin_stroke()
    sketch.erase((2.0, -1.0), 0.25)
    sketch.end_stroke()
    assert len(sketch.drawing) == np.count_nonzero(distance > 0.25)
    sketch.undo()
    assert sketch.drawing is drawing and sketch.can_redo


def test_undo_and_redo_take_whole_strokes_and_an_empty_stroke_leaves_no_step():
    sketch = Sketch()
    for x in (0.0, 5.0):
        sketch.begin_stroke()
        for step in range(3):
            sketch.dab((x + step, 0.0), 0.1, 2)
        sketch.end_stroke()
    assert len(sketch.drawing) == 12
    sketch.begin_stroke()
    sketch.erase((100.0, 100.0), 1.0)  # nothing there
    sketch.end_stroke()
    sketch.undo()
    assert len(sketch.drawing) == 6  # the second stroke, not the empty one
    sketch.redo()
    sketch.clear()
    assert len(sketch.drawing) == 0 and not sketch.can_redo
    sketch.undo()
    assert len(sketch.drawing) == 12
    sketch.begin_stroke()
    sketch.dab((0.0, 0.0), 1.0, 1)
    sketch.end_stroke()
    assert not sketch.can_redo  # a new stroke forgets what was undone


def test_the_brush_stops_at_the_most_points():
    full = Drawing(np.zeros((MAX_POINTS - 3, 2)), np.full(MAX_POINTS - 3, -1, np.int8))
    assert len(dab(full, (0, 0), 1.0, 50, -1, np.random.default_rng(0))) == MAX_POINTS


def test_drawn_data_are_labelled_only_when_every_point_has_a_class():
    rng = np.random.default_rng(1)
    one = dab(Drawing(), (0, 0), 1, 10, 0, rng)
    both = dab(one, (5, 5), 1, 10, 1, rng)
    assert drawn_dataset(both).y.tolist() == [0] * 10 + [1] * 10
    assert "2 classes" in drawn_dataset(both).description
    assert drawn_dataset(dab(both, (9, 9), 1, 1, -1, rng)).y is None
    # The source rebuilds the same points, exactly, through JSON.
    source = json.loads(json.dumps(both.source()))
    again = drawing_from_source(source)
    np.testing.assert_array_equal(again.points, both.points)
    assert again.key == both.key and data_source(source).load().n_samples == 20


RUN = {"n_clusters": 1, "init": "k-means++", "n_init": 1, "random_state": 0,
       "max_iter": 300, "tol": 1e-4}


@pytest.mark.parametrize("points, classes, words", [
    ([[0, "x"]], [0], "rows of numbers"),
    ([[0, float("nan")]], [0], "too large"),
    ([[0, 1, 2]], [0], "two numbers"),
    ([[0, 1]], [9], "classes"),
    ([[0, 1]], [True], "classes"),
    ([[0, 1]], [0, 1], "classes"),
    ([[0, 1]], "0", "classes"),
    ({"x": 1}, [0], "list of at most"),
    ([[0, 1]] * (MAX_POINTS + 1), [0] * (MAX_POINTS + 1), "list of at most"),
])
def test_hostile_drawn_sources_are_refused_in_a_sentence(points, classes, words):
    source = {"kind": "drawn", "points": points, "classes": classes}
    with pytest.raises(ValueError, match=words):
        Session(source, RUN, np.zeros((1, 1, 2)), np.array([np.nan]), 0)
