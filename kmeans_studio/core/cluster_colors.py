"""The colours of clusters, the same in the window and in exported animations."""

from __future__ import annotations

import colorsys

import numpy as np

# Okabe & Ito's colour-blind-safe set, then Paul Tol's "muted" set.
_BASE = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442",
    "#999999", "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77",
    "#CC6677", "#882255", "#AA4499",
]


def cluster_colors(k: int) -> np.ndarray:
    """(k, 3) uint8 RGB; colour j always belongs to cluster j."""
    colors = [tuple(int(h[i:i + 2], 16) for i in (1, 3, 5)) for h in _BASE[:k]]
    golden = 0.618033988749895
    for j in range(len(colors), k):  # beyond the named sets: well-spread hues
        r, g, b = colorsys.hsv_to_rgb((j * golden) % 1.0, 0.65, 0.85)
        colors.append((int(r * 255), int(g * 255), int(b * 255)))
    return np.array(colors, dtype=np.uint8).reshape(k, 3)
