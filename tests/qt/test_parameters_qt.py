"""Settings and the parameter forms, without a window."""

import dataclasses

import pytest
from PySide6.QtCore import QSettings

from kmeans_studio.core import parameters as p
from kmeans_studio.qt.pages.blobs.panel import RunForm
from kmeans_studio.qt.parameters import ParameterForm
from kmeans_studio.qt.settings import Settings


@pytest.fixture
def settings(tmp_path):
    return Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))


def test_parameters_round_trip_through_settings(settings):
    params = dataclasses.replace(p.BLOBS_RUN, n_clusters=9, init="farthest", tol=0.0)
    settings.write("blobs/run", params)
    settings.sync()
    assert settings.read("blobs/run") == params
    assert settings.read("digits/run") == p.DIGITS_RUN  # nothing stored: the defaults


def test_damaged_settings_fall_back_field_by_field(settings):
    settings["blobs/run/n_clusters"] = 999
    settings["blobs/run/max_iter"] = 20
    settings._store.setValue("blobs/run/tol", "lots")
    got = settings.read("blobs/run")
    assert got == dataclasses.replace(p.BLOBS_RUN, max_iter=20)
    with pytest.raises(KeyError):
        settings["blobs/run/k"]


def test_a_form_shows_and_reads_its_parameters_and_says_when_edited(qtbot):
    form = ParameterForm("Data", p.BlobParameters())
    qtbot.addWidget(form)
    edits = []
    form.changed.connect(lambda: edits.append(1))
    wanted = p.BlobParameters(shape="moons", n_samples=1000, cluster_std=0.3)
    form.show_values(wanted)
    assert form.values() == wanted and edits == []  # shown, not edited
    form.n_samples.setValue(500)
    assert edits == [1] and form.values().n_samples == 500
    assert (form.n_samples.minimum(), form.n_samples.maximum()) == (2, 1_000_000)
    assert form.cluster_std.toolTip() == p.specs(p.BlobParameters)["cluster_std"].tip


def test_a_run_form_narrows_its_choices_and_disables_k_while_placing(qtbot):
    digits = RunForm(p.DIGITS_RUN, inits=("k-means++", "random", "farthest"))
    blobs = RunForm(p.BLOBS_RUN)
    qtbot.addWidget(digits)
    qtbot.addWidget(blobs)
    assert digits.init.findData("click") == -1 and blobs.init.findData("click") >= 0
    blobs.init.setCurrentIndex(blobs.init.findData("click"))
    assert not blobs.n_clusters.isEnabled() and blobs.values().placing
    blobs.random_state.setValue(2**31 - 1)
    blobs.reinitialise()
    assert blobs.random_state.value() == 0
