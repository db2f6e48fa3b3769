"""How K-Means Studio runs itself again: ``python -m kmeans_studio`` in a Python
environment; in a frozen one-folder bundle its own executable, for there
``sys.executable`` is the app, not Python (``python -c …`` would open a window)."""

from __future__ import annotations

import sys
from pathlib import Path

#: The hidden subcommand that compiles and caches the colour kernels, then ends.
COMPILE_KERNELS = "--compile-kernels"


def frozen() -> bool:
    """Whether this is a frozen bundle (PyInstaller's) rather than Python running."""
    return bool(getattr(sys, "frozen", False))


def command(*args: str) -> list[str]:
    """The command line running K-Means Studio with `args`."""
    return [sys.executable, *args] if frozen() else [sys.executable, "-m", "kmeans_studio", *args]


def folder() -> str:
    """The folder to run `command` in: the one holding this very package, for
    ``python -m kmeans_studio`` imports from the current folder first.  Run from a
    checkout after ``pip install .``, the background compile compiled the checkout's
    copy of the kernels, and the installed package never had them."""
    return str(Path(__file__).resolve().parents[2])
