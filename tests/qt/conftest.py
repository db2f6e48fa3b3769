"""Qt test fixtures: settings in a temporary folder, a window that shuts down cleanly."""

import gc

import pytest
from PySide6.QtCore import QSettings


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """Point QSettings at a fresh temporary folder for every test."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    yield tmp_path / "settings"


@pytest.fixture
def window(qtbot):
    from kmeans_studio.app import build_window

    win = build_window()
    qtbot.addWidget(win)  # closed at teardown: closeEvent joins the worker thread
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    # Collect the closed window now, while no worker thread runs: a collection that
    # starts on the GUI thread during a later test, while that test's worker thread
    # is importing a module, was seen to deadlock (the GUI thread stuck in the
    # collector holding the GIL, the worker waiting for it).
    gc.collect()



@pytest.fixture
def controller(qtbot):
    """A page's run controller without a window; `controller.shown` lists the states it
    painted."""
    from kmeans_studio.qt.controller import RunController

    controller = RunController()
    shown = []
    controller.iteration_done.connect(shown.append)
    controller.shown = shown
    yield controller
    controller.shutdown()
