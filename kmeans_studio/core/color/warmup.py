"""The colour kernels made ready: compiled (on a first run after installing) or loaded
from numba's cache, here or in a process of their own (`compile_in_background`)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np

from kmeans_studio.core import program
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
    """Load the first cached colour kernel: it readies numba itself (about 0.14 s,
    without scipy), after which the others load in milliseconds, when first called."""
    from kmeans_studio.core.color._tree_kernels import distinct_colors
    from kmeans_studio.core.color.color_tree import SPREAD
    from kmeans_studio.core.engine.jit import load_numpy_overloads_without_scipy

    load_numpy_overloads_without_scipy()

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
    this one (the next run finds them ready): one at a time on this machine, at low
    priority.  Right after installing, five runs 2 s apart each started a compile of
    their own, and the third ran 4 times slower than the first."""
    if _background or compiling_elsewhere():
        return  # one is under way
    _background.append(subprocess.Popen(
        program.command(program.COMPILE_KERNELS), cwd=program.folder(),
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True))


def compile_here() -> None:
    """`warm_up`, at the lowest priority, unless another process compiles already;
    then the engine's kernels (a photo with transparency and the window use them)."""
    if hasattr(os, "nice"):
        os.nice(19)  # the user's own runs come first
    lock = _compile_lock()
    if lock is False:
        return
    try:
        warm_up()
    finally:
        if lock is not None:
            lock.close()  # the colour kernels are ready: runs may use them now
    from kmeans_studio.core.engine.kmeans import warm_up as warm_up_engine

    warm_up_engine()


def compiling_elsewhere() -> bool:
    """Whether another process compiles the colour kernels now."""
    lock = _compile_lock()
    if lock:
        lock.close()
    return lock is False


def _compile_lock():
    """The open, exclusively locked file held while the kernels compile; False when
    another process holds it; None where there is no lock (no `fcntl`, or no user
    cache folder to keep it in)."""
    try:
        import fcntl
    except ImportError:
        return None
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kmeans-studio"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / "compile.lock", "a")
    except OSError:
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return False
    return handle


#: The compile started by `compile_in_background` (held: it outlives this process).
_background: list = []
