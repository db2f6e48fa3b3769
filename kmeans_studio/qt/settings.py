"""Settings in one place: typed defaults over QSettings.

Every key has a default here; reading or writing an unknown key raises KeyError, so a
typo cannot silently create a new setting.  Values come back with the default's type
(QSettings returns strings from INI files on some platforms).  The pages' parameters
are their dataclasses (`core.parameters`), stored field by field under a prefix
(`PARAMETERS`) and read back whole with `read`, each field checked against its range.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from kmeans_studio.core import parameters

#: Each page's parameter dataclass (with its defaults), by settings prefix.
PARAMETERS: dict[str, Any] = {
    "blobs": parameters.BlobParameters(),
    "blobs/run": parameters.BLOBS_RUN,
    "blobs/draw": parameters.DrawParameters(),
    "digits/run": parameters.DIGITS_RUN,
    "table/run": parameters.TABLE_RUN,
    "image": parameters.ImageParameters(),
}

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
    # window
    "window/geometry": QByteArray(),
    "window/state": QByteArray(),
    "window/source": "blobs",
    "files/last_folder": "",
    "files/recent": [],
}


class Settings:
    """Typed access to the app's QSettings (``Settings()["blobs/run/n_clusters"]``)."""

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
