"""The one-line narration says what each half-step did, in plain words."""

import numpy as np
from sklearn.datasets import make_blobs

from kmeans_studio.core import KMeansRun
from kmeans_studio.core.engine.narration import narrate


def run_states(**kwargs):
    X, _ = make_blobs(300, centers=4, cluster_std=0.6, random_state=0)
    run = KMeansRun(X, 4, **kwargs)
    run.run()
    return list(run.history)


def test_narrates_each_half_step():
    states = run_states(init="random", random_state=1)
    lines = [narrate(s, p) for s, p in zip(states, [None] + states[:-1])]
    assert lines[0].startswith("Start: 4 centres placed")
    assert lines[1] == "Assign: every point joined its nearest centre (300 points)."
    update = states[2]
    j = int(np.argmax(update.center_shift))
    assert lines[2].startswith(f"Update: centre {j + 1} moved most, by "
                               f"{update.center_shift[j]:.2g}")
    fall = 100 * (states[1].inertia - update.inertia) / states[1].inertia
    assert f"inertia fell {fall:.0f}%" in lines[2] or f"inertia fell {fall:.2g}%" in lines[2]
    changed = [s for s in states[3:] if s.phase == "assign" and s.n_changed > 0]
    if changed:
        text = narrate(changed[0], None if changed[0] is states[0] else states[states.index(changed[0]) - 1])
        assert f"{changed[0].n_changed} point" in text and "changed cluster" in text
    assert "Converged after" in lines[-1] or "Converged after" in lines[-2]


def test_final_assignment_after_iteration_limit_says_so():
    states = run_states(init="random", random_state=1, max_iter=1, tol=0)
    assert "Stopped at the iteration limit after 1 iterations" in narrate(states[-1], states[-2])


def test_an_update_that_moves_nothing_says_so():
    """The converging update moves no centre: said plainly, not as "centre 1 moved 0"."""
    states = run_states(init="random", random_state=1)
    still = [(s, p) for s, p in zip(states[1:], states) if s.phase == "update"
             and not s.center_shift.any()]
    assert still  # these blobs converge with a step that moves nothing
    text = narrate(*still[-1])
    assert text.startswith("Update: no centre moved") and "moved 0" not in text
