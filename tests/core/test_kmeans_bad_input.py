"""Bad input raises ValueError with a sentence, and no numpy warning escapes."""

import warnings

import numpy as np
import pytest

from kmeans_studio.core import KMeansRun

X = np.arange(20.0).reshape(10, 2)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"X": np.array([[1.0, np.nan], [2.0, 3.0]]), "n_clusters": 1}, "missing or infinite"),
        ({"X": np.array([[1.0, np.inf], [2.0, 3.0]]), "n_clusters": 1}, "missing or infinite"),
        ({"X": np.empty((0, 2)), "n_clusters": 1}, "empty"),
        ({"X": np.arange(5.0), "n_clusters": 1}, "2 dimensions"),
        ({"X": [["a", "b"]], "n_clusters": 1}, "numbers"),
        ({"X": X, "n_clusters": 0}, "at least 1"),
        ({"X": X, "n_clusters": 2.5}, "whole number"),
        ({"X": X, "n_clusters": 11}, "more than the 10 samples"),
        ({"X": np.ones((10, 2)), "n_clusters": 2}, "1 distinct samples"),
        ({"X": X, "n_clusters": 2, "sample_weight": np.ones(3)}, "one weight per sample"),
        ({"X": X, "n_clusters": 2, "sample_weight": -np.ones(10)}, "negative"),
        ({"X": X, "n_clusters": 2, "sample_weight": np.zeros(10)}, "zero"),
        ({"X": X, "n_clusters": 3, "sample_weight": np.r_[np.ones(2), np.zeros(8)]},
         "positive weight"),
        ({"X": X, "n_clusters": 2, "init": np.zeros((2, 3))}, "2 columns"),
        ({"X": X, "n_clusters": 3, "init": np.zeros((2, 2))}, "2 initial centres"),
        ({"X": X, "n_clusters": 2, "init": [[0, np.nan], [1, 1]]}, "missing or infinite"),
        ({"X": X, "n_clusters": 2, "init": "best"}, "Unknown initialisation"),
        ({"X": X, "n_clusters": 2, "tol": -1}, "tolerance"),
        ({"X": X, "n_clusters": 2, "max_iter": 0}, "max_iter"),
        ({"X": X, "n_clusters": 2, "random_state": -3}, "seed"),
        # Checked even when nothing is drawn (given centres make no random state).
        ({"X": X, "n_clusters": 2, "init": X[:2], "random_state": "0; rm -rf ~"}, "seed"),
        ({"X": X, "n_clusters": 2, "init": X[:2], "random_state": 2**40}, "seed"),
    ],
)
def test_bad_input_gets_a_sentence(kwargs, message):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy warning may escape either
        with pytest.raises(ValueError, match=message):
            KMeansRun(**kwargs)


def test_set_centers_rejects_bad_centres():
    run = KMeansRun(X, 2, random_state=0)
    with pytest.raises(ValueError, match="2 columns"):
        run.set_centers(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="more than"):
        run.set_centers(np.zeros((11, 2)))
    assert run.state.n_clusters == 2  # the run is untouched


def test_negative_zero_is_not_a_distinct_point():
    data = np.array([[0.0, 1.0], [-0.0, 1.0], [2.0, 2.0]])
    with pytest.raises(ValueError, match="2 distinct"):
        KMeansRun(data, 3)


def test_huge_finite_values_whose_sum_overflows_are_not_called_missing():
    """Finiteness is checked through a sum; finite values that overflow it (float32
    near its largest value) are not said to be missing: they are refused as too large
    for their squared distances, and NaN among them is still said to be missing."""
    import numpy as np

    from kmeans_studio.core.engine.prepared import prepare

    X = np.full((100, 2), 3e38, dtype=np.float32)
    X[50:] = -3e38
    X[:, 1] = np.arange(100)
    try:
        prepare(X)
    except ValueError as exc:
        assert str(exc).startswith("The data hold values too large to cluster (as large "
                                   "as 3e+38)")
    else:
        raise AssertionError("squares that overflow were accepted")
    X[3, 1] = np.nan
    try:
        prepare(X)
    except ValueError as exc:
        assert "missing or infinite values (NaN or inf) in 1 sample;" in str(exc)
    else:
        raise AssertionError("NaN data were accepted")
