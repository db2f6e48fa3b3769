"""Settings in one place: typed defaults over QSettings.

Every key has a default here; reading or writing an unknown key raises KeyError, so a
typo cannot silently create a new setting.  Values come back with the default's type
(QSettings returns strings from INI files on some platforms).
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

DEFAULTS: dict[str, Any] = {
    # playback
    "play/speed": 4,  # half-steps per second
    # blob page
    "blobs/shape": "blobs",
    "blobs/n_samples": 300,
    "blobs/n_centers": 4,
    "blobs/cluster_std": 0.6,
    "blobs/data_seed": 0,
    "run/k": 4,
    "run/init": "k-means++",
    "run/n_init": 1,
    "run/seed": 0,
    "run/max_iter": 300,
    "run/tol": 1e-4,
    # digits page (scikit-learn's n_init=10 reaches the seed's accuracy of about 0.79)
    "digits/k": 10,
    "digits/init": "k-means++",
    "digits/n_init": 10,
    "digits/seed": 0,
    "digits/max_iter": 300,
    "digits/tol": 1e-4,
    "digits/match": "hungarian",
    "digits/file": "",  # the .npz last shown, reopened at start ("" for the digits)
    "table/k": 3,
    "table/init": "k-means++",
    "table/n_init": 1,  # scikit-learn's n_init="auto" with k-means++: big tables stay quick
    "table/seed": 0,
    "table/max_iter": 300,
    "table/tol": 1e-4,
    "table/source": "",  # JSON of the table last shown and its columns ("" for iris)
    "table/axes": "",  # the axis picker's choice
    # image page
    "image/k": 64,
    "image/seed": 0,
    "image/dither": False,
    "image/sample": "china.jpg",
    "image/file": "",  # the photo last shown, reopened at start ("" for a sample)
    # views
    "view/voronoi": True,
    "view/trails": True,
    # window
    "window/geometry": QByteArray(),
    "window/state": QByteArray(),
    "window/source": "blobs",
    "files/last_folder": "",
    "files/recent": [],
}


class Settings:
    """Typed access to the app's QSettings (``Settings()["run/k"]``)."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._store = qsettings if qsettings is not None else QSettings()

    def __getitem__(self, key: str) -> Any:
        default = DEFAULTS[key]  # KeyError for unknown keys
        value = self._store.value(key, None)
        if value is None:
            return default
        try:
            return _coerce(value, default)
        except (TypeError, ValueError):
            return default  # a corrupt value falls back to the default

    def __setitem__(self, key: str, value: Any) -> None:
        default = DEFAULTS[key]
        if isinstance(default, list):
            value = json.dumps(list(value))
        self._store.setValue(key, value)

    def reset(self) -> None:
        """Forget every stored value."""
        self._store.clear()

    def sync(self) -> None:
        self._store.sync()


def _coerce(value: Any, default: Any) -> Any:
    if isinstance(default, bool):
        if isinstance(value, str):
            return value.lower() in ("true", "1", "yes")
        return bool(value)
    if isinstance(default, int):
        return int(value)
    if isinstance(default, float):
        return float(value)
    if isinstance(default, list):
        loaded = json.loads(value) if isinstance(value, str) else list(value)
        if not isinstance(loaded, list):
            raise ValueError("not a list")
        return loaded
    if isinstance(default, QByteArray):
        return value if isinstance(value, QByteArray) else QByteArray(value)
    return str(value)
