"""Results leave the app: views, tables, sessions, scripts; settings round trip and reset."""

import csv
import json
import subprocess
import sys

import numpy as np
from PySide6.QtWidgets import QMessageBox

from .helpers import settle, wait_message, wait_state


def _new_window(qtbot):
    from kmeans_studio.app import build_window

    win = build_window()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def _step_to(qtbot, window, index):
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    for _ in range(index):
        window.actions["step"].trigger()
    return wait_state(qtbot, window, lambda s: s.index == index)


def test_session_round_trip_shows_the_same_state(window, qtbot, tmp_path):
    panel = window.pages["blobs"].panel
    panel.run.n_clusters.setValue(5)
    panel.data.random_state.setValue(3)
    wait_state(qtbot, window, lambda s: s.iteration is not None and s.iteration.n_clusters == 5
               and "random_state=3" in s.dataset.description)
    saved = _step_to(qtbot, window, 5)
    path = window.exporter.save_session(tmp_path / "five.kmeans.json")
    assert path is not None and path.exists()
    window.close()

    again = _new_window(qtbot)
    wait_state(qtbot, again, lambda s: s.iteration is not None)
    again.pages["blobs"].panel.data.random_state.setValue(0)  # somewhere else first
    assert again.open_path(path)
    snap = wait_state(qtbot, again, lambda s: s.index == 5 and s.iteration.n_clusters == 5)
    np.testing.assert_allclose(snap.iteration.centers, saved.iteration.centers, atol=1e-9)
    np.testing.assert_array_equal(snap.iteration.labels, saved.iteration.labels)
    assert snap.iteration.phase == saved.iteration.phase == "assign"
    assert again.pages["blobs"].panel.data.random_state.value() == 3
    assert again.pages["blobs"].panel.run.n_clusters.value() == 5
    assert str(path) in again.settings["files/recent"]
    again.close()


def test_a_moons_session_saved_before_noise_was_saved_opens_as_it_was(window, qtbot,
                                                                       tmp_path):
    """Such a file holds only the spread, whose noise was then the spread ÷ 5: 0.25
    made today's default moons (noise 0.05).  It replays on those moons, and the page
    shows the spread that makes them now."""
    panel = window.pages["blobs"].panel
    panel.data.shape.setCurrentIndex(panel.data.shape.findData("moons"))
    wait_state(qtbot, window, lambda s: s.iteration is not None
               and s.request.data.shape == "moons")
    saved = _step_to(qtbot, window, 3)
    path = window.exporter.save_session(tmp_path / "moons.kmeans.json")
    data = json.loads(path.read_text())
    assert data["source"].pop("noise") == 0.05
    data["source"]["cluster_std"] = 0.25
    path.write_text(json.dumps(data))
    window.close()

    again = _new_window(qtbot)
    wait_state(qtbot, again, lambda s: s.iteration is not None)
    assert again.open_path(path)
    snap = wait_state(qtbot, again, lambda s: s.index == 3 and s.dataset.name == "Two moons")
    assert snap.dataset.description == "two moons, noise 0.05"
    np.testing.assert_array_equal(snap.dataset.X, saved.dataset.X)
    np.testing.assert_array_equal(snap.iteration.labels, saved.iteration.labels)
    assert again.pages["blobs"].panel.data.cluster_std.value() == 0.6
    settle(qtbot, again.controller)
    assert "does not follow" not in again.statusBar().currentMessage()
    again.close()


def test_a_session_that_no_longer_fits_its_data_says_so(window, qtbot, tmp_path):
    _step_to(qtbot, window, 2)
    path = window.exporter.save_session(tmp_path / "moved.kmeans.json")
    data = json.loads(path.read_text())
    data["centers_after_each_update"][0][0][0] += 1.0  # as if the data had changed
    path.write_text(json.dumps(data))
    window.open_path(path)
    qtbot.waitUntil(lambda: "does not follow the saved session"
                    in window.statusBar().currentMessage(), timeout=20_000)


def test_a_broken_session_file_gets_a_message(window, qtbot, tmp_path):
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    path = tmp_path / "broken.kmeans.json"
    path.write_text("{ not json")
    window.open_path(path)  # parsed off the GUI thread
    wait_message(qtbot, window, "not a K-Means Studio session")


def test_every_view_exports_as_png_and_svg(window, qtbot, tmp_path):
    _step_to(qtbot, window, 2)
    for name in window.page.export_targets:
        for suffix in (".png", ".svg"):
            path = window.exporter.export_view(name, tmp_path / f"{name}{suffix}")
            assert path is not None and path.stat().st_size > 1000
    from PySide6.QtSvg import QSvgRenderer

    svg = QSvgRenderer(str(tmp_path / "Scatter plot.svg"))
    assert svg.isValid()
    plot = window.page.export_targets["Scatter plot"]
    box = svg.viewBox()
    assert (box.width(), box.height()) == (plot.width(), plot.height())
    # The export menu lists every view of the page, then the tables and the script.
    window._fill_export_menu()
    texts = [a.text() for a in window.export_menu.actions() if a.text()]
    assert texts[:2] == ["Scatter plot as PNG or SVG…", "Inertia curve as PNG or SVG…"]
    assert "Export as Python s&cript…" in texts
    # Each entry saves its view where the user says.
    window.exporter._ask_save_path = lambda *args: tmp_path / "chosen.png"
    window.export_menu.actions()[1].trigger()
    qtbot.waitUntil(lambda: (tmp_path / "chosen.png").exists()
                    and (tmp_path / "chosen.png").stat().st_size > 1000)


def test_centres_and_labels_as_csv(window, qtbot, tmp_path):
    snap = _step_to(qtbot, window, 3)
    text = window.exporter.export_text("centres", tmp_path / "c.csv").read_text()
    centres = list(csv.reader(text.splitlines()))
    assert len(centres) == 1 + snap.iteration.n_clusters
    np.testing.assert_array_equal(np.array(centres[1:], dtype=float)[:, 2:],
                                  snap.iteration.centers)
    path = window.exporter.export_text("labels", tmp_path / "l.csv")
    qtbot.waitUntil(path.exists)  # written off the GUI thread
    labels = list(csv.reader(path.read_text().splitlines()))
    assert len(labels) == 1 + snap.dataset.n_samples
    assert [int(r[-1]) for r in labels[1:]] == snap.iteration.labels.tolist()


def test_a_big_labels_export_shows_progress_and_can_be_cancelled(window, qtbot, tmp_path):
    window.pages["blobs"].panel.data.n_samples.setValue(600_000)
    wait_state(qtbot, window, lambda s: s.dataset.n_samples == 600_000
               and s.iteration is not None, timeout=60_000)
    window.actions["step"].trigger()
    wait_state(qtbot, window, lambda s: s.index == 1 and s.dataset.n_samples == 600_000)
    path = window.exporter.export_text("labels", tmp_path / "big.csv")
    qtbot.waitUntil(window.progress.isVisible, timeout=10_000)
    assert window.progress.format() == "Writing the labels…"
    assert window.progress.maximum() == 13  # the header and 12 pieces of 50,000 rows
    window.actions["cancel"].trigger()
    qtbot.waitUntil(lambda: not window.progress.isVisible(), timeout=10_000)
    assert not path.exists() and not list(tmp_path.glob(".big*"))  # no partial file
    assert "nothing was written" in window.statusBar().currentMessage()
    # The same export, left alone, completes.
    window.exporter.export_text("labels", path)
    qtbot.waitUntil(path.exists, timeout=60_000)
    with path.open() as table:
        assert sum(1 for _ in table) == 600_001


def test_exported_script_reproduces_the_final_centres(window, qtbot, tmp_path):
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    window.actions["run_to_end"].trigger()
    snap = wait_state(qtbot, window, lambda s: s.done)
    path = window.exporter.export_text("script", tmp_path / "blobs_kmeans.py")
    driver = ("import runpy, numpy as np\n"
              f"ns = runpy.run_path({str(path)!r})\n"
              f"np.save({str(tmp_path / 'c.npy')!r}, ns['kmeans'].cluster_centers_)\n")
    result = subprocess.run([sys.executable, "-c", driver], capture_output=True, text=True,
                            timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    np.testing.assert_allclose(np.load(tmp_path / "c.npy"), snap.iteration.centers, atol=1e-9)


def test_a_notebook_exported_from_the_window_starts_from_the_runs_centres(
        window, qtbot, tmp_path):
    """File ▸ Export ▸ Jupyter notebook: a valid .ipynb whose cells start scikit-learn
    from the run's initial centres (tests/core/test_notebook.py runs such notebooks)."""
    import nbformat

    assert window.actions["export_notebook"] in window.export_menu.actions()
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    window.actions["run_to_end"].trigger()
    wait_state(qtbot, window, lambda s: s.done)
    path = window.exporter.export_text("notebook", tmp_path / "blobs_kmeans.ipynb")
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    namespace = {"np": np}
    start = next(cell.source for cell in notebook.cells if "initial_centers =" in cell.source)
    exec(start.split("\nk = ")[0], namespace)  # noqa: S102 - the cell the test wrote itself
    session = window.exporter.current_session()
    np.testing.assert_array_equal(namespace["initial_centers"], session.initial_centers)
    assert notebook.cells[0].cell_type == "markdown"


def test_settings_round_trip_and_reset(window, qtbot, monkeypatch):
    window.speed.setValue(30)
    window.pages["blobs"].panel.run.n_clusters.setValue(6)
    window.close()
    again = _new_window(qtbot)
    assert again.speed.value() == 30
    assert again.pages["blobs"].panel.run.n_clusters.value() == 6
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    again.actions["reset_settings"].trigger()
    again.close()
    fresh = _new_window(qtbot)
    assert fresh.speed.value() == 4
    assert fresh.pages["blobs"].panel.run.n_clusters.value() == 4
    fresh.close()


def test_the_centre_images_export_as_the_notebook_figure(window, qtbot, tmp_path):
    """Digits' signature figure: the cluster centres as images, PNG (twice the pixels
    on screen) and SVG; the first entry of the page's export menu."""
    from PySide6.QtGui import QImage
    from PySide6.QtSvg import QSvgRenderer

    window.page_bar.setCurrentIndex(window.page_bar.findData("digits"))
    wait_state(qtbot, window, lambda s: s.dataset.kind == "images" and s.iteration is not None,
               timeout=60_000)
    window.actions["run_to_end"].trigger()
    wait_state(qtbot, window, lambda s: s.dataset.kind == "images" and s.done)
    grid = window.page.export_targets["Cluster centres"]
    assert next(iter(window.page.export_targets)) == "Cluster centres"
    png = window.exporter.export_view("Cluster centres", tmp_path / "centres.png")
    image = QImage(str(png))
    assert (image.width(), image.height()) == (2 * grid.width(), 2 * grid.height())
    # The first tile's middle is one of the centre's grey levels, not the background.
    tile = grid.tile_rect(0)
    middle = image.pixelColor(2 * tile.center().x(), 2 * tile.center().y())
    assert middle.red() == middle.green() == middle.blue()
    svg = window.exporter.export_view("Cluster centres", tmp_path / "centres.svg")
    assert QSvgRenderer(str(svg)).isValid() and "<image" in svg.read_text()


def test_the_run_exports_as_an_animation(window, qtbot, tmp_path, monkeypatch):
    from PIL import Image

    snap = wait_state(qtbot, window, lambda s: s.iteration is not None)
    window.actions["run_to_end"].trigger()
    snap = wait_state(qtbot, window, lambda s: s.done)
    assert window.actions["export_animation"] in window.export_menu.actions()
    # The size and rate asked first (the core's defaults to start), then the file.
    from PySide6.QtWidgets import QFileDialog

    from kmeans_studio.core.export import animation
    from kmeans_studio.qt.animation_dialog import AnimationOptions

    path = tmp_path / "run.gif"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))
    window.actions["export_animation"].trigger()
    options = window.findChild(AnimationOptions)
    assert options.isVisible()
    assert options.values() == (animation.SIZE, animation.FPS, "plot")
    # The Blobs page's views: the plot, with or without the curve (no centre images).
    views = [options.view_box.itemData(i) for i in range(options.view_box.count())]
    assert views == ["plot", "plot_curve"]
    options.view_box.setCurrentIndex(1)
    options.width_box.setValue(320)
    options.height_box.setValue(5000)  # beyond the range: its largest
    assert options.values() == ((320, 4096), 4.0, "plot_curve")
    options.height_box.setValue(240)
    options.fps_box.setValue(2)
    options.accept()
    qtbot.waitUntil(lambda: path.exists() and not window.exporter._exports.running,
                    timeout=60_000)
    with Image.open(path) as gif:
        assert gif.n_frames == snap.index + 1 and gif.size == (320, 240)
        assert gif.info["duration"] == 500
        gif.seek(gif.n_frames - 1)
        strip = np.asarray(gif.convert("RGB"))[-60:].reshape(-1, 3).astype(int)
        assert (np.abs(strip - (0, 90, 170)).sum(axis=1) < 30).any()  # the curve
    # A suffix it cannot write: one sentence, nothing started.
    assert not window.exporter.export_animation(tmp_path / "run.avi")
    assert "as .gif, .mp4 or a folder" in window.last_message.text()
    assert not window.exporter.export_animation(tmp_path / "other.gif", view="palette")
    assert "cannot show" in window.last_message.text()
