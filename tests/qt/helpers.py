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


def wait_message(qtbot, window, *words, timeout=5000):
    """Wait for a message box that says each of `words`; return its text."""
    qtbot.waitUntil(lambda: window.last_message is not None
                    and all(w in window.last_message.text() for w in words),
                    timeout=timeout)
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
    """A request for the default blobs, with `changes` to their source (unchecked:
    the worker says what is wrong with them)."""
    from kmeans_studio.core.data.sources import Blobs
    from kmeans_studio.qt.contracts import RunRequest

    fields = {key: value for key, value in BLOBS.items() if key != "kind"}
    return RunRequest(Blobs(**dict(fields, **changes)))


def given_data(dataset, name="given"):
    """A data source of a dataset made in the test (it cannot be rebuilt)."""
    import dataclasses
    from typing import Any, ClassVar

    from kmeans_studio.core.data.sources import DataSource

    @dataclasses.dataclass(frozen=True, eq=False)
    class Given(DataSource):
        kind: ClassVar[str] = "given"
        page: ClassVar[str] = "blobs"
        mixtures: ClassVar[bool] = True
        rebuildable: ClassVar[bool] = False
        data: Any = None

        def load(self, cancelled=None, progress=None):
            return self.data

        @property
        def key(self):
            return "given", name

    return Given(dataset)


def with_model(monkeypatch, name, make):
    """A model `name` in the registry the worker looks models up in, for this test,
    whose runs `make(X, k, **options)` makes (a fake `SteppedRun`)."""
    from kmeans_studio.core.engine.models import MODELS, Model

    monkeypatch.setitem(MODELS, name, Model(name, make))


def answer_dialogs(monkeypatch, folder):
    """Dialogs answer at once: a new file name in `folder` to save, nothing to open,
    No to a question, Cancel to a line asked for."""
    from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

    names = iter(range(1_000_000))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(
        lambda *a, **k: (str(folder / f"out{next(names)}.png"), "")))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: ("", "")))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: ""))
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("", False)))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda *a, **k: QMessageBox.StandardButton.No))
