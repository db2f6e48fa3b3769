"""Values so large that their squared distances overflow (drawn points near ±1e308,
a table of 1e200s) are refused in one sentence before a run, whatever their kind;
values that fit give finite centres without a warning (warnings are errors here)."""

import numpy as np
import pytest

from kmeans_studio.core.data.drawing import Drawing, drawn_dataset
from kmeans_studio.core.data.sources import data_source
from kmeans_studio.core.engine.kmeans import KMeansRun
from kmeans_studio.core.engine.mixture import MixtureRun
from kmeans_studio.core.engine.mixture_steps import MixtureSteps
from kmeans_studio.core.engine.prepared import prepare

TOO_LARGE = "The data hold values too large to cluster"


def drawn_source(scale: float, n: int = 40) -> dict:
    points = np.random.default_rng(0).uniform(-1, 1, size=(n, 2)) * scale
    return Drawing(points, np.full(n, -1, np.int8)).source()


@pytest.mark.parametrize("scale", [1.7e308, 1e300, 1e200])
def test_drawn_points_near_the_largest_float_are_refused_for_every_model(scale):
    X = data_source(drawn_source(scale)).load().X
    for make in (lambda: KMeansRun(X, 3, random_state=0),
                 lambda: MixtureRun(X, 3, random_state=0),
                 lambda: MixtureSteps(X, 3, covariance_type="spherical", init="kmeans")):
        with pytest.raises(ValueError, match=TOO_LARGE) as info:
            make()
        text = str(info.value)
        assert text.endswith("first.") and ". " not in text


def test_large_values_that_fit_give_finite_centres():
    X = drawn_dataset(Drawing(np.random.default_rng(1).uniform(-1, 1, (60, 2)) * 1e150,
                              np.full(60, -1, np.int8))).X
    assert np.isfinite(KMeansRun(X, 3, random_state=0).run().centers).all()
    assert np.isfinite(MixtureRun(X, 3, covariance_type="diag", random_state=0)
                       .run().means).all()


def test_values_whose_sum_overflows_even_float64_are_too_large_not_missing():
    X = np.full((300, 2), 1.7e308)
    with pytest.raises(ValueError, match=TOO_LARGE):
        prepare(X)
    with pytest.raises(ValueError, match=TOO_LARGE):
        MixtureRun(X, 2)


def test_nan_is_still_said_to_be_missing():
    X = np.ones((10, 2))
    X[2, 0] = np.nan
    with pytest.raises(ValueError, match="missing or infinite"):
        KMeansRun(X, 2)
    with pytest.raises(ValueError, match="missing or infinite"):
        MixtureRun(X, 2)

