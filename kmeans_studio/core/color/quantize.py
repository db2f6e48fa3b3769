"""Colour quantization with exact k-means on the merged colours.

An image's pixels are merged into its distinct colours with their counts as weights:
the weighted k-means objective on the distinct colours equals the objective on every
pixel, at a fraction of the work (china.jpg: 273,280 pixels, 96,615 colours).  Lloyd's
algorithm then runs to convergence on an octree of those colours (`color_tree`: the
same labels as a full scan, most colours handled a cube at a time), the centres are
rounded to a uint8 palette, every colour is mapped to its nearest palette entry, and
the pixels are mapped back at full resolution.  Memory grows by about 9 bytes per pixel
(each pixel's distinct-colour index, the output indices and the output image) plus
about 40 per distinct colour: a 50-megapixel photo took under 500 MiB.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from kmeans_studio.core.color.color_tree import (
    SPREAD,
    ColorTree,
    Progress,
    from_morton,
    morton,
)
from kmeans_studio.core.color.image_quality import psnr
from kmeans_studio.core.engine import _compiled
from kmeans_studio.core.engine.kmeans import KMeansRun, nearest_centers
from kmeans_studio.core.engine.parallel import shared_pool
from kmeans_studio.core.engine.seeding import kmeans_plusplus

#: Pixels sampled for the k-means++ initialisation (weighted by multiplicity).
INIT_SAMPLE = 5_000


@dataclasses.dataclass(frozen=True)
class ImageColors:
    """An RGB image as its distinct colours, their counts, and each pixel's colour.

    Attributes
    ----------
    shape : (H, W)
    inverse : ndarray of shape (H * W,), int32
        Index of each pixel's colour in `colors`.
    colors : ndarray of shape (m, 3), uint8
        The distinct colours, sorted by Morton code (r, g, b bits interleaved), so the
        colours of every cube of the colour octree are neighbours.
    counts : ndarray of shape (m,), int64
        Pixels of each distinct colour.
    codes : ndarray of shape (m,), uint32
        The colours' Morton codes (increasing).
    """

    shape: tuple[int, int]
    inverse: np.ndarray
    colors: np.ndarray
    counts: np.ndarray
    codes: np.ndarray

    #: How the comparison table names this way of choosing the palette.
    method_name = "k-means"
    #: As a colour space (`spaces.SPACES`): its name in the GUI, what ``--space``'s
    #: help says of it, what a data set's description adds, and in an exported script
    #: the centres as sRGB and the palette as this space's samples (`script_code`: the
    #: lines that make the samples).
    space_title = "sRGB"
    space_help = "default: the highest PSNR"
    space_note = ""
    script_centers_srgb = "kmeans.cluster_centers_"
    script_palette_features = "palette.astype(np.float64)"

    @staticmethod
    def script_code() -> str:
        """Python lines turning the script's sRGB colours `X` into this space's."""
        return ""

    @classmethod
    def from_image(cls, image: np.ndarray, *, use_compiled: bool | None = None) -> ImageColors:
        image = check_image(image)
        pixels = image.reshape(-1, 3)
        if use_compiled is None:
            use_compiled = _compiled.available()
        if use_compiled:  # two passes over the pixels, no sort, no GIL
            from kmeans_studio.core.color._tree_kernels import distinct_colors

            codes, distinct, counts, inverse = distinct_colors(np.ascontiguousarray(pixels),
                                                                SPREAD)
        else:
            codes, inverse, counts = np.unique(morton(pixels), return_inverse=True,
                                               return_counts=True)
            distinct = from_morton(codes)
        return cls(image.shape[:2], inverse.astype(np.int32, copy=False).ravel(),
                   distinct, counts.astype(np.int64, copy=False), codes)

    @functools.cached_property
    def tree(self) -> ColorTree:
        """The octree of the colours, built on first use (needs the compiled kernels)."""
        return ColorTree(self.colors, self.counts, self.codes)

    @property
    def n_pixels(self) -> int:
        return self.inverse.size

    @property
    def n_colors(self) -> int:
        return len(self.colors)

    def pixel_variance(self) -> float:
        """Mean of the per-channel variances of the pixels (not of the distinct
        colours): scikit-learn's tolerance scale for k-means on every pixel."""
        if _compiled.available():  # the octree holds the sums
            sums, squares = self.tree.sums, self.tree.squares
        else:
            counts = self.counts.astype(np.float64)
            X = self.colors.astype(np.float64)
            sums, squares = counts @ X, counts @ (X * X)
        mean = sums / self.n_pixels
        return float(np.mean(squares / self.n_pixels - mean * mean))

    # What the Image page asks of an image's colours (`alpha.AlphaColors` answers the
    # same for an image with transparency).
    def quantize(self, n_colors: int, **options) -> Quantized:
        """`quantize_colors` of these colours."""
        return quantize_colors(self, n_colors, **options)

    def initial_palette(self, n_colors: int, random_state: Any = 0) -> np.ndarray:
        return initial_palette(self, n_colors, random_state)

    def engine_run(self, init: np.ndarray, **options) -> KMeansRun:
        return engine_run(self, init, **options)

    def preview(self, centers: np.ndarray, labels: np.ndarray | None = None) -> Quantized:
        return state_preview(self, centers, labels)

    def tolerance_scale(self) -> float:
        return tolerance_scale(self)

    def assigner(self) -> ColorTree | None:
        """What does a run's assignments on these colours: the colour octree (built
        now) when the compiled kernels are there, else None (the engine's own)."""
        return self.tree if _compiled.available() else None

    def palette_of(self, centers: np.ndarray) -> np.ndarray:
        """Each centre's colour as the palette shows it."""
        return palette_from_centers(centers)

    def rgb_of(self, features: np.ndarray) -> np.ndarray:
        """Samples or centres where the colour cloud draws them: as they are."""
        return np.asarray(features)

    def features(self) -> np.ndarray:
        """The distinct colours as float64 samples for the engine."""
        return self.colors.astype(np.float64)

    def render(self, color_labels: np.ndarray, palette: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray | None]:
        """Per-pixel labels (H, W) from one label per distinct colour, and with a
        palette the RGB image (H, W, 3); without the GIL when the compiled kernels are
        there (the GUI keeps painting meanwhile)."""
        color_labels = np.ascontiguousarray(color_labels)
        if _compiled.available():
            from kmeans_studio.core.color._tree_kernels import render_indices

            indices = np.empty(self.n_pixels, dtype=color_labels.dtype)
            render_indices(self.inverse, color_labels, indices)
        else:
            indices = color_labels[self.inverse]
        indices = indices.reshape(self.shape)
        return indices, None if palette is None else painted(palette, indices)


@dataclasses.dataclass(frozen=True)
class Quantized:
    """Result of `quantize`.

    Attributes
    ----------
    palette : ndarray of shape (k, 3), uint8 (k, 4) straight RGBA for an image with
        transparency (`alpha.AlphaColors`)
    indices : ndarray of shape (H, W), uint8 (uint16 for k > 256)
    inertia : float
        Squared error of the output image against the input (sum over pixels of the
        squared RGB distance, in 0..255 units).
    n_iter : int
        k-means iterations run.
    counts : ndarray of shape (k,)
        Pixels using each palette entry.

    The picture itself (`image`) is painted on first use: the command line never
    needs it (36 MiB less for a 12-megapixel photo), and the Image page's worker
    paints it before the GUI shows it (`photo_run.state_picture`).
    """

    palette: np.ndarray
    indices: np.ndarray
    inertia: float
    n_iter: int
    counts: np.ndarray

    def image(self) -> np.ndarray:
        """The quantized image, uint8 (H, W, 3), or (H, W, 4) for an RGBA palette."""
        return self._image

    @functools.cached_property
    def _image(self) -> np.ndarray:
        return painted(self.palette, self.indices)

    @property
    def mse(self) -> float:
        """Mean squared error per channel (RGB, or premultiplied RGBA)."""
        return self.inertia / (self.indices.size * self.palette.shape[1])

    @property
    def psnr(self) -> float:
        """Peak signal-to-noise ratio in dB (inf for an exact copy)."""
        return psnr(self.mse)



def painted(palette: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """``palette[indices]``, read-only; without the GIL when the compiled kernels are
    there."""
    palette = np.ascontiguousarray(palette, dtype=np.uint8)
    if _compiled.available():
        from kmeans_studio.core.color._tree_kernels import paint

        flat = np.ascontiguousarray(indices).reshape(-1)
        picture = np.empty((flat.size, palette.shape[1]), dtype=np.uint8)
        paint(flat, palette, picture)
        picture = picture.reshape(*np.shape(indices), palette.shape[1])
    else:
        picture = palette[indices]
    picture.setflags(write=False)
    return picture


def initial_palette(colors: ImageColors, n_colors: int, random_state: Any = 0,
                    features_of: Callable[[Any], np.ndarray] | None = None) -> np.ndarray:
    """k-means++ (weighted, scikit-learn's) on a sample of INIT_SAMPLE pixels; every
    distinct colour when there are no more than `n_colors` (the result is then exact).
    `features_of(rows)` gives those colours' samples (by default RGB as float64).

    The full k-means++ on 100,000 distinct colours takes a quarter of a second; on a
    pixel sample it takes about 9 ms and starts from equally good centres: on china.jpg
    (also upscaled to 8 megapixels) and flower.jpg, seeds 0-4, the final squared error
    was no worse with 5,000 pixels than with 10,000.
    """
    if features_of is None:
        features_of = lambda rows: colors.colors[rows].astype(np.float64)  # noqa: E731
    if n_colors >= colors.n_colors:
        return features_of(slice(None))
    rng = np.random.RandomState(random_state)
    rows, weight = slice(None), colors.counts
    if colors.n_pixels > INIT_SAMPLE:
        sample = colors.inverse[rng.randint(0, colors.n_pixels, INIT_SAMPLE)]
        sampled, sampled_weight = np.unique(sample, return_counts=True)
        if len(sampled) >= n_colors:  # else too few distinct colours: use them all
            rows, weight = sampled, sampled_weight
    centers, _ = kmeans_plusplus(features_of(rows), n_colors,
                                 sample_weight=weight.astype(np.float64), random_state=rng)
    return centers


def engine_run(colors: ImageColors, init: np.ndarray, *, max_iter: int = 300,
               tol: float = 1e-4) -> KMeansRun:
    """The engine's run on the distinct colours' samples (`colors.features()`: RGB,
    premultiplied RGBA or Oklab), weighted by their counts, from `init`: what
    `quantize` computes, a half-step at a time (the GUI shows each).

    `tol` is scaled as `colors.tolerance_scale()` says, so the run stops as k-means on
    every pixel would; `colors.assigner()` (the colour octree for RGB, with the
    compiled kernels) does the assignments.
    """
    return KMeansRun(colors.features(), len(init), init=init,
                     sample_weight=colors.counts.astype(np.float64), max_iter=max_iter,
                     tol=tol * colors.tolerance_scale(), merge_duplicates=False,
                     assigner=colors.assigner())


def tolerance_scale(colors: ImageColors) -> float:
    """The engine scales `tol` by the variance of the rows it is given (scikit-learn's
    rule); on an image's distinct colours that is not the pixels' variance.  This
    factor makes a run on the colours stop as k-means on every pixel stops."""
    distinct = float(np.mean(np.var(colors.colors, axis=0, dtype=np.float64)))
    return colors.pixel_variance() / distinct if distinct > 0 else 1.0


def palette_from_centers(centers: np.ndarray) -> np.ndarray:
    """Round centres to a uint8 palette."""
    return np.clip(np.rint(centers), 0, 255).astype(np.uint8)


def finish(colors: ImageColors, centers: np.ndarray, n_iter: int = 0) -> Quantized:
    """Round the centres, map every colour to its nearest entry (the first on ties),
    render the indices."""
    palette = palette_from_centers(centers)
    if not _compiled.available():
        return quantized(colors, palette, nearest_centers(colors.features(),
                                                           palette.astype(np.float64)), n_iter)
    labels = np.empty(colors.n_colors, dtype=np.uint8)  # quantize's k is at most 256
    weight, sums = colors.tree.assign(palette, labels)
    # Integer colours, counts and palette: these sums, and so the inertia, are exact.
    return quantized(colors, palette, labels, n_iter, weight.astype(np.int64),
                      colors.tree.inertia(palette, weight, sums))


def quantized(colors: ImageColors, palette: np.ndarray, labels: np.ndarray,
               n_iter: int = 0, counts: np.ndarray | None = None,
               inertia: float | None = None) -> Quantized:
    labels = np.asarray(labels).astype(np.uint8 if len(palette) <= 256 else np.uint16,
                                       copy=False)
    if inertia is None:
        diff = colors.colors.astype(np.float64) - palette[labels]
        inertia = float(colors.counts @ np.einsum("ij,ij->i", diff, diff))
    if counts is None:
        counts = np.bincount(labels, weights=colors.counts, minlength=len(palette))
    indices, _ = colors.render(labels)
    return Quantized(palette, indices, inertia, n_iter, counts.astype(np.int64))


def quantize(image: np.ndarray, n_colors: int, *, random_state: Any = 0,
             max_iter: int = 300, tol: float = 1e-4) -> Quantized:
    """Compress an RGB uint8 image to `n_colors` colours with exact k-means.

    If the image has no more distinct colours than asked, those colours are returned
    exactly.
    """
    check_n_colors(n_colors)
    return quantize_colors(ImageColors.from_image(image), n_colors,
                           random_state=random_state, max_iter=max_iter, tol=tol)


def quantize_colors(colors: ImageColors, n_colors: int, *, random_state: Any = 0,
                    max_iter: int = 300, tol: float = 1e-4,
                    callback: Callable[[Progress], Any] | None = None) -> Quantized:
    """`quantize` for colours already counted.

    `callback`, if given, receives a `color_tree.Progress` after every iteration;
    returning False stops the run there.  As scikit-learn's k-means on every pixel,
    the run stops when the centres' squared shifts sum to at most `tol` times the mean
    per-channel variance of the pixels.
    """
    check_n_colors(n_colors)
    if _compiled.available():
        # The octree is built on another core (its kernels release the GIL) while
        # k-means++ picks the start here.
        building = shared_pool().submit(lambda: colors.tree)
        init = initial_palette(colors, n_colors, random_state)
        tree = building.result()
        result = tree.lloyd(init, tol=colors.pixel_variance() * tol, max_iter=max_iter,
                            callback=callback)
        if result is not None:
            return finish(colors, *result)
    else:
        init = initial_palette(colors, n_colors, random_state)
    # Without the compiled kernels, or when a cluster emptied on the way (the engine
    # moves it as scikit-learn does): the engine, from the same start.
    run = engine_run(colors, init, max_iter=max_iter, tol=tol)

    def each_update(state):
        if state.phase == "update":
            return callback(Progress(state.n_iter, state.inertia, state.centers))
    final = run.run(callback=each_update if callback is not None else None)
    return finish(colors, final.centers, final.n_iter)


def check_n_colors(n_colors: Any) -> None:
    if isinstance(n_colors, bool) or int(n_colors) != n_colors or not 1 <= n_colors <= 256:
        raise ValueError(f"The number of colours must be a whole number from 1 to 256, "
                         f"not {n_colors!r}.")


def check_image(image: Any) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError("The image must be RGB uint8 of shape (height, width, 3).")
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError("The image is empty.")
    return image


def state_preview(colors: ImageColors, centers: np.ndarray,
                  labels: np.ndarray | None = None) -> Quantized:
    """The image as one state of a run shows it: centres rounded to a palette, each
    colour with its label (or, without labels, its nearest entry, as `finish`)."""
    if labels is None:
        return finish(colors, centers)
    return quantized(colors, palette_from_centers(centers), labels)


