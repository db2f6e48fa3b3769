"""The two interfaces written as Protocols, and their registries: every model makes a
`SteppedRun`, every colour space provides `ColorSpace` (a photo with transparency,
`PaletteColors`)."""

from unittest.mock import MagicMock

import numpy as np
import pytest

from kmeans_studio.core.color.alpha import AlphaColors
from kmeans_studio.core.color.palette_colors import ColorSpace, PaletteColors
from kmeans_studio.core.color.photo_run import state_picture
from kmeans_studio.core.color.spaces import SPACES
from kmeans_studio.core.data.datasets import make_blob_dataset, sample_image_dataset
from kmeans_studio.core.data.sources import Blobs, Digits, Drawn, SampleImage, Table
from kmeans_studio.core.engine.kmeans import KMeansRun
from kmeans_studio.core.engine.mixture_steps import MixtureSteps
from kmeans_studio.core.engine.models import MODELS, model_titles
from kmeans_studio.core.engine.stepped import SteppedRun
from kmeans_studio.core.recipes import (
    make_run,
    recipe_for,
    state_evaluation,
)

X = make_blob_dataset(n_samples=60, random_state=1).X


@pytest.mark.parametrize("name", list(MODELS))
def test_every_model_makes_a_stepped_run(name):
    run = MODELS[name].make(X, 3, init="k-means++" if name == "kmeans" else "kmeans",
                            sample_weight=None, random_state=0, max_iter=50, tol=1e-4)
    assert isinstance(run, SteppedRun)
    before = len(run.history)
    run.advance()
    assert len(run.history) == before + 1
    assert len(run.objectives()) == len(run.history)
    assert run.center_trail().shape[1:] == (3, 2)
    assert MODELS[name].objective in ("inertia", "log_likelihood")


def test_the_runs_and_a_mock_provide_the_protocol_and_other_objects_do_not():
    assert isinstance(KMeansRun(X, 2, random_state=0), SteppedRun)
    assert isinstance(MixtureSteps(X, 2, covariance_type="diag", init="kmeans"), SteppedRun)
    assert isinstance(MagicMock(spec=SteppedRun), SteppedRun)
    assert not isinstance(object(), SteppedRun)


def test_the_model_choice_reads_the_registry():
    from kmeans_studio.core.parameters import RunParameters, specs

    assert specs(RunParameters)["model"].choices == model_titles()
    assert next(iter(MODELS)) == RunParameters().model == "kmeans"
    with pytest.raises(ValueError, match="no sample weights"):
        MODELS["full"].make(X, 2, init="kmeans", sample_weight=np.ones(len(X)))


def test_every_colour_space_provides_the_protocols():
    pixels = np.random.default_rng(0).integers(0, 256, (12, 10, 3), dtype=np.uint8)
    for name, space in SPACES.items():
        colors = space.from_image(pixels)
        assert isinstance(colors, ColorSpace), name
        assert isinstance(colors, PaletteColors), name
    rgba = np.dstack([pixels, np.full((12, 10), 255, np.uint8)])
    rgba[0, 0, 3] = 0
    alpha = AlphaColors.from_image(rgba)
    assert isinstance(alpha, PaletteColors) and not isinstance(alpha, ColorSpace)
    assert not isinstance(object(), PaletteColors)


def test_the_recipes_follow_the_data():
    assert recipe_for(Digits()).derive is state_evaluation
    assert recipe_for(Table(features=("a",), label="y")).derive is state_evaluation
    assert recipe_for(Table(features=("a",))).derive is None
    assert recipe_for(Blobs()).derive is None
    assert recipe_for(Drawn([[0.0, 0.0]], [-1])).derive is None
    photo = recipe_for(SampleImage())
    assert photo.derive is state_picture and photo.start is not None


def test_a_photo_runs_on_its_colours_and_points_run_their_model():
    data = sample_image_dataset("china.jpg")
    recipe = recipe_for(SampleImage())
    palette = recipe.start(data, 4, 0)
    run = make_run(SampleImage(), "kmeans", data, palette, n_clusters=4, random_state=0,
                   max_iter=5, tol=1e-4)
    assert isinstance(run, SteppedRun) and run.n_clusters == 4
    assert recipe.derive(data, run.advance(), False).image().shape == (427, 640, 3)
    blobs = Blobs(n_samples=60)
    run = make_run(blobs, "tied", blobs.load(), "kmeans", n_clusters=3, random_state=0,
                   max_iter=5, tol=1e-3)
    assert isinstance(run, MixtureSteps)
