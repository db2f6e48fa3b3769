"""The status bar's run line: every snapshot describes, even one before any data."""


import numpy as np
import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow

from kmeans_studio.qt.contracts import Snapshot
from kmeans_studio.qt.status import RunStatus, describe

from .helpers import blobs_request, settle


def empty_snapshot() -> Snapshot:
    """A snapshot with neither a state nor data, as a page had before its first data."""
    return Snapshot(None, None, 0, 0, np.empty(0), np.empty((0, 0, 0)), False, None)


def test_a_snapshot_without_data_describes_as_loading(qtbot):
    assert describe(empty_snapshot()) == "Loading…"
    window = QMainWindow()
    qtbot.addWidget(window)
    status = RunStatus(window.statusBar(), QAction("Cancel", window))
    status.show_snapshot(empty_snapshot())
    assert status.label.text() == "Loading…"


@pytest.mark.parametrize("command", ["run_to_end", "step", "step_back", "reset", "play"])
def test_run_actions_before_any_data_show_nothing_and_raise_nothing(controller, qtbot,
                                                                    command):
    """Run actions reaching a page whose data are not loaded yet (or failed to load)
    made a snapshot with neither state nor data; now they leave the page as it is."""
    getattr(controller, command)()
    settle(qtbot, controller)
    assert controller.shown == [] and controller.snapshot is None
    controller.pause()


def test_run_to_end_after_a_failed_first_load_shows_nothing(controller, qtbot):
    request = blobs_request(shape="cubes")
    with qtbot.waitSignal(controller.failed):
        controller.start(request)
    controller.run_to_end()
    settle(qtbot, controller)
    assert controller.shown == [] and controller.snapshot is None
