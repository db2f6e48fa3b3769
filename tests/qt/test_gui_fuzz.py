"""A seeded random walk over everything a user can do, on every page: run actions,
the Explore dock, Re-initialise, Cancel, page switches, opening photos, tables,
sessions and hostile files, in any order and without waiting for one to finish before
the next.  pytest-qt fails the test on any exception a slot raises and on any Qt
warning; after the window closes no worker thread may be left running."""

import os
import random
import threading

import numpy as np
import pytest
from PIL import Image
from PySide6.QtWidgets import QApplication

from .helpers import answer_dialogs, wait_state

#: Actions of the window triggered as they are (Quit and the dialogs are left out).
RUN_ACTIONS = ("step", "step_back", "play", "run_to_end", "reset", "reinitialise",
               "cancel", "choose_k", "silhouette", "seed_race", "other_algorithms",
               "show_voronoi", "show_trails", "show_links")
PAGES = ("blobs", "digits", "image", "table")


@pytest.fixture
def files(tmp_path):
    """Files a user might open, good and hostile: {name: path}."""
    rng = np.random.default_rng(0)
    photo = tmp_path / "photo.png"
    Image.fromarray(rng.integers(0, 256, (40, 60, 3), dtype=np.uint8)).save(photo)
    table = tmp_path / "table.csv"
    rows = "\n".join(f"{x:.3f},{y:.3f},{c}" for x, y, c in zip(
        rng.normal(size=60), rng.normal(size=60), rng.integers(0, 3, 60)))
    table.write_text("x,y,class\n" + rows + "\n")
    fifo = tmp_path / "pipe.kmeans.json"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.npz"
    zero.symlink_to("/dev/zero")
    folder = tmp_path / "folder.png"
    folder.mkdir()
    return {"photo": photo, "table": table, "fifo": fifo, "zero": zero, "folder": folder,
            "missing": tmp_path / "missing.csv", "session": tmp_path / "run.kmeans.json"}


def _close_dialogs(window):
    if window.last_message is not None:
        window.last_message.done(0)
        window.last_message = None
    dialog = window.opener.import_dialog
    if dialog is not None and dialog.isVisible():
        dialog.accept()  # the columns it proposes


def _act(window, rng, files):
    """One random thing a user does."""
    roll = rng.random()
    if roll < 0.55:
        action = window.actions[rng.choice(RUN_ACTIONS)]
        if action.isEnabled():
            action.trigger()
    elif roll < 0.75:
        window.page_bar.setCurrentIndex(window.page_bar.findData(rng.choice(PAGES)))
    elif roll < 0.92:
        window.open_path(files[rng.choice(sorted(files))])
    else:
        _close_dialogs(window)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_a_random_walk_over_every_page_raises_nothing_and_leaves_no_thread(
        window, qtbot, tmp_path, monkeypatch, files, seed):
    # Threads an earlier test left (a dask client's event loop lives as long as the
    # process) are not this walk's.
    before = {thread.ident for thread in threading.enumerate()}
    answer_dialogs(monkeypatch, tmp_path)
    wait_state(qtbot, window, lambda s: s.iteration is not None, timeout=60_000)
    window.exporter.save_session(files["session"])
    assert files["session"].is_file()
    said = []
    window.opener.said.connect(said.append)
    window.exporter.said.connect(said.append)
    rng = random.Random(seed)
    for _ in range(150):
        _act(window, rng, files)
        QApplication.processEvents()  # the next action comes while this one runs
        if rng.random() < 0.2:
            _close_dialogs(window)
        if rng.random() < 0.1:  # now and then the page's worker catches up
            with qtbot.waitSignal(window.controller.synced, timeout=120_000):
                window.controller.sync()
    _close_dialogs(window)
    window.actions["cancel"].trigger()
    window.explore.cancel()
    qtbot.waitUntil(lambda: not window.explore.busy, timeout=60_000)
    controllers = [source.controller for source in window.pages.values()]
    # The walk did what it says: runs on several pages, hostile files refused in words.
    assert sum(c.snapshot is not None and c.snapshot.iteration is not None
               for c in controllers) >= 2
    assert any("regular file" in text or "folder" in text for text in said)
    window.close()
    assert all(not c._thread.isRunning() for c in controllers)
    # The helper jobs were told to stop and end on their own; what may stay is the
    # process's own: the job launcher, the engine's pool, Qt's threads seen by Python.
    qtbot.waitUntil(lambda: not [t.name for t in threading.enumerate() if t.is_alive()
                                 and t.ident not in before
                                 and not t.name.startswith(LONG_LIVED)], timeout=60_000)


#: Threads that live as long as the process (named by their start).
LONG_LIVED = ("MainThread", "job-launcher", "kmeans-assign", "Dummy-")
