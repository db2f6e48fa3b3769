"""The colour kernels made ready: compiled (on a first run after installing) or loaded
from numba's cache, here or in a process of their own (`compile_in_background`)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from kmeans_studio.core.engine import _compiled


def warm_up() -> None:
    """Compile (or load) the colour octree's kernels now; call off the GUI thread."""
    from kmeans_studio.core.color.dither import dither
    from kmeans_studio.core.color.quantize import quantize

    if _compiled.available():
        image = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
        quantize(image, 2)
        image.setflags(write=False)  # pixels read from a file are read-only: numba
        result = quantize(image, 2)  # compiles the kernels for those apart
        result.image()
        dither(image, result.palette, undithered=result.indices)


def load_kernels() -> None:
    """Load the first cached colour kernel: it readies numba itself (about 0.24 s),
    after which the others load in milliseconds, when first called."""
    from kmeans_studio.core.color._tree_kernels import distinct_colors
    from kmeans_studio.core.color.color_tree import SPREAD

    distinct_colors(np.zeros((1, 3), np.uint8), SPREAD)


def kernels_cached(dither: bool = True) -> bool:
    """Whether the colour kernels (with `dither`, the dithering's too) are compiled
    and cached (False on the first run after installing: compiling them then takes
    about 8 seconds)."""
    if not _compiled.available():
        return True  # nothing to compile
    from kmeans_studio.core.color import _tree_kernels

    # What `warm_up` compiles: the octree's kernels (not those inlined into them, with
    # the rendering of indices and colours) and the dithering's.
    kernels = [kernel for kernel in vars(_tree_kernels).values()
               if hasattr(kernel, "_cache")
               and getattr(kernel, "targetoptions", {}).get("inline") != "always"]
    if dither:
        from kmeans_studio.core.color import _dither_kernels

        kernels += [_dither_kernels.candidate_cells, _dither_kernels.diffuse,
                    _dither_kernels.run_weights]
    return _compiled.cached(kernels)


def compile_in_background() -> None:
    """Compile and cache the colour kernels in a process of their own, which outlives
    this one (the next run finds them ready)."""
    if _background:
        return  # one is under way
    _background.append(subprocess.Popen(
        [sys.executable, "-c", "from kmeans_studio.core.color.warmup import warm_up; warm_up()"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True))


#: The compile started by `compile_in_background` (held: it outlives this process).
_background: list = []
