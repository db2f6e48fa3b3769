"""Points people draw: a brush adds them, an eraser removes them, each stroke undoable.

A `Drawing` is the points and, for each, a class (or none, -1): labelled strokes make
labelled data, scored against the clusters like any other.  A `Sketch` keeps the
drawing with its undo and redo: a stroke (press, drag, release), a Clear, each one
step.  The session source of a drawing holds its points, so a saved run rebuilds
them exactly.  No Qt.
"""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np

from kmeans_studio.core.data.datasets import Dataset

#: At most this many drawn points (a session of them stays a few MiB).
MAX_POINTS = 100_000
#: Classes a point can be given (-1: none).
N_CLASSES = 8
NAME = "Drawn points"


@dataclasses.dataclass(frozen=True)
class Drawing:
    """Points (n, 2) and their classes (n,), -1 for none."""

    points: np.ndarray = dataclasses.field(default_factory=lambda: np.empty((0, 2)))
    classes: np.ndarray = dataclasses.field(
        default_factory=lambda: np.empty(0, dtype=np.int8))

    def __len__(self) -> int:
        return len(self.points)

    @property
    def key(self) -> tuple:
        """Names these points (equal drawings, equal keys)."""
        digest = hashlib.sha1(np.ascontiguousarray(self.points).tobytes()
                              + np.ascontiguousarray(self.classes).tobytes()).hexdigest()
        return "drawn", len(self), digest

    def source(self) -> dict:
        """The session source that rebuilds these points (exact floats)."""
        return {"kind": "drawn", "points": self.points.tolist(),
                "classes": self.classes.tolist()}

    def labelled(self) -> bool:
        """Every point has a class: the data can be scored against them."""
        return len(self) > 0 and bool((self.classes >= 0).all())


def drawing_from_source(source: dict) -> Drawing:
    """The drawing a (checked) session source holds."""
    points = np.asarray(source["points"], dtype=np.float64).reshape(-1, 2)
    return Drawing(points, np.asarray(source["classes"], dtype=np.int8))


def dab(drawing: Drawing, center, radius: float, n_points: int, cls: int,
        rng: np.random.Generator) -> Drawing:
    """`drawing` with `n_points` more, spread evenly over the disc of `radius` around
    `center`, of class `cls` (up to `MAX_POINTS` in all)."""
    n_points = max(0, min(int(n_points), MAX_POINTS - len(drawing)))
    if n_points == 0:
        return drawing
    angle = rng.uniform(0, 2 * np.pi, n_points)
    distance = radius * np.sqrt(rng.uniform(0, 1, n_points))  # even over the area
    new = np.asarray(center, dtype=np.float64) + np.column_stack(
        [distance * np.cos(angle), distance * np.sin(angle)])
    return Drawing(np.vstack([drawing.points, new]),
                   np.concatenate([drawing.classes, np.full(n_points, cls, np.int8)]))


def erase(drawing: Drawing, center, radius: float) -> Drawing:
    """`drawing` without its points within `radius` of `center`."""
    keep = np.hypot(*(drawing.points - np.asarray(center, dtype=np.float64)).T) > radius
    return drawing if keep.all() else Drawing(drawing.points[keep], drawing.classes[keep])


def drawn_dataset(drawing: Drawing):
    """The points as data for the Blobs page (their classes as true labels when every
    point has one)."""
    n = len(drawing)
    classes = len(np.unique(drawing.classes[drawing.classes >= 0]))
    description = (f"{n:,} drawn point{'s' if n != 1 else ''}"
                   + (f" in {classes} class{'es' if classes != 1 else ''}"
                      if drawing.labelled() else ""))
    return Dataset(NAME, drawing.points,
                   y=drawing.classes.astype(np.int64) if drawing.labelled() else None,
                   description=description)


class Sketch:
    """The drawing being made, with undo and redo (a stroke or a Clear is one step)."""

    def __init__(self, drawing: Drawing | None = None, seed: int = 0) -> None:
        self.drawing = drawing or Drawing()
        self._undo: list[Drawing] = []
        self._redo: list[Drawing] = []
        self._rng = np.random.default_rng(seed)

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def begin_stroke(self) -> None:
        """A stroke starts: what it changes is undone as one step."""
        self._remember()

    def end_stroke(self) -> None:
        """The stroke is over; one that changed nothing leaves no step to undo."""
        if self._undo and self._undo[-1] is self.drawing:
            self._undo.pop()

    def dab(self, center, radius: float, n_points: int, cls: int = -1) -> None:
        self.drawing = dab(self.drawing, center, radius, n_points, cls, self._rng)

    def erase(self, center, radius: float) -> None:
        self.drawing = erase(self.drawing, center, radius)

    def clear(self) -> None:
        if len(self.drawing):
            self._remember()
            self.drawing = Drawing()

    def undo(self) -> None:
        if self._undo:
            self._redo.append(self.drawing)
            self.drawing = self._undo.pop()

    def redo(self) -> None:
        if self._redo:
            self._undo.append(self.drawing)
            self.drawing = self._redo.pop()

    def replace(self, drawing: Drawing) -> None:
        """Show another drawing (a session's): its own history starts here."""
        self.drawing = drawing
        self._undo.clear()
        self._redo.clear()

    def _remember(self) -> None:
        self._undo.append(self.drawing)
        self._redo.clear()
