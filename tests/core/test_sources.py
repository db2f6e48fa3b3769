"""Typed data sources: each kind checks a session's dict, writes the same JSON back,
rebuilds its data and the lines of a script; the registry names every kind."""

import ast
import json

import numpy as np
import pytest

from kmeans_studio.core.data.drawing import Drawing
from kmeans_studio.core.data.sources import (
    SOURCES,
    Blobs,
    DataSource,
    Digits,
    Drawn,
    ImageFile,
    LabelledFile,
    PastedImage,
    SampleImage,
    Table,
    data_source,
)
from kmeans_studio.core.parameters import BlobParameters

#: One session source of every kind, as version 1 session files hold them.
SESSION_SOURCES = [
    {"kind": "blobs", "shape": "moons", "n_samples": 50, "n_centers": 3,
     "cluster_std": 0.25, "random_state": 7, "noise": 0.05},
    {"kind": "blobs", "shape": "anisotropic", "n_samples": 50, "n_centers": 3,
     "cluster_std": 0.25, "random_state": 7},
    {"kind": "drawn", "points": [[0.5, 1.25], [-2.0, 3.0]], "classes": [0, -1]},
    {"kind": "digits"},
    {"kind": "labelled_file", "path": "/data/letters.npz"},
    {"kind": "sample_image", "name": "flower.jpg", "space": "oklab"},
    {"kind": "image_file", "path": "/photos/a.png", "space": "srgb"},
    {"kind": "table", "path": None, "features": ["sepal length", "petal width"],
     "label": "species", "missing": "impute", "scaling": "standardise"},
]


def test_moons_and_circles_have_the_noise_of_their_spread_the_notebooks_by_default():
    from sklearn import datasets

    moons = data_source(BlobParameters(shape="moons").source())
    assert moons == Blobs("moons") and moons.to_dict()["noise"] == 0.05
    data = moons.load()
    assert data.description == "two moons, noise 0.05"
    np.testing.assert_array_equal(data.X, datasets.make_moons(300, noise=0.05,
                                                              random_state=0)[0])
    circles = Blobs("circles", cluster_std=1.2)
    assert circles.shape_noise == 0.1 and circles.load().description.endswith("noise 0.1")
    assert Blobs().shape_noise is None and "noise" not in Blobs().to_dict()


def _made(shape: str, noise: float) -> np.ndarray:
    from sklearn import datasets

    if shape == "moons":
        return datasets.make_moons(300, noise=noise, random_state=3)[0]
    return datasets.make_circles(300, factor=0.5, noise=noise, random_state=3)[0]


@pytest.mark.parametrize("shape, divisor", [("moons", 5), ("circles", 10)])
def test_sessions_saved_before_noise_was_saved_rebuild_the_data_they_had(shape, divisor,
                                                                         tmp_path):
    """Their noise was the spread ÷ 5 (moons) or ÷ 10 (circles): rebuilt exactly, by
    the window and by the exported script, and the spread shown is the one that gives
    that noise now."""
    import runpy

    old = {"kind": "blobs", "shape": shape, "n_samples": 300, "n_centers": 4,
           "cluster_std": 0.7, "random_state": 3}
    source = data_source(old)
    noise = 0.7 / divisor
    X = _made(shape, noise)
    np.testing.assert_array_equal(source.load().X, X)
    assert source.shape_noise == noise and source.to_dict()["noise"] == noise
    assert data_source(source.to_dict()) == source  # saved again: the same data
    script = tmp_path / "data.py"
    script.write_text(source.script_lines(), encoding="utf-8")
    np.testing.assert_array_equal(runpy.run_path(str(script))["X"], X)
    assert abs(source.cluster_std / 12 - noise) < 1e-6  # the page's spread
    shown = BlobParameters(shape=shape, cluster_std=source.cluster_std,
                           random_state=3).source()
    np.testing.assert_allclose(data_source(shown).load().X, X, atol=1e-6)


def test_the_registry_names_every_kind_once():
    assert set(SOURCES) == {s["kind"] for s in SESSION_SOURCES}
    for kind, cls in SOURCES.items():
        assert cls.kind == kind and cls.page in ("blobs", "digits", "image", "table")
        assert issubclass(cls, DataSource)


@pytest.mark.parametrize("data", SESSION_SOURCES, ids=lambda d: d["kind"])
def test_a_session_source_round_trips_to_the_same_json(data):
    source = data_source(json.loads(json.dumps(data)))
    assert type(source) is SOURCES[data["kind"]]
    assert source.to_dict() == data  # the format on disk is unchanged
    assert data_source(source.to_dict()) == source  # and equal sources rebuild equal data
    hash(source.key)
    ast.parse(source.script_lines())  # the script's lines are Python


def test_old_sessions_without_a_colour_space_are_srgb_and_extra_fields_are_dropped():
    assert data_source({"kind": "sample_image", "name": "china.jpg"}) == SampleImage("china.jpg")
    assert data_source({"kind": "digits", "extra": "x"}).to_dict() == {"kind": "digits"}
    table = data_source({"kind": "table", "path": "t.csv", "features": ["a"]})
    assert table == Table("t.csv", ("a",))


@pytest.mark.parametrize("data, clause", [
    ({"kind": "teapot"}, "cannot rebuild ('teapot')"),
    ("blobs", "cannot rebuild (None)"),
    ({"kind": "blobs", "shape": "moons", "n_samples": 1, "n_centers": 3,
      "cluster_std": 0.2, "random_state": 0}, "the blobs' n_samples must be a whole number"),
    ({"kind": "blobs", "shape": "cubes"}, "the blob shape must be one of"),
    ({"kind": "sample_image", "name": "../etc/passwd"}, "the sample image must be one of"),
    ({"kind": "image_file", "path": "a.png", "space": "cmyk"}, "the colour space must be"),
    ({"kind": "labelled_file", "path": ""}, "the file's path is empty"),
    ({"kind": "table", "features": []}, "the table's features must be a list"),
    ({"kind": "table", "features": ["a"], "scaling": "log"}, "the table's scaling"),
    ({"kind": "drawn", "points": [[1, 2, 3]], "classes": [0]}, "must each be two numbers"),
    ({"kind": "drawn", "points": [[1, 2]], "classes": [9]}, "classes must be a whole"),
    ({"kind": "drawn", "points": [[1, 2]], "classes": [True]}, "classes must be a whole"),
])
def test_every_bad_field_is_one_clause(data, clause):
    with pytest.raises(ValueError, match="^" + "[^.]*" + clause.replace("(", r"\(")
                       .replace(")", r"\)")):
        data_source(data)


def test_sources_load_their_data():
    assert Blobs().load().n_samples == 300
    assert Digits().load().n_features == 64
    drawn = Drawing(np.array([[0.0, 1.0], [2.0, 3.0]]), np.array([1, 1], np.int8))
    source = Drawn.of(drawn)
    assert source.key == drawn.key and source.labelled
    assert np.array_equal(source.load().X, drawn.points)
    assert Table(None, ("sepal length", "sepal width")).load().n_samples == 150
    data = data_source(BlobParameters(n_samples=40).source()).load()
    assert data.n_samples == 40


def test_what_each_kind_says_of_itself():
    assert Table(features=("a", "b")).n_features == 2 and Table.reads_in_chunks
    assert Table(label="y").labelled and not Table().labelled
    assert SampleImage().photo and SampleImage().n_features == 3
    assert LabelledFile("/x/y.npz").path == "/x/y.npz"
    assert LabelledFile("/nowhere/y.npz").missing_file() == "/nowhere/y.npz"
    assert Digits().missing_file() is None
    Blobs().check_model("full")  # the Blobs and Table pages run mixtures
    with pytest.raises(ValueError, match="the Image page runs k-means only"):
        ImageFile("a.png").check_model("full")


def test_a_pasted_image_is_a_source_that_cannot_be_rebuilt():
    pixels = np.zeros((2, 3, 3), np.uint8)
    pasted = PastedImage(pixels, "pasted image 1")
    assert not pasted.rebuildable and pasted.page == "image"
    assert pasted == PastedImage(pixels, "pasted image 1")
    assert pasted != PastedImage(pixels.copy(), "pasted image 1")  # other pixels
    assert pasted.load().n_samples == 1
    with pytest.raises(ValueError, match="cannot be saved"):
        pasted.to_dict()
    with pytest.raises(ValueError, match="cannot be exported"):
        pasted.script_lines()


@pytest.mark.parametrize("field", ["noise", "cluster_std"])
def test_a_number_beyond_any_float_is_refused_as_out_of_range(field):
    """A session's 10**400 is refused in the range's sentence (float() overflowed)."""
    source = dict(SESSION_SOURCES[0], **{field: 10**400})
    with pytest.raises(ValueError, match="must be a number from"):
        data_source(source)
