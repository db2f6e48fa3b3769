"""The seed race: runs from many seeds and the minima they reach."""

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs

from kmeans_studio.core import KMeansRun
from kmeans_studio.core.explore.race import group_minima, race, same_centers


@pytest.fixture(scope="module")
def blobs():
    return make_blobs(300, centers=4, cluster_std=0.6, random_state=0)[0]


def test_random_starts_on_the_seed_blobs_reach_more_than_one_minimum(blobs):
    result = race(blobs, 4, 10, init="random")
    assert result.n_minima > 1
    final = np.array([run.final_inertia for run in result.runs])
    # Grouping agrees with the final inertia: same group, same inertia; groups
    # numbered from the lowest inertia; sizes add up.
    for g in range(result.n_minima):
        members = final[result.group == g]
        np.testing.assert_allclose(members, members[0], rtol=1e-9)
    assert np.all(np.diff([final[result.group == g][0] for g in range(result.n_minima)]) > 0)
    assert result.group_sizes().sum() == 10
    assert result.group[result.best] == 0


def test_each_run_is_scikit_learns_run_with_its_seed(blobs):
    result = race(blobs, 4, 5, init="random", random_state=10)
    for run in result.runs:
        theirs = KMeans(4, init="random", n_init=1, random_state=run.seed).fit(blobs)
        assert run.final_inertia == pytest.approx(theirs.inertia_, rel=1e-9)
        assert run.n_iter == theirs.n_iter_


def test_a_runs_initial_centres_replay_its_inertia_curve(blobs):
    run = race(blobs, 4, 3, init="random", random_state=4).runs[2]
    again = KMeansRun(blobs, 4, init=run.initial_centers)
    again.run()
    np.testing.assert_allclose(again.inertia_trail(), run.inertia)


def test_same_centres_in_another_order_are_the_same_minimum():
    a = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    assert same_centers(a, a[[2, 0, 1]] + 1e-6, tol=1e-4)
    assert not same_centers(a, a + [[0.0, 0.0], [0.0, 0.0], [0.0, 0.5]], tol=1e-4)
    group = group_minima([a, a + 0.5, a[::-1]], np.array([3.0, 1.0, 3.0]), tol=1e-4)
    assert list(group) == [1, 0, 1]


def test_bad_counts_and_k_are_refused(blobs):
    with pytest.raises(ValueError, match="number of runs"):
        race(blobs, 4, 0)
    with pytest.raises(ValueError, match="more than"):
        race(blobs[:3], 4, 2)


def test_cancelling_returns_nothing(blobs):
    assert race(blobs, 4, 10, cancelled=lambda: True) is None


def test_lowest_priority_applies_to_the_calling_thread_only():
    import os
    import sys
    import threading

    import pytest

    from kmeans_studio.core.engine.parallel import lowest_priority

    if not sys.platform.startswith("linux"):
        pytest.skip("thread priorities are set on Linux only")
    seen = {}

    def work():
        lowest_priority()
        seen["worker"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen["worker"] == 19
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) < 19


def test_a_photo_race_seeds_as_its_page_and_uses_the_octree():
    from sklearn.datasets import load_sample_image

    from kmeans_studio.core.data.datasets import image_dataset

    data = image_dataset(load_sample_image("flower.jpg")[::4, ::4], "flower")
    colors = data.image.colors
    result = race(data.X, 6, 3, sample_weight=data.sample_weight, random_state=5,
                  tol=1e-4 * data.tolerance_scale, seeding=colors.initial_palette,
                  assigner=colors.assigner())
    for run in result.runs:
        start = colors.initial_palette(6, run.seed)
        np.testing.assert_array_equal(run.initial_centers, start)
        np.testing.assert_allclose(run.centers, colors.engine_run(start).run().centers,
                                   rtol=1e-12)
    # Random starts stay random points (seeding replaces k-means++ only).
    randomly = race(data.X, 6, 2, sample_weight=data.sample_weight, init="random",
                    seeding=colors.initial_palette, assigner=colors.assigner())
    assert not np.array_equal(randomly.runs[0].initial_centers, colors.initial_palette(6, 0))
