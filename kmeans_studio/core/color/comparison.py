"""k-means beside Pillow's quantizers on one photo: quality (PSNR, SSIM, ΔE) and time
of each, at the same number of colours (the Image page's comparison table)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from kmeans_studio.core.color.alpha import AlphaColors
from kmeans_studio.core.color.image_quality import measure
from kmeans_studio.core.color.quantize import ImageColors, check_image


@dataclasses.dataclass(frozen=True)
class MethodResult:
    """One row of the comparison table: `quality` is an `image_quality.Quality`."""

    method: str
    n_colors: int
    quality: Any
    seconds: float


PILLOW_METHODS = {  # Pillow's quantizers
    "Median cut": "MEDIANCUT",
    "Max coverage": "MAXCOVERAGE",
    "Fast octree": "FASTOCTREE",
}


def compare_methods(image: np.ndarray, n_colors: int, *, random_state: Any = 0,
                    cancelled: Callable[[], bool] | None = None,
                    kind: type | None = None) -> list[MethodResult] | None:
    """Quality (PSNR, SSIM, ΔE) and time of k-means (`quantize`, first row) and of
    Pillow's quantizers at the same number of colours, each timed the same way: from
    the RGB pixels to a palette and one index per pixel.  None when `cancelled()`
    turns true (asked before each method).  `kind` is the colours' class k-means runs
    on (`ImageColors`, `alpha.AlphaColors` or `oklab.OklabColors`; by default the
    first for RGB, the second for RGBA)."""
    from PIL import Image  # (Pillow: when compared)

    transparent = np.ndim(image) == 3 and np.shape(image)[2] == 4
    if not transparent:
        image = check_image(image)
    rows = []
    pil = Image.fromarray(image)
    for label, name in PILLOW_METHODS.items():
        if cancelled is not None and cancelled():
            return None
        start = time.perf_counter()
        try:
            out = pil.quantize(n_colors, method=getattr(Image.Quantize, name))
        except ValueError:  # e.g. a method that does not support this image (alpha)
            continue
        seconds = time.perf_counter() - start
        indices = np.asarray(out)
        mode = "RGBA" if transparent else "RGB"
        palette = np.array(out.getpalette(mode), dtype=np.int32).reshape(-1, len(mode))
        used = int(np.count_nonzero(np.bincount(indices.ravel(), minlength=len(palette))))
        rows.append(MethodResult(label, used, measure(image, palette, indices), seconds))
    # k-means is timed last: in the app this runs as soon as the run converges, while
    # the GUI still paints that state, and k-means (whose loop is Python between
    # kernels, unlike Pillow's C) would share the interpreter with that painting.
    if cancelled is not None and cancelled():
        return None
    if kind is None:
        kind = AlphaColors if transparent else ImageColors
    start = time.perf_counter()
    ours = kind.from_image(image).quantize(n_colors, random_state=random_state)
    seconds = time.perf_counter() - start
    return [MethodResult(kind.method_name, len(ours.palette),
                         measure(image, ours.palette, ours.indices), seconds), *rows]
