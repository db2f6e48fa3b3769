"""Colour-space conversions shared by the colour spaces and the quality measures: sRGB
and linear light, Oklab (Björn Ottosson, 2020), premultiplied alpha, and Rec. 601's
luma weights.  A leaf: numpy only."""

from __future__ import annotations

import numpy as np

#: Rec. 601's luma weights (R, G, B): SSIM's grey, and the direction `luma` stretches.
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114])

#: Linear sRGB to cone responses, and cube-rooted cones to Oklab (Ottosson's matrices).
RGB_TO_LMS = np.array([[0.4122214708, 0.5363325363, 0.0514459929],
                       [0.2119034982, 0.6806995451, 0.1073969566],
                       [0.0883024619, 0.2817188376, 0.6299787005]])
LMS_TO_LAB = np.array([[0.2104542553, 0.7936177850, -0.0040720468],
                       [1.9779984951, -2.4285922050, 0.4505937099],
                       [0.0259040371, 0.7827717662, -0.8086757660]])
LAB_TO_LMS = np.linalg.inv(LMS_TO_LAB)
LMS_TO_RGB = np.linalg.inv(RGB_TO_LMS)


def linear_from_srgb(values: np.ndarray) -> np.ndarray:
    """sRGB values 0..255 (any shape) as linear light 0..1."""
    c = np.asarray(values, dtype=np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def srgb_from_linear(linear: np.ndarray) -> np.ndarray:
    """Linear light 0..1 as sRGB 0..255 (not rounded; values outside the gamut kept)."""
    x = np.asarray(linear, dtype=np.float64)
    curve = 1.055 * np.cbrt(np.abs(x)) ** (3 / 2.4) * np.sign(x) - 0.055
    return 255.0 * np.where(x <= 0.0031308, 12.92 * x, curve)


LINEAR_TABLE = linear_from_srgb(np.arange(256))


def oklab_from_srgb(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) sRGB 0..255 (uint8 or float) as float64 Oklab (L 0..1)."""
    rgb = np.asarray(rgb)
    linear = LINEAR_TABLE[rgb] if rgb.dtype == np.uint8 else linear_from_srgb(rgb)
    return np.cbrt(linear @ RGB_TO_LMS.T) @ LMS_TO_LAB.T


def srgb_from_oklab(lab: np.ndarray) -> np.ndarray:
    """(..., 3) Oklab as float64 sRGB 0..255 (not rounded or clipped)."""
    return srgb_from_linear((np.asarray(lab, dtype=np.float64) @ LAB_TO_LMS.T) ** 3
                            @ LMS_TO_RGB.T)


def premultiplied(rgba: np.ndarray) -> np.ndarray:
    """(..., 4) uint8 straight RGBA as float64 premultiplied RGBA (0..255)."""
    rgba = np.asarray(rgba, dtype=np.float64)
    return np.concatenate([rgba[..., :3] * (rgba[..., 3:] / 255.0), rgba[..., 3:]], axis=-1)
