"""The Digits page: centre images, confusion matrix, galleries, scores, PCA, .npz files."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QMessageBox

from kmeans_studio.core.explore.metrics import match_labels

from .helpers import settle, wait_state


def _is_digits(snap):
    return snap.dataset.image_shape is not None and snap.iteration is not None


@pytest.fixture
def digits(window, qtbot):
    """The window on the Digits page, run to convergence."""
    window.page_bar.setCurrentIndex(window.page_bar.findData("digits"))
    wait_state(qtbot, window, _is_digits, timeout=60_000)
    window.actions["run_to_end"].trigger()
    wait_state(qtbot, window, lambda s: _is_digits(s) and s.done, timeout=60_000)
    return window.pages["digits"]


def _click_view(qtbot, plot, x, y):
    """A real left click at plot coordinates (x, y)."""
    scene = plot.getViewBox().mapViewToScene(QPointF(x, y))
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=plot.mapFromScene(scene))


def test_converged_digits_show_matched_centres_and_scores(digits, window):
    snap = window.controller.snapshot
    y, labels = snap.dataset.y, snap.iteration.labels
    expected = match_labels(y, labels, "hungarian")
    assert 0.75 <= expected.accuracy <= 0.85
    assert digits.matching.table.sum() == 1797
    assert f"{expected.accuracy:.3f}" in digits.confusion.title.text()
    values = digits.metrics.values()
    assert values["Accuracy (one-to-one)"] == f"{expected.accuracy:.3f}"
    assert values["Accuracy (mode)"] == f"{match_labels(y, labels, 'mode').accuracy:.3f}"
    assert all(v != "—" for v in values.values())
    # One tile per centre, captioned with its matched digit and size.
    grid = digits.centroids.grid
    assert len(grid) == 10
    sizes = np.bincount(labels, minlength=10)
    for j, caption in enumerate(grid.captions):
        digit = expected.classes[expected.cluster_class[j]]
        assert caption == f"→{digit} · {sizes[j]}"
    assert "best of 10 starts" in window.status.text()


def test_clicking_a_cell_shows_exactly_its_images(digits, window, qtbot):
    table = digits.matching.table
    columns = digits.confusion.columns
    # The largest off-diagonal cell: the most common confusion.
    shown = table[:, columns].astype(float)
    shown[digits.matching.cluster_class[columns], np.arange(len(columns))] = -1
    row, col = np.unravel_index(np.argmax(shown), shown.shape)
    _click_view(qtbot, digits.confusion.plot, col + 0.5, row + 0.5)
    gallery = digits.gallery
    qtbot.waitUntil(gallery.isVisible)
    assert len(gallery.grid) == table[row, columns[col]] > 0
    labels = window.controller.snapshot.iteration.labels
    true = digits.matching.classes[row]
    assert f"True {true} in cluster {columns[col]}" in gallery.title.text()
    for caption in gallery.grid.captions:  # "#index": every image is of that cell
        index = int(caption[1:])
        assert window.controller.snapshot.dataset.y[index] == true
        assert labels[index] == columns[col]


def test_clicking_a_centre_shows_its_nearest_samples(digits, window, qtbot):
    grid = digits.centroids.grid
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=grid.tile_rect(3).center())
    gallery = digits.gallery
    qtbot.waitUntil(gallery.isVisible)
    assert len(gallery.grid) == 20
    state = window.controller.snapshot.iteration
    X = window.controller.snapshot.dataset.X
    members = np.flatnonzero(state.labels == 3)
    distances = np.sort(np.linalg.norm(X[members] - state.centers[3], axis=1))[:20]
    shown = [float(t.rsplit("distance ", 1)[1]) for t in gallery.grid.tooltips]
    np.testing.assert_allclose(shown, distances, rtol=1e-2)


def test_mode_matching_warns_when_two_clusters_share_a_digit(digits, window, qtbot):
    # Seed 0 with 10 starts: the mode mapping sends two clusters to the digit 1.
    assert not digits.confusion.warning.isVisible()
    digits.panel.match.setCurrentIndex(digits.panel.match.findData("mode"))
    assert digits.matching.method == "mode"
    assert digits.matching.collisions
    assert digits.confusion.warning.isVisible()
    assert "Two clusters share a class" in digits.confusion.warning.text()
    assert "Most common label" in digits.confusion.title.text()
    digits.panel.match.setCurrentIndex(digits.panel.match.findData("hungarian"))
    assert not digits.confusion.warning.isVisible()


def test_hovering_a_point_previews_its_image(digits, window, qtbot):
    pca = digits.pca
    snap = window.controller.snapshot
    index = 100
    x, y = snap.dataset.projection.points[index]
    scene = pca.learned.getViewBox().mapViewToScene(QPointF(x, y))
    pca.learned.scene().sigMouseMoved.emit(scene)
    assert pca.hovered is not None
    # The previewed sample is the one under the pointer (or one drawn on top of it).
    near = snap.dataset.projection.points[pca.hovered]
    px = pca.learned.getViewBox().viewPixelSize()
    assert np.hypot((near[0] - x) / px[0], (near[1] - y) / px[1]) <= 8
    assert f"true {snap.dataset.y[pca.hovered]}" in pca.preview_label.text()
    assert len(pca.preview) == 1


def test_matching_choice_persists(digits, window, qtbot):
    digits.panel.match.setCurrentIndex(digits.panel.match.findData("mode"))
    window.close()
    from kmeans_studio.app import build_window

    again = build_window()
    qtbot.addWidget(again)
    assert again.pages["digits"].panel.matching == "mode"
    assert again.page.key == "digits"
    again.close()


def _write_28x28(path, n=200):
    from sklearn.datasets import load_digits

    digits = load_digits()
    big = np.pad(np.kron(digits.images[:n], np.ones((3, 3))), ((0, 0), (2, 2), (2, 2)))
    np.savez(path, X=big.reshape(n, -1), y=digits.target[:n], image_shape=np.array([28, 28]))


def test_a_28x28_npz_opens_on_the_digits_page(window, qtbot, tmp_path):
    path = tmp_path / "big_digits.npz"
    _write_28x28(path)
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    assert window.open_path(path)
    snap = wait_state(qtbot, window, lambda s: s.dataset.name == "big_digits.npz"
                      and s.iteration is not None, timeout=60_000)
    assert window.page.key == "digits"
    assert snap.dataset.image_shape == (28, 28)
    window.actions["run_to_end"].trigger()
    wait_state(qtbot, window, lambda s: s.dataset.name == "big_digits.npz" and s.done,
               timeout=60_000)
    digits = window.pages["digits"]
    assert digits.matching.table.sum() == 200
    grid = digits.centroids.grid
    rect = grid.tile_rect(0)
    assert rect.width() == rect.height()  # square images stay square
    image = grid.grab().toImage()
    dark = sum(image.pixelColor(x, y).lightness() < 100
               for x in range(rect.left(), rect.right(), 2)
               for y in range(rect.top(), rect.bottom(), 2))
    assert dark > 0  # the centre is drawn, not blank
    assert "big_digits.npz" in digits.panel.current.text()


def test_a_bad_npz_gets_a_message_and_keeps_the_digits(digits, window, qtbot, tmp_path):
    path = tmp_path / "labels_missing.npz"
    np.savez(path, X=np.zeros((10, 64)))
    before = window.controller.snapshot.dataset
    window.open_path(path)
    qtbot.waitUntil(lambda: window.last_message is not None and window.last_message.isVisible())
    assert "labels_missing.npz" in window.last_message.text()
    assert "no array named y" in window.last_message.text()
    assert window.last_message.icon() == QMessageBox.Icon.Warning
    settle(qtbot, window.controller)
    assert window.controller.snapshot.dataset is before
    assert window.page.key == "digits"
    # The next request still uses the digits, not the file that failed.
    window.pages["digits"].panel.run.n_clusters.setValue(9)
    wait_state(qtbot, window, lambda s: s.iteration is not None and s.iteration.n_clusters == 9
               and s.dataset is before, timeout=60_000)


def test_more_clusters_than_digits_explains_the_shared_digits(digits, window, qtbot):
    digits.panel.run.n_clusters.setValue(12)
    window.actions["run_to_end"].trigger()
    wait_state(qtbot, window, lambda s: _is_digits(s) and s.done
               and s.iteration.n_clusters == 12, timeout=60_000)
    qtbot.waitUntil(lambda: digits.matching is not None and digits.matching.table.shape[1] == 12)
    text = digits.confusion.warning.text()
    assert "12 clusters for 10 classes" in text and "2 extra clusters" in text
    assert "⚠" not in text
    assert len(set(digits.matching.cluster_class)) == 10  # every digit has a cluster
    # Hovering a cell says what clicking it will show.
    col = 0
    cluster = digits.confusion.columns[col]
    row = digits.matching.cluster_class[cluster]
    tip = digits.confusion.tooltip_at(col + 0.5, row + 0.5)
    assert f"in cluster {cluster}" in tip
    assert f"{digits.matching.table[row, cluster]:,} sample" in tip


def test_the_confusion_matrix_waits_for_its_first_assignment(qtbot):
    """Before any assignment there is no matrix to draw: a sentence says so, and no
    empty plot (its axes ran to ±500) stands in for it."""
    from kmeans_studio.qt.views.confusion import ConfusionView

    view = ConfusionView()
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    assert not view.plot.isVisible() and "first assignment" in view.title.text()


def test_every_centre_caption_is_written_in_the_palettes_text_colour(qtbot):
    """Each tile's caption, not only the first's, in the palette's text colour (a
    name reused inside the painting loop once turned the pen into a string)."""
    from PySide6.QtGui import QColor, QPalette

    from kmeans_studio.qt.views.image_grid import CAPTION, ImageGrid

    grid = ImageGrid(fit=True)
    qtbot.addWidget(grid)
    palette = grid.palette()
    palette.setColor(QPalette.ColorRole.Text, QColor(255, 0, 0))
    grid.setPalette(palette)
    grid.resize(400, 160)
    grid.set_images(np.zeros((3, 8, 8)), (0.0, 16.0), ["WWW"] * 3)
    picture = grid.grab().toImage()
    for index in range(3):
        rect = grid.tile_rect(index)
        reds = sum(1 for x in range(rect.left(), rect.right())
                   for y in range(rect.bottom() + 1, rect.bottom() + CAPTION)
                   if (lambda c: c.red() > 200 and c.green() < 80)(picture.pixelColor(x, y)))
        assert reds > 5, index
