"""Results that leave the app: sessions (JSON), centres and labels (CSV).

A *source* is a small JSON-able dict that says how to rebuild the data exactly (the
blob parameters and seed, "digits", a sample photo's name, a file's path); a session
adds the run's parameters, its initial centres and the history of centres and inertia
up to the state shown.  Opening a session rebuilds the data, starts from the same
initial centres and replays the same half-steps, so it shows the same centres and
labels at the same iteration.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from kmeans_studio.core.datasets import Dataset

FORMAT = "kmeans-studio-session"
VERSION = 1
SESSION_SUFFIX = ".kmeans.json"
RUN_KEYS = ("n_clusters", "init", "n_init", "random_state", "max_iter", "tol")


def load_source(source: dict, cancelled=None, progress=None) -> Dataset | None:
    """The data a source dict describes (raises ValueError/OSError with a sentence).

    Tables are read in chunks: `progress(done, total)` is told how far, and None is
    returned when `cancelled()` says so.
    """
    from kmeans_studio.core import datasets

    kind = source.get("kind")
    if kind == "blobs":
        return datasets.make_blob_dataset(source["shape"], source["n_samples"],
                                          source["n_centers"], source["cluster_std"],
                                          source["random_state"])
    if kind == "digits":
        return datasets.digits_dataset()
    if kind == "labelled_file":
        return datasets.npz_images_dataset(source["path"])
    if kind == "sample_image":
        return datasets.sample_image_dataset(source["name"])
    if kind == "image_file":
        return datasets.file_image_dataset(source["path"])
    if kind == "table":
        from kmeans_studio.core.tables import load_table_dataset

        return load_table_dataset(source, cancelled, progress)
    raise ValueError(f"Unknown kind of data {kind!r} in the session.")


def state_phase(index: int) -> tuple[str, int]:
    """(phase, iteration) of state `index`: the history alternates init, assign,
    update, assign, update, ... (a run may end on an assignment)."""
    if index == 0:
        return "init", 0
    return ("assign" if index % 2 else "update"), (index + 1) // 2


@dataclasses.dataclass(frozen=True)
class Session:
    """Everything needed to show one state of one run again.

    Attributes
    ----------
    source : dict
        How to rebuild the data (see `load_source`).
    run : dict
        k, initialisation, starts, seed, iteration limit, tolerance.
    trail : ndarray (m, k, d)
        The initial centres, then the centres after each update up to `position`.
    inertia : ndarray (position + 1,)
        Inertia of each state up to `position` (NaN for the initial state).
    position : int
        Index of the state shown in the run's history.
    description : str
        One line on the data, for people reading the file.
    """

    source: dict
    run: dict
    trail: np.ndarray
    inertia: np.ndarray
    position: int
    description: str = ""

    @property
    def initial_centers(self) -> np.ndarray:
        return self.trail[0]

    def to_json(self) -> str:
        phase, n_iter = state_phase(self.position)
        text = json.dumps({
            "format": FORMAT, "version": VERSION,
            "description": self.description,
            "source": self.source,
            "run": self.run,
            "position": {"state": self.position, "iteration": n_iter, "phase": phase},
            "initial_centers": self.trail[0].tolist(),
            "centers_after_each_update": self.trail[1:].tolist(),
            "inertia": [None if math.isnan(v) else v for v in self.inertia.tolist()],
        }, indent=1)
        # Innermost lists of numbers on one line each: a centre per line, not a number.
        # (Only lists json.dumps broke over lines: text in strings has no raw newline.)
        return re.sub(r"\[\n([-0-9.eE+,\snul]*?)\n\s*\]",
                      lambda m: "[" + ", ".join(v.strip() for v in m.group(1).split(",")) + "]",
                      text)

    @classmethod
    def from_json(cls, text: str, name: str = "the session") -> Session:
        """Parse a session file; ValueError with a sentence when it is not one."""
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"“{name}” is not a K-Means Studio session ({exc}).") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"“{name}” is not a K-Means Studio session.")
        if data.get("version") != VERSION:
            raise ValueError(f"“{name}” is a session of version {data.get('version')}; "
                             f"this K-Means Studio reads version {VERSION}.")
        try:
            first = np.asarray(data["initial_centers"], dtype=np.float64)
            later = np.asarray(data["centers_after_each_update"], dtype=np.float64)
            trail = np.concatenate([first[None], later.reshape(-1, *first.shape)])
            inertia = np.array([math.nan if v is None else v for v in data["inertia"]],
                               dtype=np.float64)
            position = int(data["position"]["state"])
            run = {key: data["run"][key] for key in RUN_KEYS}
            source = dict(data["source"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"“{name}” is damaged: {exc!s} is missing or wrong.") from None
        if first.ndim != 2 or not np.isfinite(trail).all():
            raise ValueError(f"“{name}” is damaged: the centres are not a table of numbers.")
        if len(trail) != 1 + position // 2 or len(inertia) != position + 1:
            raise ValueError(f"“{name}” is damaged: its history does not reach state "
                             f"{position}.")
        return cls(source, run, trail, inertia, position, str(data.get("description", "")))

    def save(self, path: str | Path) -> Path:
        from kmeans_studio.core.images import atomic_write

        return atomic_write(path, lambda temp: Path(temp).write_text(self.to_json(),
                                                                     encoding="utf-8"))

    @classmethod
    def load(cls, path: str | Path) -> Session:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"“{path.name}” is not a K-Means Studio session.") from None
        return cls.from_json(text, path.name)


def centers_csv(dataset: Dataset, centers: np.ndarray, labels: np.ndarray | None) -> str:
    """One row per cluster: its number, size (weighted) and coordinates."""
    k, d = centers.shape
    sizes = (np.zeros(k) if labels is None else
             np.bincount(labels, weights=dataset.sample_weight, minlength=k))
    rows = [["cluster", "size", *_feature_names(dataset, d)]]
    rows += [[j, _number(sizes[j]), *map(_number, centers[j])] for j in range(k)]
    return _csv(rows)


def labels_csv(dataset: Dataset, labels: np.ndarray) -> str:
    """One row per sample: its features, weight (merged pixels), true label, cluster."""
    return "".join(labels_csv_chunks(dataset, labels))


def labels_csv_chunks(dataset: Dataset, labels: np.ndarray, chunk_rows: int = 50_000):
    """`labels_csv` in pieces (the header, then `chunk_rows` rows at a time), so a big
    table can be written with progress and cancelled between pieces."""
    d = dataset.n_features
    header = ["sample", *_feature_names(dataset, d)]
    columns: list[Any] = [np.arange(dataset.n_samples), *dataset.X.T]
    if dataset.sample_weight is not None:
        header.append("pixels" if dataset.image is not None else "weight")
        columns.append(dataset.sample_weight)
    if dataset.y is not None:
        header.append("true_label")
        columns.append(dataset.y)
    header.append("cluster")
    columns.append(np.asarray(labels))
    yield _csv([header])
    for start in range(0, dataset.n_samples, chunk_rows):
        # numpy writes each float as its shortest exact repr; whole numbers as ints.
        cells = [_strings(column[start:start + chunk_rows]) for column in columns]
        yield "".join(",".join(row) + "\n" for row in zip(*cells))


def _strings(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values)
    if values.dtype.kind == "f" and np.all((values == np.round(values))
                                           & (np.abs(values) < 2.0**53)):
        return values.astype(np.int64).astype(str)
    if values.dtype.kind in "OUS":  # text labels: quoted as CSV needs
        return np.array([_csv([[v]]).rstrip("\n") for v in values.tolist()])
    return values.astype(str)


def _feature_names(dataset: Dataset, d: int) -> list[str]:
    if dataset.feature_names is not None:
        return list(dataset.feature_names)
    if dataset.image is not None:
        return ["red", "green", "blue"]
    if dataset.image_shape is not None:
        h, w = dataset.image_shape
        return [f"pixel_{r}_{c}" for r in range(h) for c in range(w)]
    return ["x", "y"] if d == 2 else [f"x{i}" for i in range(d)]


def _number(value: Any) -> Any:
    if isinstance(value, (float, np.floating)):
        return int(value) if float(value).is_integer() else repr(float(value))
    return value.item() if hasattr(value, "item") else value


def _csv(rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()
