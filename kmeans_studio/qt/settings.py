"""Settings in one place: typed defaults over QSettings.

Every key has a default here; reading or writing an unknown key raises KeyError, so a
typo cannot silently create a new setting.  Values come back with the default's type
(QSettings returns strings from INI files on some platforms).  The pages' parameters
are their dataclasses (`core.parameters`), stored field by field under a prefix
(`PARAMETERS`) and read back whole with `read`, each field checked against its range.

A settings file is never trusted: it may be damaged, edited by hand or copied from
elsewhere, and a value that stopped the app from starting would also hide Reset
settings.  So every value is read through this table and falls back to its default on
any problem of type, range (`RANGES`), choice (`CHOICES`), length (`LONGEST`), JSON
depth or size.  The window's layout is kept the same way, as numbers and names (its
size and place, each dock's area, visibility and size), never as Qt's opaque state.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSettings

from kmeans_studio.core import parameters
from kmeans_studio.core.checks import scheduler_address
from kmeans_studio.core.data.datasets import SAMPLE_IMAGES
from kmeans_studio.core.data.sources import data_source
from kmeans_studio.core.data.tables import MAX_LINE_BYTES
from kmeans_studio.core.explore.metrics import MATCH_METHODS

#: Each page's parameter dataclass (with its defaults), by settings prefix.
PARAMETERS: dict[str, Any] = {
    "blobs": parameters.BlobParameters(),
    "blobs/run": parameters.BLOBS_RUN,
    "blobs/draw": parameters.DrawParameters(),
    "digits/run": parameters.DIGITS_RUN,
    "table/run": parameters.TABLE_RUN,
    "image": parameters.ImageParameters(),
}

#: Most files the Open recent menu lists (and the settings keep).
MAX_RECENT = 10
#: Longest text value kept by default: a path is at most 4,096 bytes on Linux.
MAX_TEXT = 4096

#: A window position not chosen yet.
NO_POSITION = -32768
#: Each dock's place at the first start ("size" 0: its own size).
DOCKS: dict[str, dict[str, Any]] = {
    "data": {"visible": True, "area": "left", "size": 0},
    "explore": {"visible": False, "area": "bottom", "size": 0},
    "pseudocode": {"visible": False, "area": "left", "size": 0},  # under the parameters
}
DOCK_AREAS = ("left", "right", "top", "bottom")

DEFAULTS: dict[str, Any] = {
    # playback
    "play/speed": 4,  # half-steps per second
    **{f"{prefix}/{name}": value for prefix, params in PARAMETERS.items()
       for name, value in dataclasses.asdict(params).items()},
    "digits/match": "hungarian",
    "digits/file": "",  # the .npz last shown, reopened at start ("" for the digits)
    "table/source": "",  # JSON of the table last shown and its columns ("" for iris)
    "table/axes": "",  # the axis picker's choice
    "image/sample": "china.jpg",
    "image/file": "",  # the photo last shown, reopened at start ("" for a sample)
    # views
    "view/voronoi": True,
    "view/trails": True,
    "view/links": False,
    # window: its size and place, and each dock's, as plain numbers and names (Qt's
    # saveState bytes are not kept: restoreState trusts them, and a crafted state
    # crashed it on every start, digest or not)
    "window/width": 1200,
    "window/height": 800,
    "window/x": NO_POSITION,  # the window manager places it
    "window/y": NO_POSITION,
    "window/maximized": False,
    **{f"dock/{name}/{field}": value for name, dock in DOCKS.items()
       for field, value in dock.items()},
    "window/source": "blobs",
    "files/last_folder": "",
    "files/recent": [],  # paths (str), newest first, at most MAX_RECENT
    "cluster/address": "",  # File ▸ Connect to cluster…: a dask scheduler ("": this computer)
}

#: The range of each number stored (the playback speed's spin box takes it from here).
RANGES: dict[str, tuple[float, float]] = {
    "play/speed": (1, 60),
    "window/width": (320, 16384),
    "window/height": (240, 16384),
    "window/x": (NO_POSITION, 32767),
    "window/y": (NO_POSITION, 32767),
    **{f"dock/{name}/size": (0, 16384) for name in DOCKS},
    **{f"{prefix}/{name}": (spec.low, spec.high) for prefix, params in PARAMETERS.items()
       for name, spec in parameters.specs(params).items() if spec.low is not None},
}

#: The values a text setting may take (another falls back to the default).
CHOICES: dict[str, tuple[str, ...]] = {
    "image/sample": SAMPLE_IMAGES,
    "digits/match": tuple(MATCH_METHODS),
    **{f"dock/{name}/area": DOCK_AREAS for name in DOCKS},
}

#: Longest stored text read, by key (others: `MAX_TEXT`), checked before any parsing.
#: A table's columns are remembered by name, from a header line of at most
#: MAX_LINE_BYTES; quoted as JSON, twice that.  The recent files are JSON too: MAX_RECENT
#: paths of MAX_TEXT characters, each escaped as at most 6 (\uXXXX).
LONGEST: dict[str, int] = {
    "table/source": 2 * MAX_LINE_BYTES,
    "files/recent": MAX_RECENT * (6 * MAX_TEXT + 4) + 2,
}


def _table_source(text: str) -> None:
    """ValueError unless `text` is a table's source as a session holds it (JSON)."""
    source = json.loads(text)  # RecursionError when deep: the default then
    if not isinstance(source, dict) or source.get("kind") != "table" or not source.get("path"):
        raise ValueError("not a table's source")
    data_source(source)


#: Settings whose text must pass a check (ValueError: the default; "" stays "").
CHECKED_TEXT: dict[str, Callable[[str], Any]] = {"table/source": _table_source,
                                                 "cluster/address": scheduler_address}


class Settings:
    """Typed access to the app's QSettings (``Settings()["blobs/run/n_clusters"]``)."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._store = qsettings if qsettings is not None else QSettings()

    def __getitem__(self, key: str) -> Any:
        default = DEFAULTS[key]  # KeyError for unknown keys
        # Whatever the file holds — a wrong type, a number past a spin box's int, a
        # 100,000-deep JSON, a megabyte of text — comes back as the default rather
        # than stopping the app at start (and with it the way to Reset settings).
        try:
            value = self._store.value(key, None)
            if value is None:
                return default
            return _coerce(key, value, default)
        except (TypeError, ValueError, OverflowError, RecursionError, MemoryError):
            return default

    def __setitem__(self, key: str, value: Any) -> None:
        default = DEFAULTS[key]
        if isinstance(default, list):
            value = json.dumps(list(value))
        self._store.setValue(key, value)

    def read(self, prefix: str) -> Any:
        """The parameters stored under `prefix` (see `PARAMETERS`); a field whose
        stored value does not fit its declaration keeps its default."""
        default = PARAMETERS[prefix]
        return parameters.from_values(default, {
            name: self[f"{prefix}/{name}"] for name in parameters.specs(default)})

    def write(self, prefix: str, params: Any) -> None:
        """Store `params` under `prefix`, field by field."""
        for name, value in dataclasses.asdict(params).items():
            self[f"{prefix}/{name}"] = value

    def reset(self) -> None:
        """Forget every stored value."""
        self._store.clear()

    def sync(self) -> None:
        self._store.sync()


def _coerce(key: str, value: Any, default: Any) -> Any:
    """`value` as read from the file, with `default`'s type and within the key's
    bounds; ValueError (or TypeError) when it does not fit."""
    if isinstance(value, str) and len(value) > LONGEST.get(key, MAX_TEXT):
        raise ValueError("too long")  # before any parsing: the size is the first bound
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "1", "yes", "false", "0", "no"):
            return value.lower() in ("true", "1", "yes")
        raise ValueError("not a truth value")
    if isinstance(default, (int, float)):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise TypeError("not a number")
        number = type(default)(value)
        if not math.isfinite(number):
            raise ValueError("not finite")
        low, high = RANGES.get(key, (-math.inf, math.inf))
        if not low <= number <= high:
            raise ValueError("out of range")
        return number
    if isinstance(default, list):
        if not isinstance(value, str):
            raise TypeError("not JSON text")
        loaded = json.loads(value)  # RecursionError when deep: the default then
        if not isinstance(loaded, list):
            raise ValueError("not a list")
        return [item for item in loaded if _is_text(item)][:MAX_RECENT]
    if not _is_text(value, LONGEST.get(key, MAX_TEXT)):
        raise TypeError("not text")
    if key in CHOICES and value not in CHOICES[key]:
        raise ValueError("not a choice")
    if key in CHECKED_TEXT and value:
        CHECKED_TEXT[key](value)
    return value


def _is_text(value: Any, longest: int = MAX_TEXT) -> bool:
    """A string people could have typed or a path could be: bounded, no NUL (which
    the file system functions refuse with a ValueError)."""
    return isinstance(value, str) and len(value) <= longest and "\0" not in value
