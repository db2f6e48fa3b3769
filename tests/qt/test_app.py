"""Start-up: the xcb library check, the entry points, a start in a subprocess."""

import ctypes.util
import os
import subprocess
import sys
import textwrap

from kmeans_studio import app


def test_missing_xcb_libraries_are_named():
    found = {"xcb-cursor": None, "xcb-icccm": "libxcb-icccm.so.4", "xcb-keysyms": None}
    assert app.missing_xcb_libraries(find=found.get) == ["libxcb-cursor", "libxcb-keysyms"]


def test_a_bundle_trusts_the_xcb_libraries_it_ships(monkeypatch, tmp_path):
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    assert app.missing_xcb_libraries() == [f"lib{name}" for name in app.XCB_LIBRARIES]
    monkeypatch.setattr(app.sys, "frozen", True, raising=False)
    monkeypatch.setattr(app.sys, "_MEIPASS", str(tmp_path), raising=False)
    qt_lib = tmp_path / "PySide6" / "Qt" / "lib"
    qt_lib.mkdir(parents=True)
    (tmp_path / "libxcb-cursor.so.0").touch()
    (qt_lib / "libxcb-icccm.so.4").touch()
    assert app.missing_xcb_libraries() == ["libxcb-keysyms"]
    (tmp_path / "libxcb-keysyms.so.1").touch()
    assert app.missing_xcb_libraries() == []


def test_hint_instead_of_a_qt_abort(monkeypatch, capsys):
    monkeypatch.setattr(app.sys, "platform", "linux")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    assert app.main([]) == 1
    err = capsys.readouterr().err
    assert "libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in err  # Debian/Ubuntu line
    assert "xcb-util-cursor" in err  # Fedora line


def test_no_display_gets_a_hint(monkeypatch, capsys):
    monkeypatch.setattr(app.sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert app.main([]) == 1
    assert "no display was found" in capsys.readouterr().err


def test_no_check_when_running_offscreen(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    assert app.check_platform() is None


def test_app_starts_in_a_subprocess_ready_to_step_before_scikit_learn_loads(tmp_path):
    """The blobs are made and their run started without scikit-learn (or pandas): the
    window imports them in the background (`main_window.preload`) only once that run
    is on screen, noted here as the preload begins.  The GUI thread itself imports
    none of the heavy libraries on the way (it draws the Voronoi cells with numpy's
    own BLAS; the worker loads scipy's once the first state is sent)."""
    script = textwrap.dedent(
        """
        import gc, sys, threading
        from PySide6.QtCore import QSettings, QTimer
        gui_imports = set()
        class NotingFinder:
            def find_spec(self, name, path=None, target=None):
                top = name.split(".")[0]
                if (threading.current_thread() is threading.main_thread()
                        and top in ("sklearn", "scipy", "pandas", "numba")):
                    gui_imports.add(top)
        sys.meta_path.insert(0, NotingFinder())
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[1])
        from kmeans_studio.app import application, build_window
        from kmeans_studio.qt.window import main_window
        preload = main_window.preload
        def noting_preload(cancelled, progress):
            snap = window.controller.snapshot
            ready = snap is not None and snap.iteration is not None
            loaded = [name for name in ("sklearn", "pandas") if name in sys.modules]
            print("preload begins", "ready" if ready else "early", loaded, flush=True)
            return preload(cancelled, progress)
        main_window.preload = noting_preload
        app = application()
        window = build_window()
        window.show()
        def check():
            snap = window.controller.snapshot
            # The preload has ended once the window froze the objects alive.
            if snap is not None and snap.iteration is not None and gc.get_freeze_count():
                print("ready", snap.dataset.n_samples, snap.iteration.phase, app.applicationName())
                print("GUI thread imported", sorted(gui_imports))
                print("not preloaded", [name for name in main_window.PRELOADED_MODULES
                                        if name not in sys.modules], flush=True)
                window.close()
                app.quit()
        timer = QTimer()
        timer.timeout.connect(check)
        timer.start(50)
        QTimer.singleShot(150_000, app.quit)
        app.exec()
        """
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True,
                            text=True, timeout=180, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "preload begins ready []" in result.stdout
    assert "ready 300 init K-Means Studio" in result.stdout
    assert "GUI thread imported []" in result.stdout
    assert "not preloaded []" in result.stdout
    assert "Traceback" not in result.stderr


def test_module_entry_point_runs_compress_without_qt():
    code = "import sys, kmeans_studio.app as a; print('PySide6' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False"  # importing the entry point loads no Qt


def test_cycles_are_collected_on_the_gui_thread_only(qtbot):
    """A worker thread never runs the cycle collector (it could free a Qt object
    there); the GUI thread's timer collects cycles instead."""
    import gc
    import threading
    import weakref

    from kmeans_studio.app import application

    application()
    assert not gc.isenabled()

    class Node:
        pass

    collected_in: list[str] = []

    def make_garbage():
        for _ in range(5000):  # far past the generation-0 threshold
            node = Node()
            node.self = node
        node = Node()
        node.self = node
        weakref.finalize(node, lambda: collected_in.append(threading.current_thread().name))

    worker = threading.Thread(target=make_garbage, name="worker")
    worker.start()
    worker.join()
    assert collected_in == []  # the worker's allocations did not collect
    qtbot.waitUntil(lambda: collected_in == [threading.main_thread().name], timeout=10_000)


class _Window:
    """What `report_exception` needs of the window: somewhere to say a sentence."""

    def __init__(self):
        self.said = []

    def show_message(self, text):
        self.said.append(text)


def _report(window) -> None:
    try:
        raise ZeroDivisionError("a bug")
    except ZeroDivisionError as exc:
        app.report_exception(window, type(exc), exc, exc.__traceback__)


def test_the_error_log_is_the_users_own_regular_file(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    window = _Window()
    _report(window)
    assert app.log_file() in window.said[0]
    assert os.stat(app.log_file()).st_mode & 0o777 == 0o600
    with open(app.log_file(), encoding="utf-8") as log:
        assert "ZeroDivisionError: a bug" in log.read()


def test_the_error_log_is_never_written_through_a_link_or_to_a_fifo(tmp_path, monkeypatch,
                                                                      caplog):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    os.makedirs(os.path.dirname(app.log_file()))
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("someone's file\n")
    os.symlink(elsewhere, app.log_file())
    window = _Window()
    _report(window)
    assert elsewhere.read_text() == "someone's file\n"
    assert "the terminal" in window.said[0] and "ZeroDivisionError: a bug" in caplog.text
    os.remove(app.log_file())
    os.mkfifo(app.log_file())  # nobody reads it: opening it must not wait for a reader
    _report(window)
    assert "the terminal" in window.said[1]
    os.remove(app.log_file())
    os.link(elsewhere, app.log_file())  # a hard link names the other file just as well
    _report(window)
    assert "the terminal" in window.said[2]
    os.remove(app.log_file())
    folder = os.path.dirname(app.log_file())
    os.rmdir(folder)
    os.symlink(tmp_path, folder)  # its folder planted as a link
    _report(window)
    assert "the terminal" in window.said[3] and not (tmp_path / "errors.log").exists()
    assert elsewhere.read_text() == "someone's file\n"


def test_the_error_log_stays_small(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    log = app.log_file()
    os.makedirs(os.path.dirname(log))
    with open(log, "w") as old:
        old.write("old\n" * (app.MAX_LOG_BYTES // 4 + 1))
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("someone's file\n")
    os.symlink(elsewhere, log + ".1")  # replaced as a name; what it names is untouched
    app.append_to_log("x" * 10 * app.MAX_REPORT_CHARS)
    assert os.path.getsize(log + ".1") > app.MAX_LOG_BYTES
    assert not os.path.islink(log + ".1") and elsewhere.read_text() == "someone's file\n"
    with open(log, encoding="utf-8") as new:
        text = new.read()
    assert "characters left out" in text and len(text) < app.MAX_REPORT_CHARS + 100


def test_the_program_ends_without_pythons_shutdown_once_its_settings_are_saved(tmp_path):
    """The window closed, the program ends when its event loop does: settings saved,
    Python's shutdown skipped, exit status 0, here with every thread idle.  (A window
    closed the moment its blobs were ready, with scikit-learn still importing on a
    job's thread, printed Qt's "caught an exception" and GLib errors in 3 of 20 such
    closes: Python's shutdown killed that thread inside Qt's calls.)"""
    script = textwrap.dedent(
        """
        import atexit, gc, sys
        from PySide6.QtCore import QSettings, QTimer
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[1])
        from kmeans_studio import app
        atexit.register(lambda: print("Python's shutdown ran", flush=True))
        build = app.build_window
        def built():
            window = build()
            controller = window.controller
            def close():
                window.close()
                app.application().quit()
            controller.synced.connect(close)
            def when_idle():
                snap = controller.snapshot
                if snap is not None and snap.iteration is not None and gc.get_freeze_count():
                    controller.sync()  # after the worker's warm-up, queued before it
                else:
                    QTimer.singleShot(5, when_idle)
            QTimer.singleShot(0, when_idle)
            return window
        app.build_window = built
        sys.argv = ["kmeans-studio"]
        sys.exit(app.main())
        """
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "XDG_STATE_HOME": str(tmp_path / "state")}
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path / "settings")],
                            capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "shutdown ran" not in result.stdout
    assert "caught an exception" not in result.stderr and "Traceback" not in result.stderr
    saved, = (tmp_path / "settings").rglob("*.ini")
    assert "source=blobs" in saved.read_text()
    assert not (tmp_path / "state").exists()  # no unexpected error was logged
