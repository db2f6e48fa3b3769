"""Typed data sources: how to rebuild each kind of data, one frozen class per kind.

A `DataSource` is a small value that names data exactly (the blob parameters and seed,
"digits", a sample photo's name, a file's path, a table's columns): a run request holds
one, a session saves one, an exported script rebuilds its data from one.  Each kind
says, in one place:

* `load(cancelled=None, progress=None)` - the `Dataset` (on the run's worker thread:
  it may import scikit-learn or read a file; tables read in chunks, report how far
  and give None when `cancelled()` says so);
* `from_dict(data)` - the source a session's dict describes, every field checked
  (ValueError with one clause per bad field: nothing a file says is trusted);
* `to_dict()` - the session's JSON object (the format on disk, unchanged since
  version 1 of the session files);
* `script_lines()` - the Python lines an exported script rebuilds ``X`` (and ``y``)
  with, values only as `repr()` of checked numbers and strings;
* `page` - the page that shows it, and the models that page runs (`mixtures`).

**Adding a kind of data is one class here plus one line in `SOURCES`.**  A pasted
image (`PastedImage`) is a source too, one that cannot be rebuilt (`rebuildable` is
False: no session or script names it).  No Qt.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable, Hashable, Mapping
from pathlib import Path, PurePath
from typing import Any, ClassVar

import numpy as np

from kmeans_studio.core.checks import (
    file_path,
    number_rows,
    one_of,
    real_number,
    short_text,
    shown,
    whole_number,
)
from kmeans_studio.core.color.spaces import SPACES, colors_kind
from kmeans_studio.core.data import datasets
from kmeans_studio.core.data.datasets import (
    BLOB_RANGES,
    BLOB_SHAPES,
    SAMPLE_IMAGES,
    TWO_GROUP_SHAPES,
    Dataset,
)
from kmeans_studio.core.data.drawing import (
    MAX_POINTS,
    N_CLASSES,
    Drawing,
    drawn_dataset,
)
from kmeans_studio.core.data.tables import (
    MAX_COLUMNS,
    MISSING,
    SCALINGS,
    TableChoice,
    iris_frame,
    needs_cluster,
    read_table,
    table_dataset,
    table_folder,
    text_encoding,
    text_format,
)

Cancelled = Callable[[], bool] | None
Progress = Callable[[int, int], Any] | None


@dataclasses.dataclass(frozen=True)
class DataSource:
    """How to rebuild one kind of data (see the module).  Subclasses are frozen
    dataclasses of plain values: two equal sources rebuild equal data."""

    #: The name sessions use for this kind (``"kind"`` in their JSON).
    kind: ClassVar[str] = ""
    #: The page that shows it ("blobs", "digits", "image" or "table").
    page: ClassVar[str] = ""
    #: Its page offers Gaussian mixtures beside k-means.
    mixtures: ClassVar[bool] = False
    #: `load` reads in chunks: it reports progress and can be cancelled (big tables).
    reads_in_chunks: ClassVar[bool] = False
    #: A session or a script can rebuild it (a pasted image cannot).
    rebuildable: ClassVar[bool] = True
    #: A photo's distinct colours, weighted by their pixels: the run is the colour
    #: run on the octree, its states are pictures.
    photo: ClassVar[bool] = False
    #: What an exported script needs beyond numpy and scikit-learn.
    script_needs: ClassVar[str] = ""

    @property
    def on_cluster(self) -> bool:
        """Its rows are clustered on a dask cluster, never read whole (`DistributedRun`;
        a Parquet table)."""
        return False

    # -- what every kind answers
    def load(self, cancelled: Cancelled = None, progress: Progress = None) -> Dataset | None:
        """The data (ValueError/OSError with a sentence); None when cancelled."""
        raise NotImplementedError

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DataSource:
        """The source a session's (untrusted) dict describes; ValueError with a clause."""
        return cls()

    def to_dict(self) -> dict:
        """The JSON object a session holds."""
        return {"kind": self.kind, **dataclasses.asdict(self)}

    def script_lines(self) -> str:
        """Python lines that make ``X`` (and ``y``; a photo's ``sample_weight``)."""
        raise ValueError(f"A run on {self.kind} data cannot be exported as a script.")

    # -- what most kinds answer alike
    @property
    def key(self) -> Hashable:
        """Names the data: a request whose source has the current one's key reuses the
        loaded data."""
        return self

    @property
    def path(self) -> str | None:
        """The file the data are read from, if any."""
        return None

    @property
    def n_features(self) -> int | None:
        """The dimension of the data, when known without loading them."""
        return None

    @property
    def labelled(self) -> bool:
        """The data have true classes to score clusterings against."""
        return False

    def describe(self) -> str:
        """A short line for people (a session's description when it has none)."""
        return self.kind

    def check_model(self, model: str) -> None:
        """ValueError with a sentence when `model` is one this source's page does not
        run (a Gaussian mixture on digits or a photo): the window and `animate` alike."""
        if model != "kmeans" and not self.mixtures:
            raise ValueError(f"It holds a Gaussian mixture, and the {self.page.capitalize()} "
                             f"page runs k-means only.")

    def missing_file(self) -> str | None:
        """The file this source reads that is not there now, or None."""
        path = self.path
        if path is not None and not Path(path).is_file():
            return path
        return None


# ---------------------------------------------------------------------- 2-D points
_BLOB_SCRIPTS = {
    "blobs": "X, y = datasets.make_blobs({n}, centers={c}, cluster_std={std!r}, "
             "random_state={seed})",
    "anisotropic": "X, y = datasets.make_blobs({n}, centers={c}, cluster_std={std!r}, "
                   "random_state={seed})\nX = X @ np.array([[0.6, -0.6], [-0.4, 0.8]])",
    "unequal_variance": "stds = {std!r} * np.linspace(0.5, 2.5, {c})\n"
                        "np.random.RandomState({seed}).shuffle(stds)\n"
                        "X, y = datasets.make_blobs({n}, centers={c}, cluster_std=stds, "
                        "random_state={seed})",
    "uneven_sizes": "shares = 0.6 ** np.arange({c})\n"
                    "sizes = np.maximum(1, np.round({n} * shares / shares.sum())).astype(int)\n"
                    "X, y = datasets.make_blobs(list(sizes), cluster_std={std!r}, "
                    "random_state={seed})",
    "circles": "X, y = datasets.make_circles({n}, factor=0.5, noise={noise!r}, "
               "random_state={seed})",
    "moons": "X, y = datasets.make_moons({n}, noise={noise!r}, random_state={seed})",
    **datasets.NUMPY_SHAPES,
}


@dataclasses.dataclass(frozen=True)
class Blobs(DataSource):
    """Generated 2-D points (`datasets.make_blob_dataset`).

    Circles and moons have the noise of their spread (`datasets.shape_noise`), unless
    `noise` says otherwise: a session saved when the spread was divided by 5 (moons)
    or 10 (circles) holds no noise, and is rebuilt with the noise it had (its spread
    shown as the one that now gives about that noise).  `noise` is None whenever it
    is the spread's, so equal data are equal sources.
    """

    kind: ClassVar[str] = "blobs"
    page: ClassVar[str] = "blobs"
    mixtures: ClassVar[bool] = True

    shape: str = "blobs"
    n_samples: int = 300
    n_centers: int = 4
    cluster_std: float = 0.6
    random_state: int = 0
    noise: float | None = None

    def __post_init__(self) -> None:
        if self.noise is not None and (
                self.shape not in TWO_GROUP_SHAPES
                or self.noise == datasets.shape_noise(self.shape, self.cluster_std)):
            object.__setattr__(self, "noise", None)

    @property
    def shape_noise(self) -> float | None:
        """The noise of circles and moons (None for the other shapes)."""
        if self.noise is not None:
            return self.noise
        return datasets.shape_noise(self.shape, self.cluster_std)

    def load(self, cancelled: Cancelled = None, progress: Progress = None) -> Dataset:
        return datasets.make_blob_dataset(self.shape, self.n_samples, self.n_centers,
                                          self.cluster_std, self.random_state, self.noise)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Blobs:
        """Circles and moons: with their "noise", or (saved before it was written)
        the noise the spread gave then."""
        fields = {"shape": one_of(data.get("shape"), "the blob shape", BLOB_SHAPES)}
        for key, (low, high) in BLOB_RANGES.items():
            check = real_number if isinstance(low, float) else whole_number
            fields[key] = check(data.get(key), f"the blobs' {key}", low, high)
        shape = fields["shape"]
        if shape in TWO_GROUP_SHAPES and "noise" in data:
            fields["noise"] = real_number(data.get("noise"), "the blobs' noise",
                                          *BLOB_RANGES["cluster_std"])
        elif shape in TWO_GROUP_SHAPES:
            fields["noise"] = fields["cluster_std"] / datasets.OLD_NOISE_DIVISORS[shape]
            high = BLOB_RANGES["cluster_std"][1]
            fields["cluster_std"] = min(
                high, round(fields["noise"] / datasets.NOISE_PER_SPREAD, 6))
        return cls(**fields)

    def to_dict(self) -> dict:
        """The session's object; circles and moons with their noise."""
        data = super().to_dict()
        del data["noise"]
        if self.shape in TWO_GROUP_SHAPES:
            data["noise"] = self.shape_noise
        return data

    @property
    def n_features(self) -> int:
        return 2

    def script_lines(self) -> str:
        return ("from sklearn import datasets\n\n"
                + _BLOB_SCRIPTS[self.shape].format(
                    n=int(self.n_samples), c=int(self.n_centers),
                    std=float(self.cluster_std), seed=int(self.random_state),
                    noise=None if self.shape_noise is None else float(self.shape_noise))
                + "\n")


@dataclasses.dataclass(frozen=True, eq=False)
class Drawn(DataSource):
    """Points drawn by hand on the Blobs page (n, 2), each with a class (-1: none);
    read-only copies, equal when the points and classes are."""

    kind: ClassVar[str] = "drawn"
    page: ClassVar[str] = "blobs"
    mixtures: ClassVar[bool] = True

    points: np.ndarray = dataclasses.field(default_factory=lambda: np.empty((0, 2)))
    classes: np.ndarray = dataclasses.field(default_factory=lambda: np.empty(0, np.int8))

    def __post_init__(self) -> None:
        points = np.array(self.points, dtype=np.float64).reshape(-1, 2)
        classes = np.array(self.classes, dtype=np.int8).reshape(-1)
        points.setflags(write=False)
        classes.setflags(write=False)
        object.__setattr__(self, "points", points)
        object.__setattr__(self, "classes", classes)

    @classmethod
    def of(cls, drawing: Drawing) -> Drawn:
        """The source of a drawing (exact floats)."""
        return cls(drawing.points, drawing.classes)

    @functools.cached_property
    def drawing(self) -> Drawing:
        return Drawing(self.points, self.classes)

    def load(self, cancelled: Cancelled = None, progress: Progress = None) -> Dataset:
        return drawn_dataset(self.drawing)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Drawn:
        """At most `drawing.MAX_POINTS` finite (x, y), a class each."""
        points, classes = data.get("points"), data.get("classes")
        if not isinstance(points, list) or len(points) > MAX_POINTS:
            raise ValueError(f"the drawn points must be a list of at most {MAX_POINTS:,}")
        array = number_rows(points, "the drawn points", 2) if points else np.empty((0, 2))
        if array.shape[1] != 2:
            raise ValueError("the drawn points must each be two numbers")
        if (not isinstance(classes, list) or len(classes) != len(points)
                or not all(type(c) is int and -1 <= c < N_CLASSES for c in classes)):
            raise ValueError(f"the drawn points' classes must be a whole number from -1 to "
                             f"{N_CLASSES - 1} for each point")
        return cls(array, np.array(classes, dtype=np.int8))

    def to_dict(self) -> dict:
        return {"kind": "drawn", "points": self.points.tolist(),
                "classes": self.classes.tolist()}

    @property
    def key(self) -> Hashable:
        return self.drawing.key  # a digest: the points may be many

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Drawn) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    @property
    def n_features(self) -> int:
        return 2

    @property
    def labelled(self) -> bool:
        return self.drawing.labelled()

    def script_lines(self) -> str:
        points = np.array2string(self.points,
                                 separator=", ", threshold=np.inf, floatmode="unique",
                                 max_line_width=100)
        return (f"# The points drawn by hand, and their classes (-1: none).\n"
                f"X = np.array({points}).reshape(-1, 2)\n"
                f"y = np.array({[int(c) for c in self.classes]!r})\n")


# ------------------------------------------------------------------ labelled images
@dataclasses.dataclass(frozen=True)
class Digits(DataSource):
    """scikit-learn's 1,797 handwritten digits of 8×8 pixels."""

    kind: ClassVar[str] = "digits"
    page: ClassVar[str] = "digits"

    def load(self, cancelled: Cancelled = None, progress: Progress = None) -> Dataset:
        return datasets.digits_dataset()

    @property
    def n_features(self) -> int:
        return 64

    @property
    def labelled(self) -> bool:
        return True

    def script_lines(self) -> str:
        return ("from sklearn.datasets import load_digits\n\n"
                "digits = load_digits()\nX, y = digits.data, digits.target\n")


@dataclasses.dataclass(frozen=True)
class LabelledFile(DataSource):
    """Labelled images of one's own: a .npz with X, y (and image_shape)."""

    kind: ClassVar[str] = "labelled_file"
    page: ClassVar[str] = "digits"

    path: str = ""

    def load(self, cancelled: Cancelled = None, progress: Progress = None) -> Dataset:
        return datasets.npz_images_dataset(self.path)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LabelledFile:
        return cls(file_path(data.get("path")))

    @property
    def labelled(self) -> bool:
        return True

    def describe(self) -> str:
        return PurePath(self.path).name

    def script_lines(self) -> str:
        return (f"with np.load({self.path!r}, allow_pickle=False) as archive:\n"
                "    X, y = archive['X'], archive['y']\n"
                "X = X.reshape(len(X), -1).astype(np.float64)\n")


# --------------------------------------------------------------------------- photos
_PHOTO_SCRIPT = '''\
from PIL import Image, ImageOps


def rgb_pixels(image):
    """RGB uint8 pixels, turned by the EXIF tag, transparency composited on white."""
    image = ImageOps.exif_transpose(image)
    if image.mode == "P" and "transparency" in image.info or image.mode in ("RGBA", "LA", "PA"):
        rgba = image.convert("RGBA")
        flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        flat.alpha_composite(rgba)
        image = flat
    return np.asarray(image.convert("RGB"), dtype=np.uint8)


{load}
# k-means runs on the distinct colours, each weighted by its number of pixels.
colors, inverse, counts = np.unique(pixels.reshape(-1, 3), axis=0, return_inverse=True,
                                    return_counts=True)
X, sample_weight = colors.astype(np.float64), counts.astype(np.float64)
'''


@dataclasses.dataclass(frozen=True)
class _Photo(DataSource):
    """A photo's distinct colours in a colour space (`spaces.SPACES`)."""

    page: ClassVar[str] = "image"
    photo: ClassVar[bool] = True
    script_needs: ClassVar[str] = "Pillow"

    @property
    def n_features(self) -> int:
        return 3

    def script_lines(self) -> str:
        return (_PHOTO_SCRIPT.format(load=self._script_load())
                + colors_kind(self.space).script_code())

    def _script_load(self) -> str:
        raise NotImplementedError


def _space(data: Mapping[str, Any]) -> str:
    """A session's colour space (sessions before Oklab had none: sRGB)."""
    return one_of(data.get("space", "srgb"), "the colour space", SPACES)


@dataclasses.dataclass(frozen=True)
class SampleImage(_Photo):
    """One of the photos shipped with scikit-learn."""

    kind: ClassVar[str] = "sample_image"

    name: str = SAMPLE_IMAGES[0]
    space: str = "srgb"

    def load(self, cancelled: Cancelled = None, progress: Progress = None) -> Dataset:
        return datasets.sample_image_dataset(self.name, self.space)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SampleImage:
        return cls(one_of(data.get("name"), "the sample image", SAMPLE_IMAGES), _space(data))

    def describe(self) -> str:
        return self.name

    def _script_load(self) -> str:
        return (f"from sklearn.datasets import load_sample_image\n\n"
                f"pixels = load_sample_image({self.name!r})")


@dataclasses.dataclass(frozen=True)
class ImageFile(_Photo):
    """A photo read from a file."""

    kind: ClassVar[str] = "image_file"

    path: str = ""
    space: str = "srgb"

    def load(self, cancelled: Cancelled = None, progress: Progress = None) -> Dataset:
        return datasets.file_image_dataset(self.path, self.space)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ImageFile:
        return cls(file_path(data.get("path")), _space(data))

    def describe(self) -> str:
        return PurePath(self.path).name

    def _script_load(self) -> str:
        return (f"with Image.open({self.path!r}) as image:\n"
                "    image.seek(0)\n    pixels = rgb_pixels(image)")


@dataclasses.dataclass(frozen=True, eq=False)
class PastedImage(_Photo):
    """Pixels pasted from the clipboard: nothing to rebuild them from, so no session
    or script names them; equal only to a source of the very same pixels."""

    kind: ClassVar[str] = "pasted_image"
    rebuildable: ClassVar[bool] = False

    pixels: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros((1, 1, 3),
                                                                            np.uint8))
    name: str = "pasted image"
    space: str = "srgb"

    def load(self, cancelled: Cancelled = None, progress: Progress = None) -> Dataset:
        return datasets.image_dataset(self.pixels, self.name, space=self.space)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PastedImage:
        raise ValueError("its data are a pasted image, which cannot be rebuilt")

    def to_dict(self) -> dict:
        raise ValueError("A pasted image cannot be saved in a session.")

    def script_lines(self) -> str:
        raise ValueError("A run on a pasted image cannot be exported as a script.")

    @property
    def key(self) -> Hashable:
        return "pasted_image", id(self.pixels), self.name, self.space

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PastedImage) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def describe(self) -> str:
        return self.name


# --------------------------------------------------------------------------- tables
@dataclasses.dataclass(frozen=True)
class Table(DataSource):
    """Chosen columns of a table file (None: the iris table), how rows with missing
    values are handled, and how the columns are scaled (`tables.table_dataset`)."""

    kind: ClassVar[str] = "table"
    page: ClassVar[str] = "table"
    mixtures: ClassVar[bool] = True
    reads_in_chunks: ClassVar[bool] = True
    @property
    def script_needs(self) -> str:  # type: ignore[override]
        return "dask, distributed and pyarrow" if self.on_cluster else "pandas"

    path: str | None = None
    features: tuple[str, ...] = ()
    label: str | None = None
    missing: str = "drop"
    scaling: str = "none"
    cluster: bool = False

    @classmethod
    def of(cls, path: str | None, choice: TableChoice) -> Table:
        return cls(path, tuple(choice.features), choice.label, choice.missing, choice.scaling,
                   choice.cluster)

    @property
    def choice(self) -> TableChoice:
        return TableChoice(self.features, self.label, self.missing, self.scaling, self.cluster)

    @property
    def on_cluster(self) -> bool:  # (`distributed.cluster_dataset`)
        return self.path is not None and (self.cluster or needs_cluster(self.path))

    def check_model(self, model: str) -> None:
        if model != "kmeans" and self.on_cluster:
            raise ValueError("A table on a cluster runs k-means only.")

    def load(self, cancelled: Cancelled = None, progress: Progress = None) -> Dataset | None:
        if self.path is None:
            return table_dataset(iris_frame(), self.choice, "Iris")
        if self.on_cluster:
            from kmeans_studio.core.data.distributed import cluster_dataset

            return cluster_dataset(self.path, self.choice, PurePath(self.path).name,
                                   cancelled, progress)
        path = Path(self.path)
        frame = read_table(path, cancelled=cancelled, progress=progress)
        if frame is None:
            return None
        return table_dataset(frame, self.choice, path.name)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Table:
        path = None if data.get("path") is None else file_path(data["path"])
        features = data.get("features")
        if not isinstance(features, list) or not features or len(features) > MAX_COLUMNS:
            raise ValueError(f"the table's features must be a list of 1 to {MAX_COLUMNS:,} "
                             "column names")
        for feature in features:
            short_text(feature, "a feature column's name", 1000)
        label = data.get("label")
        if label is not None:
            short_text(label, "the label column's name", 1000)
        cluster = data.get("cluster", False)
        if not isinstance(cluster, bool):
            raise ValueError(f"the table's cluster must be true or false, not {shown(cluster)}")
        return cls(path, tuple(features), label,
                   one_of(data.get("missing", "drop"), "the table's missing", MISSING),
                   one_of(data.get("scaling", "none"), "the table's scaling", SCALINGS),
                   cluster)

    def to_dict(self) -> dict:
        return self.choice.to_source(self.path)

    @property
    def key(self) -> Hashable:
        # Data held by a cluster are gone once the window connects to another.
        if self.on_cluster:
            from kmeans_studio.core.data.distributed import generation

            return "table", json.dumps(self.to_dict(), sort_keys=True), generation()
        return "table", json.dumps(self.to_dict(), sort_keys=True)

    def missing_file(self) -> str | None:
        if self.path is not None and table_folder(self.path):
            return None  # a folder of Parquet or CSV files
        return super().missing_file()

    @property
    def n_features(self) -> int:
        return len(self.features)

    @property
    def labelled(self) -> bool:
        return bool(self.label)

    def describe(self) -> str:
        return "iris" if self.path is None else PurePath(self.path).name

    def script_lines(self) -> str:
        """Read the table, keep the chosen columns, handle missing values and scale,
        as the Table page does (`tables.table_dataset`)."""
        if self.on_cluster:  # dask code: the rows are never read into one process
            from kmeans_studio.core.data.distributed import ClusterSource, script_lines

            return script_lines(ClusterSource(self.path, self.features, self.scaling))
        path = self.path
        if path is None:
            read = ("from sklearn.datasets import load_iris\n\n"
                    "iris = load_iris(as_frame=True)\n"
                    "frame = iris.frame.rename(columns=lambda c: c.replace(' (cm)', ''))\n"
                    "frame['species'] = iris.target_names[iris.target]\n")
        elif Path(path).suffix.lower() in (".npy", ".npz"):
            read = (f"loaded = np.load({path!r}, allow_pickle=False)\n"
                    "arrays = dict(loaded) if hasattr(loaded, 'files') else {'X': loaded}\n"
                    "table = arrays['X'] if 'X' in arrays else next(a for a in "
                    "arrays.values() if a.ndim == 2)\n"
                    "frame = pd.DataFrame(table, columns=[f'column {i + 1}' for i in "
                    "range(table.shape[1])])\n"
                    "for name in ('y', 'labels', 'target'):\n"
                    "    if name in arrays and arrays[name].ndim == 1 and len(arrays[name]) "
                    "== len(frame):\n"
                    "        frame[name] = arrays[name]\n        break\n")
        else:
            delimiter, header = text_format(path)
            read = (f"frame = pd.read_csv({path!r}, sep={delimiter!r}, "
                    f"header={0 if header else None}, skipinitialspace=True, "
                    f"encoding={text_encoding(path)!r}, index_col=False)\n"
                    + ("" if header else
                       "frame.columns = [f'column {i + 1}' for i in range(frame.shape[1])]\n")
                    + "frame.columns = [str(c).strip() for c in frame.columns]\n")
        features, label = list(self.features), self.label
        lines = ["import pandas as pd\n", read,
                 f"features = {features!r}\n",
                 "X = np.array(frame[features].to_numpy(dtype=np.float64, na_value=np.nan))\n",
                 "X[~np.isfinite(X)] = np.nan\n",
                 "missing = np.isnan(X).any(axis=1)\n"]
        if label is not None:
            lines.append(f"missing |= frame[{label!r}].isna().to_numpy()\n")
        if self.missing == "drop":
            lines.append("X = X[~missing]\n")
        else:
            if label is not None:
                lines.append(f"X = X[~frame[{label!r}].isna().to_numpy()]\n")
            lines.append("X = np.where(np.isnan(X), np.nanmean(X, axis=0), X)\n")
        if self.scaling != "none":
            scaler = "StandardScaler" if self.scaling == "standardise" else "MinMaxScaler"
            lines.append(f"from sklearn.preprocessing import {scaler}\n\n"
                         f"X = {scaler}().fit_transform(X)\n")
        return "".join(lines)


# ------------------------------------------------------------------------ registry
#: Every kind of data a session can name, by its ``"kind"``.
SOURCES: dict[str, type[DataSource]] = {
    "blobs": Blobs,
    "drawn": Drawn,
    "digits": Digits,
    "labelled_file": LabelledFile,
    "sample_image": SampleImage,
    "image_file": ImageFile,
    "table": Table,
}


def data_source(data: Any) -> DataSource:
    """The source a session's dict describes, every field checked (ValueError with a
    clause when the kind is unknown or any field is wrong)."""
    if isinstance(data, DataSource):
        return data
    kind = data.get("kind") if isinstance(data, Mapping) else None
    if not isinstance(kind, str) or kind not in SOURCES:
        raise ValueError(f"its data are of a kind this K-Means Studio cannot rebuild "
                         f"({shown(kind)})")
    return SOURCES[kind].from_dict(data)
