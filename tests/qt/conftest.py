"""Qt test fixtures: settings in a temporary folder, a window that shuts down cleanly."""

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

