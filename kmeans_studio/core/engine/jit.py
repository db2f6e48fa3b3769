"""numba, made ready to cache before it is imported: the one place the kernels get it.

numba caches compiled kernels beside their source (``__pycache__``) or in the user's
cache folder (``~/.cache/numba``).  When it can write to neither (a read-only install
and an unwritable home), its ``cache=True`` decorators raise at import ("no locator
available") and every kernel module fails.  Before numba is imported, `ready` then
points ``NUMBA_CACHE_DIR`` at a private folder in the temporary directory and says so
in one line.  In a frozen bundle the kernels are compiled for a generic CPU
(``NUMBA_CPU_NAME=generic``, as the bundle's shipped kernels were built), so that
numba finds those on any machine instead of compiling its own for this one; when the
bundle's folder cannot be written (or numba is told to cache elsewhere),
`seed_user_cache` gives numba a copy of them where it looks.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

#: The folders of the modules with cached kernels (numba writes beside them).
KERNEL_FOLDERS = (Path(__file__).parent, Path(__file__).parents[1] / "color")


def writable(folder: Path) -> bool:
    """Whether a file can be made in `folder` (made if missing), as numba checks."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
        return True
    except OSError:
        return False


def user_cache() -> Path:
    """numba's user-wide cache folder (its `appdirs.user_cache_dir`, without importing
    numba, which reads its settings when imported)."""
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "numba"
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home()) / "numba" / "Cache"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "numba"


def fallback_cache() -> Path | None:
    """Where numba should cache when it could cache nowhere, else None."""
    chosen = os.environ.get("NUMBA_CACHE_DIR")
    if chosen:
        if writable(Path(chosen)):
            return None
    elif (all(writable(folder / "__pycache__") for folder in KERNEL_FOLDERS)
          or writable(user_cache())):
        return None
    user = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    folder = Path(tempfile.gettempdir()) / f"kmeans-studio-numba-{user}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        if folder.is_symlink() or (hasattr(os, "getuid") and folder.stat().st_uid != user):
            raise OSError  # another user's folder: not ours to write kernels into
        if writable(folder):
            return folder
    except OSError:
        pass
    return Path(tempfile.mkdtemp(prefix="kmeans-studio-numba-"))


def ready() -> None:
    """Set numba's environment for this process (once, before numba is imported)."""
    if "numba" in sys.modules:
        return  # too late to change, and already working
    if getattr(sys, "frozen", False):
        os.environ.setdefault("NUMBA_CPU_NAME", "generic")
    folder = fallback_cache()
    if folder is not None:
        os.environ["NUMBA_CACHE_DIR"] = str(folder)
        print(f"warning: the compiled kernels cannot be cached beside K-Means Studio or in "
              f"the user's cache folder; they are cached in {folder} instead.",
              file=sys.stderr)


ready()

# After `ready`: numba reads its environment when imported.
from numba import njit, objmode  # noqa: E402
from numba.core.errors import NumbaWarning  # noqa: E402


class _NoScipyLinalgHere:
    """An import finder refusing scipy.linalg to one thread (others import it)."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()

    def find_spec(self, name, path=None, target=None):
        if name == "scipy.linalg" and threading.get_ident() == self.thread:
            raise ModuleNotFoundError("scipy.linalg is not imported here", name=name)
        return None


def load_numpy_overloads_without_scipy() -> None:
    """Import numba's overloads of numpy's functions without scipy.  numba imports
    them when the first kernel loads, and with them scipy.linalg (0.1 s and 12-26 MiB)
    only to choose how np.correlate and np.convolve multiply, which no kernel here
    calls (they then use numba's own loop); np.dot and numba's linear algebra import
    scipy when a kernel using them is compiled or first called.  Only the calling
    thread is refused scipy.linalg, and only meanwhile."""
    if "numba.np.arraymath" in sys.modules or "scipy.linalg" in sys.modules:
        return
    finder = _NoScipyLinalgHere()
    sys.meta_path.insert(0, finder)
    try:
        import numba.np.arraymath  # noqa: F401
    finally:
        sys.meta_path.remove(finder)


def seed_user_cache() -> None:
    """A bundle whose kernels numba would not look for where it ships them: numba
    caches in ``NUMBA_CACHE_DIR`` when it is set (the fallback of `ready` among others),
    else beside the modules if it can write there, else in its user-wide cache folder.
    Where it would not find the shipped kernels it would compile them again, so they
    are copied once (each file whole, then renamed) to where it looks: the same source,
    compiled for the same generic CPU."""
    if not getattr(sys, "frozen", False):
        return
    try:
        from numba.core.caching import _CacheLocator
        from numba.misc.appdirs import AppDirs

        chosen = os.environ.get("NUMBA_CACHE_DIR")
        root = Path(chosen or AppDirs(appname="numba", appauthor=False).user_cache_dir)
        for folder in KERNEL_FOLDERS:
            shipped = folder / "__pycache__"
            if not chosen and writable(shipped):
                continue  # numba uses them where they are
            target = root / _CacheLocator.get_suitable_cache_subpath(
                str(folder / "__init__.py"))
            for file in shipped.glob("*.nb[ic]"):
                if not (target / file.name).exists():
                    target.mkdir(parents=True, exist_ok=True)
                    partial = target / f".{file.name}.{os.getpid()}"
                    shutil.copyfile(file, partial)
                    os.replace(partial, target / file.name)
    except (OSError, ImportError, AttributeError):
        pass  # numba compiles them again, as it would have


seed_user_cache()

__all__ = ["NumbaWarning", "njit", "objmode", "ready", "seed_user_cache"]
