"""Each page's panel asks for a run with plain data: its request compares equal to
the one written here (no window, no worker)."""

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from kmeans_studio.core.data.sources import (
    Blobs,
    Digits,
    Drawn,
    PastedImage,
    SampleImage,
    Table,
)
from kmeans_studio.core.data.tables import IRIS_CHOICE
from kmeans_studio.core.parameters import BLOBS_SEED
from kmeans_studio.qt.contracts import RunRequest
from kmeans_studio.qt.settings import Settings


@pytest.fixture
def settings(tmp_path):
    return Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))


def test_the_blobs_panel_asks_for_its_blobs_and_run(qtbot, settings):
    from kmeans_studio.qt.pages.blobs.panel import BlobsPanel

    panel = BlobsPanel(settings)
    qtbot.addWidget(panel)
    # The notebook's EM demonstration: random points of the data as first centres.
    assert panel.request() == RunRequest(Blobs(), n_clusters=4, init="random",
                                         random_state=BLOBS_SEED)
    panel.data.n_samples.setValue(500)
    panel.run.n_clusters.setValue(3)
    mine = {"init": "random", "random_state": BLOBS_SEED}
    assert panel.request() == RunRequest(Blobs(n_samples=500), n_clusters=3, **mine)
    assert panel.request() != RunRequest(Blobs(n_samples=501), n_clusters=3, **mine)


def test_drawn_points_fewer_than_k_are_shown_without_centres(qtbot, settings):
    from kmeans_studio.qt.pages.blobs.panel import BlobsPanel

    panel = BlobsPanel(settings)
    qtbot.addWidget(panel)
    two = Drawn([[0.0, 0.0], [1.0, 1.0]], [0, 1])
    assert panel.request_for(two) == RunRequest(two, n_clusters=4, init=None,
                                                random_state=BLOBS_SEED)


def test_the_digits_table_and_image_panels_ask_for_their_data(qtbot, settings):
    from kmeans_studio.qt.pages.digits.panel import DigitsPanel
    from kmeans_studio.qt.pages.image.panel import ImagePanel
    from kmeans_studio.qt.pages.table.panel import TablePanel

    digits = DigitsPanel(settings)
    table = TablePanel(settings)
    image = ImagePanel(settings)
    for panel in (digits, table, image):
        qtbot.addWidget(panel)
    assert digits.request() == RunRequest(Digits(), n_clusters=10, n_init=10)
    iris = Table(None, IRIS_CHOICE.features, IRIS_CHOICE.label)
    assert table.request() == RunRequest(iris, n_clusters=3)
    assert table.request().reads_in_chunks
    assert image.request() == RunRequest(SampleImage("china.jpg"), n_clusters=64,
                                         run_to_end=True)
    pixels = np.zeros((2, 2, 3), np.uint8)
    image.set_pixels(pixels, "clip")
    pasted = image.request()
    assert pasted.data == PastedImage(pixels, "clip") and not pasted.data.rebuildable
