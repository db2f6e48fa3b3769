"""A settings file can never stop the app from starting.

The file may be damaged, edited by hand or come from elsewhere.  Every value is read
through the settings table (`kmeans_studio.qt.settings`) and falls back to its default;
the saved window layout is restored only when this app wrote it.  Fuzzed here with a
seeded generator and a bounded number of cases: mutated bytes of a real saved file,
wrong types for every key, huge and deep values — and the window always opens, with
Reset settings working.
"""

import gc
import json
import math
import os
import random

import pytest
from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, QSettings, Qt
from PySide6.QtWidgets import QMessageBox

from kmeans_studio.core import parameters
from kmeans_studio.qt.settings import (
    CHOICES,
    DEFAULTS,
    LONGEST,
    MAX_RECENT,
    MAX_TEXT,
    PARAMETERS,
    RANGES,
    Settings,
)

DEEP_JSON = "[" * 100_000 + "]" * 100_000
#: Values of every type QSettings can bring back, and some that broke the start once.
WRONG_VALUES = [
    "", "lots", "[1]", '{"path": 1}', "true", "-1", "1e400", "nan", "99999999999999999999",
    "\0", "a\0b", "x" * (MAX_TEXT + 1), DEEP_JSON, json.dumps(["/tmp"] * 100_000),
    0, -1, 99999999999999999999 % 2**63, 2.5, True, ["1", "2"], {"a": "b"},
    QByteArray(b"\0\0\0\xff"), "sha256:00:AAAA",
]
#: Things a mutation splices into the file: Qt's own INI escapes among them.
#: What Qt says reading a typed value (@Variant) of a type it does not know: harmless,
#: and the value falls back to its default.
UNKNOWN_TYPE = "Trying to construct an instance of an invalid type"
SPLICES = [b"@ByteArray(", b"@Variant(", b"@Invalid()", b"[", b"]", b"{", b"\\0", b"\\x",
           b",", b"=", b"\n", b'"', b"99999999999999999999", b"nan", b"-1"]


def _file() -> str:
    from kmeans_studio.app import application

    application()  # the app's names, which QSettings() uses to name its file
    name = QSettings().fileName()
    os.makedirs(os.path.dirname(name), exist_ok=True)
    return name


def _mutated(data: bytes, rng: random.Random, within: bytes = b"") -> bytes:
    """`data` with a few bytes changed, removed or spliced in (all in the value after
    `within` when given)."""
    start = data.index(within) + len(within) if within else 0
    end = data.index(b"\n", start) if within else len(data)
    mutated = bytearray(data[start:end])
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(len(mutated) + 1)
        how = rng.random()
        if how < 0.4 and at < len(mutated):
            mutated[at] = rng.randrange(256)
        elif how < 0.6:
            del mutated[at:at + rng.randint(1, 16)]
        else:
            mutated[at:at] = rng.choice(SPLICES)
    return data[:start] + bytes(mutated) + data[end:]


def _check_every_value(settings: Settings) -> None:
    """Each value read has its default's type and lies within its declared bounds."""
    for key, default in DEFAULTS.items():
        value = settings[key]
        assert type(value) is type(default), key
        if key in RANGES:
            low, high = RANGES[key]
            assert math.isfinite(value) and low <= value <= high, key
        if key in CHOICES:
            assert value in CHOICES[key], key
        if isinstance(value, str):
            assert len(value) <= LONGEST.get(key, MAX_TEXT) and "\0" not in value, key
        if isinstance(value, list):
            assert len(value) <= MAX_RECENT and all(isinstance(p, str) for p in value), key
    for prefix in PARAMETERS:
        parameters.checked(settings.read(prefix))


def _saved_file(qtbot) -> bytes:
    """The bytes of a settings file the window wrote on closing, with a page's
    parameters, a recent file and the playback speed changed from their defaults."""
    window = _open_window(qtbot)
    window.speed.setValue(30)
    window.settings["files/recent"] = [__file__]
    _close(window)
    with open(_file(), "rb") as saved:
        return saved.read()


def _open_window(qtbot):
    from kmeans_studio.app import build_window

    window = build_window()
    window.show()
    qtbot.waitExposed(window)
    return window


def _close(window) -> None:
    """Close `window` and free it now, while no worker runs (see conftest's window
    fixture): a window left for a later event loop frees thousands of objects there,
    which holds the cycle collector's count under its threshold in that test."""
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


def _opens_and_resets(qtbot, monkeypatch) -> None:
    window = _open_window(qtbot)
    assert window.isVisible()
    low, high = RANGES["play/speed"]
    assert low <= window.speed.value() <= high
    window.recent_menu.aboutToShow.emit()  # the recent files are checked as it opens
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.actions["reset_settings"].trigger()
    _close(window)
    assert QSettings().allKeys() == []


def test_values_of_every_wrong_type_fall_back_to_the_defaults(tmp_path):
    """Each key given each wrong value, through QSettings' own INI file."""
    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    for value in WRONG_VALUES:
        for key in DEFAULTS:
            store.setValue(key, value)
        store.sync()
        _check_every_value(Settings(QSettings(str(tmp_path / "s.ini"),
                                              QSettings.Format.IniFormat)))


@pytest.mark.qt_log_ignore(UNKNOWN_TYPE)
def test_mutated_settings_files_read_within_their_declarations(qtbot, tmp_path):
    saved = _saved_file(qtbot)
    rng = random.Random(27)
    for case in range(150):
        path = tmp_path / f"{case}.ini"
        path.write_bytes(_mutated(saved, rng))
        _check_every_value(Settings(QSettings(str(path), QSettings.Format.IniFormat)))


@pytest.mark.parametrize("key, value", [
    # Seen to stop the start: a TypeError, an OverflowError at the spin box, a
    # RecursionError; and a start held for 20 s by a million recent files.
    ("files/recent", "[1]"),
    ("play/speed", "99999999999999999999"),
    ("files/recent", DEEP_JSON),
    ("table/source", DEEP_JSON),
    ("blobs/run/n_clusters", DEEP_JSON),
    ("files/recent", json.dumps(["/nowhere/file.npz"] * 1_000_000)),
    ("files/recent", json.dumps(["/dev/zero", "/tmp", "a\0b", 1, [2]])),
])
def test_settings_that_once_stopped_the_start_open_the_window(qtbot, monkeypatch, key,
                                                              value):
    QSettings(_file(), QSettings.Format.IniFormat).setValue(key, value)
    _opens_and_resets(qtbot, monkeypatch)


@pytest.mark.qt_log_ignore(UNKNOWN_TYPE)
def test_values_qt_cannot_read_fall_back_to_the_defaults(qtbot, monkeypatch):
    with open(_file(), "w", encoding="utf-8") as settings:
        settings.write("[play]\nspeed=@Variant(\\0\\0\\x4e\\x20\\0)\n"
                       "[window]\nwidth=@Variant(\\x7f\\xff\\xff\\xff\\0)\n")
    assert Settings()["play/speed"] == DEFAULTS["play/speed"]
    assert Settings()["window/width"] == DEFAULTS["window/width"]
    _opens_and_resets(qtbot, monkeypatch)


def test_the_layout_comes_back_as_numbers_and_names_and_a_qt_state_is_ignored(
        qtbot, monkeypatch):
    """Qt's saved state bytes are trusted by restoreState, and a crafted one (its
    digest recomputed) crashed it on every start: the layout is kept as typed numbers
    and names instead, and whatever Qt state a file holds is never read."""
    window = _open_window(qtbot)
    window.resize(700, 500)
    window.pseudocode_dock.show()
    _close(window)
    settings = Settings()
    assert (settings["window/width"], settings["window/height"]) == (700, 500)
    assert settings["dock/pseudocode/visible"] and settings["dock/pseudocode/area"] == "left"
    store = QSettings()
    crashing = QByteArray.fromHex(b"000000ff00000000fd0000000300000000" + b"ff" * 280)
    store.setValue("window/state", crashing)  # what earlier versions kept
    store.setValue("window/geometry", crashing)
    store.setValue("dock/data/area", "middle")
    store.setValue("dock/explore/size", "-5")
    store.sync()
    window = _open_window(qtbot)
    assert (window.width(), window.height()) == (700, 500)
    assert window.pseudocode_dock.isVisible() and window.data_dock.isVisible()
    assert window.dockWidgetArea(window.data_dock) == Qt.DockWidgetArea.LeftDockWidgetArea
    _close(window)
    _opens_and_resets(qtbot, monkeypatch)


def test_a_window_larger_than_its_screen_is_fitted_to_it(qtbot):
    store = QSettings(_file(), QSettings.Format.IniFormat)
    store.setValue("window/width", 16000)
    store.setValue("window/height", 9000)
    store.sync()
    window = _open_window(qtbot)
    room = window.screen().availableGeometry()
    assert window.width() <= room.width() and window.height() <= room.height()
    _close(window)


@pytest.mark.qt_log_ignore(UNKNOWN_TYPE)
def test_the_window_opens_with_any_mutated_settings_file(qtbot, monkeypatch):
    """The issue's "done when": mutated bytes of a real saved file, and the window
    shows and resets its settings every time."""
    saved = _saved_file(qtbot)
    rng = random.Random(2027)
    for within in [b"", b"", b"", b"\nwidth=", b"\nx=", b"area=", b"size=", b"\nrecent=",
                   b"\nspeed=", b"\nsource="]:
        with open(_file(), "wb") as settings:
            settings.write(_mutated(saved, rng, within))
        _opens_and_resets(qtbot, monkeypatch)


def test_recent_files_are_checked_when_the_menu_opens(qtbot, tmp_path, monkeypatch):
    """Not at start (a million remembered files once held it for 20 s), and then only
    regular files and folders (of tables, opened on a cluster) are listed: no FIFO,
    device or missing file."""
    from kmeans_studio.core import limits

    (tmp_path / "table.csv").write_text("a,b\n1,2\n")
    os.mkfifo(tmp_path / "pipe.npz")
    recent = [str(tmp_path / "table.csv"), str(tmp_path / "pipe.npz"), "/dev/zero",
              str(tmp_path), str(tmp_path / "gone.npz")]
    QSettings(_file(), QSettings.Format.IniFormat).setValue("files/recent", json.dumps(recent))
    checked = []
    real = limits.regular_file
    monkeypatch.setattr(limits, "regular_file",
                        lambda path, *a: checked.append(str(path)) or real(path, *a))
    window = _open_window(qtbot)
    assert not set(checked) & set(recent) and window.recent_menu.isEnabled()
    window.recent_menu.aboutToShow.emit()
    assert set(recent) - {str(tmp_path)} <= set(checked)
    assert [a.toolTip() for a in window.recent_menu.actions()] == [recent[0], str(tmp_path)]
    _close(window)


def test_remembered_files_that_went_bad_give_way_to_each_pages_default_data(
        qtbot, tmp_path):
    """A photo, labelled images or a table remembered from the last start that cannot be
    read any more: each page says why and shows its default data, never an empty page."""
    from .helpers import wait_state

    _file()  # the app's names first: they name the settings file

    broken = tmp_path / "photo.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    images = tmp_path / "labelled.npz"
    images.write_bytes(b"PK\x05\x06" + bytes(18))
    table = tmp_path / "table.csv"
    table.write_text("a,b\n1,2\n3,4\n")
    settings = Settings()
    settings["image/file"] = str(broken)
    settings["digits/file"] = str(images)
    settings["table/source"] = json.dumps({
        "kind": "table", "path": str(table), "features": ["gone", "missing"],
        "label": None, "missing": "drop", "scaling": "none"})
    settings["window/source"] = "image"
    settings.sync()
    window = _open_window(qtbot)
    defaults = {"image": "china.jpg", "digits": "digits", "table": "iris"}
    for key, name in defaults.items():
        window.page_bar.setCurrentIndex(window.page_bar.findData(key))
        snap = wait_state(qtbot, window, lambda s, key=key: s.iteration is not None
                          and window.pages[key].accepts(s.dataset), timeout=60_000)
        assert name in snap.dataset.name.lower()
        panel = window.pages[key].panel
        assert panel.error.isVisible() or window.last_message is not None
    _close(window)
