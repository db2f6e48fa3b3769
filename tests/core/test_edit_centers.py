"""Centres edited mid-run (`KMeansRun.edit_centers`): a state of its own in the history,
and from there the run of a new start from the edited centres."""

import dataclasses

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs

from kmeans_studio.core import KMeansRun
from kmeans_studio.core.engine.mixture_steps import MixtureSteps
from kmeans_studio.core.engine.narration import narrate


@pytest.fixture
def blobs():
    X, _ = make_blobs(300, centers=4, cluster_std=0.6, random_state=0)
    return X


def _same_states(a, b):
    assert (a.phase, a.n_iter, a.n_changed, a.converged) == (b.phase, b.n_iter, b.n_changed,
                                                             b.converged)
    np.testing.assert_array_equal(a.centers, b.centers)
    if a.labels is None:
        assert b.labels is None
    else:
        np.testing.assert_array_equal(a.labels, b.labels)


@pytest.mark.parametrize("use_compiled", [False, True])
@pytest.mark.parametrize("change", ["add", "remove"])
def test_an_edited_run_goes_on_as_a_run_started_from_the_edited_centres(
        blobs, use_compiled, change):
    run = KMeansRun(blobs, 4, random_state=0, use_compiled=use_compiled)
    for _ in range(3):
        run.advance()  # init, assign, update, assign
    before = run.state
    edited = (np.vstack([before.centers, [[0.5, 2.0]]]) if change == "add"
              else np.delete(before.centers, 1, axis=0))
    state = run.edit_centers(edited)
    assert state.phase == "edit" and state.n_iter == before.n_iter == 2
    assert state.labels is None and np.isnan(state.inertia)
    assert run.n_clusters == len(edited) and run.next_phase == "assign"
    np.testing.assert_array_equal(state.centers, edited)

    run.run()
    fresh = KMeansRun(blobs, len(edited), init=edited, use_compiled=use_compiled)
    fresh.run()
    tail = run.history[4:]
    assert len(tail) == len(fresh.history)
    for mine, theirs in zip(tail[1:], fresh.history[1:]):
        _same_states(mine, dataclasses.replace(theirs, n_iter=theirs.n_iter + 2))
    np.testing.assert_array_equal(run.center_trail(), fresh.center_trail())

    sk = KMeans(len(edited), init=edited, n_init=1, algorithm="lloyd").fit(blobs)
    np.testing.assert_allclose(run.state.centers, sk.cluster_centers_, rtol=1e-12)
    np.testing.assert_array_equal(run.state.labels, sk.labels_)
    assert run.state.n_iter - before.n_iter == sk.n_iter_


def test_step_back_across_an_edit_shows_the_states_before_it(blobs):
    plain = KMeansRun(blobs, 4, random_state=0)
    plain.run()
    run = KMeansRun(blobs, 4, random_state=0)
    for _ in range(4):
        run.advance()
    run.edit_centers(np.vstack([run.state.centers, [[0.0, 0.0]]]))
    run.run()
    for i in range(5):  # the states before the edit, as an unedited run has them
        _same_states(run.history[i], plain.history[i])
        assert run.history[i].n_clusters == 4
    assert run.history[5].phase == "edit" and run.history[5].n_clusters == 5
    np.testing.assert_array_equal(run.objectives()[:5], plain.objectives()[:5])
    assert np.isnan(run.objectives()[5])
    (start, first), (edit, since) = run.center_trails()
    assert (start, edit) == (0, 5)
    np.testing.assert_array_equal(first, plain.center_trail(4))
    assert since.shape[1:] == (5, 2) and len(since) == 1 + (len(run.history) - 1 - 5) // 2
    np.testing.assert_array_equal(run.center_trail(4), plain.center_trail(4))
    np.testing.assert_array_equal(run.center_trail(5), since[:1])


def test_editing_a_past_state_drops_the_states_after_it(blobs):
    run = KMeansRun(blobs, 4, random_state=0)
    run.run()
    assert len(run.history) > 4
    before = run.history[2]
    state = run.edit_centers(before.centers[:3], at=2)
    assert len(run.history) == 4 and run.history[3] is not None and state.phase == "edit"
    assert state.n_iter == before.n_iter and not run.done
    run.run()
    fresh = KMeansRun(blobs, 3, init=before.centers[:3])
    fresh.run()
    np.testing.assert_array_equal(run.state.centers, fresh.state.centers)
    assert len(run.history) == 3 + len(fresh.history)


def test_a_finished_run_goes_on_after_an_edit_with_an_iteration_limit_of_its_own(blobs):
    run = KMeansRun(blobs, 4, random_state=0, max_iter=2)
    run.run()
    assert run.done and run.state.n_iter == 2
    run.edit_centers(np.vstack([run.state.centers, [[0.0, 0.0]]]))
    assert not run.done
    run.run()
    assert run.done and run.state.n_iter == 4  # two more iterations, then labels final
    fresh = KMeansRun(blobs, 5, init=run.center_trail()[0], max_iter=2)
    fresh.run()
    np.testing.assert_array_equal(run.state.centers, fresh.state.centers)
    np.testing.assert_array_equal(run.state.labels, fresh.state.labels)


def test_edits_that_cannot_be_made_are_refused_before_anything_changes(blobs):
    run = KMeansRun(blobs, 1, random_state=0)
    run.advance()
    n, state = len(run.history), run.state
    for centers, match in [(np.empty((0, 2)), "At least one centre"),
                           (np.zeros((2, 3)), "2 columns"),
                           ([[np.nan, 0.0]], "missing or infinite"),
                           (np.zeros((301, 2)), "more than the 300 samples")]:
        with pytest.raises(ValueError, match=match):
            run.edit_centers(centers)
    for at in (-1, n, 1.5, True, "0"):
        with pytest.raises(ValueError, match="no state"):
            run.edit_centers(np.zeros((2, 2)), at=at)
    assert len(run.history) == n and run.n_clusters == 1 and run.next_phase == "update"
    np.testing.assert_array_equal(run.state.centers, state.centers)


def test_k_past_256_changes_the_labels_dtype_and_old_labels_come_back():
    X = np.random.default_rng(0).random((600, 2))
    run = KMeansRun(X, 256, random_state=0, history_bytes=0)  # no labels kept
    run.step()
    old = run.state.labels
    run.edit_centers(np.vstack([run.state.centers, [[0.5, 0.5]]]))
    state = run.step()
    assert state.labels.dtype == np.uint16 and state.labels.max() <= 256
    assert old.dtype == np.uint8
    np.testing.assert_array_equal(run.history[1].labels, old)  # recomputed from its centres
    assert run.history[3].labels is None  # the edit


def test_a_mixture_refuses_edits_in_a_sentence(blobs):
    steps = MixtureSteps(blobs, 3, covariance_type="full", init="kmeans", random_state=0)
    steps.advance()
    with pytest.raises(ValueError, match="cannot be changed mid-run"):
        steps.edit_centers(np.zeros((4, 2)))
    assert len(steps.history) == 2
    assert [start for start, _ in steps.center_trails()] == [0]


def test_edits_are_narrated(blobs):
    run = KMeansRun(blobs, 4, random_state=0)
    run.step()
    added = run.edit_centers(np.vstack([run.state.centers, [[1.25, -3.5]]]))
    assert narrate(added, run.history[-2]) == (
        "You added a centre at (1.25, -3.5); k is now 5. Next, each point joins its "
        "nearest centre.")
    removed = run.edit_centers(np.delete(added.centers, 2, axis=0))
    text = narrate(removed, added)
    assert text.startswith("You removed centre 3 at (") and "k is now 4" in text
    moved = run.edit_centers(removed.centers + 1)
    assert narrate(moved, removed).startswith("You placed the centres by hand; k is now 4")
    assert narrate(run.assign(), moved).startswith("Assign: every point joined")
