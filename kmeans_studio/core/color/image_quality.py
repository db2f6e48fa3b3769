"""How close a compressed image is to its original: PSNR, SSIM and ΔE in Oklab.

* **PSNR** (dB) of the mean squared error per channel, 0..255 (`quantize.psnr`).
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

import numpy as np

#: The colour spaces k-means can run in on photos, as the command line and the GUI
#: name them ("luma": `luma.LumaColors`, "oklab": `oklab.OklabColors`).
SPACES = {"srgb": "sRGB", "luma": "sRGB, brightness weighted", "oklab": "Oklab (perceptual)"}

#: Linear sRGB to cone responses, and cube-rooted cones to Oklab (Ottosson's matrices).
_RGB_TO_LMS = np.array([[0.4122214708, 0.5363325363, 0.0514459929],
                        [0.2119034982, 0.6806995451, 0.1073969566],
                        [0.0883024619, 0.2817188376, 0.6299787005]])
_LMS_TO_LAB = np.array([[0.2104542553, 0.7936177850, -0.0040720468],
                        [1.9779984951, -2.4285922050, 0.4505937099],
                        [0.0259040371, 0.7827717662, -0.8086757660]])
_LAB_TO_LMS = np.linalg.inv(_LMS_TO_LAB)
_LMS_TO_RGB = np.linalg.inv(_RGB_TO_LMS)

#: SSIM's window and constants (Wang et al.), and the border left out of its mean.
SSIM_SIGMA, SSIM_TRUNCATE, SSIM_BORDER = 1.5, 3.5, 5
_C1, _C2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
_LUMA = np.array([0.299, 0.587, 0.114])
#: Rows of an image measured at once.
_STRIP = 256


def linear_from_srgb(values: np.ndarray) -> np.ndarray:
    """sRGB values 0..255 (any shape) as linear light 0..1."""
    c = np.asarray(values, dtype=np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def srgb_from_linear(linear: np.ndarray) -> np.ndarray:
    """Linear light 0..1 as sRGB 0..255 (not rounded; values outside the gamut kept)."""
    x = np.asarray(linear, dtype=np.float64)
    curve = 1.055 * np.cbrt(np.abs(x)) ** (3 / 2.4) * np.sign(x) - 0.055
    return 255.0 * np.where(x <= 0.0031308, 12.92 * x, curve)


_LINEAR_TABLE = linear_from_srgb(np.arange(256))


def oklab_from_srgb(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) sRGB 0..255 (uint8 or float) as float64 Oklab (L 0..1)."""
    rgb = np.asarray(rgb)
    linear = _LINEAR_TABLE[rgb] if rgb.dtype == np.uint8 else linear_from_srgb(rgb)
    return np.cbrt(linear @ _RGB_TO_LMS.T) @ _LMS_TO_LAB.T


def srgb_from_oklab(lab: np.ndarray) -> np.ndarray:
    """(..., 3) Oklab as float64 sRGB 0..255 (not rounded or clipped)."""
    return srgb_from_linear((np.asarray(lab, dtype=np.float64) @ _LAB_TO_LMS.T) ** 3
                            @ _LMS_TO_RGB.T)


@dataclasses.dataclass(frozen=True)
class Quality:
    """PSNR (dB), SSIM (≤ 1) and ΔE (Oklab × 100) of a result against its original."""

    psnr: float
    ssim: float
    delta_e: float


def measure(image: np.ndarray, palette: np.ndarray, indices: np.ndarray) -> Quality:
    """The quality of ``palette[indices]`` (what is written) against `image`, RGB or
    straight RGBA uint8 (then premultiplied)."""
    image, palette, indices = np.asarray(image), np.asarray(palette), np.asarray(indices)
    if (image.ndim != 3 or indices.shape != image.shape[:2] or palette.ndim != 2
            or palette.shape[1] != image.shape[2]):
        raise ValueError("The indices must have the image's shape and the palette its channels.")
    shown, lab = _shown(palette), _lab(palette)
    return _measure(image, lambda rows: shown[indices[rows]], lambda rows: lab[indices[rows]])


def compare_images(original: np.ndarray, result: np.ndarray) -> Quality:
    """`measure` of two images of the same shape (RGB, or straight RGBA uint8)."""
    original, result = np.asarray(original), np.asarray(result)
    if original.shape != result.shape or original.ndim != 3 or original.shape[2] not in (3, 4):
        raise ValueError("The images must be RGB or RGBA of the same shape.")
    return _measure(original, lambda rows: _shown(result[rows]), lambda rows: _lab(result[rows]))


def _measure(image: np.ndarray, shown_rows, lab_rows) -> Quality:
    """Quality of a result given a strip of rows at a time (`shown_rows(rows)`: its
    shown colours, `lab_rows(rows)`: its Oklab), the strips on every core (NumPy and
    SciPy's filters release the GIL): a 12-megapixel photo in a few megabytes."""
    from concurrent.futures import ThreadPoolExecutor

    from kmeans_studio.core.engine._compiled import _n_cores
    from kmeans_studio.core.color.quantize import psnr

    h, w, channels = image.shape
    border = SSIM_BORDER if min(h, w) > 2 * SSIM_BORDER else 0

    def strip(top: int) -> tuple[float, float, float]:
        bottom = min(top + _STRIP, h)
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
            local = _ssim_map(original[..., :3] @ _LUMA, result[..., :3] @ _LUMA)
            similarity = float(local[rows, border:w - border].sum())
        return float(np.vdot(diff, diff)), distances, similarity
    with ThreadPoolExecutor(_n_cores()) as pool:
        sums = np.sum(list(pool.map(strip, range(0, h, _STRIP))), axis=0)
    squares, distances, similarity = map(float, sums)
    return Quality(psnr(squares / (h * w * channels)),
                   similarity / ((h - 2 * border) * (w - 2 * border)), 100.0 * distances / (h * w))


def _shown(pixels: np.ndarray) -> np.ndarray:
    """RGB as float64; straight RGBA premultiplied (what it shows over black)."""
    if pixels.shape[-1] == 3:
        return pixels.astype(np.float64)
    from kmeans_studio.core.color.alpha import premultiplied

    return premultiplied(pixels)


def _lab(pixels: np.ndarray) -> np.ndarray:
    """Oklab of the colours shown (RGB, or straight RGBA premultiplied)."""
    return oklab_from_srgb(pixels if pixels.shape[-1] == 3 else _shown(pixels)[..., :3])


def _ssim_map(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """SSIM at every pixel of two grey images (0..255), Gaussian window, edges reflected."""
    from scipy.ndimage import gaussian_filter

    def blur(a):
        return gaussian_filter(a, SSIM_SIGMA, truncate=SSIM_TRUNCATE, mode="reflect")
    mx, my = blur(x), blur(y)
    sxx, syy, sxy = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
    return ((2 * mx * my + _C1) * (2 * sxy + _C2)) / ((mx * mx + my * my + _C1) * (sxx + syy + _C2))
