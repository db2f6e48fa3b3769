"""The colour octree assigns exactly as a full scan and runs Lloyd as the engine does."""

import numpy as np
import pytest
from sklearn.datasets import load_sample_image

from kmeans_studio.core.color import quantize as q
from kmeans_studio.core.color.color_tree import from_morton, morton
from kmeans_studio.core.engine import _compiled
from kmeans_studio.core.engine.kmeans import KMeansRun, nearest_centers

pytestmark = pytest.mark.skipif(not _compiled.available(), reason="numba not installed")


@pytest.fixture(scope="module")
def flower():
    return q.ImageColors.from_image(load_sample_image("flower.jpg")[::2, ::2])


def test_morton_codes_round_trip():
    rgb = np.random.default_rng(0).integers(0, 256, (1000, 3), dtype=np.uint8)
    np.testing.assert_array_equal(from_morton(morton(rgb)), rgb)
    assert morton(np.array([[255, 255, 255]], np.uint8))[0] == (1 << 24) - 1
    assert morton(np.array([[128, 0, 0]], np.uint8))[0] == 1 << 23  # red's top bit first


@pytest.mark.parametrize("k", [1, 2, 7, 64, 256])
def test_labels_equal_a_full_scan_with_and_without_ties(flower, k):
    rng = np.random.default_rng(k)
    centers = flower.colors[rng.choice(flower.n_colors, k, replace=False)].astype(float)
    centers += rng.normal(size=centers.shape) * 0.3
    # Rounded centres lie on the colours' integer grid: many colours are equally far
    # from two of them, and the first must win, as in the engine.
    for C in (centers, np.rint(centers)):
        labels = np.empty(flower.n_colors, dtype=np.int64)
        weight, sums = flower.tree.assign(C, labels)
        expected = nearest_centers(flower.colors.astype(float), C)
        np.testing.assert_array_equal(labels, expected)
        np.testing.assert_array_equal(weight, np.bincount(expected, weights=flower.counts,
                                                          minlength=k))
        for t in range(3):
            np.testing.assert_array_equal(sums[:, t], np.bincount(
                expected, weights=flower.counts * flower.colors[:, t], minlength=k))


@pytest.mark.parametrize("k", [5, 64])
def test_lloyd_agrees_with_the_engine_step_for_step(flower, k):
    # Off-grid starting centres, so no colour is exactly equally far from two centres
    # (the engine decides such ties on centred data, where rounding picks a side).
    init = q.initial_palette(flower, k, 1) + np.random.default_rng(k).uniform(-0.3, 0.3, (k, 3))
    trail = []
    centers, n_iter = flower.tree.lloyd(init, tol=0, max_iter=40,
                                        callback=lambda p: trail.append(p))
    # The engine's own assignment (engine_run would hand it to the tree).
    run = KMeansRun(flower.features(), k, init=init, sample_weight=flower.counts.astype(float),
                    max_iter=40, tol=0)
    assigned, updates = [], []
    while not run.done:
        state = run.advance()
        (updates if state.phase == "update" else assigned).append(state)
    assert n_iter == len(trail) == len(updates)
    for ours, assignment, update in zip(trail, assigned, updates):
        np.testing.assert_allclose(ours.centers, update.centers, rtol=0, atol=1e-9)
        # Progress reports the inertia of the assignment the update came from.
        assert ours.inertia == pytest.approx(assignment.inertia, rel=1e-9)
    np.testing.assert_array_equal(centers, trail[-1].centers)


def test_tolerance_is_scaled_by_the_pixels_variance(flower):
    image = load_sample_image("flower.jpg")[::2, ::2]
    assert flower.pixel_variance() == pytest.approx(
        np.var(image.reshape(-1, 3).astype(float), axis=0).mean(), rel=1e-12)
    init = q.initial_palette(flower, 16, 0)
    tol = 1e-4 * flower.pixel_variance()
    trail = []
    flower.tree.lloyd(init, tol=tol, callback=lambda p: trail.append(p.centers))
    shifts = [((b - a) ** 2).sum() for a, b in zip([init] + trail[:-1], trail)]
    assert shifts[-1] <= tol < min(shifts[:-1])


def test_an_emptied_cluster_hands_the_run_to_the_engine(monkeypatch):
    # A start far outside the colours: nothing is nearest to it, so the tree cannot
    # go on (scikit-learn moves an empty centre to the farthest colour) and the
    # engine runs from the same start instead.
    image = load_sample_image("flower.jpg")[::8, ::8]
    colors = q.ImageColors.from_image(image)
    start = np.vstack([q.initial_palette(colors, 5, 0), [[600.0, 600.0, 600.0]]])
    assert colors.tree.lloyd(start, tol=0) is None
    monkeypatch.setattr(q, "initial_palette", lambda *args: start)
    result = q.quantize_colors(colors, 6)
    engine = q.engine_run(colors, start).run()
    np.testing.assert_array_equal(result.palette, q.palette_from_centers(engine.centers))
    assert result.n_iter == engine.n_iter
    assert np.all(result.counts > 0)  # the far centre was moved onto the colours


def test_the_gui_steps_through_the_run_quantize_makes(flower):
    # The GUI steps `engine_run` (the tree assigning, the engine keeping the history);
    # the CLI calls `quantize_colors`: same start, same stop, same palette.
    result = q.quantize_colors(flower, 32, random_state=3)
    run = q.engine_run(flower, q.initial_palette(flower, 32, 3))
    assert run._assigner is flower.tree
    states = []
    final = run.run(callback=states.append)
    assert final.n_iter == result.n_iter
    np.testing.assert_array_equal(q.finish(flower, final.centers).palette, result.palette)
    # Every state has a label per colour, as the previews need.
    assert all(s.labels.shape == (flower.n_colors,) for s in states if s.labels is not None)
