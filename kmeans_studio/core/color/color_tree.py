"""Exact Lloyd iterations on an image's distinct colours, an octree at a time.

The distinct colours of an 8-megapixel photo number about a million, and Lloyd's
algorithm visits each one every iteration.  Most of them, though, sit in small cubes of
colour space that lie wholly inside one centre's Voronoi cell: the filtering algorithm
(Kanungo et al., "An efficient k-means clustering algorithm: analysis and
implementation", IEEE TPAMI 2002) assigns such a cube whole, with its precomputed
weight and sum, and passes smaller cubes only the centres that can still be nearest to
some point in them.  The labels are exactly those of a full scan (nearest centre, the
first one on ties); only the order in which the cluster sums are added differs.
Distances may be measured through a 3x3 matrix M, as |M (x - c)|^2 (`metric`): k-means
on the colours M x, done on the integer cube of the colours themselves.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from kmeans_studio.core.engine.kmeans import inertia_from_sums
from kmeans_studio.core.engine.parallel import shared_pool
from kmeans_studio.core.engine.platform import n_cores

#: Cubes with at most this many colours are scanned colour by colour.
LEAF_SIZE = 16
#: A centre is kept for a cube unless it is farther from all of it by more than this
#: (squared 0..255 units): far above the rounding of the test, far below any real gap.
_MARGIN = 1e-6


def _spread_table() -> np.ndarray:
    """spread[v]: the 8 bits of v moved to every third bit (Morton interleaving)."""
    v = np.arange(256, dtype=np.uint32)
    out = np.zeros(256, dtype=np.uint32)
    for bit in range(8):
        out |= ((v >> bit) & 1) << (3 * bit)
    return out


SPREAD = _spread_table()


def morton(rgb: np.ndarray) -> np.ndarray:
    """uint32 Morton codes (bits of r, g, b interleaved, r highest) of (..., 3) uint8."""
    rgb = np.asarray(rgb, dtype=np.uint8)
    return (SPREAD[rgb[..., 0]] << 2) | (SPREAD[rgb[..., 1]] << 1) | SPREAD[rgb[..., 2]]


def from_morton(codes: np.ndarray) -> np.ndarray:
    """(n, 3) uint8 colours from Morton codes."""
    codes = np.asarray(codes, dtype=np.uint32)
    rgb = np.zeros((len(codes), 3), dtype=np.uint32)
    for bit in range(8):
        for channel in range(3):
            rgb[:, channel] |= ((codes >> (3 * bit + 2 - channel)) & 1) << bit
    return rgb.astype(np.uint8)


@dataclasses.dataclass(frozen=True)
class Progress:
    """What a caller of `ColorTree.lloyd` learns after every iteration."""

    n_iter: int
    inertia: float
    centers: np.ndarray


class ColorTree:
    """The octree of distinct colours and their weights.

    `codes` are the colours' Morton codes, strictly increasing (as `ImageColors`
    keeps them).  Needs the compiled kernels (`_compiled.available()`).

    Attributes
    ----------
    sums, squares : ndarray (3,)
        The weighted sum and sum of squares of every channel.
    """

    def __init__(self, colors: np.ndarray, weights: np.ndarray, codes: np.ndarray, *,
                 leaf_size: int = LEAF_SIZE) -> None:
        from kmeans_studio.core.color import _tree_kernels as kernels

        self._kernels = kernels
        self.colors = np.ascontiguousarray(colors, dtype=np.uint8)
        # Pixel counts stay integers (8 bytes a colour saved against a float copy).
        self.weights = np.ascontiguousarray(weights, dtype=np.int64)
        self.nodes = kernels.build_tree(np.ascontiguousarray(codes, dtype=np.uint32),
                                        int(leaf_size))
        self.geometry, self.squares = kernels.node_geometry(self.nodes, self.colors,
                                                            self.weights)
        self.sums = self.geometry[0, kernels.SUM:kernels.SUM + 3].copy()
        self.total_weighted_norm = float(self.squares.sum())
        self._roots = self._split_roots(n_cores())

    @property
    def n_colors(self) -> int:
        return len(self.colors)

    def _split_roots(self, n_groups: int) -> list[np.ndarray]:
        """Subtrees for `n_groups` threads, in colour order, of about equal size."""
        k = self._kernels
        nodes = self.nodes
        size = nodes[:, k.END] - nodes[:, k.START]
        frontier = [0]
        while len(frontier) < 16 * n_groups and n_groups > 1:
            # Open up the biggest inner node until there are enough pieces to share.
            sizes = [size[i] if nodes[i, k.N_CHILD] else -1 for i in frontier]
            largest = int(np.argmax(sizes))
            if sizes[largest] < 0:
                break
            node = frontier.pop(largest)
            first = nodes[node, k.CHILD]
            frontier[largest:largest] = range(first, first + nodes[node, k.N_CHILD])
        sizes = size[frontier]
        edges = np.searchsorted(np.cumsum(sizes), np.linspace(0, sizes.sum(), n_groups + 1)[1:-1])
        groups = np.split(np.array(frontier, dtype=np.int64), edges)
        return [g for g in groups if len(g)]

    def assign(self, centers: np.ndarray, labels: np.ndarray | None = None,
               metric: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Weight and weighted sum of every centre's colours (each colour to its nearest
        centre, the first on ties; by |metric (x - c)|^2 when a 3x3 `metric` is given);
        fills `labels` (int64, or uint8 for k <= 256; one per colour) when given.

        The subtrees are split into one group per core; the kernel releases the GIL,
        so the groups run in parallel on plain threads.
        """
        C = np.ascontiguousarray(centers, dtype=np.float64)
        if metric is None:  # plain RGB: the kernels' own compilation, on C itself
            M, MC, AC = None, C, C
        else:
            M = np.ascontiguousarray(metric, dtype=np.float64)
            MC = np.ascontiguousarray(C @ M.T)
            AC = np.ascontiguousarray(C @ (M.T @ M))
        k = len(C)
        write = labels is not None
        out = labels if write else np.empty(0, dtype=np.int64)
        parts = [(np.zeros(k), np.zeros((k, 3))) for _ in self._roots]

        def job(roots, part):
            self._kernels.filter_assign(self.nodes, self.geometry, self.colors, self.weights,
                                        C, M, MC, AC, roots, _MARGIN, part[0], part[1],
                                        out, write)
        # The first group runs on this thread, the others on the pool's.
        pool = shared_pool() if len(parts) > 1 else None
        futures = [pool.submit(job, r, p) for r, p in zip(self._roots[1:], parts[1:])]
        job(self._roots[0], parts[0])
        weight, sums = parts[0]
        for future, (w, s) in zip(futures, parts[1:]):
            future.result()
            weight += w
            sums += s
        return weight, sums

    def inertia(self, centers: np.ndarray, weight: np.ndarray, sums: np.ndarray,
                metric: np.ndarray | None = None) -> float:
        """sum of w |M (x - c)|^2 over colours (M: `metric`, else the identity), from the
        cluster sums of an assignment."""
        if metric is None:
            return inertia_from_sums(self.total_weighted_norm, centers, weight, sums)
        M = np.asarray(metric, dtype=np.float64)
        norm = float(np.trace(M @ self.second_moments @ M.T))
        return inertia_from_sums(norm, centers @ M.T, weight, sums @ M.T)

    @functools.cached_property
    def second_moments(self) -> np.ndarray:
        """sum of w x x^T over the colours (3x3), a million colours at a time."""
        out = np.zeros((3, 3))
        for start in range(0, self.n_colors, 1 << 20):
            block = self.colors[start:start + (1 << 20)].astype(np.float64)
            out += (block.T * self.weights[start:start + (1 << 20)]) @ block
        return out

    def lloyd(self, init: np.ndarray, *, tol: float, max_iter: int = 300,
              callback: Callable[[Progress], Any] | None = None,
              metric: np.ndarray | None = None) -> tuple[np.ndarray, int] | None:
        """Lloyd iterations from `init` until the centres move less than `tol` (sum of
        squared shifts, as scikit-learn; measured through `metric` when given, as
        k-means on the colours M x would) or `max_iter`; returns (centres, iterations).

        Returns None when a cluster empties: scikit-learn then moves it to the colour
        farthest from its centre, which needs every colour's distance (the engine's job).
        `callback` gets a `Progress` after every iteration; returning False stops.
        """
        C = np.array(init, dtype=np.float64)
        M = np.eye(3) if metric is None else np.asarray(metric, dtype=np.float64)
        n_iter = 0
        while n_iter < max_iter:
            weight, sums = self.assign(C, metric=metric)
            n_iter += 1
            if np.any(weight == 0):
                return None
            C_new = sums / weight[:, None]
            shift = float((((C_new - C) @ M.T) ** 2).sum())
            if callback is not None and callback(
                    Progress(n_iter, self.inertia(C, weight, sums, metric), C_new)) is False:
                return C_new, n_iter
            C = C_new
            if shift <= tol:
                break
        return C, n_iter
