"""The parameters people set, declared once.

Each page's parameters are one frozen dataclass: every field has its type, default,
range or choices, label and tooltip (its `Spec`).  The pages' widgets are made from
these declarations (`kmeans_studio.qt.parameters`), settings read and write them,
sessions are checked against the same ranges, and run requests are built from them.
Adding a parameter is one field here (and its use).  No Qt.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from kmeans_studio.core.color.dither import DEFAULT_STRENGTH
from kmeans_studio.core.color.spaces import space_titles
from kmeans_studio.core.data.datasets import (
    BLOB_RANGES,
    BLOB_SHAPES,
    SEED_RANGE,
    shape_noise,
)
from kmeans_studio.core.data.drawing import N_CLASSES
from kmeans_studio.core.engine.mixture import INITS as MIXTURE_INITS
from kmeans_studio.core.engine.models import model_titles

#: How the first centres are chosen ("click": placed by hand on the Blobs page).
INIT_CHOICES = {
    "k-means++": "k-means++",
    "random": "Random samples",
    "farthest": "Farthest point",
    "click": "Click to place",
}
#: How a mixture's first parameters are chosen (scikit-learn's `init_params`), or means
#: placed by hand.
MIXTURE_INIT_CHOICES = {**MIXTURE_INITS, "click": "Click to place"}
#: What a session's tolerance may be (the GUI offers `TOLERANCES`).
TOL_RANGE = (0.0, 1.0)
#: Stopping tolerances offered, relative to the data's variance (0: labels stable).
TOLERANCES = {1e-2: "0.01", 1e-3: "0.001", 1e-4: "0.0001", 1e-5: "1e-05", 1e-6: "1e-06",
              0.0: "0 (labels stable)"}


@dataclasses.dataclass(frozen=True)
class Spec:
    """How one parameter is shown and checked: label, tooltip, and either a range
    (`low`, `high`, with the spin step `step`) or `choices` ({value: text})."""

    label: str
    tip: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    choices: Mapping[Any, str] | None = None


def param(default: Any, label: str, tip: str, **spec: Any) -> Any:
    """A dataclass field with its `Spec`."""
    return dataclasses.field(default=default, metadata={"spec": Spec(label, tip, **spec)})


def specs(params: Any) -> dict[str, Spec]:
    """``{field name: Spec}`` of a parameter dataclass (or instance), in order."""
    return {f.name: f.metadata["spec"] for f in dataclasses.fields(params)}


def checked(params: Any) -> Any:
    """`params` if every field has its default's type and lies in its range or
    choices; else ValueError with a sentence naming the field's label."""
    default = type(params)()
    for name, spec in specs(params).items():
        value, kind = getattr(params, name), type(getattr(default, name))
        if kind is bool or kind is str:
            ok = isinstance(value, kind)
        else:
            ok = (isinstance(value, (int, float)) and not isinstance(value, bool)
                  and math.isfinite(value) and (kind is float or value == int(value)))
        if ok and spec.choices is not None:
            ok = value in spec.choices
        elif ok and spec.low is not None:
            ok = spec.low <= value <= spec.high
        if not ok:
            allowed = (", ".join(map(str, spec.choices)) if spec.choices is not None
                       else f"from {spec.low:,} to {spec.high:,}")
            raise ValueError(f"{spec.label} must be {allowed}, not {value!r}.")
    return params


def from_values(default: Any, values: Mapping[str, Any]) -> Any:
    """`default` with the fields `values` gives, each kept only when it fits the
    field (a stored setting may be stale or damaged: it then falls back)."""
    fitted = {}
    for name in specs(default):
        if name not in values:
            continue
        kind, raw = type(getattr(default, name)), values[name]
        # Only a scalar is converted (str() of a 100,000-deep list raises
        # RecursionError); a truth value is no number, and 2.5 is no int.
        if (not isinstance(raw, (str, int, float)) or isinstance(raw, bool) != (kind is bool)
                or (kind is int and isinstance(raw, float) and not raw.is_integer())):
            continue
        try:
            value = kind(raw)
            checked(dataclasses.replace(default, **{name: value}))
        except (TypeError, ValueError, OverflowError):
            continue
        fitted[name] = value
    return dataclasses.replace(default, **fitted)


def next_seed(seed: int) -> int:
    """The seed after `seed` (Re-initialise, New data): back to 0 after the largest."""
    low, high = SEED_RANGE
    return low if seed >= high else seed + 1


@dataclasses.dataclass(frozen=True)
class RunParameters:
    """A run: the same fields as a session's run and scikit-learn's KMeans (or, with a
    mixture as the model, its GaussianMixture)."""

    model: str = param("kmeans", "Model", "k-means, or a Gaussian mixture fitted by EM "
                       "(E: each point's responsibilities; M: weights, means and "
                       "covariances), stepped the same way", choices=model_titles())
    n_clusters: int = param(4, "Clusters k", "Number of clusters k (a mixture's "
                            "components)", low=1, high=256)
    init: str = param("k-means++", "Initialisation", "How the first centres are chosen",
                      choices={**MIXTURE_INIT_CHOICES, **INIT_CHOICES})
    n_init: int = param(1, "Starts", "Run k-means from this many starts and show the one "
                        "with the lowest inertia, from its beginning (scikit-learn's n_init)",
                        low=1, high=100)
    random_state: int = param(0, "Seed", "Seed of the initialisation: the same seed gives "
                              "the same start", low=SEED_RANGE[0], high=SEED_RANGE[1])
    max_iter: int = param(300, "Max iterations", "Stop after this many iterations",
                          low=1, high=10_000)
    tol: float = param(1e-4, "Tolerance", "Stop when the centres move less than this, "
                       "relative to the data's variance (0: only when no label changes); "
                       "a mixture, when its mean log-likelihood rises less than this",
                       choices=TOLERANCES)

    @property
    def placing(self) -> bool:
        """Centres are placed by hand, not chosen by an initialisation."""
        return self.init == "click"

    @property
    def is_mixture(self) -> bool:
        return self.model != "kmeans"

    @property
    def inits(self) -> dict[str, str]:
        """The initialisations this model offers ({key: text})."""
        return MIXTURE_INIT_CHOICES if self.is_mixture else INIT_CHOICES

    def request_values(self) -> dict:
        """The fields a run request takes (init None: no centres until placed; an
        initialisation the model does not offer becomes its first; a mixture runs one
        start, as scikit-learn's GaussianMixture by default)."""
        values = dataclasses.asdict(self)
        init = self.init if self.init in self.inits else next(iter(self.inits))
        values["init"] = None if init == "click" else init
        if self.is_mixture:
            values["n_init"] = 1
        return values

    def with_session(self, run: Mapping[str, Any]) -> RunParameters:
        """These parameters with a (checked) session's run: its initialisation only
        when it is one of the choices (a session may say "given centres")."""
        return from_values(self, {**run, "model": run.get("model") or "kmeans",
                                  "random_state": run.get("random_state") or 0,
                                  "tol": _nearest(TOLERANCES, run.get("tol", self.tol))})


def _nearest(choices: Mapping[float, str], value: Any) -> float:
    try:
        return min(choices, key=lambda c: abs(c - float(value)))
    except (TypeError, ValueError):
        return next(iter(choices))


#: The seed of the Blobs page's first start: from random samples of the default blobs
#: it walks for 10 iterations, every centre travelling (three start in one blob), to
#: the four true blobs (inertia 212.006, as k-means++ reaches in 3).
BLOBS_SEED = 36
#: Each page's run defaults.  The Blobs page starts as the notebook's EM demonstration:
#: from random points of the data, one start, so the walk to the clusters is seen.
#: (scikit-learn's n_init=10 reaches the notebook's digit accuracy of about 0.79;
#: tables start with one start, n_init="auto", so a million rows show quickly.)
BLOBS_RUN = RunParameters(init="random", random_state=BLOBS_SEED)
DIGITS_RUN = RunParameters(n_clusters=10, n_init=10)
TABLE_RUN = RunParameters(n_clusters=3)


def _blob_range(name: str) -> dict:
    low, high = BLOB_RANGES[name]
    return {"low": low, "high": high}


@dataclasses.dataclass(frozen=True)
class BlobParameters:
    """The toy data of the Blobs page (the notebook's make_blobs(300, centers=4,
    cluster_std=0.6, random_state=0) by default)."""

    shape: str = param("blobs", "Shape", "Blobs, a shape where k-means' assumptions "
                       "fail, or points you draw yourself",
                       choices={**BLOB_SHAPES, "drawn": "Draw your own points"})
    n_samples: int = param(300, "Points", "Number of points", **_blob_range("n_samples"),
                           step=100)
    n_centers: int = param(4, "True blobs", "Number of true blobs",
                           **_blob_range("n_centers"))
    cluster_std: float = param(0.6, "Spread", "Spread (standard deviation) of each blob; "
                               "for circles and moons, their noise is the spread ÷ 12 "
                               "(0.05 at 0.6, the notebook's moons)",
                               **_blob_range("cluster_std"), step=0.1)
    random_state: int = param(0, "Seed", "Seed of the data: the same seed gives the same "
                              "points", **_blob_range("random_state"))

    @property
    def drawn(self) -> bool:
        """The points are drawn by hand (`core.drawing`), not generated."""
        return self.shape == "drawn"

    def source(self) -> dict:
        """The session source that rebuilds generated data (circles and moons with
        the noise of their spread)."""
        spread = round(self.cluster_std, 6)
        noise = shape_noise(self.shape, spread)
        return {"kind": "blobs", **dataclasses.asdict(self), "cluster_std": spread,
                **({} if noise is None else {"noise": noise})}


#: The classes drawn points can have.
CLASS_CHOICES = {-1: "None", **{c: f"Class {c + 1}" for c in range(N_CLASSES)}}


@dataclasses.dataclass(frozen=True)
class DrawParameters:
    """The brush that draws points on the Blobs page."""

    brush: int = param(30, "Brush size", "Diameter of the brush on screen, in pixels "
                       "(the eraser's too)", low=4, high=200, step=2)
    density: int = param(4, "Density", "Points each dab of the brush adds", low=1, high=50)
    cls: int = param(-1, "Class", "The class of the points drawn now: give every point a "
                     "class to score the clusters against them", choices=CLASS_CHOICES)


@dataclasses.dataclass(frozen=True)
class ImageParameters:
    """Colour compression on the Image page."""

    n_clusters: int = param(64, "Colours k", "Number of colours in the compressed image "
                            "(1–256)", low=1, high=256)
    random_state: int = param(0, "Seed", "Seed of the initial palette (k-means++ on a "
                              "sample of the pixels)", low=SEED_RANGE[0], high=SEED_RANGE[1])
    space: str = param("srgb", "Colour space", "Where k-means measures colour differences: "
                       "sRGB gives the highest PSNR; Oklab, a perceptual space, spends "
                       "colours where the eye sees differences (higher SSIM, lower ΔE) — "
                       "for opaque photos", choices=space_titles())
    dither: bool = param(False, "Dithering", "Spread the rounding error to neighbouring "
                         "pixels (Floyd–Steinberg, serpentine; less at edges and in busy "
                         "texture), with the k-means palette: shown and saved")
    dither_strength: float = param(DEFAULT_STRENGTH, "Strength", "How much of each "
                                   "pixel's error is passed on, 0–1: lower is calmer, "
                                   "higher hides banding better", low=0.0, high=1.0,
                                   step=0.05)
