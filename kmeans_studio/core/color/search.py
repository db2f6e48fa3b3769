"""Searches over the number of colours of one photo, its colours counted once: the
fewest colours reaching a quality (``--quality``), the most within a file size
(``--max-size``), and the quality curve (PSNR and PNG bytes at several k)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from kmeans_studio.core.color.quantize import ImageColors, Quantized, check_n_colors


@dataclasses.dataclass(frozen=True)
class ColorSearch:
    """The outcome of a search over the number of colours: the result kept (None when
    no number of colours will do) and every result tried, by k, in the order tried."""

    result: Quantized | None
    tried: dict[int, Quantized]


def search_colors(colors: ImageColors, enough: Callable[[Quantized], bool],
                  max_colors: int = 256, *, random_state: Any = 0
                  ) -> tuple[int | None, dict[int, Quantized]]:
    """The fewest colours k <= max_colors whose result is `enough` (None when even
    max_colors is not), and every result tried.  `colors` are an image's counted
    colours: `ImageColors`, or `alpha.AlphaColors` for an image with transparency.

    A bisection over k on the photo's colours, counted and built into the colour tree
    once: about log2(max_colors) runs.  k-means' results need not change strictly with
    k, so the k returned is the smallest *tried* that is enough, and it always is.
    """
    check_n_colors(max_colors)
    tried: dict[int, Quantized] = {}

    def is_enough(k: int) -> bool:
        if k not in tried:
            tried[k] = colors.quantize(k, random_state=random_state)
        return enough(tried[k])
    if not is_enough(max_colors):
        return None, tried
    low, high = 0, max_colors  # enough at high; not known at low
    while high - low > 1:
        middle = (low + high) // 2
        if is_enough(middle):
            high = middle
        else:
            low = middle
    return high, tried


def fewest_colors(colors: ImageColors, minimum: float, target: float, max_colors: int = 256,
                  *, random_state: Any = 0) -> ColorSearch:
    """The fewest colours (at most `max_colors`) whose result reaches `target` PSNR dB,
    as pngquant's ``--quality min-max``; when none does, `max_colors` if that reaches
    `minimum`, else no result (`search_colors`)."""
    if not (np.isfinite(minimum) and np.isfinite(target) and 0 <= minimum <= target):
        raise ValueError(f"The quality range must be two PSNR values in dB with "
                         f"0 ≤ MIN ≤ MAX, not {minimum:g}-{target:g}.")
    k, tried = search_colors(colors, lambda result: result.psnr >= target, max_colors,
                             random_state=random_state)
    if k is None:
        most = tried[max_colors]
        return ColorSearch(most if most.psnr >= minimum else None, tried)
    return ColorSearch(tried[k], tried)


def most_colors_within(colors: ImageColors, max_bytes: int, size: Callable[[Quantized], int],
                       max_colors: int = 256, *, random_state: Any = 0) -> ColorSearch:
    """The most colours (at most `max_colors`) whose file, as `size` measures it, is
    at most `max_bytes`; no result when even one colour is too big."""
    k, tried = search_colors(colors, lambda result: size(result) > max_bytes, max_colors,
                             random_state=random_state)
    if k is None:
        return ColorSearch(tried[max_colors], tried)  # even the most colours fit
    # The bisection tried k - 1 (it fits) unless k = 1: then nothing fits.
    return ColorSearch(tried[k - 1] if k > 1 else None, tried)


#: The numbers of colours the quality curve of a photo tries (about evenly on a log
#: scale, as PSNR grows with log k).
CURVE_KS = (2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256)


@dataclasses.dataclass(frozen=True)
class CurvePoint:
    """One k of a photo's quality curve: PSNR (dB) and the indexed PNG's bytes."""

    n_colors: int
    psnr: float
    png_bytes: int


def quality_curve(colors: ImageColors, ks: tuple[int, ...] = CURVE_KS, *,
                  random_state: Any = 0, cancelled: Callable[[], bool] | None = None,
                  each: Callable[[CurvePoint], Any] | None = None) -> list[CurvePoint] | None:
    """k-means at each k of `ks` (a k-sweep on the photo's counted colours; up to the
    number of distinct colours, where the result is exact): PSNR and PNG size.
    `each(point)` is told each point as it comes; None when `cancelled()` (asked
    before each k) turns true."""
    from kmeans_studio.core.color.images import (
        indexed_png_bytes,  # (Pillow: when asked)
    )

    points = []
    for k in ks:
        if cancelled is not None and cancelled():
            return None
        check_n_colors(k)
        result = colors.quantize(min(k, colors.n_colors), random_state=random_state)
        point = CurvePoint(k, result.psnr, len(indexed_png_bytes(result.palette, result.indices)))
        points.append(point)
        if each is not None:
            each(point)
        if k >= colors.n_colors:
            break  # every colour kept: more cannot change anything
    return points
