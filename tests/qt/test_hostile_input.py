"""Files from strangers in the window: every way in ends in one sentence, nothing raises,
what was on screen stays; `kmeans-studio FILE` never aborts; slots never raise."""

import json
import subprocess
import sys
import threading
import zipfile

import numpy as np
import pytest
from core.hostile import (
    blob_session_text,
    huge_header_npz,
    mutated_sessions,
    other_hostile_files,
)
from core.special_files import SAID, special_files, unblocked
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget

from .helpers import (
    answer_dialogs,
    import_dialog,
    settle,
    wait_message,
    wait_state,
    with_model,
)


def ready(snap):
    return snap.iteration is not None


def screen(window):
    """What a failed open must leave as it was: the page, the run shown, and every
    page's data and parameters."""
    requests = {key: s.panel.request() for key, s in window.pages.items()}
    return (window.page.key, window.controller.snapshot,
            {key: (r.data_key, r.n_clusters, r.random_state, r.max_iter, r.tol, r.n_init,
                   str(r.init)) for key, r in requests.items()})


def close_message(window):
    if window.last_message is not None:
        window.last_message.done(0)
        window.last_message = None


def test_fuzzed_files_are_refused_in_one_sentence_and_change_nothing(window, qtbot,
                                                                     tmp_path):
    """A few hundred hostile files through `open_path`, in one window: each refused in
    one sentence (at once, or once read off the GUI thread) with the screen as it was."""
    wait_state(qtbot, window, ready)
    sessions = tmp_path / "sessions"
    sessions.mkdir()
    files = []
    for name, text in mutated_sessions(blob_session_text()):
        (sessions / name).write_text(text, encoding="utf-8")
        files.append(sessions / name)
    files += other_hostile_files(tmp_path)
    refused = 0
    for path in files:
        before, dialog = screen(window), window.opener.import_dialog
        if window.open_path(path):  # read off the GUI thread, or a session still valid
            qtbot.waitUntil(lambda: window.last_message is not None
                            or window.opener.opening is None and not window.opener.busy_reading
                            and (window.opener.import_dialog is not dialog
                                 or path.parent == sessions),
                            timeout=20_000)
            if window.opener.import_dialog is not dialog:
                window.opener.import_dialog.reject()  # a table of text: asks for its columns
                assert screen(window) == before, path.name
                continue
            if path.parent == sessions and window.last_message is None:
                continue  # a mutation that is still a valid session: it opened
        refused += 1
        assert screen(window) == before, path.name
        assert window.last_message is not None, path.name
        message = window.last_message.text()
        assert "\n" not in message and message.endswith("."), (path.name, message)
        close_message(window)
    assert refused > 300


def _session(tmp_path, name, source, centres, run=None):
    data = json.loads(blob_session_text())
    data["source"] = source
    data["run"].update(run or {})
    data["initial_centers"] = centres
    data["centers_after_each_update"] = [centres]
    data["run"]["n_clusters"] = len(centres)
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def test_a_session_that_does_not_fit_its_data_changes_no_page(window, qtbot, tmp_path):
    wait_state(qtbot, window, ready)
    panel = window.pages["blobs"].panel
    panel.run.n_clusters.setValue(5)
    wait_state(qtbot, window, lambda s: ready(s) and s.iteration.n_clusters == 5)
    before = screen(window)
    three_d = _session(tmp_path, "3d.json", json.loads(blob_session_text())["source"],
                       [[0.0, 1.0, 2.0]] * 4, {"max_iter": 7, "random_state": 9})
    window.open_path(three_d)  # read off the GUI thread, then refused
    wait_message(qtbot, window, "3 coordinates")
    assert screen(window) == before and panel.run.max_iter.value() != 7
    close_message(window)
    image = window.pages["image"].panel
    k, seed = image.params.n_clusters.value(), image.params.random_state.value()
    gone = _session(tmp_path, "gone.json", {"kind": "image_file",
                                            "path": str(tmp_path / "gone.png")},
                    [[1.0, 2.0, 3.0]] * 7, {"random_state": 99})
    window.open_path(gone)
    wait_message(qtbot, window, "“gone.png”, is not there any more")
    assert (image.params.n_clusters.value(), image.params.random_state.value()) == (k, seed)
    assert screen(window) == before


def test_a_session_whose_data_fail_on_the_worker_changes_nothing(window, qtbot, tmp_path):
    wait_state(qtbot, window, ready)
    notes = tmp_path / "notes.png"
    notes.write_text("these are notes, not an image\n")
    image = window.pages["image"].panel
    before, shown_source = screen(window), image._source
    path = _session(tmp_path, "notes.json", {"kind": "image_file", "path": str(notes)},
                    [[1.0, 2.0, 3.0]] * 7, {"random_state": 99})
    assert window.open_path(path)  # the session itself is sound: its photo is not
    wait_message(qtbot, window, "notes.png", "not an image")
    assert screen(window) == before and image._source == shown_source


def test_a_tiny_npz_declaring_a_terabyte_gets_a_sentence(window, qtbot, tmp_path):
    wait_state(qtbot, window, ready)
    before = screen(window)
    window.open_path(huge_header_npz(tmp_path / "liar.npz"))
    wait_message(qtbot, window, "liar.npz")
    assert screen(window) == before


def test_a_table_of_10000_columns_previews_50_and_offers_all(window, qtbot, tmp_path):
    wait_state(qtbot, window, ready)
    path = tmp_path / "wide.csv"
    rng = np.random.default_rng(0)
    values = rng.integers(0, 100, (30, 10_000))
    path.write_text(",".join(f"c{i}" for i in range(10_000)) + "\n"
                    + "\n".join(",".join(map(str, row)) for row in values) + "\n")
    dialog = import_dialog(qtbot, window, lambda: window.open_path(path))
    table = dialog.findChild(QTableWidget, "import_preview")
    assert (table.rowCount(), table.columnCount()) == (20, 50)
    assert dialog.features.count() == 10_000
    dialog.reject()


def test_names_are_shown_as_named_not_as_markup(window, qtbot, tmp_path):
    wait_state(qtbot, window, ready)
    path = tmp_path / "<h1>big<b>bold<img src=x>.png"
    Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(path)
    image = window.pages["image"]
    window.open_path(path)
    wait_state(qtbot, window, lambda s: s.dataset.name == path.name, timeout=60_000)
    qtbot.waitUntil(lambda: path.name in image.panel.current.text())
    assert image.panel.current.textFormat() == Qt.TextFormat.PlainText
    window.open_path(tmp_path / "<b>missing.png")
    assert window.last_message.textFormat() == Qt.TextFormat.PlainText


def test_reinitialise_works_on_every_page_and_wraps_the_seed(window, qtbot):
    for key in ("blobs", "digits", "table", "image"):
        window.page_bar.setCurrentIndex(window.page_bar.findData(key))
        source = window.pages[key]
        wait_state(qtbot, window, lambda s: ready(s) and source.accepts(s.dataset),
                   timeout=60_000)
        seed = source.panel.k_and_seed_boxes()[1]
        seed.setValue(2**31 - 1)
        wait_state(qtbot, window, lambda s: ready(s) and s.request.random_state == 2**31 - 1,
                   timeout=60_000)
        window.actions["reinitialise"].trigger()
        wait_state(qtbot, window, lambda s: ready(s) and s.request.random_state == 0,
                   timeout=60_000)
        assert seed.value() == 0


def test_saving_under_a_suffix_pillow_cannot_write_says_so(window, qtbot, tmp_path):
    window.page_bar.setCurrentIndex(window.page_bar.findData("image"))
    wait_state(qtbot, window, lambda s: s.done and s.derived is not None, timeout=60_000)
    for suffix in (".psd", ".xpm", ".xbm"):
        assert window.exporter.write_compressed(tmp_path / f"out{suffix}") is None
        assert f"cannot write “{suffix}” files" in window.last_message.text()
        close_message(window)
    assert list(tmp_path.iterdir()) == []


def test_the_confusion_matrix_survives_a_resize_between_matchings(window, qtbot):
    window.page_bar.setCurrentIndex(window.page_bar.findData("digits"))
    digits = window.pages["digits"]
    wait_state(qtbot, window, lambda s: ready(s) and s.dataset.image_shape is not None,
               timeout=60_000)
    digits.panel.run.n_init.setValue(1)
    digits.panel.run.n_clusters.setValue(10)
    wait_state(qtbot, window, lambda s: ready(s) and s.iteration.n_clusters == 10)
    window.actions["step"].trigger()
    qtbot.waitUntil(lambda: digits.confusion.matching is not None)
    window.actions["reset"].trigger()
    qtbot.waitUntil(lambda: digits.confusion.matching is None)
    window.resize(window.width() - 150, window.height() - 60)
    digits.panel.run.n_clusters.setValue(3)
    wait_state(qtbot, window, lambda s: ready(s) and s.iteration.n_clusters == 3)
    window.actions["step"].trigger()
    qtbot.waitUntil(lambda: digits.confusion.matching is not None
                    and digits.confusion.matching.table.shape[1] == 3)
    window.resize(window.width() + 150, window.height() + 60)
    digits.confusion._fit_to_size()
    assert len(digits.confusion.columns) == 3


def test_the_last_resort_hook_says_an_unexpected_error_in_the_window(window, tmp_path,
                                                                     monkeypatch):
    from kmeans_studio.app import log_file, report_exception

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    try:
        raise ZeroDivisionError("a bug")
    except ZeroDivisionError as exc:
        report_exception(window, type(exc), exc, exc.__traceback__)
    message = window.last_message.text()
    assert "ZeroDivisionError: a bug" in message and log_file() in message
    with open(log_file(), encoding="utf-8") as log:
        text = log.read()
    assert "Traceback" in text and "ZeroDivisionError: a bug" in text
    close_message(window)


#: Runs `kmeans-studio FILE ...` as the launcher does, and quits once every file has
#: been opened or refused (each message printed, one a line).  With ``--one-by-one``
#: first, the window opens the files itself, each once the one before has been opened
#: or refused (files opened at once replace each other while they are read).
_APP = """
import sys
from PySide6.QtCore import QSettings, QTimer
QSettings.setDefaultFormat(QSettings.Format.IniFormat)
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[1])
from kmeans_studio import app
from kmeans_studio.qt.window.main_window import MainWindow

windows = []
show = MainWindow.show_message
def said(self, text, *args, **kwargs):
    print("message:", text.replace("\\n", " "), flush=True)
    return show(self, text, *args, **kwargs)
MainWindow.show_message = said
build = app.build_window
def built():
    windows.append(build())
    return windows[-1]
app.build_window = built

files = sys.argv[2:]
one_by_one = files[:1] == ["--one-by-one"]
pending = files[1:] if one_by_one else []

def done(idle_before=False):
    # Idle twice in a row: what a finished helper thread posted has been delivered.
    window = windows[0]
    idle = window.opener.opening is None and not window.opener.busy_reading
    if idle and idle_before and pending:
        window.open_path(pending.pop(0))
        QTimer.singleShot(10, done)
    elif idle and idle_before:
        window.close()
        app.application().quit()
    else:
        QTimer.singleShot(10, lambda: done(idle))
QTimer.singleShot(0, done)
sys.exit(app.main([] if one_by_one else files))
"""


def _launch(tmp_path, *files):
    """Run the launcher on `files`; unexpected errors would be logged under tmp_path."""
    env_code = ("import os; os.environ['QT_QPA_PLATFORM'] = 'offscreen'; "
                f"os.environ['XDG_STATE_HOME'] = {str(tmp_path / 'state')!r}\n")
    result = subprocess.run([sys.executable, "-c", env_code + _APP,
                             str(tmp_path / "settings"), *map(str, files)],
                            capture_output=True, text=True, timeout=600)
    assert not (tmp_path / "state").exists(), "an unexpected error was logged"
    return result


@pytest.mark.parametrize("name, change", [
    ("infinite.json", ('"state": 2', '"state": Infinity')),
    ("two.json", ('"n_clusters": 4', '"n_clusters": "two"')),
])
def test_the_launcher_with_a_bad_session_says_so_and_exits_normally(tmp_path, name, change):
    path = tmp_path / name
    path.write_text(blob_session_text().replace(*change))
    result = _launch(tmp_path, path)
    assert result.returncode == 0, result.stderr
    assert f"message: “{name}”" in result.stdout
    assert "Traceback" not in result.stderr and "QThread" not in result.stderr


@pytest.mark.parametrize("one_by_one", [True, False])
def test_the_launcher_with_a_few_hundred_hostile_files_never_aborts(tmp_path, one_by_one):
    """One by one, each file is refused in a sentence; all at once, each read replaces
    the one before (only the last is shown), and nothing aborts either way."""
    files = other_hostile_files(tmp_path)
    sessions = tmp_path / "sessions"
    sessions.mkdir()
    for name, text in mutated_sessions(blob_session_text()):
        (sessions / name).write_text(text, encoding="utf-8")
        files.append(sessions / name)
    result = _launch(tmp_path, *(["--one-by-one"] if one_by_one else []), *files)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr and "QThread" not in result.stderr
    assert "Something went wrong" not in result.stdout
    assert result.stdout.count("message:") > (300 if one_by_one else 0)


def test_every_action_on_every_page_raises_nothing(window, qtbot, tmp_path, monkeypatch):
    """Each action of the menus, on each page, mid-run: pytest-qt fails the test on any
    exception a slot raises.  Dialogs answer at once (a file name, No)."""
    answer_dialogs(monkeypatch, tmp_path)
    skip = {"quit", "cancel"}
    for key in ("blobs", "digits", "table", "image"):
        window.page_bar.setCurrentIndex(window.page_bar.findData(key))
        source = window.pages[key]
        wait_state(qtbot, window, lambda s: ready(s) and source.accepts(s.dataset),
                   timeout=60_000)
        for name, action in window.actions.items():
            if name not in skip and action.isEnabled():
                action.trigger()
                close_message(window)
        window.actions["cancel"].trigger()
        window.explore.cancel()
        qtbot.waitUntil(lambda: not window.explore.busy, timeout=60_000)
    for dialog in window.findChildren(type(window.show_shortcuts())):
        dialog.close()


@pytest.mark.parametrize("suffix", [".kmeans.json", ".npz", ".npy", ".csv", ".png"])
def test_special_files_are_refused_at_once_whatever_their_name(window, qtbot, tmp_path,
                                                               suffix):
    """A named pipe or a link to /dev/zero opened as a session, an archive, a table or a
    photo (Open, Open with, a recent entry): refused in one sentence before any read,
    on the GUI thread's way in; nothing changes."""
    wait_state(qtbot, window, ready)
    before = screen(window)
    files = special_files(tmp_path, "data" + suffix)
    with unblocked(files["fifo"]) as freed:
        for kind, path in files.items():
            assert not window.open_path(path)
            message = window.last_message.text()
            assert f"“{path.name}”" in message and SAID[kind] in message, message
            assert screen(window) == before and not window.opener.busy_reading
            close_message(window)
    assert freed == []


def test_a_session_whose_data_are_a_named_pipe_is_refused(window, qtbot, tmp_path):
    wait_state(qtbot, window, ready)
    before = screen(window)
    fifo = special_files(tmp_path, "photo.png")["fifo"]
    path = _session(tmp_path, "piped.json", {"kind": "image_file", "path": str(fifo)},
                    [[1.0, 2.0, 3.0]] * 7)
    with unblocked(fifo) as freed:
        assert window.open_path(path)  # read off the GUI thread
        wait_message(qtbot, window, fifo.name, SAID["fifo"])
        assert screen(window) == before
    assert freed == []


def test_an_archive_of_many_arrays_is_refused_in_a_short_sentence(window, qtbot, tmp_path):
    """2,000 members (100,000 blocked the window 3.9 s, then listed every name): scanned
    off the GUI thread, refused from its count, a message of one short line."""
    wait_state(qtbot, window, ready)
    before = screen(window)
    path = tmp_path / "many.npz"
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(2_000):
            archive.writestr(f"member_{i}.npy", b"")
    assert window.open_path(path)
    message = wait_message(qtbot, window, "“many.npz” holds 2,000 arrays")
    assert len(message) < 200 and "member_" not in message
    assert screen(window) == before


def _slow(monkeypatch, target, name):
    """Make `target.name` wait for the returned event before it runs (a 57 MiB
    session took 1.7 s to parse); (inside, release)."""
    inside, release = threading.Event(), threading.Event()
    original = getattr(target, name)

    def slow(*args, **kwargs):
        inside.set()
        release.wait(60)
        return original(*args, **kwargs)
    monkeypatch.setattr(target, name, slow)
    return inside, release


def test_a_session_is_read_off_the_gui_thread_with_cancel(window, qtbot, tmp_path,
                                                          monkeypatch):
    """While a session is parsed the window answers and shows what it showed; Cancel
    drops it, and a newer session opened meanwhile replaces it."""
    from kmeans_studio.core.export.session import Session

    wait_state(qtbot, window, ready)
    before = screen(window)
    centres = json.loads(blob_session_text())["initial_centers"]
    five = _session(tmp_path, "five.json", json.loads(blob_session_text())["source"],
                    centres + [[0.0, 0.0]])
    inside, release = _slow(monkeypatch, Session, "load")
    try:
        assert window.open_path(five)
        assert inside.wait(60) and window.opener.busy_reading
        qtbot.waitUntil(window.actions["cancel"].isEnabled)  # the status bar's Cancel
        window.actions["cancel"].trigger()
        assert not window.opener.busy_reading
    finally:
        release.set()
    qtbot.waitUntil(lambda: not window.opener._reading.running)
    settle(qtbot, window.controller)
    assert screen(window) == before and window.last_message is None

    inside.clear()
    release.clear()
    try:
        assert window.open_path(five)  # held while parsed …
        assert inside.wait(60)
        monkeypatch.undo()
        three = _session(tmp_path, "three.json", json.loads(blob_session_text())["source"],
                         centres[:3])
        assert window.open_path(three)  # … and replaced by a newer one
    finally:
        release.set()
    wait_state(qtbot, window, lambda s: ready(s) and s.iteration.n_clusters == 3)
    qtbot.waitUntil(lambda: not window.opener._reading.running)
    settle(qtbot, window.controller)
    assert window.controller.snapshot.iteration.n_clusters == 3


def _collapsing_session(tmp_path):
    """80 drawn points on a line, in a full mixture of 3: a covariance turns singular at
    state 8 of the replay, before the session's state 10."""
    x = np.arange(80.0) * 1e4
    means = [[0.0, 1.0], [3e5, 3e5 + 1], [6e5, 6e5 + 1]]
    data = json.loads(blob_session_text())
    data.pop("inertia")
    data.update({
        "source": {"kind": "drawn", "points": np.column_stack([x, x + 1]).tolist(),
                   "classes": [-1] * 80},
        "run": {"model": "full", "n_clusters": 3, "init": "given centres", "n_init": 1,
                "random_state": 0, "max_iter": 100, "tol": 1e-3},
        "position": {"state": 10, "iteration": 5, "phase": "update"},
        "initial_centers": means, "centers_after_each_update": [means] * 5,
        "log_likelihood": [None] + [-8.0] * 10})
    path = tmp_path / "collapses.kmeans.json"
    path.write_text(json.dumps(data))
    return path


def test_a_session_whose_mixture_collapses_keeps_the_page(window, qtbot, tmp_path):
    """Its replay fails on the worker: one sentence, and the page keeps its 300 points
    and its run (not the session's 80 points with the old run)."""
    wait_state(qtbot, window, ready)
    before = screen(window)
    assert window.open_path(_collapsing_session(tmp_path))
    wait_message(qtbot, window, "collapsed")
    settle(qtbot, window.controller)
    assert screen(window) == before
    assert window.controller.snapshot.dataset.n_samples == 300
    assert window.pages["blobs"].panel.request().data.kind == "blobs"


def test_closing_with_a_run_stuck_in_one_step_does_not_wait_for_it(window, qtbot,
                                                                   monkeypatch):
    """Closing the window while a step takes minutes returns while the step is still
    inside (each thread is waited for a moment at most), and the thread ends once the
    step does."""
    import dataclasses

    from kmeans_studio.qt import controller as controllers

    wait_state(qtbot, window, ready)
    monkeypatch.setattr(controllers, "SHUTDOWN_WAIT_MS", 50)
    inside, release = threading.Event(), threading.Event()

    class StuckRun:
        history, done = [None], False

        def advance(self):
            inside.set()
            release.wait(60)
            self.history = [*self.history, None]
    with_model(monkeypatch, "stuck", lambda *args, **options: StuckRun())
    request = dataclasses.replace(window.page.panel.request(), model="stuck",
                                  init=np.zeros((4, 2)), advance_to=10**9)
    try:
        window.controller.start(request)
        assert inside.wait(60)
        window.close()
        assert not release.is_set() and controllers.abandoned_running() >= 1
    finally:
        release.set()
    qtbot.waitUntil(lambda: controllers.abandoned_running() == 0, timeout=60_000)
