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


#: The labels a k-means run keeps in its history (`KMeansRun`'s default budget).
HISTORY_BYTES = 256 << 20


def kmeans_bytes(n: int, k: int, d: int, max_iter: int = 300,
                 history_bytes: int = HISTORY_BYTES) -> int:
    """About the peak bytes a k-means run adds to its data: the centred float64 copy
    of the data and a temporary of its size, norms, labels and Hamerly's two bounds per
    point, blocks of distances, the centres of every state and the labels the history
    keeps (up to `history_bytes`).  Measured peak increments (VmHWM, the run stepped
    and seeked as the window does): 1,000,000 × 10, k = 8, 259 half-steps: 258 MiB
    (estimate 439 MiB, all 300 iterations counted); 1,000,000 × 2, k = 64: 154 MiB
    (318 MiB)."""
    label_bytes = 1 if k <= 256 else 2 if k <= 65536 else 4
    labels = min(history_bytes, (max_iter + 1) * n * label_bytes)
    return 8 * (2 * n * d + 4 * n + 256 * k + 2 * (max_iter + 1) * k * d) + labels


def mixture_bytes(n: int, k: int, d: int, covariance_type: str, max_iter: int = 100) -> int:
    """About the peak bytes a Gaussian mixture's EM (`engine.mixture`) adds to its data:
    a float64 copy of the data and two (n, d) temporaries (the k-means that starts it,
    an E-step's projections, an M-step's deviations), five (n, k) arrays (the
    responsibilities of the newest E- and M-states, the E-step's work, a snapshot of
    an older state recomputed), and covariances for every state kept plus their
    Cholesky factors.  Measured peak increments (VmHWM, stepped as the window does):
    200,000 points, k = 16, d = 10, full: 96 MiB (estimate 169 MiB); k = 64, d = 2:
    298 MiB (498 MiB); 100,000 × 100, k = 4, tied: 183 MiB (252 MiB); 20,000 × 500,
    k = 4, full, converged in 2 iterations: 227 MiB (1,021 MiB, all 100 counted)."""
    covariances = covariance_entries(k, d, covariance_type)
    return 8 * (3 * n * d + 5 * n * k + (max_iter + 3) * (covariances + k * d) + d * d)


def check_run(n: int, k: int, d: int, model: str = "kmeans", max_iter: int = 300,
              available: int | None = None, history_bytes: int = HISTORY_BYTES) -> None:
    """Refuse, in one sentence, a run that cannot fit before anything is allocated:
    `model` is "kmeans" or a mixture's covariance type (`history_bytes`: a k-means
    run's budget for the labels of its history)."""
    if model in ("full", "tied") and d > MAX_COVARIANCE_FEATURES:
        raise ValueError(
            f"A {model} covariance on {d:,} features would hold {d:,}² numbers per "
            f"component and take minutes per step; K-Means Studio allows at most "
            f"{MAX_COVARIANCE_FEATURES:,} features for it; use a diagonal or spherical "
            f"covariance, or fewer columns.")
    needed = (kmeans_bytes(n, k, d, max_iter, history_bytes) if model == "kmeans"
              else mixture_bytes(n, k, d, model, max_iter))
    check_memory(needed, f"This run ({n:,} points × {d:,} features, k = {k:,})", available)
