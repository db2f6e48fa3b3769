"""Colour quantization in Oklab, a perceptual colour space, instead of sRGB.

In sRGB, k-means spends palette entries where the numbers differ most; in Oklab
(Björn Ottosson, 2020), equal distances look about equally different, so dark and
saturated areas get the entries the eye asks for.  The image's distinct colours are
converted to Oklab once, clustered there with their pixel counts as weights (the
engine, `KMeansRun`), the centres are converted back to sRGB and rounded exactly once,
and every colour takes the palette entry nearest to it *in Oklab*.  The error and PSNR
reported stay sRGB's, so the two spaces can be compared.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from kmeans_studio.core.color.conversions import (
    LMS_TO_LAB,
    RGB_TO_LMS,
    oklab_from_srgb,
    srgb_from_oklab,
)
from kmeans_studio.core.color.converted import ConvertedColors
from kmeans_studio.core.color.quantize import Quantized, check_n_colors, quantized
from kmeans_studio.core.engine.kmeans import nearest_centers

#: What a script exported from a run in Oklab adds (`OklabColors.script_code`).
_SCRIPT = '''
# In Oklab (Björn Ottosson's perceptual colour space): k-means on the colours there.
RGB_TO_LMS = np.array({rgb_to_lms})
LMS_TO_LAB = np.array({lms_to_lab})


def oklab(rgb):
    """sRGB 0..255 as Oklab."""
    c = rgb / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return np.cbrt(linear @ RGB_TO_LMS.T) @ LMS_TO_LAB.T


def srgb(lab):
    """Oklab as sRGB 0..255 (not rounded)."""
    linear = (lab @ np.linalg.inv(LMS_TO_LAB).T) ** 3 @ np.linalg.inv(RGB_TO_LMS).T
    curve = 1.055 * np.cbrt(np.abs(linear)) ** (3 / 2.4) * np.sign(linear) - 0.055
    return 255.0 * np.where(linear <= 0.0031308, 12.92 * linear, curve)


X = oklab(X)
'''


@dataclasses.dataclass(frozen=True)
class OklabColors(ConvertedColors):
    """An opaque image's colours (`ImageColors`), clustered in Oklab.

    Answers what the Image page and the command line ask of an image's colours, as
    `ImageColors` does; `colors`, `counts`, `inverse` and `shape` are the sRGB ones.
    """

    method_name = "k-means (Oklab)"  # in the comparison table
    #: The feature names of the samples (CSV exports).
    feature_names = tuple(f"Oklab {axis}" for axis in "Lab")
    convert = staticmethod(oklab_from_srgb)
    space_title = "Oklab (perceptual)"  # as a colour space: see `ImageColors.space_title`
    space_help = "perceptual: higher SSIM and lower ΔE, lower PSNR, slower"
    space_note = ", clustered in Oklab"
    script_centers_srgb = "srgb(kmeans.cluster_centers_)"
    script_palette_features = "oklab(palette.astype(np.float64))"

    @staticmethod
    def script_code() -> str:
        """Python lines turning the script's sRGB colours `X` into Oklab."""
        return _SCRIPT.format(rgb_to_lms=RGB_TO_LMS.tolist(), lms_to_lab=LMS_TO_LAB.tolist())

    def assigner(self) -> None:
        """The octree works on sRGB's integer cube: the engine assigns in Oklab."""
        return None

    def rgb_of(self, features: np.ndarray) -> np.ndarray:
        """Samples or centres as sRGB coordinates (0..255, not rounded): where the
        colour cloud draws them."""
        return srgb_from_oklab(features)

    def palette_of(self, centers: np.ndarray) -> np.ndarray:
        """The centres as a uint8 sRGB palette (clipped to the gamut, rounded)."""
        return np.clip(np.rint(srgb_from_oklab(centers)), 0, 255).astype(np.uint8)

    def preview(self, centers: np.ndarray, labels: np.ndarray | None = None) -> Quantized:
        """The image a state gives; without labels, every colour to the palette entry
        nearest in Oklab (as saved)."""
        palette = self.palette_of(centers)
        if labels is None:
            labels = nearest_centers(self.features(), oklab_from_srgb(palette))
        return quantized(self.rgb, palette, labels)

    def quantize(self, n_colors: int, *, random_state: Any = 0, max_iter: int = 300,
                 tol: float = 1e-4, callback: Callable | None = None) -> Quantized:
        """k-means in Oklab to at most `n_colors` colours (`quantize.quantize_colors`'
        contract: `callback` gets every update; returning False stops)."""
        check_n_colors(n_colors)
        init = self.initial_palette(n_colors, random_state)
        if len(init) >= self.n_colors:  # no more colours than asked: kept exactly
            return self.preview(init)
        run = self.engine_run(init, max_iter=max_iter, tol=tol)
        final = run.run(callback=None if callback is None else
                        (lambda state: callback(state) if state.phase == "update" else None))
        return dataclasses.replace(self.preview(final.centers), n_iter=final.n_iter)
