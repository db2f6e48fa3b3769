"""How close a compressed image is to its original: PSNR, SSIM and ΔE in Oklab.

* **PSNR** (dB) of the mean squared error per channel, 0..255 (`psnr`).
* **SSIM** (Wang, Bovik, Sheikh and Simoncelli 2004) of the luma (BT.601 weights), with
  their Gaussian window (σ = 1.5, 11 × 11) and constants, averaged over the image less
  a 5-pixel border: scikit-image's ``structural_similarity(gaussian_weights=True,
  use_sample_covariance=False, data_range=255)`` to rounding (a test checks it).  It is
  computed a strip of rows at a time, so a 12-megapixel photo needs a few megabytes.
* **ΔE** is the mean, over pixels, of the Euclidean distance in Oklab (Björn Ottosson,
  2020; CSS Color 4's deltaEOK) times 100: about 2 is just noticeable side by side.

Images with transparency are measured premultiplied (each channel times alpha), as
their error is: what they show over black, where fully transparent pixels count for
nothing.  scikit-image would do all this but costs a second of import on the command
line's path; the conversion is two 3 × 3 matrices and a cube root.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from kmeans_studio.core.color.conversions import (
    LUMA_WEIGHTS,
    oklab_from_srgb,
    premultiplied,
)
from kmeans_studio.core.engine.parallel import on_every_core

#: SSIM's window and constants (Wang et al.), and the border left out of its mean.
SSIM_SIGMA, SSIM_TRUNCATE, SSIM_BORDER = 1.5, 3.5, 5
_C1, _C2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
#: Pixels of an image measured at once (a strip of whole rows).
_STRIP_PIXELS = 1 << 18


def psnr(mse: float) -> float:
    """PSNR in dB of a mean squared error on the 0..255 scale."""
    return float("inf") if mse <= 0 else 10.0 * math.log10(255.0**2 / mse)


@dataclasses.dataclass(frozen=True)
class Quality:
    """PSNR (dB), SSIM (≤ 1) and ΔE (Oklab × 100) of a result against its original;
    SSIM and ΔE are None when only the PSNR was measured."""

    psnr: float
    ssim: float | None = None
    delta_e: float | None = None


def measure(image: np.ndarray, palette: np.ndarray, indices: np.ndarray, *,
            structure: bool = True) -> Quality:
    """The quality of ``palette[indices]`` (what is written) against `image`, RGB or
    straight RGBA uint8 (then premultiplied); without `structure`, only its PSNR
    (a tenth of the time: no SSIM, no Oklab)."""
    image, palette, indices = np.asarray(image), np.asarray(palette), np.asarray(indices)
    if (image.ndim != 3 or indices.shape != image.shape[:2] or palette.ndim != 2
            or palette.shape[1] != image.shape[2]):
        raise ValueError("The indices must have the image's shape and the palette its channels.")
    shown, lab = _shown(palette), _lab(palette)
    return _measure(image, lambda rows: shown[indices[rows]],
                    (lambda rows: lab[indices[rows]]) if structure else None)


def compare_images(original: np.ndarray, result: np.ndarray) -> Quality:
    """`measure` of two images of the same shape (RGB, or straight RGBA uint8)."""
    original, result = np.asarray(original), np.asarray(result)
    if original.shape != result.shape or original.ndim != 3 or original.shape[2] not in (3, 4):
        raise ValueError("The images must be RGB or RGBA of the same shape.")
    return _measure(original, lambda rows: _shown(result[rows]), lambda rows: _lab(result[rows]))


def _measure(image: np.ndarray, shown_rows, lab_rows) -> Quality:
    """Quality of a result given a strip of rows at a time (`shown_rows(rows)`: its
    shown colours, `lab_rows(rows)`: its Oklab, or None for the PSNR alone), the
    strips on every core (NumPy and SciPy's filters release the GIL)."""
    h, w, channels = image.shape
    border = SSIM_BORDER if min(h, w) > 2 * SSIM_BORDER else 0
    # About 4 MiB of pixels a strip: a 12-megapixel photo measured on two cores
    # peaked 430 MiB above its pixels with strips of 256 rows (1.1 megapixels).
    height = max(1, _STRIP_PIXELS // w)

    def strip(top: int) -> tuple[float, float, float]:
        bottom = min(top + height, h)
        if lab_rows is None:
            diff = _shown(image[top:bottom]) - shown_rows(slice(top, bottom))
            return float(np.vdot(diff, diff)), 0.0, 0.0
        # With the rows SSIM's window reaches on either side (reflected at the edges).
        above, below = max(top - SSIM_BORDER - 1, 0), min(bottom + SSIM_BORDER + 1, h)
        original, result = _shown(image[above:below]), shown_rows(slice(above, below))
        inner = slice(top - above, bottom - above)
        diff = original[inner] - result[inner]
        lab = _lab(image[top:bottom]) - lab_rows(slice(top, bottom))
        distances = float(np.sqrt(np.einsum("...i,...i->...", lab, lab)).sum())
        rows = slice(max(top, border) - above, min(bottom, h - border) - above)
        similarity = 0.0
        if rows.stop > rows.start:
            # In float64: float32's E[x²] - E[x]² loses flat areas' variance.
            local = _ssim_map(original[..., :3] @ LUMA_WEIGHTS, result[..., :3] @ LUMA_WEIGHTS)
            similarity = float(local[rows, border:w - border].sum())
        return float(np.vdot(diff, diff)), distances, similarity
    sums = np.sum(on_every_core(strip, range(0, h, height), "kmeans-quality"), axis=0)
    squares, distances, similarity = map(float, sums)
    if lab_rows is None:
        return Quality(psnr(squares / (h * w * channels)))
    return Quality(psnr(squares / (h * w * channels)),
                   similarity / ((h - 2 * border) * (w - 2 * border)), 100.0 * distances / (h * w))


def _shown(pixels: np.ndarray) -> np.ndarray:
    """RGB as float64; straight RGBA premultiplied (what it shows over black)."""
    if pixels.shape[-1] == 3:
        return pixels.astype(np.float64)
    return premultiplied(pixels)


def _lab(pixels: np.ndarray) -> np.ndarray:
    """Oklab of the colours shown (RGB, or straight RGBA premultiplied)."""
    return oklab_from_srgb(pixels if pixels.shape[-1] == 3 else _shown(pixels)[..., :3])


def _ssim_map(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """SSIM at every pixel of two grey images (0..255), Gaussian window, edges reflected."""
    from scipy.ndimage import gaussian_filter  # (scipy: only when measuring)

    def blur(a):
        return gaussian_filter(a, SSIM_SIGMA, truncate=SSIM_TRUNCATE, mode="reflect")
    mx, my = blur(x), blur(y)
    sxx, syy, sxy = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
    return ((2 * mx * my + _C1) * (2 * sxy + _C2)) / ((mx * mx + my * my + _C1) * (sxx + syy + _C2))
