"""Start-up: command-line dispatch, the Linux xcb check, and the QApplication.

Heavy modules (scikit-learn, scipy, numba) stay off this path: the window paints
first; the worker thread makes the blobs without scikit-learn, and it and a helper
thread load the rest while the user looks at the first run.
"""

from __future__ import annotations

import functools
import os
import stat
import sys
from collections.abc import Sequence

from kmeans_studio.core import program

APP_NAME = "K-Means Studio"
ORGANIZATION = "K-Means Studio"
DESKTOP_FILE_NAME = "io.github.kmeans_studio.KMeansStudio"

#: Libraries Qt's xcb platform plugin loads at start but pip's PySide6 does not ship.
XCB_LIBRARIES = ("xcb-cursor", "xcb-icccm", "xcb-keysyms")
XCB_HINT = """\
K-Means Studio cannot start Qt's X11 (xcb) platform: missing {missing}.
Install the X11 libraries Qt needs, then start it again:
  Debian/Ubuntu:  sudo apt install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
  Fedora:         sudo dnf install xcb-util-cursor xcb-util-wm xcb-util-keysyms
(Or run without a screen: QT_QPA_PLATFORM=offscreen.)"""


def missing_xcb_libraries(find=None) -> list[str]:
    """The xcb libraries Qt needs that this Linux machine (or this bundle) lacks
    (names as lib*.so)."""
    find = find or _find_library
    return [f"lib{name}" for name in XCB_LIBRARIES if find(name) is None]


def _find_library(name: str) -> str | None:
    """A library's file: in a frozen bundle, the one it ships (beside its modules,
    where the loader looks first); else the system's (`ctypes.util.find_library`)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if program.frozen() and bundle:
        from pathlib import Path

        for folder in (Path(bundle), Path(bundle) / "PySide6" / "Qt" / "lib"):
            shipped = sorted(folder.glob(f"lib{name}.so*"))
            if shipped:
                return str(shipped[0])
    import ctypes.util  # (only when Qt will use xcb: 20-40 ms to import)

    return ctypes.util.find_library(name)


def _will_use_xcb() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.startswith("xcb")
    # Qt prefers Wayland when a Wayland session is running.
    return bool(os.environ.get("DISPLAY")) and not os.environ.get("WAYLAND_DISPLAY")


NO_DISPLAY_HINT = """\
K-Means Studio needs a desktop session: no display was found (DISPLAY and
WAYLAND_DISPLAY are not set). Start it from your desktop, or for a headless run set
QT_QPA_PLATFORM=offscreen. Batch compression needs no display: kmeans-studio compress --help"""


def check_platform() -> str | None:
    """A hint to print instead of letting Qt abort, or None when Qt can start."""
    if (sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")):
        return NO_DISPLAY_HINT
    if _will_use_xcb():
        missing = missing_xcb_libraries()
        if missing:
            return XCB_HINT.format(missing=", ".join(missing))
    return None


def application():
    """The QApplication, created once with the app's names and icon."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(ORGANIZATION)
    app.setDesktopFileName(DESKTOP_FILE_NAME)
    from kmeans_studio import __version__
    from kmeans_studio.resources import path

    app.setApplicationVersion(__version__)
    app.setWindowIcon(QIcon(path("kmeans-studio.svg")))
    _collect_garbage_on_gui_thread()
    return app


_collector = None


def _collect_garbage_on_gui_thread() -> None:
    """Turn Python's automatic cycle collection into a GUI-thread timer.

    The automatic collector runs in whichever thread happens to allocate; when a
    worker thread frees a cycle holding a Qt object, the object's destructor runs there
    and can deadlock with the GUI thread on Qt's signal-slot locks (seen: the GUI thread
    blocked for good in `QObject::connect`).  pyqtgraph's `GarbageCollector` collects on
    a timer in the thread that made it, with the usual generation thresholds.  (The
    window freezes the long-lived objects once its heavy modules are loaded, so a full
    pass stays short.)
    """
    global _collector
    if _collector is None:
        from pyqtgraph.util.garbage_collector import GarbageCollector

        _collector = GarbageCollector(interval=0.25)


def build_window():
    """Create (or reuse) the QApplication and return a new, unshown MainWindow."""
    application()
    from kmeans_studio.qt.window.main_window import MainWindow

    return MainWindow()


USAGE = """\
usage: kmeans-studio [FILE ...]         open the studio (with images, tables, sessions)
       kmeans-studio compress --help    compress images from the command line
       kmeans-studio animate --help     a saved run as an animated GIF
       kmeans-studio export --help      a saved run as a Jupyter notebook or a script
       kmeans-studio cluster --help     k-means on a table larger than memory (dask)
       kmeans-studio --install-desktop  add K-Means Studio to your desktop menu
       kmeans-studio --uninstall-desktop
       kmeans-studio --version"""


def _desktop(install: bool) -> int:
    """Install or remove the menu entry (no Qt needed)."""
    from kmeans_studio import desktop

    try:
        files = desktop.install() if install else desktop.uninstall()
    except OSError as exc:
        print(f"error: could not {'install' if install else 'remove'} the menu entry: "
              f"{exc.strerror or exc} ({exc.filename})", file=sys.stderr)
        return 2
    if install:
        print("K-Means Studio is in your desktop menu now. Files written:")
    else:
        print("Removed:" if files else "Nothing to remove: the menu entry was not installed.")
    for file in files:
        print(f"  {file}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``kmeans-studio``: the window, or ``kmeans-studio compress``."""
    as_program, argv = argv is None, list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "compress":
        from kmeans_studio.cli import main as cli_main  # no Qt on this path

        code = cli_main(argv[1:])
        if as_program:
            # Every output is written and closed, and a background compile is a process
            # of its own: Python's shutdown of numba and llvmlite (0.12-0.18 s of a
            # 0.75 s command) would only keep the shell waiting.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        return code
    if argv and argv[0] == program.COMPILE_KERNELS:  # (hidden: the background compile)
        from kmeans_studio.core.color.warmup import compile_here

        compile_here()
        return 0
    if argv and argv[0] == "animate":
        from kmeans_studio.cli_animate import main as animate_main  # no Qt either

        return animate_main(argv[1:])
    if argv and argv[0] == "export":
        from kmeans_studio.cli_export import main as export_main  # no Qt either

        return export_main(argv[1:])
    if argv and argv[0] == "cluster":
        from kmeans_studio.cli_cluster import main as cluster_main  # no Qt either

        return cluster_main(argv[1:])
    if argv and argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    if argv and argv[0] == "--version":
        from kmeans_studio import __version__

        print(f"kmeans-studio {__version__}")
        return 0
    if argv and argv[0] in ("--install-desktop", "--uninstall-desktop"):
        return _desktop(argv[0] == "--install-desktop")
    hint = check_platform()
    if hint:
        print(hint, file=sys.stderr)
        return 1
    app = application()
    window = build_window()
    sys.excepthook = functools.partial(report_exception, window)
    window.show()
    for path in argv:
        window.open_path(path)
    code = app.exec()
    from kmeans_studio.qt.controller import abandoned_running

    if as_program or abandoned_running():
        # The window has closed and saved its settings.  Threads may still run: a run
        # abandoned inside one long step (closing waits a second at most), a job such
        # as the background import of scikit-learn.  Python's shutdown killed them
        # inside Qt's calls, which printed Qt's "caught an exception" and GLib errors
        # on the way out (3 of 20 windows closed the moment their blobs were ready):
        # the process ends here instead.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def log_file() -> str:
    """Where unexpected errors are written: ``$XDG_STATE_HOME/kmeans-studio/errors.log``
    (by default under ``~/.local/state``)."""
    state = os.environ.get("XDG_STATE_HOME", "")
    if not os.path.isabs(state):
        state = os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(state, "kmeans-studio", "errors.log")


#: Largest errors.log kept: past it the log moves to errors.log.1 (replacing the one
#: before) and a new one starts, so the two hold about 2 MiB however often something
#: fails.  A rename, not keeping the tail in place: it reads nothing and rewrites
#: nothing, and the previous part stays whole for a bug report.
MAX_LOG_BYTES = 1 << 20
#: Longest report written at once: an error's message may quote a whole file.
MAX_REPORT_CHARS = 64 * 1024


def _open_log(where: str) -> int:
    """`where` opened for appending, never through a symbolic link (a link planted as
    errors.log would have a traceback appended to whatever it names) and never a FIFO
    or device (non-blocking, so a FIFO without a reader is refused, not waited on)."""
    flags = (os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
             | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    folder = os.path.dirname(where)
    if os.path.islink(folder):  # its own folder planted as a link: written elsewhere
        raise OSError(f"{folder} is a link")
    fd = os.open(where, flags, 0o600)
    info = os.fstat(fd)
    # A hard link planted as errors.log names another file just as well.
    if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
        os.close(fd)
        raise OSError(f"{where} is not a regular file of its own")
    return fd


def append_to_log(text: str) -> str:
    """Append `text` to `log_file()` (a regular file of the user's only, kept under
    `MAX_LOG_BYTES`) and return its path; OSError when it cannot be written there."""
    where = log_file()
    os.makedirs(os.path.dirname(where), mode=0o700, exist_ok=True)
    fd = _open_log(where)
    if os.fstat(fd).st_size > MAX_LOG_BYTES:
        os.close(fd)
        os.replace(where, where + ".1")  # renames a link named errors.log.1, never its target
        fd = _open_log(where)
    if len(text) > MAX_REPORT_CHARS:
        half = MAX_REPORT_CHARS // 2
        text = f"{text[:half]}\n[… {len(text) - 2 * half:,} characters left out …]\n{text[-half:]}"
    with os.fdopen(fd, "a", encoding="utf-8", errors="backslashreplace") as log:
        log.write(text + "\n")
    return where


def report_exception(window, kind, value, traceback) -> None:
    """The last resort for an error no code caught (a bug): written with its traceback
    to `log_file()` (or the terminal when that cannot be written), and said in the
    window in one sentence, so the app goes on instead of printing to a terminal
    nobody sees."""
    import logging
    import traceback as tracebacks

    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, traceback)
        return
    details = "".join(tracebacks.format_exception(kind, value, traceback))
    try:
        where = append_to_log(details)
    except OSError:
        where = "the terminal"
        logging.getLogger("kmeans_studio").error("Unexpected error\n%s", details)
    try:
        said = str(value)
        said = said if len(said) <= 300 else said[:300] + "…"  # the log has more
        window.show_message(f"Something went wrong inside K-Means Studio "
                            f"({kind.__name__}: {said}). What is on screen is kept; the "
                            f"details were written to {where}.")
    except Exception:  # noqa: BLE001 - the window itself is broken: the terminal then
        sys.__excepthook__(kind, value, traceback)
