"""Results that leave the app: sessions (JSON), centres and labels (CSV).

A session is a run request written down: its data source (`sources.DataSource`: how
to rebuild the data exactly, the blob parameters and seed, "digits", a sample photo's
name, a file's path), the run's parameters, its initial centres and the history of
centres and inertia (a Gaussian mixture: of means and log-likelihood) up to the state
shown, with the edits of the centres made mid-run (each: its state, the centres
set, the centres after each update that followed).  Opening a session rebuilds the
data, starts from the same initial centres and replays the same half-steps (making
the same edits at the same states), so it shows the same centres and labels at the
same iteration.  A session with edits is of version 2 (an older K-Means Studio says
it cannot read it, rather than that it is damaged); one without stays of version 1.
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

from kmeans_studio.core.checks import is_number as _is_number
from kmeans_studio.core.checks import number_rows as _matrix
from kmeans_studio.core.checks import one_of as _choice
from kmeans_studio.core.checks import real_number as _real
from kmeans_studio.core.checks import short_text as _text
from kmeans_studio.core.checks import shown as _shown
from kmeans_studio.core.checks import whole_number as _whole
from kmeans_studio.core.data.datasets import Dataset
from kmeans_studio.core.data.sources import DataSource, data_source
from kmeans_studio.core.engine.models import MODELS as _MODELS
from kmeans_studio.core.limits import regular_file
from kmeans_studio.core.parameters import TOL_RANGE, RunParameters, specs

FORMAT = "kmeans-studio-session"
VERSION = 1
#: The version of a session with edits of the centres mid-run ("edits").
EDITS_VERSION = 2
SESSION_SUFFIX = ".kmeans.json"
RUN_KEYS = ("model", "n_clusters", "init", "n_init", "random_state", "max_iter", "tol")
def state_phase(index: int, edits: tuple = ()) -> tuple[str, int]:
    """(phase, iteration) of state `index`: the history alternates init, assign,
    update, assign, update, ... (a run may end on an assignment); an edit of the
    centres (`edits`: [(state, ...)]) starts it again from "edit", numbering
    iterations on from the state before it."""
    start, base = 0, 0  # the stretch holding `index`, and its first iteration count
    for state, *_ in edits:
        if state > index:
            break
        start, base = state, base + (state - start) // 2
    step = index - start
    if step == 0:
        return ("init" if start == 0 else "edit"), base
    return ("assign" if step % 2 else "update"), base + (step + 1) // 2


@dataclasses.dataclass(frozen=True)
class Session:
    """Everything needed to show one state of one run again.

    Attributes
    ----------
    source : DataSource
        How to rebuild the data (a session's dict is checked into one).
    run : dict
        Model ("kmeans" or a mixture's covariance type), k, initialisation, starts,
        seed, iteration limit, tolerance.
    trail : ndarray (m, k, d)
        The initial centres, then the centres after each update up to `position`
        (a mixture: its means).
    objective : ndarray (position + 1,)
        Inertia of each state up to `position` (NaN for the initial state); a
        mixture's mean log-likelihood (written as "log_likelihood").
    position : int
        Index of the state shown in the run's history.
    description : str
        One line on the data, for people reading the file.
    edits : tuple of (int, ndarray)
        The centres edited mid-run (k-means only), oldest first: ``(state, trail)``,
        the centres ``trail[0]`` set as state `state`, then the centres after each
        update up to the next edit or `position`.  `trail` is then the run's until
        its first edit.
    """

    source: DataSource
    run: dict
    trail: np.ndarray
    objective: np.ndarray
    position: int
    description: str = ""
    edits: tuple = ()

    @property
    def objective_key(self) -> str:
        """The objective's name in the file."""
        return _MODELS[self.run.get("model") or "kmeans"].objective

    @property
    def initial_centers(self) -> np.ndarray:
        return self.trail[0]

    def last_stretch(self) -> tuple[int, np.ndarray, np.ndarray, int]:
        """The run since its last edit of the centres (the whole run when it has
        none): (the state it starts at, its trail, its objective, the position in
        it), as a run started from the edited centres has them."""
        start, trail = self.edits[-1] if self.edits else (0, self.trail)
        return start, trail, self.objective[start:], self.position - start

    def to_json(self) -> str:
        phase, n_iter = state_phase(self.position, self.edits)
        fields = {
            "format": FORMAT, "version": EDITS_VERSION if self.edits else VERSION,
            "description": self.description,
            "source": self.source.to_dict(),
            "run": self.run,
            "position": {"state": self.position, "iteration": n_iter, "phase": phase},
            "initial_centers": self.trail[0].tolist(),
            "centers_after_each_update": self.trail[1:].tolist(),
            self.objective_key: [None if math.isnan(v) else v
                                 for v in self.objective.tolist()],
        }
        if self.edits:
            fields["edits"] = [{"state": state, "centers": trail[0].tolist(),
                                "centers_after_each_update": trail[1:].tolist()}
                               for state, trail in self.edits]
        text = json.dumps(fields, indent=1)
        # Innermost lists of numbers on one line each: a centre per line, not a number.
        # (Only lists json.dumps broke over lines: text in strings has no raw newline.)
        return re.sub(r"\[\n([-0-9.eE+,\snul]*?)\n\s*\]",
                      lambda m: "[" + ", ".join(v.strip() for v in m.group(1).split(",")) + "]",
                      text)

    def __post_init__(self) -> None:
        # Only the fields each kind of data has are kept: nothing else travels on.
        object.__setattr__(self, "source", data_source(self.source))
        if not self.source.rebuildable:
            raise ValueError(f"{self.source.describe()} cannot be rebuilt from a session")
        object.__setattr__(self, "run", {**self.run, "model": self.run.get("model") or "kmeans"})
        object.__setattr__(self, "edits", tuple((int(state), np.asarray(trail, dtype=float))
                                                for state, trail in self.edits))
        check_session(self.source, self.run, self.trail, self.objective, self.position,
                      self.edits)

    @classmethod
    def from_json(cls, text: str, name: str = "the session") -> Session:
        """Parse a session file; ValueError with one sentence when it is not one, or
        when any field has the wrong type, shape or range (nothing is trusted)."""
        if len(text) > MAX_SESSION_BYTES:
            raise ValueError(_too_big(name, len(text)))
        try:  # (a byte-order mark, as some editors write, is not part of the JSON)
            data = json.loads(text.removeprefix("\ufeff"), parse_constant=_no_constant)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
            detail = ("it nests too deeply" if isinstance(exc, RecursionError)
                      else str(exc).rstrip("."))
            raise ValueError(f"“{name}” is not a K-Means Studio session ({detail}).") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"“{name}” is not a K-Means Studio session.")
        version = data.get("version")
        if type(version) is not int or version not in (VERSION, EDITS_VERSION):
            raise ValueError(f"“{name}” is a session of version {_shown(version)}, which "
                             f"this K-Means Studio cannot read (it reads version {VERSION} "
                             f"or {EDITS_VERSION}).")
        try:
            position = _field(data, "position", dict)
            position = _whole(position.get("state"), "the position's state", 0, 10**9)
            first = _matrix(data.get("initial_centers"), "the initial centres", 2)
            later = _matrix(data.get("centers_after_each_update"),
                            "the centres after each update", None)
            if later.size == 0:
                later = later.reshape(0, *first.shape)
            if later.shape[1:] != first.shape:
                raise ValueError("the centres after each update do not have the shape of "
                                 "the initial centres")
            trail = np.concatenate([first[None], later])
            run = _field(data, "run", dict)
            run = {key: run.get(key) for key in RUN_KEYS}
            model = "kmeans" if run["model"] is None else run["model"]
            run["model"] = _choice(model, "the run's model", _MODELS)
            key = _MODELS[run["model"]].objective
            objective = _field(data, key, list)
            if not all(v is None or _is_number(v) for v in objective):
                raise ValueError(f"the {key.replace('_', '-')} must be a list of numbers")
            objective = np.array([math.nan if v is None else v for v in objective],
                                 dtype=np.float64)
            source = dict(_field(data, "source", dict))
            description = data.get("description", "")
            if not isinstance(description, str):
                raise ValueError("the description must be text")
            edits = _edits(data, version)
            return cls(source, run, trail, objective, position, description, edits)
        except (ValueError, TypeError, OverflowError) as exc:
            raise ValueError(f"“{name}” is damaged: {exc}.") from None

    def save(self, path: str | Path) -> Path:
        """Write the session (atomically); ValueError when it would be larger than
        any session K-Means Studio opens."""
        from kmeans_studio.core.color.images import atomic_write

        text = self.to_json()
        if len(text) > MAX_SESSION_BYTES:
            raise ValueError(f"this run's history is too long for a session "
                             f"({len(text) / 2**20:,.0f} MiB; at most "
                             f"{MAX_SESSION_BYTES >> 20} MiB): save it at an earlier state.")
        return atomic_write(path, lambda temp: Path(temp).write_text(text, encoding="utf-8"))

    @classmethod
    def load(cls, path: str | Path) -> Session:
        """Read and check a session file (ValueError or OSError with a sentence).

        Only a regular file is read, links resolved (a named pipe would block the
        reader for good, ``/dev/zero`` never end), and at most `MAX_SESSION_BYTES`
        of it, whatever its size says.
        """
        name = Path(path).name
        path = regular_file(path, name)
        size = path.stat().st_size
        if size > MAX_SESSION_BYTES:
            raise ValueError(_too_big(name, size))
        with open(path, "rb") as file:
            data = file.read(MAX_SESSION_BYTES + 1)  # it may have grown since
        if len(data) > MAX_SESSION_BYTES:
            raise ValueError(_too_big(name, len(data)))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"“{name}” is not a K-Means Studio session.") from None
        return cls.from_json(text, name)


# ---------------------------------------------------------------------- checking
#: Sessions K-Means Studio writes stay far below this (a 64-colour photo's 300
#: iterations take about 1 MiB); anything larger is refused before it is read.
MAX_SESSION_BYTES = 64 << 20


def check_session(source: DataSource, run: dict, trail: np.ndarray, objective: np.ndarray,
                  position: int, edits: tuple = ()) -> None:
    """Raise ValueError (a clause, no file name) unless every field of a session has
    the type, shape and range K-Means Studio writes (`source` checked already)."""
    check_run(run)
    if trail.ndim != 3 or 0 in trail.shape or not np.isfinite(trail).all():
        raise ValueError("the centres are not a table of numbers")
    k, d = trail.shape[1:]
    if k != run["n_clusters"]:
        raise ValueError(f"the run has {run['n_clusters']} clusters but {k} initial centres")
    want = source.n_features
    if want is not None and d != want:
        raise ValueError(f"its centres have {d} coordinates, but {source.kind} data "
                         f"have {want}")
    if edits and run["model"] != "kmeans":
        raise ValueError("a Gaussian mixture's means are never edited mid-run")
    starts = [0] + [state for state, _ in edits]
    if any(not later > earlier for earlier, later in zip(starts, starts[1:])) or (
            starts[-1] > position):
        raise ValueError(f"its edits of the centres must come at states in order, after "
                         f"the first and at most at state {position}")
    high = int(specs(RunParameters)["n_clusters"].high)
    for state, edited in edits:
        if (edited.ndim != 3 or len(edited) == 0 or not 1 <= edited.shape[1] <= high
                or edited.shape[2] != d or not np.isfinite(edited).all()):
            raise ValueError(f"the centres edited at state {state} are not 1 to {high} "
                             f"rows of {d} numbers")
    stretches = [trail, *(edited for _, edited in edits)]
    ends = [state - 1 for state in starts[1:]] + [position]
    if any(len(stretch) != 1 + (end - start) // 2
           for stretch, start, end in zip(stretches, starts, ends)) or (
            len(objective) != position + 1):
        raise ValueError(f"its history does not reach state {position}")
    if np.isinf(objective).any():
        raise ValueError("the inertia or log-likelihood must be finite numbers")
    if run["model"] == "kmeans" and (objective < 0).any():
        raise ValueError("the inertia must be numbers of at least 0")


def check_run(run: dict) -> None:
    """Check a session's run parameters (see `RUN_KEYS`)."""
    _choice(run.get("model", "kmeans"), "the run's model", _MODELS)
    for key in ("n_clusters", "n_init", "random_state", "max_iter"):
        spec = specs(RunParameters)[key]
        if not (key == "random_state" and run.get(key) is None):
            _whole(run.get(key), f"the run's {key}", int(spec.low), int(spec.high))
    _text(run.get("init"), "the run's init", 100)
    _real(run.get("tol"), "the run's tol", *TOL_RANGE)


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number K-Means Studio writes")




def _field(data: dict, key: str, kind: type) -> Any:
    value = data.get(key)
    if not isinstance(value, kind):
        wanted = {dict: "an object", list: "a list", str: "text"}.get(kind, "a number")
        raise ValueError(f"“{key}” is missing or not {wanted}")
    return value
















def _edits(data: dict, version: int) -> tuple:
    """A session's edits of the centres: [(state, trail)], shapes checked later."""
    if version == VERSION:
        return ()  # (a version 1 session has none, whatever else it holds)
    edits = _field(data, "edits", list)
    if len(edits) > MAX_SESSION_BYTES // 64:  # (each takes more than 64 bytes)
        raise ValueError("it has more edits of the centres than a session can hold")
    read = []
    for i, edit in enumerate(edits):
        if not isinstance(edit, dict):
            raise ValueError(f"edit {i + 1} of the centres is not an object")
        state = _whole(edit.get("state"), f"the state of edit {i + 1}", 1, 10**9)
        first = _matrix(edit.get("centers"), f"the centres of edit {i + 1}", 2)
        later = _matrix(edit.get("centers_after_each_update"),
                        f"the centres after edit {i + 1}", None)
        if later.size == 0:
            later = later.reshape(0, *first.shape)
        if later.shape[1:] != first.shape:
            raise ValueError(f"the centres after edit {i + 1} do not have the shape of "
                             "the centres it set")
        read.append((state, np.concatenate([first[None], later])))
    return tuple(read)


def _too_big(name: str, size: int) -> str:
    return (f"“{name}” is {size / 2**20:,.0f} MiB, larger than any session K-Means Studio "
            f"writes (at most {MAX_SESSION_BYTES >> 20} MiB); it was not opened.")


def centers_csv(dataset: Dataset, centers: np.ndarray, labels: np.ndarray | None) -> str:
    """One row per cluster: its number, size (weighted) and coordinates."""
    k, d = centers.shape
    sizes = (np.zeros(k) if labels is None else
             np.bincount(labels, weights=dataset.sample_weight, minlength=k))
    rows = [["cluster", "size", *_feature_names(dataset, d)]]
    rows += [[j, _number(sizes[j]), *map(_number, centers[j])] for j in range(k)]
    return csv_text(rows)


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
    yield csv_text([header])
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
        return np.array([csv_text([[v]]).rstrip("\n") for v in values.tolist()])
    return values.astype(str)


def _feature_names(dataset: Dataset, d: int) -> list[str]:
    if dataset.feature_names is not None:
        return list(dataset.feature_names)
    if dataset.image is not None:  # premultiplied with transparency (`alpha`)
        return (["red", "green", "blue"] if d == 3 else
                ["red premultiplied", "green premultiplied", "blue premultiplied", "alpha"])
    if dataset.image_shape is not None:
        h, w = dataset.image_shape
        return [f"pixel_{r}_{c}" for r in range(h) for c in range(w)]
    return ["x", "y"] if d == 2 else [f"x{i}" for i in range(d)]


def _number(value: Any) -> Any:
    if isinstance(value, (float, np.floating)):
        return int(value) if float(value).is_integer() else repr(float(value))
    return value.item() if hasattr(value, "item") else value


def csv_text(rows: list[list[Any]]) -> str:
    """Rows as CSV text, every text cell a spreadsheet would run as a formula made
    inert (`_inert`)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(
        [[_inert(cell) for cell in row] for row in rows])
    return buffer.getvalue()


def _inert(cell: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula (it starts with = + - @,
    a tab or a carriage return and is not a number) gets a leading ' (OWASP's advice
    on CSV injection); everything else is written as it is."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(cell)
        except ValueError:
            return "'" + cell
    return cell
