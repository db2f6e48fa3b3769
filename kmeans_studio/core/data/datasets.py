"""Data sources: the seed's blobs and the shapes where k-means fails, as `Dataset`s.

scikit-learn is imported inside the functions: it takes about two seconds to import,
and the window must paint before that (the controller calls these off the GUI thread).
The blobs, the window's first data, need none of it: `make_blobs` draws scikit-learn's
points with numpy alone, so the first run starts before scikit-learn is loaded.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from kmeans_studio.core.checks import as_data_matrix
from kmeans_studio.core.color.spaces import SPACES, colors_kind
from kmeans_studio.core.limits import regular_file

#: Blob shapes: the seed's blobs and four where k-means' assumptions fail.
BLOB_SHAPES = {
    "blobs": "Blobs",
    "anisotropic": "Anisotropic (stretched) blobs",
    "unequal_variance": "Blobs of unequal variance",
    "uneven_sizes": "Blobs of uneven sizes",
    "circles": "Concentric circles",
    "moons": "Two moons",
    "uniform": "Uniform noise (no clusters)",
    "smiley": "Smiley",
    "packed_circles": "Packed circles",
}
#: Shapes made of two groups whatever the number of centres asked for.
TWO_GROUP_SHAPES = ("circles", "moons")
#: The groups of each shape that has its own number of them (uniform noise has none:
#: k-means still cuts it into the k clusters it is asked for).
OWN_GROUPS = {"circles": 2, "moons": 2, "smiley": 4, "uniform": 0}
#: Shapes drawn here with numpy: the code below is run by `make_blob_dataset` and
#: written as it is into exported scripts, so that both make the same numbers ({n},
#: {c}, {std}, {seed}: the generator's checked fields).  Points are scattered by
#: a quarter of the spread; smiley and packed circles are 12 units across, like blobs.
NUMPY_SHAPES = {
    "uniform": "X = np.random.RandomState({seed}).uniform(-10, 10, size=({n}, 2))\n"
               "y = None  # no groups: any clusters found are made up",
    "smiley": "rng = np.random.RandomState({seed})\n"
              "y = rng.choice(4, size={n}, p=[0.5, 0.1, 0.1, 0.3])  "
              "# face, left eye, right eye, mouth\n"
              "t = rng.uniform(0, 2 * np.pi, {n})\n"
              "r = np.sqrt(rng.uniform(0, 1, {n}))\n"
              "smile = np.pi * (1.15 + 0.7 * t / (2 * np.pi))\n"
              "eye = np.column_stack([np.where(y == 1, -2.2, 2.2) + r * np.cos(t), "
              "2.2 + r * np.sin(t)])\n"
              "X = np.where((y == 0)[:, None], 6 * np.column_stack([np.cos(t), np.sin(t)]),\n"
              "             np.where((y == 3)[:, None], "
              "3.5 * np.column_stack([np.cos(smile), np.sin(smile)]), eye))\n"
              "X += rng.normal(scale={std!r} / 4, size=({n}, 2))",
    "packed_circles": "rng = np.random.RandomState({seed})\n"
                      "y = rng.randint({c}, size={n})  # discs of radius 2, side by side\n"
                      "row, column = np.divmod(np.arange({c}), int(np.ceil(np.sqrt({c}))))\n"
                      "centres = np.column_stack([4.0 * column + 2 * (row % 2), "
                      "2 * np.sqrt(3) * row])\n"
                      "t = rng.uniform(0, 2 * np.pi, {n})\n"
                      "r = 2 * np.sqrt(rng.uniform(0, 1, {n}))\n"
                      "X = centres[y] + np.column_stack([r * np.cos(t), r * np.sin(t)])\n"
                      "X += rng.normal(scale={std!r} / 4, size=({n}, 2))",
}
#: Seeds of initialisations and of the toy data (what a QSpinBox and NumPy both take).
SEED_RANGE = (0, 2**31 - 1)
#: The generator's numbers and their ranges (the Blobs page's fields, sessions' checks).
BLOB_RANGES = {"n_samples": (2, 1_000_000), "n_centers": (1, 20), "cluster_std": (0.0, 10.0),
               "random_state": SEED_RANGE}


#: The noise of circles and moons per unit of spread: the default spread, 0.6, gives
#: noise 0.05, the notebook's ``make_moons(200, noise=.05)`` and scikit-learn's
#: gallery's circles and moons.
NOISE_PER_SPREAD = 1 / 12
#: What the spread was divided by for their noise before it was `NOISE_PER_SPREAD`
#: (sessions saved then hold no noise: `sources.Blobs` rebuilds theirs from this).
OLD_NOISE_DIVISORS = {"circles": 10, "moons": 5}


def shape_noise(shape: str, cluster_std: float) -> float | None:
    """The noise of circles or moons of spread `cluster_std` (rounded to 10 places:
    0.05, not 0.049999999999999996, in descriptions and scripts); None for the other
    shapes."""
    if shape not in TWO_GROUP_SHAPES:
        return None
    return round(float(cluster_std) * NOISE_PER_SPREAD, 10)


def natural_groups(shape: str, n_centers: int) -> int | None:
    """How many groups a shape's points form: the k a learner should start from (None
    for uniform noise, which has none: any k shows k-means making clusters up)."""
    return OWN_GROUPS.get(shape, int(n_centers)) or None


def uses_field(shape: str, field: str) -> bool:
    """Whether the generator's `field` changes a shape's points ("n_centers" only for
    the shapes without a number of groups of their own; "cluster_std" but for uniform
    noise)."""
    if field == "n_centers":
        return shape not in OWN_GROUPS
    return not (field == "cluster_std" and shape == "uniform")


#: The kinds of data, each shown by its page.
KINDS = {
    "points": "2-D points (the Blobs page)",
    "images": "labelled images, one flattened image per row (the Digits page)",
    "photo": "the distinct colours of a photo, weighted by pixel count (the Image page)",
    "table": "chosen columns of a table (the Table page)",
}


@dataclasses.dataclass(frozen=True)
class Dataset:
    """Samples to cluster, with optional true labels and how to show them.

    Attributes
    ----------
    name : str
        Short title for people ("Blobs", "china.jpg").
    X : ndarray of shape (n, d)
        The samples (read-only).
    y : ndarray of shape (n,) or None
        True labels, when known.
    description : str
        One line on where the data came from, for the status bar and exports.
    image_shape : tuple or None
        Shape of one sample as an image (digits: (8, 8)).
    sample_weight : ndarray of shape (n,) or None
        Weights (counts of merged duplicate pixels).
    image : ImageData or None
        For colour compression: the photo whose distinct colours are the samples.
    projection : Projection or None
        For labelled images and tables of more than two columns: a 2-D PCA of the
        samples, fitted once.
    feature_names : tuple of str or None
        Column names of a table.
    scaling : str or None
        How a table's columns were scaled ("none", "standardise", "minmax").
    kind : str
        What the samples are, one of `KINDS`: which page shows them and how.
    cluster : BlockTable or None
        A table on a dask cluster (`engine.distributed.BlockTable`), of which `X` is a
        uniform random sample (what the views draw); its runs are `DistributedRun`s.
    """

    name: str
    X: np.ndarray
    y: np.ndarray | None = None
    description: str = ""
    image_shape: tuple[int, ...] | None = None
    sample_weight: np.ndarray | None = None
    image: ImageData | None = None
    projection: Projection | None = None
    feature_names: tuple[str, ...] | None = None
    scaling: str | None = None
    kind: str = "points"
    cluster: Any = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown kind of data {self.kind!r}; one of {', '.join(KINDS)}.")
        for name in ("X", "y", "sample_weight"):
            value = getattr(self, name)
            if value is not None:
                value = np.array(value, copy=True)
                value.setflags(write=False)
                object.__setattr__(self, name, value)

    @property
    def n_samples(self) -> int:
        return self.X.shape[0]

    @property
    def n_features(self) -> int:
        return self.X.shape[1]

    @functools.cached_property
    def tolerance_scale(self) -> float:
        """What to multiply a run's `tol` by on these data: for a photo, k-means stops
        as on every pixel (see `quantize.tolerance_scale`); otherwise 1."""
        return 1.0 if self.image is None else self.image.colors.tolerance_scale()

    @functools.cached_property
    def value_range(self) -> tuple[float, float]:
        """(min, max) of X: the grey levels of images drawn from the samples (computed
        once; a 70,000 × 784 table takes tens of milliseconds)."""
        return float(self.X.min()), float(self.X.max())


@dataclasses.dataclass(frozen=True, eq=False)
class ImageData:
    """A photo to compress: its pixels, its distinct colours, where it came from.

    Attributes
    ----------
    pixels : ndarray (H, W, 3) uint8, or (H, W, 4) straight RGBA with transparency
    colors : ImageColors, or AlphaColors with transparency
    path : str or None
        The file it was read from (None for samples and pasted images).
    file_size : int or None
        Bytes of that file.
    """

    pixels: np.ndarray
    colors: Any
    path: str | None = None
    file_size: int | None = None

    @property
    def transparent(self) -> bool:
        """The photo has transparency (kept: clustered with its alpha)."""
        return self.pixels.shape[2] == 4


@dataclasses.dataclass(frozen=True, eq=False)
class Projection:
    """A 2-D principal-component view of the samples (fitted once per data set).

    Attributes
    ----------
    mean : ndarray (d,)
    components : ndarray (2, d)
    points : ndarray (n, 2)
        The samples projected.
    explained : ndarray (2,)
        Share of the variance each axis explains.
    """

    mean: np.ndarray
    components: np.ndarray
    points: np.ndarray
    explained: np.ndarray

    #: Above this many samples the axes are fitted on a fixed random subset (they
    #: only draw the data; a million rows would cost a copy of the data and seconds).
    FIT_SAMPLE = 50_000

    @classmethod
    def fit(cls, X: np.ndarray) -> Projection:
        from sklearn.decomposition import PCA

        n_components = min(2, X.shape[0], X.shape[1])
        sample = X
        if len(X) > cls.FIT_SAMPLE:
            rows = np.random.RandomState(0).choice(len(X), cls.FIT_SAMPLE, replace=False)
            sample = X[np.sort(rows)]
        pca = PCA(n_components, random_state=0).fit(sample)
        # Projected a block at a time: no centred copy of all the data.
        points = np.concatenate([pca.transform(X[start:start + 100_000])
                                 for start in range(0, len(X), 100_000)])
        components, explained = pca.components_, pca.explained_variance_ratio_
        if n_components < 2:  # one feature or one sample: a flat second axis
            points = np.column_stack([points, np.zeros((len(points), 2 - n_components))])
            components = np.vstack([components, np.zeros((2 - n_components, X.shape[1]))])
            explained = np.append(explained, np.zeros(2 - n_components))
        return cls(pca.mean_, components, points, explained)

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Project samples (or centres) of the same features."""
        return (np.asarray(X, dtype=np.float64) - self.mean) @ self.components.T


SAMPLE_IMAGES = ("china.jpg", "flower.jpg")


def image_dataset(pixels: np.ndarray, name: str, *, path: str | None = None,
                  space: str = "srgb") -> Dataset:
    """The distinct colours of a photo as weighted samples (counts as weights): RGB,
    brightness-weighted RGB with ``space="luma"`` (`luma.LumaColors`), Oklab with
    ``space="oklab"`` (`oklab.OklabColors`), or premultiplied RGBA for
    RGBA pixels (`alpha.AlphaColors`, whatever the space: Oklab takes opaque photos)."""
    if space not in SPACES:
        raise ValueError(f"The colour space must be one of {', '.join(SPACES)}, not {space!r}.")
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    pixels.setflags(write=False)
    transparent = pixels.ndim == 3 and pixels.shape[2] == 4
    colors = colors_kind(space, transparent).from_image(pixels)
    h, w = colors.shape
    size = os.path.getsize(path) if path else None
    kept = " with transparency" if transparent else colors.space_note
    return Dataset(
        name, colors.features(), sample_weight=colors.counts.astype(np.float64),
        description=f"{name}: {w}×{h} pixels, {colors.n_colors:,} distinct colours{kept}",
        image=ImageData(pixels, colors, path, size), kind="photo",
        feature_names=getattr(colors, "feature_names", None),
    )


def sample_image_dataset(name: str, space: str = "srgb") -> Dataset:
    """One of the photos shipped with scikit-learn ("china.jpg", "flower.jpg")."""
    from sklearn.datasets import load_sample_image

    if name not in SAMPLE_IMAGES:
        raise ValueError(f"Unknown sample image {name!r}; choose one of {', '.join(SAMPLE_IMAGES)}.")
    return image_dataset(load_sample_image(name), name, space=space)


def file_image_dataset(path: str, space: str = "srgb") -> Dataset:
    """An image file as a dataset; raises ImageLoadError with a sentence."""
    from pathlib import Path

    from kmeans_studio.core.color.images import load_image

    return image_dataset(load_image(path, keep_alpha=True), Path(path).name, path=str(path),
                         space=space)


#: Where `make_blobs` draws its centres, scikit-learn's default ``center_box``.
CENTER_BOX = (-10.0, 10.0)


def make_blobs(n_samples: int | Sequence[int], centers: int | None = None,
               cluster_std: float | Sequence[float] = 1.0, random_state: int | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's ``make_blobs(n_samples, centers=, cluster_std=, random_state=)``
    in 2-D with numpy alone: the same X and y, bit for bit, without importing
    scikit-learn (seconds at start).

    `n_samples` is a count (shared among `centers` centres, 3 by default, the first
    ones taking one more) or a count per centre (then `centers` is None);
    `cluster_std` is one spread or one per centre.  The random numbers are drawn in
    scikit-learn's order from one ``RandomState``: the centres (uniform in
    `CENTER_BOX`), each centre's points (normal), then the shuffle of
    ``sklearn.utils.shuffle`` (a shuffled ``arange`` that indexes X and y).
    """
    generator = np.random.RandomState(random_state)
    if isinstance(n_samples, (int, np.integer)):
        n_centers = 3 if centers is None else int(centers)
        sizes = [int(n_samples) // n_centers + (i < n_samples % n_centers)
                 for i in range(n_centers)]
    elif centers is None:
        sizes = [int(n) for n in n_samples]
    else:
        raise ValueError("Give the number of centres or the size of each blob, not both.")
    stds = np.broadcast_to(np.asarray(cluster_std, dtype=np.float64), (len(sizes),))
    centres = generator.uniform(*CENTER_BOX, size=(len(sizes), 2))
    X = np.empty((sum(sizes), 2), dtype=np.float64)
    y = np.empty(sum(sizes), dtype=int)
    start = 0
    for i, (n, std) in enumerate(zip(sizes, stds)):
        X[start:start + n] = generator.normal(loc=centres[i], scale=std, size=(n, 2))
        y[start:start + n] = i
        start += n
    order = np.arange(len(X))
    generator.shuffle(order)
    return X[order], y[order]


def make_blob_dataset(
    shape: str = "blobs",
    n_samples: int = 300,
    n_centers: int = 4,
    cluster_std: float = 0.6,
    random_state: int = 0,
    noise: float | None = None,
) -> Dataset:
    """2-D toy data; the defaults are the seed's ``make_blobs(300, centers=4,
    cluster_std=0.6, random_state=0)``.

    The failure shapes follow scikit-learn's "Demonstration of k-means assumptions"
    example: stretched blobs, unequal variances, uneven sizes; plus circles and moons,
    whose noise is `noise`, or by default the spread's (`shape_noise`: 0.05 at 0.6).
    """
    if shape not in BLOB_SHAPES:
        raise ValueError(f"Unknown shape {shape!r}; choose one of {', '.join(BLOB_SHAPES)}.")
    if int(n_samples) != n_samples or n_samples < 1:
        raise ValueError(f"The number of samples must be a whole number ≥ 1, not {n_samples!r}.")
    if int(n_centers) != n_centers or n_centers < 1:
        raise ValueError(f"The number of centres must be a whole number ≥ 1, not {n_centers!r}.")
    if not (np.isfinite(cluster_std) and cluster_std >= 0):
        raise ValueError(f"The spread must be a number ≥ 0, not {cluster_std!r}.")
    if noise is None:
        noise = shape_noise(shape, cluster_std)
    elif not (np.isfinite(noise) and noise >= 0):
        raise ValueError(f"The noise must be a number ≥ 0, not {noise!r}.")
    n_samples, n_centers = int(n_samples), int(n_centers)
    rng = np.random.RandomState(random_state)
    args: dict[str, Any] = {"random_state": random_state}
    if shape == "blobs":
        X, y = make_blobs(n_samples, centers=n_centers, cluster_std=cluster_std, **args)
        description = (f"make_blobs({n_samples}, centers={n_centers}, "
                       f"cluster_std={cluster_std:g}, random_state={random_state})")
    elif shape == "anisotropic":
        X, y = make_blobs(n_samples, centers=n_centers, cluster_std=cluster_std, **args)
        X = X @ np.array([[0.6, -0.6], [-0.4, 0.8]])
        description = f"{n_centers} blobs stretched by a linear map (seed {random_state})"
    elif shape == "unequal_variance":
        stds = cluster_std * np.linspace(0.5, 2.5, n_centers)
        rng.shuffle(stds)
        X, y = make_blobs(n_samples, centers=n_centers, cluster_std=stds, **args)
        description = f"{n_centers} blobs with spreads from {stds.min():.2g} to {stds.max():.2g}"
    elif shape == "uneven_sizes":
        sizes = np.maximum(1, np.round(n_samples * 0.6 ** np.arange(n_centers)
                                       / (0.6 ** np.arange(n_centers)).sum())).astype(int)
        X, y = make_blobs(list(sizes), cluster_std=cluster_std, **args)
        description = f"{n_centers} blobs of {', '.join(map(str, sizes))} samples"
    elif shape in NUMPY_SHAPES:
        made: dict[str, Any] = {"np": np}
        exec(NUMPY_SHAPES[shape].format(n=n_samples, c=n_centers, std=float(cluster_std),
                                        seed=int(random_state)), made)
        X, y = made["X"], made["y"]
        description = {"uniform": f"{n_samples} points uniform in a square (seed "
                                  f"{random_state}): no clusters",
                       "smiley": f"a smiley of {n_samples} points (seed {random_state})",
                       "packed_circles": f"{n_centers} discs side by side "
                                         f"(seed {random_state})"}[shape]
    else:  # circles or moons: scikit-learn's, imported for them alone
        from sklearn import datasets

        if shape == "circles":
            X, y = datasets.make_circles(n_samples, factor=0.5, noise=noise, **args)
            description = f"two concentric circles, noise {noise:g}"
        else:
            X, y = datasets.make_moons(n_samples, noise=noise, **args)
            description = f"two moons, noise {noise:g}"
    return Dataset(BLOB_SHAPES[shape], X, y=y, description=description)


def labelled_images_dataset(X, y, image_shape=None, *, name: str, description: str = ""
                            ) -> Dataset:
    """Images with known classes (one flattened image per row of X), with their 2-D
    PCA projection.  Without `image_shape`, square images are assumed when the number
    of features is a square, else each sample is shown as a one-row strip."""
    X = as_data_matrix(X)
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != len(X):
        raise ValueError(f"The labels y must be one per sample: {len(X):,} samples, "
                         f"but y has shape {y.shape}.")
    if y.dtype == object:
        raise ValueError("The labels y must be numbers or text, not Python objects.")
    n, d = X.shape
    if image_shape is None:
        side = int(round(np.sqrt(d)))
        image_shape = (side, side) if side * side == d else (1, d)
    try:
        image_shape = tuple(int(s) for s in np.asarray(image_shape).ravel())
    except (TypeError, ValueError):
        raise ValueError(f"image_shape must be whole numbers, not {image_shape!r}.") from None
    if len(image_shape) != 2 or min(image_shape) < 1 or image_shape[0] * image_shape[1] != d:
        raise ValueError(f"image_shape {image_shape} does not fit samples of {d} values; "
                         "give (height, width) with height × width = the number of features.")
    n_classes = len(np.unique(y))
    h, w = image_shape
    description = description or (f"{name}: {n:,} images of {w}×{h} pixels, "
                                  f"{n_classes} classes")
    return Dataset(name, X, y=y, description=description, image_shape=image_shape,
                   projection=Projection.fit(X), kind="images")


def digits_dataset() -> Dataset:
    """scikit-learn's handwritten digits (1,797 images of 8×8 pixels, grey levels 0–16)."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    return labelled_images_dataset(digits.data, digits.target, (8, 8), name="Digits")


#: The most bytes the arrays of one NumPy file may expand to: checked from the
#: arrays' headers before anything is allocated (a 236-byte file can declare a
#: terabyte, and a few megabytes of zip can expand to gigabytes).
MAX_ARRAY_BYTES = 4 << 30
#: The most members an .npz archive may have: each is a header to read (100,000
#: empty members took 3.9 s to scan), and no data set needs more than a few.
MAX_ARRAYS = 1_000
#: The most names of arrays a message lists.
NAMES_SHOWN = 5


def array_names(names) -> str:
    """The first `NAMES_SHOWN` of `names`, and how many more, for a message."""
    names = list(names)
    # Names cut at 40 characters: 900 names of 30,000 made a message that took the
    # window 1.5 s to lay out.
    shown = ", ".join(n if len(n) <= 40 else n[:39] + "…" for n in names[:NAMES_SHOWN])
    shown = shown or "no arrays"
    more = len(names) - NAMES_SHOWN
    return shown if more <= 0 else f"{shown} … and {more:,} more"


def _zip_members(path) -> int | None:
    """How many members a zip archive says it holds, from its end record alone
    (before its central directory is read), or None when that cannot be read."""
    import zipfile

    try:
        with open(path, "rb") as file:
            end = zipfile._EndRecData(file)  # the standard library's own reader
        return None if end is None else int(end[zipfile._ECD_ENTRIES_TOTAL])
    except (AttributeError, OSError, ValueError, IndexError):
        return None


def _too_many_arrays(name: str, count: int) -> ValueError:
    return ValueError(f"“{name}” holds {count:,} arrays, more than the {MAX_ARRAYS:,} "
                      "K-Means Studio reads from one file; save the arrays to cluster "
                      "in a file of their own.")


def array_headers(path) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """``{name: (shape, dtype)}`` of the arrays of an .npy or .npz file, read from their
    headers alone (an .npy file's one array is named "X").

    Raises ValueError with a sentence naming the file when it is not a regular file
    (`limits.regular_file`), is not a NumPy file, has more than `MAX_ARRAYS` arrays
    (counted before any header is read), holds Python objects, is cut short, or would
    expand past `MAX_ARRAY_BYTES`; OSError when it cannot be read.
    """
    import os
    import zipfile
    from pathlib import Path

    name, suffix = Path(path).name, Path(path).suffix or ".npz"
    path = regular_file(path, name)
    headers = {}
    zipped = zipfile.is_zipfile(path)
    if zipped and (_zip_members(path) or 0) > MAX_ARRAYS:
        raise _too_many_arrays(name, _zip_members(path))
    try:
        if zipped:
            with zipfile.ZipFile(path) as archive:
                members = [info for info in archive.infolist() if not info.is_dir()]
                if len(members) > MAX_ARRAYS:  # an end record that understates them
                    raise _TooMany(len(members))
                for info in members:
                    with archive.open(info) as file:
                        shape, _, dtype = _array_header(file)
                    headers[info.filename.removesuffix(".npy")] = (shape, dtype)
                    if math.prod(shape) * dtype.itemsize > info.file_size:
                        raise ValueError("an array is cut short")
        else:
            with open(path, "rb") as file:
                shape, _, dtype = _array_header(file)
                headers["X"] = (shape, dtype)
                if array_bytes(headers) > os.fstat(file.fileno()).st_size - file.tell():
                    raise ValueError("its array is cut short")
    except (zipfile.BadZipFile, EOFError, ValueError, OverflowError) as exc:
        raise ValueError(f"“{name}” is not a readable {suffix} file ({exc}).") from None
    except _HoldsObjects:
        raise ValueError(f"“{name}” holds Python objects, which are not loaded for "
                         "safety; save plain number arrays.") from None
    except _TooMany as exc:
        raise _too_many_arrays(name, exc.args[0]) from None
    total = array_bytes(headers)
    if total > MAX_ARRAY_BYTES:
        raise ValueError(f"“{name}” would take {total / 2**30:,.1f} GiB of memory once read, "
                         f"more than K-Means Studio reads ({MAX_ARRAY_BYTES >> 30} GiB); "
                         "save a smaller part of it.")
    return headers


class _HoldsObjects(Exception):
    """An array header declares Python objects (which only unpickling could read)."""


class _TooMany(Exception):
    """An archive holds more than `MAX_ARRAYS` members (their count is its argument)."""


def _array_header(file) -> tuple[tuple[int, ...], bool, np.dtype]:
    """(shape, Fortran order, dtype) from an .npy stream, which is left at the data."""
    version = np.lib.format.read_magic(file)
    read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                   else np.lib.format.read_array_header_2_0)
    shape, fortran, dtype = read_header(file, max_header_size=10_000)
    if dtype.hasobject:
        raise _HoldsObjects
    return tuple(int(n) for n in shape), fortran, dtype


def array_bytes(headers: dict) -> int:
    """The bytes the arrays of `array_headers` take once read."""
    return sum(math.prod(shape) * dtype.itemsize for shape, dtype in headers.values())


def read_arrays(path, keys=None, rows: int | None = None) -> tuple[dict, list[str] | None]:
    """The arrays of an .npz archive (only `keys` when given) and the names of all of
    them; for an .npy file ``({"X": array}, None)``.  With `rows`, only the first
    `rows` rows of each array are read (a preview of a big file).

    Every header is checked first (`array_headers`): nothing is allocated for a file
    that declares more than it holds or more than `MAX_ARRAY_BYTES`.  Raises
    ValueError with a sentence naming the file when it is not a NumPy file or holds
    Python objects (never unpickled); OSError when it cannot be read.
    """
    import zipfile
    from pathlib import Path

    name, suffix = Path(path).name, Path(path).suffix or ".npz"
    headers = array_headers(path)
    path = regular_file(path, name)  # what was checked is what is read
    try:
        if rows is not None:
            return _first_rows(path, headers, keys, rows)
        # Opened here so that it is closed even when numpy fails to read it.
        with open(path, "rb") as file:
            loaded = np.load(file, allow_pickle=False)
            if not isinstance(loaded, np.lib.npyio.NpzFile):
                return {"X": loaded}, None
            files = list(loaded.files)
            return {key: loaded[key] for key in files if keys is None or key in keys}, files
    except (zipfile.BadZipFile, EOFError, ValueError, OverflowError, MemoryError) as exc:
        if isinstance(exc, MemoryError):
            raise ValueError(f"“{name}” does not fit in the memory free now.") from None
        raise ValueError(f"“{name}” is not a readable {suffix} file ({exc}).") from None


def _first_rows(path, headers: dict, keys, rows: int) -> tuple[dict, list[str] | None]:
    """`read_arrays` for the first `rows` rows: read from the stream, so a preview of
    a big (or highly compressed) archive reads kilobytes, not the whole file."""
    import zipfile

    def first(file) -> np.ndarray:
        shape, fortran, dtype = _array_header(file)
        if fortran:  # its first rows are spread over the whole array: read it all
            count = math.prod(shape)
            data = np.frombuffer(file.read(count * dtype.itemsize), dtype=dtype, count=count)
            return data.reshape(shape, order="F")[:rows].copy()
        shape = (min(rows, shape[0]), *shape[1:]) if shape else shape
        count = math.prod(shape)
        data = file.read(count * dtype.itemsize)
        return np.frombuffer(data, dtype=dtype, count=count).reshape(shape).copy()

    if not zipfile.is_zipfile(path):
        with open(path, "rb") as file:
            return {"X": first(file)}, None
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            key = info.filename.removesuffix(".npy")
            if key in headers and (keys is None or key in keys):
                with archive.open(info) as file:
                    arrays[key] = first(file)
    return arrays, list(headers)


def npz_holds_images(path) -> bool:
    """True for an .npz archive with ``image_shape`` or a stack ``X`` of images
    (n, h, w): read from the archive's headers, without loading any array.  False
    for anything else, unreadable files included (their reader explains)."""
    import zipfile

    try:
        if not zipfile.is_zipfile(regular_file(path)):  # never a pipe's endless read
            return False
        headers = array_headers(path)
    except (OSError, ValueError):
        return False
    return "image_shape" in headers or ("X" in headers and len(headers["X"][0]) == 3)


def npz_images_dataset(path) -> Dataset:
    """Labelled images from a ``.npz`` file with arrays ``X`` (n × features), ``y``
    (n labels) and optionally ``image_shape`` (height, width).

    Raises ValueError (a sentence naming the file) for anything that does not fit,
    OSError when the file cannot be read.
    """
    from pathlib import Path

    name = Path(path).name
    arrays, files = read_arrays(path, keys=("X", "y", "image_shape"))
    if files is None:
        raise ValueError(f"“{name}” holds one array, not the arrays X and y of an .npz file.")
    missing = [key for key in ("X", "y") if key not in files]
    if missing:
        raise ValueError(f"“{name}” has no array named {' or '.join(missing)} (it has "
                         f"{array_names(files)}); save it with "
                         "np.savez(path, X=..., y=...).")
    X = arrays["X"]
    if X.ndim == 3 and "image_shape" not in arrays:  # (n, h, w) images: flatten them
        arrays["image_shape"] = X.shape[1:]
        X = X.reshape(len(X), -1)
    try:
        return labelled_images_dataset(X, arrays["y"], arrays.get("image_shape"), name=name)
    except ValueError as exc:
        raise ValueError(f"“{name}”: {exc}") from None
