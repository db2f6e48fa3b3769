"""Bounds checked before work starts: which files are read, how many pixels, how much
memory a run takes.  Each check raises `ValueError` with one sentence for people, so
every caller (the window, the command line, a session) refuses the same way, before
anything is allocated or changed.  No Qt; imports only the standard library.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

#: Largest photo read, in pixels (Pillow's own hard limit is about 179 MP).  A 100 MP
#: photo takes about 3 GB while compressed; a 482-byte PNG can claim 169 MP.
MAX_PIXELS = 100_000_000

#: Most features a full or tied covariance may have.  Such a covariance holds d²
#: numbers, its Cholesky factor costs d³/3 operations per component and each E-step
#: n·k·d² multiply-adds: at 10,000 columns one E-step of the digits would take
#: minutes and a tied covariance alone 800 MB (at 20,000 columns scipy's Cholesky ran
#: out of memory and killed the process).
MAX_COVARIANCE_FEATURES = 1_000

#: Share of the memory available now that one piece of work may plan to use: the
#: window, the views and other programs need the rest.
MEMORY_SHARE = 0.5

_GIB = 1024**3


def regular_file(path: str | os.PathLike, name: str | None = None) -> Path:
    """`path` with its links resolved, when it names a regular file; otherwise
    ValueError with one sentence.  Called before any `open`: a FIFO would block the
    reader for good and a device (``/dev/zero``) would never end."""
    path = Path(path)
    name = name or path.name or str(path)
    try:
        info = os.stat(path)  # follows links: what would be read
    except FileNotFoundError:
        raise ValueError(f"Cannot open “{name}”: the file does not exist.") from None
    except OSError as exc:
        raise ValueError(f"Cannot open “{name}”: {exc.strerror or exc}.") from None
    if stat.S_ISDIR(info.st_mode):
        raise ValueError(f"Cannot open “{name}”: it is a folder, not a file.")
    if not stat.S_ISREG(info.st_mode):
        kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(info.st_mode)
                else "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
                else "a socket" if stat.S_ISSOCK(info.st_mode) else "not a regular file")
        raise ValueError(f"Cannot open “{name}”: it is {kind}, not a regular file.")
    return path.resolve()


def check_pixels(width: int, height: int, name: str = "The image") -> None:
    """ValueError when a picture of `width` × `height` is larger than `MAX_PIXELS`."""
    if width * height > MAX_PIXELS:
        raise ValueError(
            f"{name} has {width:,}×{height:,} = {width * height / 1e6:,.0f} megapixels; "
            f"K-Means Studio reads at most {MAX_PIXELS / 1e6:.0f} megapixels (scale it down "
            f"first).")


def available_memory() -> int:
    """Bytes of memory available to a new allocation now (Linux: MemAvailable; else
    the free physical pages, else half the physical memory, else 4 GiB)."""
    try:
        with open("/proc/meminfo", "rb") as meminfo:
            for line in meminfo:
                if line.startswith(b"MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2
    except (AttributeError, ValueError, OSError):
        return 4 * _GIB


def check_memory(needed: float, what: str, available: int | None = None) -> None:
    """ValueError when `needed` bytes are more than `MEMORY_SHARE` of the memory
    available (`what` names the work: "This run", "The animation", …)."""
    available = available_memory() if available is None else available
    if needed > MEMORY_SHARE * available:
        raise ValueError(
            f"{what} would need about {_size(needed)} of memory, more than the "
            f"{_size(MEMORY_SHARE * available)} K-Means Studio may use now; "
            f"ask for less (fewer points, clusters, features or frames).")


def _size(nbytes: float) -> str:
    return f"{nbytes / _GIB:,.1f} GB" if nbytes >= 0.1 * _GIB else f"{nbytes / 1024**2:,.0f} MB"


def covariance_entries(k: int, d: int, covariance_type: str) -> int:
    """Numbers in a mixture's covariances ("full", "tied", "diag", "spherical")."""
    return {"full": k * d * d, "tied": d * d, "diag": k * d}.get(covariance_type, k)


def kmeans_bytes(n: int, k: int, d: int, max_iter: int = 300) -> int:
    """About the peak bytes of a k-means run: the centred float64 copy of the data and
    its norms, labels and Hamerly's two bounds per point, blocks of distances, and the
    centres of every state kept in the history."""
    return 8 * (2 * n * d + 4 * n + 256 * k + 2 * (max_iter + 1) * k * d)


def mixture_bytes(n: int, k: int, d: int, covariance_type: str, max_iter: int = 100) -> int:
    """About the peak bytes of a Gaussian mixture's EM (`core.mixture`): the data,
    five (n, k) arrays at once (log-probabilities, weighted, exponentials, the
    responsibilities of the newest E- and M-states), an (n, d) temporary per
    component, and covariances for every state kept plus their Cholesky factors."""
    covariances = covariance_entries(k, d, covariance_type)
    return 8 * (2 * n * d + 5 * n * k + (max_iter + 3) * (covariances + k * d) + d * d)


def check_run(n: int, k: int, d: int, model: str = "kmeans", max_iter: int = 300,
              available: int | None = None) -> None:
    """Refuse, in one sentence, a run that cannot fit before anything is allocated:
    `model` is "kmeans" or a mixture's covariance type."""
    if model in ("full", "tied") and d > MAX_COVARIANCE_FEATURES:
        raise ValueError(
            f"A {model} covariance on {d:,} features would hold {d:,}² numbers per "
            f"component and take minutes per step; K-Means Studio allows at most "
            f"{MAX_COVARIANCE_FEATURES:,} features for it. Use a diagonal or spherical "
            f"covariance, or fewer columns.")
    needed = (kmeans_bytes(n, k, d, max_iter) if model == "kmeans"
              else mixture_bytes(n, k, d, model, max_iter))
    check_memory(needed, f"This run ({n:,} points × {d:,} features, k = {k:,})", available)
