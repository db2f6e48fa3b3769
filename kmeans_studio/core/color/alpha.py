"""Colour quantization of images with transparency, as pngquant does it.

Pixels are clustered in premultiplied RGBA (each channel times alpha, and alpha):
a half-transparent pixel weighs half as much in colour as an opaque one, and colours
under nearly no alpha merge, since they show nearly nothing.  Fully transparent
pixels are set apart: they map to one fully transparent palette entry and stay
exactly transparent.  Error and PSNR are measured in premultiplied RGBA (0..255),
where transparent pixels count for nothing.

When every visible pixel is opaque (icons and cut-outs on a transparent ground), the
visible pixels go through the photo path (`quantize.quantize_colors`, the colour
octree); with partial transparency the distinct premultiplied colours, weighted by
their counts, go through the engine (`KMeansRun`) in four dimensions.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from kmeans_studio.core.color.conversions import premultiplied
from kmeans_studio.core.color.converted import WeightedSamples
from kmeans_studio.core.color.quantize import (
    INIT_SAMPLE,
    ImageColors,
    Quantized,
    check_n_colors,
    quantize_colors,
)
from kmeans_studio.core.engine.kmeans import nearest_centers
from kmeans_studio.core.engine.seeding import kmeans_plusplus

TRANSPARENT = (0, 0, 0, 0)


def palette_from_premultiplied(centers: np.ndarray) -> np.ndarray:
    """Round premultiplied centres to straight RGBA uint8 (alpha first rounded; colour
    divided by it, so the entry shows what the centre shows)."""
    centers = np.asarray(centers, dtype=np.float64)
    alpha = np.clip(np.rint(centers[:, 3]), 0, 255)
    with np.errstate(divide="ignore", invalid="ignore"):
        rgb = np.where(alpha[:, None] > 0, centers[:, :3] * 255.0 / alpha[:, None], 0.0)
    return np.column_stack([np.clip(np.rint(rgb), 0, 255), alpha]).astype(np.uint8)


@dataclasses.dataclass(frozen=True)
class AlphaColors(WeightedSamples):
    """An RGBA image as its distinct visible colours and their counts.

    Attributes
    ----------
    shape : (H, W)
    inverse : ndarray of shape (H * W,), int32
        Index of each pixel's colour in `colors`, or -1 for a fully transparent pixel.
    colors : ndarray of shape (m, 4), uint8
        The distinct colours of the visible pixels (alpha > 0), straight RGBA.
    counts : ndarray of shape (m,), int64
    """

    shape: tuple[int, int]
    inverse: np.ndarray
    colors: np.ndarray
    counts: np.ndarray

    method_name = "k-means"  # in the comparison table

    @classmethod
    def from_image(cls, image: np.ndarray) -> AlphaColors:
        image = np.asarray(image)
        if image.ndim != 3 or image.shape[2] != 4 or image.dtype != np.uint8:
            raise ValueError("The image must be RGBA uint8 of shape (height, width, 4).")
        if image.shape[0] == 0 or image.shape[1] == 0:
            raise ValueError("The image is empty.")
        keys = np.ascontiguousarray(image.reshape(-1, 4)).view(np.uint32).ravel()
        visible = image.reshape(-1, 4)[:, 3] > 0
        inverse = np.full(keys.size, -1, dtype=np.int32)
        distinct, where, counts = np.unique(keys[visible], return_inverse=True,
                                            return_counts=True)
        inverse[visible] = where.ravel()
        colors = distinct.view(np.uint8).reshape(-1, 4)
        return cls(image.shape[:2], inverse, colors, counts.astype(np.int64))

    @property
    def n_pixels(self) -> int:
        return self.inverse.size

    @property
    def n_colors(self) -> int:
        """Distinct visible colours."""
        return len(self.colors)

    @property
    def n_transparent(self) -> int:
        return self.n_pixels - int(self.counts.sum())

    def quantize(self, n_colors: int, *, random_state: Any = 0, max_iter: int = 300,
                 tol: float = 1e-4, callback: Callable | None = None) -> Quantized:
        """The image in at most `n_colors` RGBA palette entries, one of them fully
        transparent when some pixels are (with one colour and transparent pixels,
        that is the only entry); entries sorted by alpha, so the PNG's tRNS chunk
        stays short."""
        check_n_colors(n_colors)
        visible_k = n_colors - (self.n_transparent > 0)
        if visible_k == 0 or self.n_colors == 0:
            labels, centers, n_iter = np.zeros(self.n_colors, dtype=np.intp), None, 0
        elif np.all(self.colors[:, 3] == 255):
            # The visible pixels, all opaque, as an image one pixel wide.
            shown = self.inverse[self.inverse >= 0]
            opaque = ImageColors.from_image(self.colors[shown, None, :3])
            result = quantize_colors(opaque, visible_k, random_state=random_state,
                                     max_iter=max_iter, tol=tol, callback=callback)
            centers = np.column_stack([result.palette.astype(np.float64),
                                       np.full(len(result.palette), 255.0)])
            labels = np.empty(self.n_colors, dtype=np.intp)
            labels[shown] = result.indices.ravel()
            n_iter = result.n_iter
        else:
            centers, n_iter = self._lloyd(visible_k, random_state, max_iter, tol, callback)
            labels = None
        return self._finish(centers, labels, n_iter)

    def features(self) -> np.ndarray:
        """The distinct colours as premultiplied RGBA float64 samples for the engine
        (made once: every run, preview and tolerance reads them; read-only)."""
        return self._features

    @functools.cached_property
    def _features(self) -> np.ndarray:
        features = premultiplied(self.colors)
        features.setflags(write=False)
        return features

    def initial_palette(self, n_colors: int, random_state: Any = 0) -> np.ndarray:
        """The centres a run starts from for a palette of `n_colors` entries: one
        fewer when the transparent entry takes one (but one at least)."""
        return self._seeds(max(1, n_colors - (self.n_transparent > 0)), random_state)

    def _seeds(self, n_colors: int, random_state: Any) -> np.ndarray:
        """k-means++ (weighted) on a sample of the visible pixels, premultiplied; every
        distinct colour when there are no more than `n_colors`."""
        X, weight = self.features(), self.counts.astype(np.float64)
        if n_colors >= len(X):
            return X
        rng = np.random.RandomState(random_state)
        rows = slice(None)
        if self.counts.sum() > INIT_SAMPLE:  # as `quantize.initial_palette`
            picked = rng.choice(len(X), INIT_SAMPLE, p=weight / weight.sum())
            sampled, sampled_weight = np.unique(picked, return_counts=True)
            if len(sampled) >= n_colors:
                rows, weight = sampled, sampled_weight.astype(np.float64)
        return kmeans_plusplus(X[rows], n_colors, sample_weight=weight, random_state=rng)[0]

    def assigner(self) -> None:
        """No octree for four channels: the engine assigns."""
        return None

    def rgb_of(self, features: np.ndarray) -> np.ndarray:
        """Samples or centres where the colour cloud draws them: premultiplied."""
        return np.asarray(features)

    def palette_of(self, centers: np.ndarray) -> np.ndarray:
        """Each centre's colour as the palette shows it (straight RGBA)."""
        return palette_from_premultiplied(centers)

    def preview(self, centers: np.ndarray, labels: np.ndarray | None = None) -> Quantized:
        """The image as one state of a run shows it (without labels, each colour to
        its nearest entry)."""
        return self._finish(centers, labels, 0)

    def _lloyd(self, k: int, random_state: Any, max_iter: int, tol: float,
               callback: Callable | None) -> tuple[np.ndarray, int]:
        """k-means on the premultiplied colours, weighted by their counts."""
        if k >= self.n_colors:
            return self.features(), 0
        run = self.engine_run(self._seeds(k, random_state), max_iter=max_iter, tol=tol)
        final = run.run(callback=None if callback is None else
                        (lambda state: callback(state) if state.phase == "update" else None))
        return final.centers, final.n_iter

    def _finish(self, centers: np.ndarray | None, labels: np.ndarray | None,
                n_iter: int) -> Quantized:
        """Round the centres, map each visible colour to its nearest entry (unless
        `labels` already say), add the transparent entry, sort by alpha, render."""
        entries = [] if centers is None else [palette_from_premultiplied(centers)]
        if self.n_transparent or centers is None:
            entries.insert(0, np.array([TRANSPARENT], dtype=np.uint8))
        palette = np.concatenate(entries)
        shown = premultiplied(palette)
        X = self.features()
        if centers is None:
            labels = np.zeros(self.n_colors, dtype=np.intp)
        elif labels is None:
            labels = nearest_centers(X, shown[len(palette) - len(centers):]) + (
                len(palette) - len(centers))
        else:
            labels = np.asarray(labels) + (len(palette) - len(centers))
        diff = X - shown[labels]
        inertia = float(self.counts @ np.einsum("ij,ij->i", diff, diff))
        # Sorted by alpha (stable: the transparent entry stays first, index 0).
        order = np.argsort(palette[:, 3], kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        palette, labels = palette[order], rank[labels]
        lookup = labels if len(labels) else np.zeros(1, dtype=np.intp)  # all transparent
        per_pixel = np.where(self.inverse >= 0, lookup[np.maximum(self.inverse, 0)], 0)
        indices = per_pixel.astype(np.uint8 if len(palette) <= 256 else np.uint16)
        counts = np.bincount(indices.ravel(), minlength=len(palette)).astype(np.int64)
        return Quantized(palette, indices.reshape(self.shape), inertia, n_iter, counts)
