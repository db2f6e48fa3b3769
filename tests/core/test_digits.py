"""The digits exercise: best of several starts as scikit-learn, accuracy, .npz files."""

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import load_digits

from kmeans_studio.core.data.datasets import digits_dataset, npz_images_dataset
from kmeans_studio.core.engine.kmeans import best_of_starts
from kmeans_studio.core.explore.metrics import match_labels

SEEDS = range(5)


@pytest.fixture(scope="module")
def digits():
    return load_digits()


@pytest.fixture(scope="module")
def finals(digits):
    """The kept run of 10 starts for each seed, and scikit-learn's labels."""
    out = {}
    for seed in SEEDS:
        starts = best_of_starts(digits.data, 10, 10, random_state=seed)
        sk = KMeans(10, n_init=10, random_state=seed).fit(digits.data)
        out[seed] = (starts, sk)
    return out


def test_best_of_starts_keeps_scikit_learns_run(finals):
    for starts, sk in finals.values():
        final = starts.best.state
        assert final.inertia == pytest.approx(sk.inertia_, rel=1e-12)
        np.testing.assert_array_equal(final.labels, sk.labels_)
        np.testing.assert_allclose(final.centers, sk.cluster_centers_, atol=1e-9)
        assert starts.inertia.min() == pytest.approx(final.inertia, rel=1e-12)
        assert starts.inertia[starts.index] == final.inertia
        # The kept run replays from its own beginning.
        assert starts.best.history[0].phase == "init"


def test_accuracy_is_about_the_notebooks(finals, digits):
    collided = []
    for seed, (starts, _) in finals.items():
        labels = starts.best.state.labels
        hungarian = match_labels(digits.target, labels, "hungarian")
        mode = match_labels(digits.target, labels, "mode")
        assert 0.75 <= hungarian.accuracy <= 0.85
        # Mode may send two clusters to one digit, which can only add correct samples.
        assert mode.accuracy >= hungarian.accuracy
        assert hungarian.table.sum() == len(digits.target) == 1797
        assert hungarian.collisions == {}
        if mode.collisions:
            collided.append(seed)
    assert collided, "expected at least one seed whose mode mapping collides"


def test_cancelled_starts_return_none(digits):
    """Once `cancelled` says so, no further start begins (the starts run side by
    side here) and None comes back."""
    begun = []
    result = best_of_starts(digits.data, 10, 10, random_state=0,
                            cancelled=lambda: len(begun) >= 2, on_start=begun.append)
    assert result is None
    assert begun == [0, 1]


def test_bad_number_of_starts_is_a_sentence(digits):
    with pytest.raises(ValueError, match="starts"):
        best_of_starts(digits.data, 10, 0)


def test_digits_dataset_has_images_labels_and_a_projection():
    dataset = digits_dataset()
    assert dataset.X.shape == (1797, 64) and dataset.image_shape == (8, 8)
    assert dataset.projection.points.shape == (1797, 2)
    np.testing.assert_allclose(dataset.projection.transform(dataset.X),
                               dataset.projection.points, atol=1e-9)


def _big_digits(n=300):
    """28×28 images: the digits scaled up three times and padded."""
    small = load_digits().images[:n]
    big = np.kron(small, np.ones((3, 3)))
    return np.pad(big, ((0, 0), (2, 2), (2, 2))), load_digits().target[:n]


def test_npz_with_28x28_images_loads(tmp_path):
    images, y = _big_digits()
    flat = tmp_path / "flat.npz"
    np.savez(flat, X=images.reshape(len(images), -1), y=y, image_shape=np.array([28, 28]))
    stacked = tmp_path / "stacked.npz"
    np.savez(stacked, X=images, y=y)  # (n, 28, 28): the shape comes from the array
    for path in (flat, stacked):
        dataset = npz_images_dataset(path)
        assert dataset.image_shape == (28, 28)
        assert dataset.X.shape == (300, 784)
        assert dataset.name == path.name


def test_npz_without_image_shape_guesses_square_or_strip(tmp_path):
    path = tmp_path / "square.npz"
    np.savez(path, X=np.random.default_rng(0).random((20, 49)), y=np.arange(20) % 2)
    assert npz_images_dataset(path).image_shape == (7, 7)
    np.savez(path, X=np.random.default_rng(0).random((20, 10)), y=np.arange(20) % 2)
    assert npz_images_dataset(path).image_shape == (1, 10)


@pytest.mark.parametrize("arrays, message", [
    ({"X": np.zeros((5, 4))}, "no array named y"),
    ({"data": np.zeros((5, 4))}, "no array named X or y"),
    ({"X": np.zeros((5, 4)), "y": np.zeros(4)}, "one per sample"),
    ({"X": np.zeros((5, 4)), "y": np.zeros(5), "image_shape": np.array([3, 3])}, "image_shape"),
    ({"X": np.full((5, 4), np.nan), "y": np.zeros(5)}, "NaN"),
    ({"X": np.array([["a", "b"]] * 5), "y": np.zeros(5)}, "numbers"),
    ({"X": np.zeros((5, 4)), "y": np.array([None] * 5, dtype=object)}, "Python objects"),
])
def test_bad_npz_files_get_a_sentence(tmp_path, arrays, message):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=message) as info:
        npz_images_dataset(path)
    assert "bad.npz" in str(info.value)


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04broken"])
def test_corrupt_npz_files_get_a_sentence(tmp_path, content):
    path = tmp_path / "corrupt.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="corrupt.npz"):
        npz_images_dataset(path)


def test_a_single_array_npy_is_refused_with_a_sentence(tmp_path):
    path = tmp_path / "one.npz"
    with open(path, "wb") as f:
        np.save(f, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="one array"):
        npz_images_dataset(path)


def test_which_npz_files_hold_images_is_read_from_their_headers(tmp_path):
    from kmeans_studio.core.data.datasets import npz_holds_images

    np.savez(tmp_path / "stack.npz", X=np.zeros((3, 4, 4)), y=np.arange(3))
    np.savez(tmp_path / "shaped.npz", X=np.zeros((3, 16)), y=np.arange(3), image_shape=[4, 4])
    np.savez(tmp_path / "table.npz", X=np.zeros((3, 16)), y=np.arange(3))
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    assert npz_holds_images(tmp_path / "stack.npz") and npz_holds_images(tmp_path / "shaped.npz")
    assert not npz_holds_images(tmp_path / "table.npz")
    assert not npz_holds_images(tmp_path / "junk.npz")
