"""Helpers shared by the Qt tests."""


def wait_state(qtbot, window, predicate, timeout=20_000):
    """Wait until the controller has painted a snapshot satisfying `predicate`."""
    def ready():
        snap = window.controller.snapshot
        return snap is not None and predicate(snap)
    qtbot.waitUntil(ready, timeout=timeout)
    return window.controller.snapshot


def import_dialog(qtbot, window, open_file):
    """Call `open_file()` (which opens a table) and wait for its import dialog: the
    table's first rows are read on a helper thread before it shows."""
    before = window.opener.import_dialog
    open_file()
    qtbot.waitUntil(lambda: window.opener.import_dialog not in (None, before))
    return window.opener.import_dialog


def wait_message(qtbot, window, *words):
    """Wait for a message box that says each of `words`; return its text."""
    qtbot.waitUntil(lambda: window.last_message is not None
                    and all(w in window.last_message.text() for w in words))
    return window.last_message.text()


def settle(qtbot, controller):
    """Wait until `controller`'s worker has carried out every command sent so far and
    the GUI has its newest state: after this, a check that nothing more happens is a
    check of behaviour, not of timing."""
    with qtbot.waitSignal(controller.synced, timeout=60_000):
        controller.sync()


BLOBS = {"kind": "blobs", "shape": "blobs", "n_samples": 300, "n_centers": 4,
         "cluster_std": 0.6, "random_state": 0}


def blobs_request(**changes):
    """A request for the default blobs, with `changes` to their source."""
    import functools

    from kmeans_studio.core.export.session import load_source
    from kmeans_studio.qt.contracts import RunRequest

    source = dict(BLOBS, **changes)
    return RunRequest(data_key=tuple(source.values()), source=source,
                      make_data=functools.partial(load_source, source))


def answer_dialogs(monkeypatch, folder):
    """Dialogs answer at once: a new file name in `folder` to save, nothing to open,
    No to a question."""
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    names = iter(range(1_000_000))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(
        lambda *a, **k: (str(folder / f"out{next(names)}.png"), "")))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: ("", "")))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda *a, **k: QMessageBox.StandardButton.No))
