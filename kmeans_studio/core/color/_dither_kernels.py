"""Compiled loops of `dither`: nearest-entry lookup cells and error diffusion."""

from __future__ import annotations

import numpy as np

from kmeans_studio.core.engine.jit import njit

#: The lookup grid: 2**CELL_BITS cells per channel, each 256 >> CELL_BITS levels wide.
CELL_BITS = 5
CELL = 256 >> CELL_BITS


@njit(cache=True, nogil=True)
def candidate_cells(palette):  # pragma: no cover - compiled
    """For every cell of the RGB grid, the palette entries that can be nearest to some
    colour in it (in increasing order): (starts, entries), starts of length cells + 1.

    An entry is kept when its distance to the cell's nearest point is at most the
    smallest distance any entry has to the cell's farthest point: every colour of the
    cell has its nearest entries (ties too) among them."""
    n = 1 << CELL_BITS
    k = palette.shape[0]
    starts = np.zeros(n * n * n + 1, dtype=np.int64)
    entries = np.empty(n * n * n * 4, dtype=np.int32)  # grown when needed
    low = np.empty(k)
    used = 0
    for cell in range(n * n * n):
        lo = np.array([(cell // (n * n)) * CELL, ((cell // n) % n) * CELL, (cell % n) * CELL],
                      dtype=np.float64)
        # The error-diffused colours are real numbers: a cell holds [lo, lo + CELL),
        # not only its integer levels (with lo + CELL - 1 an entry nearest to 71.4 in
        # the cell 64..71 was dropped, and a farther one taken).
        hi = lo + CELL
        threshold = np.inf
        for j in range(k):
            near = 0.0
            far = 0.0
            for c in range(3):
                p = palette[j, c]
                d = lo[c] - p if p < lo[c] else (p - hi[c] if p > hi[c] else 0.0)
                near += d * d
                f = max(p - lo[c], hi[c] - p)
                far += f * f
            low[j] = near
            if far < threshold:
                threshold = far
        threshold *= 1.0 + 1e-9  # rounding must not drop an entry on the boundary
        for j in range(k):
            if low[j] <= threshold:
                if used == entries.size:
                    grown = np.empty(entries.size * 2, dtype=np.int32)
                    grown[:used] = entries
                    entries = grown
                entries[used] = j
                used += 1
        starts[cell + 1] = used
    return starts, entries[:used]


@njit(cache=True, nogil=True)
def _nearest(r, g, b, palette, starts, entries):  # pragma: no cover - compiled
    """The nearest palette entry to (r, g, b) in 0..255 (the first on ties)."""
    n = 1 << CELL_BITS
    cell = ((min(int(r), 255) >> (8 - CELL_BITS)) * n * n
            + (min(int(g), 255) >> (8 - CELL_BITS)) * n
            + (min(int(b), 255) >> (8 - CELL_BITS)))
    best = -1
    best_d = np.inf
    for i in range(starts[cell], starts[cell + 1]):
        j = entries[i]
        dr = r - palette[j, 0]
        dg = g - palette[j, 1]
        db = b - palette[j, 2]
        d = dr * dr + dg * dg + db * db
        if d < best_d:  # entries in increasing order: the first on ties
            best_d = d
            best = j
    return best


@njit(cache=True, nogil=True)
def diffuse(image, palette, amount, starts, entries, out):  # pragma: no cover - compiled
    """Floyd–Steinberg error diffusion in serpentine order (rows alternate direction):
    each pixel plus the error it received (clamped to 0..255) takes its nearest
    entry, and `amount[y, x]` (0..1) of the difference goes on to its neighbours in
    the proportions 7, 3, 5, 1 (of 16).  Fills `out` (H, W) with the entries."""
    h, w = out.shape
    here = np.zeros((w + 2, 3))  # error carried into this row (one pixel of margin)
    below = np.zeros((w + 2, 3))
    want = np.empty(3)
    for y in range(h):
        forward = y % 2 == 0
        for step in range(w):
            x = step if forward else w - 1 - step
            ahead = 1 if forward else -1
            r = min(max(image[y, x, 0] + here[x + 1, 0], 0.0), 255.0)
            g = min(max(image[y, x, 1] + here[x + 1, 1], 0.0), 255.0)
            b = min(max(image[y, x, 2] + here[x + 1, 2], 0.0), 255.0)
            j = _nearest(r, g, b, palette, starts, entries)
            out[y, x] = j
            a = amount[y, x]
            want[0], want[1], want[2] = r, g, b
            for c in range(3):
                e = (want[c] - palette[j, c]) * a
                here[x + 1 + ahead, c] += e * (7.0 / 16.0)
                below[x + 1 - ahead, c] += e * (3.0 / 16.0)
                below[x + 1, c] += e * (5.0 / 16.0)
                below[x + 1 + ahead, c] += e * (1.0 / 16.0)
        here, below = below, here
        below[:, :] = 0.0


@njit(cache=True, nogil=True)
def run_weights(indices, out):  # pragma: no cover - compiled
    """libimagequant's measure of how flat the undithered result is around each pixel:
    along each row, a run of one entry scores 10 a pixel, and 15 more for each of its
    pixels whose neighbour above or below has that entry too; every pixel of the run
    gets 1 - 20 / (20 + score).  Long, wide runs (bands) near 1; lone pixels near 0."""
    h, w = indices.shape
    for y in range(h):
        start = 0
        for x in range(1, w + 1):
            if x < w and indices[y, x] == indices[y, start]:
                continue
            entry = indices[y, start]
            score = 10 * (x - start)
            for i in range(start, x):
                if y > 0 and indices[y - 1, i] == entry:
                    score += 15
                if y < h - 1 and indices[y + 1, i] == entry:
                    score += 15
            for i in range(start, x):
                out[y, i] = 1.0 - 20.0 / (20.0 + score)
            start = x
