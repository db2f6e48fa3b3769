"""What colours clustered through the engine share: samples weighted by their pixel
counts (`WeightedSamples`: `alpha.AlphaColors`, and through `ConvertedColors`), and an
opaque image's sRGB colours clustered as other features (`ConvertedColors`:
`oklab.OklabColors`, `luma.LumaColors`)."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import numpy as np

from kmeans_studio.core.color.quantize import ImageColors, engine_run, initial_palette
from kmeans_studio.core.engine.kmeans import KMeansRun


class WeightedSamples:
    """What colours clustered through the engine share (`alpha.AlphaColors`,
    `oklab.OklabColors`): their samples are `features()`, weighted by `counts`."""

    def tolerance_scale(self) -> float:
        """scikit-learn's tolerance scale is the variance of every pixel, not of the
        distinct colours the engine is given: this factor gives the same stop."""
        return self._tolerance_scale

    @functools.cached_property
    def _tolerance_scale(self) -> float:
        return weighted_tolerance_scale(self.features(), self.counts)

    def engine_run(self, init: np.ndarray, *, max_iter: int = 300, tol: float = 1e-4
                   ) -> KMeansRun:
        """`engine_run` of these colours."""
        return engine_run(self, init, max_iter=max_iter, tol=tol)


@dataclasses.dataclass(frozen=True)
class ConvertedColors(WeightedSamples):
    """An opaque image's colours (`ImageColors`) clustered as other features
    (`convert` of the sRGB colours): what Oklab (`oklab.OklabColors`) and the
    brightness-weighted space (`luma.LumaColors`) share.  `colors`, `counts`,
    `inverse` and `shape` are the sRGB ones."""

    rgb: ImageColors

    @classmethod
    def from_image(cls, image: np.ndarray):
        return cls(ImageColors.from_image(image))

    shape = property(lambda self: self.rgb.shape)
    inverse = property(lambda self: self.rgb.inverse)
    colors = property(lambda self: self.rgb.colors)
    counts = property(lambda self: self.rgb.counts)
    n_pixels = property(lambda self: self.rgb.n_pixels)
    n_colors = property(lambda self: self.rgb.n_colors)

    @staticmethod
    def convert(colors: np.ndarray) -> np.ndarray:
        """sRGB colours (n, 3) as the features k-means runs on."""
        raise NotImplementedError

    def features(self) -> np.ndarray:
        """The distinct colours converted (float64, read-only, made once)."""
        return self._features

    @functools.cached_property
    def _features(self) -> np.ndarray:
        features = self.convert(self.rgb.colors)
        features.setflags(write=False)
        return features

    def initial_palette(self, n_colors: int, random_state: Any = 0) -> np.ndarray:
        """k-means++ on the converted colours of a sample of the pixels."""
        return initial_palette(self.rgb, n_colors, random_state,
                               features_of=lambda rows: self.features()[rows])


def weighted_pixel_variance(X: np.ndarray, counts: np.ndarray) -> float:
    """The pixels' mean per-feature variance, from their distinct colours' samples `X`
    and counts."""
    counts = counts.astype(np.float64)
    mean = counts @ X / counts.sum()
    return float(np.mean(counts @ (X * X) / counts.sum() - mean * mean))


def weighted_tolerance_scale(X: np.ndarray, counts: np.ndarray) -> float:
    """`tolerance_scale` for colours given as samples `X` (premultiplied RGBA, Oklab)
    with their pixel counts: the pixels' mean variance over the distinct colours'."""
    pixels = weighted_pixel_variance(X, counts)
    distinct = float(np.mean(np.var(X, axis=0)))
    return pixels / distinct if distinct > 0 else 1.0
