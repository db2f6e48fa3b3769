"""numba kernels of the colour octree (imported lazily by `color_tree`, never at start-up).

Module-level functions, so numba's on-disk cache finds them again in the next process.
Colours are sorted by their Morton code (the bits of r, g and b interleaved), so every
cube of the octree holds a contiguous run of them.

The assignment measures distances as |M (x - c)|^2 for a 3x3 matrix M (None, the
identity: plain RGB, compiled apart; a stretch along the luma axis weighs brightness
more): `MC` are the centres times M^T and `AC` the centres times A = M^T M, so the
bisecting plane of centres a and b has the normal A (c_b - c_a) = AC[b] - AC[a].
"""

import numpy as np

from kmeans_studio.core.engine.jit import njit

# Node table columns.
START, END, LEVEL, CHILD, N_CHILD = range(5)
# Geometry columns: box middle, box half-widths, weight, weighted sum.
MID, HALF, WEIGHT, SUM = 0, 3, 6, 7


@njit(cache=True, nogil=True, inline="always")
def _code(pixels, p, spread):  # pragma: no cover - compiled
    return (spread[pixels[p, 0]] << 2) | (spread[pixels[p, 1]] << 1) | spread[pixels[p, 2]]


@njit(cache=True, nogil=True, inline="always")
def _popcount(x):  # pragma: no cover - compiled
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return (x * np.uint64(0x0101010101010101)) >> np.uint64(56)


@njit(cache=True, nogil=True)
def distinct_colors(pixels, spread):  # pragma: no cover - compiled
    """The distinct Morton codes of an (n, 3) uint8 array in increasing order, their
    colours and counts, and each pixel's index among them.

    A bitmap of all 2^24 codes (2 MiB) marks the colours present; a running count of
    set bits per 64-bit word turns a code into its rank.  Both stay in cache, so each
    pass over the pixels costs about as much as reading them, with no sort.
    """
    n = pixels.shape[0]
    bits = np.zeros(1 << 18, dtype=np.uint64)
    one = np.uint64(1)
    for p in range(n):
        code = _code(pixels, p, spread)
        bits[code >> 6] |= one << np.uint64(code & 63)
    rank = np.empty((1 << 18) + 1, dtype=np.int64)
    total = 0
    for word in range(1 << 18):
        rank[word] = total
        total += _popcount(bits[word])
    rank[1 << 18] = total
    codes = np.empty(total, dtype=np.uint32)
    colors = np.zeros((total, 3), dtype=np.uint8)
    m = 0
    for word in range(1 << 18):
        value = bits[word]
        while value:
            low = value & (~value + one)  # lowest set bit
            code = (word << 6) + _popcount(low - one)
            codes[m] = code
            for bit in range(8):  # undo the interleaving
                for channel in range(3):
                    colors[m, channel] |= ((code >> (3 * bit + 2 - channel)) & 1) << bit
            m += 1
            value ^= low
    inverse = np.empty(n, dtype=np.int32)
    counts = np.zeros(total, dtype=np.int64)
    for p in range(n):
        code = _code(pixels, p, spread)
        word = code >> 6
        below = bits[word] & ((one << np.uint64(code & 63)) - one)
        index = rank[word] + _popcount(below)
        inverse[p] = index
        counts[index] += 1
    return codes, colors, counts, inverse


@njit(cache=True, nogil=True)
def render_indices(inverse, labels, indices):  # pragma: no cover - compiled
    """Each pixel's label, ``labels[inverse]``, without the GIL."""
    for p in range(inverse.shape[0]):
        indices[p] = labels[inverse[p]]


@njit(cache=True, nogil=True)
def paint(indices, palette, out):  # pragma: no cover - compiled
    """Each pixel's colour, ``palette[indices]``, without the GIL."""
    for p in range(indices.shape[0]):
        for c in range(palette.shape[1]):
            out[p, c] = palette[indices[p], c]


@njit(cache=True, nogil=True)
def _grown(nodes, n_nodes):  # pragma: no cover - compiled
    bigger = np.empty((2 * nodes.shape[0], nodes.shape[1]), dtype=nodes.dtype)
    bigger[:n_nodes] = nodes[:n_nodes]
    return bigger


@njit(cache=True, nogil=True)
def build_tree(codes, leaf_size):  # pragma: no cover - compiled
    """The octree over Morton-sorted codes, breadth first: one row per node of
    (start, end, level, first child, number of children).

    A cube whose colours all lie in one of its eighths is not a node of its own (its
    level just deepens), so every inner node has at least two children.  Cubes of at
    most `leaf_size` colours, and single colours, are leaves.
    """
    m = codes.shape[0]
    nodes = np.zeros((max(16, m // 4), 5), dtype=np.int32)
    nodes[0, START] = 0
    nodes[0, END] = m
    n_nodes = 1
    head = 0
    while head < n_nodes:
        a = nodes[head, START]
        b = nodes[head, END]
        if b - a <= leaf_size:
            head += 1
            continue
        while nodes[head, LEVEL] < 8:
            shift = 3 * (7 - nodes[head, LEVEL])
            if (codes[a] >> shift) != (codes[b - 1] >> shift):
                break
            nodes[head, LEVEL] += 1  # one eighth holds everything: go deeper
        level = nodes[head, LEVEL]
        if level == 8:  # one colour
            head += 1
            continue
        shift = 3 * (7 - level)
        nodes[head, CHILD] = n_nodes
        i = a
        while i < b:
            key = codes[i] >> shift
            j = i + 1
            while j < b and (codes[j] >> shift) == key:
                j += 1
            if n_nodes == nodes.shape[0]:
                nodes = _grown(nodes, n_nodes)
            nodes[n_nodes, START] = i
            nodes[n_nodes, END] = j
            nodes[n_nodes, LEVEL] = level + 1
            nodes[n_nodes, CHILD] = 0
            nodes[n_nodes, N_CHILD] = 0
            n_nodes += 1
            nodes[head, N_CHILD] += 1
            i = j
        head += 1
    return nodes[:n_nodes].copy()


@njit(cache=True, nogil=True)
def node_geometry(nodes, colors, weights):  # pragma: no cover - compiled
    """Per node: the tight box of its colours (middle and half-widths), their total
    weight and weighted sum (children before parents: nodes are breadth first, so
    walk backwards); and the weighted sum of squares of each channel."""
    n_nodes = nodes.shape[0]
    squares = np.zeros(3)
    lo = np.full((n_nodes, 3), 255.0)
    hi = np.zeros((n_nodes, 3))
    geom = np.zeros((n_nodes, 10))
    for node in range(n_nodes - 1, -1, -1):
        n_child = nodes[node, N_CHILD]
        if n_child == 0:
            for i in range(nodes[node, START], nodes[node, END]):
                geom[node, WEIGHT] += weights[i]
                for t in range(3):
                    x = colors[i, t]
                    lo[node, t] = min(lo[node, t], x)
                    hi[node, t] = max(hi[node, t], x)
                    geom[node, SUM + t] += weights[i] * x
                    squares[t] += weights[i] * x * x
        else:
            first = nodes[node, CHILD]
            for child in range(first, first + n_child):
                geom[node, WEIGHT] += geom[child, WEIGHT]
                for t in range(3):
                    lo[node, t] = min(lo[node, t], lo[child, t])
                    hi[node, t] = max(hi[node, t], hi[child, t])
                    geom[node, SUM + t] += geom[child, SUM + t]
        for t in range(3):
            geom[node, MID + t] = 0.5 * (lo[node, t] + hi[node, t])
            geom[node, HALF + t] = 0.5 * (hi[node, t] - lo[node, t])
    return geom, squares


@njit(cache=True, nogil=True, inline="always")
def _distance(colors, i, M, MC, j):  # pragma: no cover - compiled
    """|M x_i - M c_j|^2 (M None: the identity, compiled apart: 7% of a 12 MP photo's
    whole command)."""
    value = 0.0
    for t in range(3):
        if M is None:
            diff = colors[i, t] - MC[j, t]
        else:
            diff = (M[t, 0] * colors[i, 0] + M[t, 1] * colors[i, 1]
                    + M[t, 2] * colors[i, 2] - MC[j, t])
        value += diff * diff
    return value


@njit(cache=True, nogil=True)
def _scan_two(a, b, start, end, colors, weights, C, M, MC, AC, margin, weight, sums,
              labels, write_labels):  # pragma: no cover - compiled
    """Colours start..end to the nearer of centres a < b: by the side of their
    bisecting plane, or by the two distances within `margin` of it (a on ties)."""
    N = C if M is None else AC  # (None: read C itself, 50% faster than an alias of it)
    n0 = N[b, 0] - N[a, 0]
    n1 = N[b, 1] - N[a, 1]
    n2 = N[b, 2] - N[a, 2]
    c = 0.5 * (n0 * (C[a, 0] + C[b, 0]) + n1 * (C[a, 1] + C[b, 1]) + n2 * (C[a, 2] + C[b, 2]))
    for i in range(start, end):
        side = n0 * colors[i, 0] + n1 * colors[i, 1] + n2 * colors[i, 2] - c
        if side < -0.5 * margin:
            best = a
        elif side > 0.5 * margin:
            best = b
        else:
            to_a = _distance(colors, i, M, MC, a)
            best = a if to_a <= _distance(colors, i, M, MC, b) else b
        weight[best] += weights[i]
        for t in range(3):
            sums[best, t] += weights[i] * colors[i, t]
        if write_labels:
            labels[i] = best


@njit(cache=True, nogil=True)
def filter_assign(nodes, geom, colors, weights, C, M, MC, AC, roots, margin, weight,
                  sums, labels, write_labels):  # pragma: no cover - compiled
    """One exact assignment of every colour to its nearest centre (the first one on
    ties), by Kanungo et al.'s filtering: a cube passes its children only the centres
    that can be nearest to some point of it, and a cube with one such centre goes to
    it whole, with its precomputed weight and sum.  Adds into `weight` and `sums`;
    writes `labels` when asked.

    Candidate lists stay in index order, so a strict < scan keeps the first of equals.
    A centre is dropped for a box only when it is farther from every point of the box
    by more than `margin` (squared units): exact ties are always scanned.
    """
    k = C.shape[0]
    N = C if M is None else AC  # the normals' centres (see _scan_two)
    depth_cap = 12
    cand = np.empty((depth_cap, k), dtype=np.int64)
    n_cand = np.zeros(depth_cap, dtype=np.int64)
    for j in range(k):
        cand[0, j] = j
    n_cand[0] = k
    stack_node = np.empty(roots.shape[0] + 8 * depth_cap, dtype=np.int64)
    stack_depth = np.empty_like(stack_node)
    top = 0
    for r in range(roots.shape[0] - 1, -1, -1):
        stack_node[top] = roots[r]
        stack_depth[top] = 0
        top += 1
    while top > 0:
        top -= 1
        node = stack_node[top]
        d = stack_depth[top]
        nc = n_cand[d]
        e = d + 1
        if nc == 2:
            # Two centres (most boxes near a boundary): which side of their
            # bisecting plane n.x = c does the box lie on?
            a = cand[d, 0]
            b = cand[d, 1]
            proj = 0.0
            extent = 0.0
            c = 0.0
            for t in range(3):
                n = N[b, t] - N[a, t]
                proj += n * geom[node, MID + t]
                extent += abs(n) * geom[node, HALF + t]
                c += 0.5 * n * (C[b, t] + C[a, t])
            # 2 (n.x - c) = |x - c_a|^2 - |x - c_b|^2, so margin / 2 in these units.
            if proj + extent < c - 0.5 * margin:
                best = a
                kept = 1
            elif proj - extent > c + 0.5 * margin:
                best = b
                kept = 1
            else:
                cand[e, 0] = a
                cand[e, 1] = b
                kept = 2
        else:
            # The candidate nearest the box's middle is nearest for some of its points.
            best = cand[d, 0]
            best_value = np.inf
            for i in range(nc):
                j = cand[d, i]
                value = 0.0
                for t in range(3):
                    if M is None:
                        diff = geom[node, MID + t] - MC[j, t]
                    else:
                        diff = (M[t, 0] * geom[node, MID] + M[t, 1] * geom[node, MID + 1]
                                + M[t, 2] * geom[node, MID + 2] - MC[j, t])
                    value += diff * diff
                if value < best_value:
                    best_value = value
                    best = j
            # Keep another candidate only if the box corner farthest toward it is
            # not clearly closer to `best`: |v - c_j|^2 - |v - c_b|^2 at that corner
            # (in the metric: the gap becomes A (c_b - c_j)).
            kept = 0
            for i in range(nc):
                j = cand[d, i]
                delta = 0.0
                for t in range(3):
                    gap = N[best, t] - N[j, t]
                    delta += (gap * (2.0 * geom[node, MID + t] - C[j, t] - C[best, t])
                              - 2.0 * abs(gap) * geom[node, HALF + t])
                cand[e, kept] = j
                kept += (delta <= margin) | (j == best)
        start = nodes[node, START]
        end = nodes[node, END]
        if kept == 1:
            weight[best] += geom[node, WEIGHT]
            for t in range(3):
                sums[best, t] += geom[node, SUM + t]
            if write_labels:
                labels[start:end] = best
            continue
        n_child = nodes[node, N_CHILD]
        if n_child == 0 and kept == 2:
            _scan_two(cand[e, 0], cand[e, 1], start, end, colors, weights, C, M, MC, AC,
                      margin, weight, sums, labels, write_labels)
            continue
        if n_child == 0:
            for i in range(start, end):
                best_i = k
                best_value = np.inf
                for c_i in range(kept):
                    j = cand[e, c_i]
                    value = _distance(colors, i, M, MC, j)
                    if value < best_value:
                        best_value = value
                        best_i = j
                weight[best_i] += weights[i]
                for t in range(3):
                    sums[best_i, t] += weights[i] * colors[i, t]
                if write_labels:
                    labels[i] = best_i
            continue
        n_cand[e] = kept
        first = nodes[node, CHILD]
        for child in range(first + n_child - 1, first - 1, -1):
            stack_node[top] = child
            stack_depth[top] = e
            top += 1
