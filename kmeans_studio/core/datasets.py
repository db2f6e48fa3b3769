"""Data sources: the seed's blobs and the shapes where k-means fails, as `Dataset`s.

scikit-learn is imported inside the functions: it takes about two seconds to import,
and the window must paint before that (the controller calls these off the GUI thread).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

#: Blob shapes: the seed's blobs and four where k-means' assumptions fail.
BLOB_SHAPES = {
    "blobs": "Blobs",
    "anisotropic": "Anisotropic (stretched) blobs",
    "unequal_variance": "Blobs of unequal variance",
    "uneven_sizes": "Blobs of uneven sizes",
    "circles": "Concentric circles",
    "moons": "Two moons",
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
    """

    name: str
    X: np.ndarray
    y: np.ndarray | None = None
    description: str = ""
    image_shape: tuple[int, ...] | None = None
    sample_weight: np.ndarray | None = None
    image: ImageData | None = None

    def __post_init__(self) -> None:
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


@dataclasses.dataclass(frozen=True, eq=False)
class ImageData:
    """A photo to compress: its pixels, its distinct colours, where it came from.

    Attributes
    ----------
    pixels : ndarray (H, W, 3) uint8
    colors : ImageColors
    path : str or None
        The file it was read from (None for samples and pasted images).
    file_size : int or None
        Bytes of that file.
    has_alpha : bool
        Transparency was composited on white.
    """

    pixels: np.ndarray
    colors: Any
    path: str | None = None
    file_size: int | None = None
    has_alpha: bool = False


SAMPLE_IMAGES = ("china.jpg", "flower.jpg")


def image_dataset(pixels: np.ndarray, name: str, *, path: str | None = None,
                  has_alpha: bool = False) -> Dataset:
    """The distinct colours of a photo as weighted samples (counts as weights)."""
    import os

    from kmeans_studio.core.quantize import ImageColors

    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    pixels.setflags(write=False)
    colors = ImageColors.from_image(pixels)
    h, w = colors.shape
    size = os.path.getsize(path) if path else None
    return Dataset(
        name, colors.features(), sample_weight=colors.counts.astype(np.float64),
        description=f"{name}: {w}×{h} pixels, {colors.n_colors:,} distinct colours",
        image=ImageData(pixels, colors, path, size, has_alpha),
    )


def sample_image_dataset(name: str) -> Dataset:
    """One of the photos shipped with scikit-learn ("china.jpg", "flower.jpg")."""
    from sklearn.datasets import load_sample_image

    if name not in SAMPLE_IMAGES:
        raise ValueError(f"Unknown sample image {name!r}; choose one of {', '.join(SAMPLE_IMAGES)}.")
    return image_dataset(load_sample_image(name), name)


def file_image_dataset(path: str) -> Dataset:
    """An image file as a dataset; raises ImageLoadError with a sentence."""
    from pathlib import Path

    from kmeans_studio.core.images import has_transparency, load_image

    pixels = load_image(path)
    return image_dataset(pixels, Path(path).name, path=str(path),
                         has_alpha=has_transparency(path))


def make_blob_dataset(
    shape: str = "blobs",
    n_samples: int = 300,
    n_centers: int = 4,
    cluster_std: float = 0.6,
    random_state: int = 0,
) -> Dataset:
    """2-D toy data; the defaults are the seed's ``make_blobs(300, centers=4,
    cluster_std=0.6, random_state=0)``.

    The failure shapes follow scikit-learn's "Demonstration of k-means assumptions"
    example: stretched blobs, unequal variances, uneven sizes; plus circles and moons.
    """
    from sklearn import datasets

    if shape not in BLOB_SHAPES:
        raise ValueError(f"Unknown shape {shape!r}; choose one of {', '.join(BLOB_SHAPES)}.")
    if int(n_samples) != n_samples or n_samples < 1:
        raise ValueError(f"The number of samples must be a whole number ≥ 1, not {n_samples!r}.")
    if int(n_centers) != n_centers or n_centers < 1:
        raise ValueError(f"The number of centres must be a whole number ≥ 1, not {n_centers!r}.")
    if not (np.isfinite(cluster_std) and cluster_std >= 0):
        raise ValueError(f"The spread must be a number ≥ 0, not {cluster_std!r}.")
    n_samples, n_centers = int(n_samples), int(n_centers)
    rng = np.random.RandomState(random_state)
    args: dict[str, Any] = {"random_state": random_state}
    if shape == "blobs":
        X, y = datasets.make_blobs(n_samples, centers=n_centers, cluster_std=cluster_std, **args)
        description = (f"make_blobs({n_samples}, centers={n_centers}, "
                       f"cluster_std={cluster_std:g}, random_state={random_state})")
    elif shape == "anisotropic":
        X, y = datasets.make_blobs(n_samples, centers=n_centers, cluster_std=cluster_std, **args)
        X = X @ np.array([[0.6, -0.6], [-0.4, 0.8]])
        description = f"{n_centers} blobs stretched by a linear map (seed {random_state})"
    elif shape == "unequal_variance":
        stds = cluster_std * np.linspace(0.5, 2.5, n_centers)
        rng.shuffle(stds)
        X, y = datasets.make_blobs(n_samples, centers=n_centers, cluster_std=stds, **args)
        description = f"{n_centers} blobs with spreads from {stds.min():.2g} to {stds.max():.2g}"
    elif shape == "uneven_sizes":
        sizes = np.maximum(1, np.round(n_samples * 0.6 ** np.arange(n_centers)
                                       / (0.6 ** np.arange(n_centers)).sum())).astype(int)
        X, y = datasets.make_blobs(list(sizes), cluster_std=cluster_std, **args)
        description = f"{n_centers} blobs of {', '.join(map(str, sizes))} samples"
    elif shape == "circles":
        X, y = datasets.make_circles(n_samples, factor=0.5, noise=cluster_std / 10, **args)
        description = f"two concentric circles, noise {cluster_std / 10:g}"
    else:
        X, y = datasets.make_moons(n_samples, noise=cluster_std / 5, **args)
        description = f"two moons, noise {cluster_std / 5:g}"
    return Dataset(BLOB_SHAPES[shape], X, y=y, description=description)
