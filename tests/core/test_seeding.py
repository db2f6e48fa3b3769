"""k-means++ seeding equals scikit-learn's, draw for draw, without importing it."""

import numpy as np
import pytest
from sklearn.cluster import kmeans_plusplus as sklearn_kmeans_plusplus
from sklearn.datasets import load_digits, make_blobs

from kmeans_studio.core.engine.seeding import kmeans_plusplus


def cases():
    blobs, _ = make_blobs(2000, 5, centers=6, random_state=1)
    wide, _ = make_blobs(3000, 300, centers=10, cluster_std=5, random_state=2)
    return {
        "digits": load_digits().data,
        "blobs": blobs,
        "blobs float32": blobs.astype(np.float32),
        "wide float32": wide.astype(np.float32),  # several upcast chunks
    }


@pytest.mark.parametrize("name", list(cases()))
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("k", [1, 7, 30])
def test_same_centres_as_scikit_learn(name, weighted, k):
    X = cases()[name]
    weight = (np.random.default_rng(5).integers(1, 20, len(X)).astype(X.dtype)
              if weighted else None)
    for seed in (0, 3):
        ours, ours_rows = kmeans_plusplus(X, k, sample_weight=weight,
                                          random_state=np.random.RandomState(seed))
        theirs, their_rows = sklearn_kmeans_plusplus(X, k, sample_weight=weight,
                                                     random_state=seed)
        np.testing.assert_array_equal(ours_rows, their_rows)
        np.testing.assert_array_equal(ours, theirs)
        assert ours.dtype == X.dtype


def test_no_scikit_learn_import():
    import subprocess
    import sys

    code = ("import sys, numpy as np\n"
            "from kmeans_studio.core.engine.seeding import kmeans_plusplus\n"
            "kmeans_plusplus(np.random.rand(50, 2), 3, random_state=np.random.RandomState(0))\n"
            "print('sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
