"""The image page: drop, paste, compress, compare, save; bad files keep the old image."""

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, QRectF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QImage
from PySide6.QtWidgets import QApplication
from sklearn.datasets import load_sample_image

from .helpers import settle, wait_state


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "flower.png"
    Image.fromarray(load_sample_image("flower.jpg")[::2, ::2]).save(path)
    return path


def drop(window, *paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    return event


def image_ready(name):
    return lambda s: (s.dataset is not None and s.dataset.name == name
                      and s.derived is not None)


def test_dropping_a_photo_opens_the_image_page_and_compresses_it(window, qtbot, photo):
    """Drop, and the page shows the photo compressed to convergence by itself."""
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    event = drop(window, photo)
    assert event.isAccepted()
    snap = wait_state(qtbot, window, image_ready("flower.png"))
    assert window.page.key == "image"
    assert snap.derived.image().shape == (214, 320, 3)  # full resolution
    # The compressed picture comes without asking: the run goes on to convergence,
    # and its steps stay in the history to step back through.
    final = wait_state(qtbot, window, lambda s: s.done and s.dataset.name == "flower.png")
    assert len(final.derived.palette) == 64
    assert final.n_states > 4 and final.index == final.n_states - 1
    window.actions["step_back"].trigger()
    back = wait_state(qtbot, window, lambda s: s.index == final.index - 1)
    assert not back.done
    source = window.pages["image"]
    qtbot.waitUntil(lambda: source.stats.table.rowCount() == 4, timeout=20_000)
    assert source.stats.fields["psnr"].text().endswith("dB")
    # The comparison's k-means row is the run on screen, timed again on its own.
    table = source.stats.table
    assert table.item(0, 0).text() == "k-means"
    assert table.item(0, 2).text() == f"{final.derived.psnr:.2f}"
    # SSIM and ΔE of what is shown, in the table and beside the PSNR.
    from kmeans_studio.core.color.image_quality import measure

    quality = measure(final.dataset.image.pixels, final.derived.palette, final.derived.indices)
    assert [table.item(0, c).text() for c in (3, 4)] == [f"{quality.ssim:.4f}",
                                                         f"{quality.delta_e:.2f}"]
    assert source.stats.fields["seen"].text() == f"{quality.ssim:.4f} · {quality.delta_e:.2f}"
    assert table.item(0, 5).text().endswith(" ms")  # k-means's time, from the pixels
    assert " file (" in source.stats.fields["file"].text()
    assert window.actions["save_result"].isEnabled()
    assert str(photo) in window.settings["files/recent"]


def test_a_bad_file_shows_a_message_and_keeps_the_current_image(window, qtbot, bad_image_files,
                                                                 tmp_path):
    window.page_bar.setCurrentIndex(window.page_bar.findData("image"))
    wait_state(qtbot, window, image_ready("china.jpg"))
    before = window.controller.snapshot
    for name in ("corrupt.png", "notes.png", "truncated.jpg", "empty.png"):
        drop(window, tmp_path / name)
        qtbot.waitUntil(lambda n=name: window.last_message is not None
                        and n in window.last_message.text(), timeout=10_000)
        window.last_message.close()
    settle(qtbot, window.controller)
    assert window.controller.snapshot.dataset is before.dataset
    # the page still works on the image it had
    window.pages["image"].panel.params.n_clusters.setValue(8)
    snap = wait_state(qtbot, window, lambda s: s.iteration.n_clusters == 8)
    assert snap.dataset.name == "china.jpg"


def test_paste_from_the_clipboard(window, qtbot):
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkCyan)
    for x in range(20):
        for y in range(30):
            image.setPixel(x, y, 0xFFFF8000)
    QApplication.clipboard().setImage(image)
    window.actions["paste"].trigger()
    snap = wait_state(qtbot, window, lambda s: s.dataset.image is not None
                      and s.dataset.name.startswith("pasted image"))
    assert snap.dataset.image.pixels.shape == (30, 40, 3)
    assert snap.dataset.image.colors.n_colors == 2
    final = wait_state(qtbot, window, lambda s: s.derived is not None)
    assert {tuple(c) for c in final.derived.palette} == {(255, 128, 0), (0, 128, 128)}
    assert window.page.key == "image"  # pasted on the Blobs page: the photo is shown
    assert window.settings["files/recent"] == []  # and it is no file to reopen


def test_save_writes_an_indexed_png_and_never_the_source(window, qtbot, photo, tmp_path):
    drop(window, photo)
    wait_state(qtbot, window, image_ready("flower.png"))
    window.pages["image"].panel.params.n_clusters.setValue(12)
    wait_state(qtbot, window, lambda s: s.iteration.n_clusters == 12)
    window.actions["run_to_end"].trigger()
    wait_state(qtbot, window, lambda s: s.done and s.iteration.n_clusters == 12)
    before = photo.read_bytes()
    out = window.exporter.write_compressed(tmp_path / "small.png")
    with Image.open(out) as saved:
        assert saved.mode == "P" and len(saved.getpalette()) // 3 <= 12
        assert saved.size == (320, 214)
    assert window.exporter.write_compressed(photo) is None
    assert "source image" in window.last_message.text()
    assert photo.read_bytes() == before


def test_dithering_changes_the_shown_and_saved_image(window, qtbot, photo, tmp_path):
    drop(window, photo)
    wait_state(qtbot, window, image_ready("flower.png"))
    panel = window.pages["image"].panel
    panel.params.n_clusters.setValue(6)
    wait_state(qtbot, window, lambda s: s.dataset.name == "flower.png"
               and s.iteration.n_clusters == 6 and s.derived is not None)
    plain = window.pages["image"].result()[1].copy()
    assert not panel.params.dither_strength.isEnabled()  # only while dithering is on
    panel.params.dither.setChecked(True)
    assert panel.params.dither_strength.isEnabled()
    dithered = window.pages["image"].result()[1]
    assert dithered.max() < 6 and not np.array_equal(plain, dithered)
    compare = window.pages["image"].compare
    qtbot.waitUntil(lambda: "dithered at 0.6" in compare.after_label.text())
    # The strength: shown and saved as core.dither makes it.
    from kmeans_studio.core.color.dither import dither

    final = wait_state(qtbot, window, lambda s: s.done and s.iteration.n_clusters == 6)
    panel.params.dither_strength.setValue(0.3)
    qtbot.waitUntil(lambda: "dithered at 0.3" in compare.after_label.text())
    palette, indices = window.pages["image"].result()
    np.testing.assert_array_equal(indices, dither(final.dataset.image.pixels, palette, 0.3,
                                                  final.derived.indices))
    out = window.exporter.write_compressed(tmp_path / "dithered.png")
    with Image.open(out) as png:
        np.testing.assert_array_equal(np.asarray(png), indices)


def test_a_picture_dithered_for_an_older_state_is_dropped(window, qtbot, photo):
    # Under load a newer state can arrive while a picture is dithered off the GUI
    # thread; the picture then belongs to a snapshot that is no longer shown.
    import dataclasses

    drop(window, photo)
    wait_state(qtbot, window, image_ready("flower.png"))
    source = window.pages["image"]
    source.panel.params.dither.setChecked(True)
    qtbot.waitUntil(lambda: "dithered at" in source.compare.after_label.text())
    shown = source.compare.after_label.text()
    older = dataclasses.replace(source.snapshot)  # equal fields, another state
    indices = np.zeros(source.result()[1].shape, dtype=np.uint8)
    source._on_dithered(((older, source.panel.params.dither_strength.value()), indices,
                         "stale"))
    assert source.compare.after_label.text() == shown
    assert source._dithered_for[0] is source.snapshot


def test_wipe_slider_shows_the_original_left_of_the_line(window, qtbot):
    window.page_bar.setCurrentIndex(window.page_bar.findData("image"))
    wait_state(qtbot, window, image_ready("china.jpg"))
    compare = window.pages["image"].compare
    compare.set_mode_index(1)
    compare.slider.setValue(250)
    width = compare.wipe_before.image.shape[1]
    assert width == round(640 * 0.25)
    compare.wipe_line.setValue(480)
    assert compare.slider.value() == 750 and compare.wipe_before.image.shape[1] == 480


def test_palette_swatches_are_sorted_by_share_with_hex_tooltips(window, qtbot):
    window.page_bar.setCurrentIndex(window.page_bar.findData("image"))
    wait_state(qtbot, window, image_ready("china.jpg"))
    palette = window.pages["image"].palette
    qtbot.waitUntil(lambda: len(palette.shares) == 64)
    assert (np.diff(palette.shares) <= 0).all()
    assert palette.tooltip_at(0).startswith("#") and "% of pixels" in palette.tooltip_at(0)


def test_the_photo_last_shown_comes_back_at_the_next_start(window, qtbot, photo):
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    drop(window, photo)
    wait_state(qtbot, window, image_ready("flower.png"))
    window.close()
    from kmeans_studio.app import build_window

    again = build_window()
    qtbot.addWidget(again)
    again.show()
    assert again.page.key == "image"
    wait_state(qtbot, again, image_ready("flower.png"))
    # A sample chosen afterwards is what the start after that shows.
    panel = again.pages["image"].panel
    panel.set_source(("sample", "china.jpg"))
    wait_state(qtbot, again, image_ready("china.jpg"))
    again.close()
    assert again.settings["image/file"] == ""


def test_results_still_queued_when_the_window_closes_go_nowhere(window, qtbot, photo):
    # A photo runs on to convergence by itself, so closing the window mid-run can
    # leave the worker's last snapshots queued for the GUI thread after the views
    # have stopped their helpers (here: dithering).
    drop(window, photo)
    window.pages["image"].panel.params.dither.setChecked(True)
    last = wait_state(qtbot, window, lambda s: s.dataset.name == "flower.png" and s.done)
    window.close()
    window.controller._on_snapshot(last)  # as a queued result delivered after closing
    window.controller._paint()
    assert window.controller.snapshot is last


def test_compare_view_shows_the_pixels_unchanged(qtbot):
    """Dark and bright pixels reach the screen as they are (no level scaling)."""
    from kmeans_studio.qt.views.image_compare import CompareView

    view = CompareView()
    qtbot.addWidget(view)
    pixels = np.array([[[0, 1, 2], [128, 64, 32]], [[250, 251, 252], [255, 0, 255]]],
                      dtype=np.uint8)
    view.set_original(pixels)
    view.set_result(pixels[::-1].copy())
    for item, expected in ((view.before, pixels), (view.after, pixels[::-1])):
        item.render()
        shown = item.qimage.convertToFormat(QImage.Format.Format_RGB888)
        for y in range(2):
            for x in range(2):
                colour = shown.pixelColor(x, y)
                assert (colour.red(), colour.green(), colour.blue()) == tuple(expected[y, x])


def test_the_photos_fill_their_view_until_zoomed(qtbot):
    """Fitted whole by default and on every resize and on Wipe; zooming by hand
    stops the refitting until Fit; 100% is one picture pixel per screen pixel; side
    by side goes one above the other where that shows the pictures larger."""
    from kmeans_studio.qt.views.image_compare import CompareView

    view = CompareView()
    qtbot.addWidget(view)
    pixels = np.zeros((100, 200, 3), dtype=np.uint8)  # a wide picture
    view.resize(900, 400)
    view.show()
    qtbot.waitExposed(view)
    view.set_original(pixels)
    view.set_result(pixels)

    def whole(box):
        (x0, x1), (y0, y1) = box.viewRange()
        return x0 <= 0.5 and x1 >= 199.5 and y0 <= 0.5 and y1 >= 99.5 and (
            x1 - x0 < 201 or y1 - y0 < 101)  # and fills the box one way
    qtbot.waitUntil(lambda: whole(view.before_box) and not view.stacked)
    view.resize(420, 900)  # tall and narrow: one above the other shows them larger
    qtbot.waitUntil(lambda: view.stacked and whole(view.before_box))
    view.set_mode_index(1)
    qtbot.waitUntil(lambda: whole(view.wipe_box))
    view.zoom_by(2.0)
    assert not view.fitted
    view.resize(600, 600)
    qtbot.waitUntil(lambda: view.wipe_box.width() > 500)
    assert not whole(view.wipe_box)  # the user's zoom is kept
    view.actual_size()
    assert view.zoom() == pytest.approx(1.0)
    view.fit()
    assert view.fitted and whole(view.wipe_box)


def test_side_by_side_the_panes_are_equal_and_share_one_zoom(qtbot):
    """Both pictures whole in equal panes whatever their captions; a zoom or a pan of
    either is the other's too; Fit fits both."""
    from kmeans_studio.qt.views.image_compare import CompareView

    view = CompareView()
    qtbot.addWidget(view)
    pixels = np.zeros((427, 640, 3), dtype=np.uint8)
    view.resize(760, 420)
    view.show()
    qtbot.waitExposed(view)
    view.set_original(pixels, "a photo with a rather long name.png: 640×427")
    view.set_result(pixels, "64 colours (final), dithered at 0.6")
    whole = QRectF(0, 0, 640, 427)
    qtbot.waitUntil(lambda: all(box.viewRect().adjusted(-0.5, -0.5, 0.5, 0.5).contains(whole)
                                for box in (view.before_box, view.after_box)))
    assert view.before_view.size() == view.after_view.size()
    view.zoom_by(3.0)  # the buttons zoom the first; the second follows
    assert view.after_box.viewRect() == view.before_box.viewRect()
    view.after_box.translateBy(x=40)  # a pan of the second: the first follows
    assert view.before_box.viewRect() == view.after_box.viewRect()
    view.fit()
    assert all(box.viewRect().adjusted(-0.5, -0.5, 0.5, 0.5).contains(whole)
               for box in (view.before_box, view.after_box))


def test_a_logo_with_transparency_keeps_it_in_the_window_and_the_saved_png(
        window, qtbot, tmp_path):
    """Dropped: clustered with its alpha, transparent pixels exact, shown over a
    checkerboard; saved as an indexed PNG with tRNS; dithering and the script, which
    know no alpha, say so."""
    image = np.zeros((60, 90, 4), np.uint8)
    x = np.linspace(0, 1, 90)
    image[..., 0] = (255 * x)[None, :]
    image[..., 1] = 120
    image[..., 2] = (255 * (1 - x))[None, :]
    image[..., 3] = np.rint(1 + 254 * x)[None, :]
    image[20:40, 30:60] = (255, 0, 0, 0)  # a hole hiding red
    logo = tmp_path / "logo.png"
    Image.fromarray(image, "RGBA").save(logo)
    drop(window, logo)
    final = wait_state(qtbot, window, lambda s: s.dataset.name == "logo.png" and s.done
                       and s.derived is not None)
    source = window.pages["image"]
    result = final.derived
    assert result.palette.shape[1] == 4 and tuple(result.palette[0]) == (0, 0, 0, 0)
    assert len(result.palette) == source.panel.params.n_clusters.value()  # k in all
    shown = result.image()
    assert np.all(shown[20:40, 30:60, 3] == 0) and np.all(shown[image[..., 3] > 0, 3] > 0)
    assert all(checker.isVisible() for checker in source.compare.checkers)
    assert source.palette.colors.shape[1] == 4
    assert "Transparency is kept" in source.panel.alpha_note.text()
    assert not source.panel.params.dither.isEnabled()
    assert not source.panel.params.space.isEnabled()  # Oklab takes opaque photos
    assert not source.panel.params.dither_strength.isEnabled()
    qtbot.waitUntil(lambda: source.stats.table.rowCount() >= 2, timeout=30_000)
    assert source.stats.table.item(0, 0).text() == "k-means"
    out = window.exporter.write_compressed(tmp_path / "small.png")
    with Image.open(out) as saved:
        assert saved.mode == "P" and "transparency" in saved.info
        back = np.asarray(saved.convert("RGBA"))
    assert np.all(back[20:40, 30:60, 3] == 0)
    np.testing.assert_array_equal(back, shown)
    assert window.exporter.write_compressed(tmp_path / "small.jpg") is None
    assert "cannot keep the image's transparency" in window.last_message.text()
    assert window.exporter.export_text("script", tmp_path / "s.py") is None
    assert "does not handle transparency" in window.last_message.text()


def test_the_quality_curve_and_target_box_choose_k(window, qtbot, photo):
    """The curve is made when its tab is shown; a click on a point, or Find for a
    PSNR or a file size, takes that k."""
    from kmeans_studio.core.color.images import indexed_png_bytes
    from kmeans_studio.core.color.search import (
        CURVE_KS,
        fewest_colors,
        most_colors_within,
    )

    drop(window, photo)
    snap = wait_state(qtbot, window, image_ready("flower.png"))
    source = window.pages["image"]
    colors = snap.dataset.image.colors
    assert source.curve.note.text().startswith("The curve")  # not made while hidden
    source.lower_tabs.setCurrentWidget(source.curve)
    qtbot.waitUntil(lambda: source.curve.note.text().startswith("k-means at"), timeout=60_000)
    curve = source.curve._curves["psnr"]
    xs, ys = curve.getData()
    assert len(xs) == len(CURVE_KS)
    sixteen = colors.quantize(16)
    assert ys[list(CURVE_KS).index(16)] == pytest.approx(sixteen.psnr)
    sizes = source.curve._curves["size"].getData()[1]
    assert sizes[list(CURVE_KS).index(16)] * 1024 == len(
        indexed_png_bytes(sixteen.palette, sixteen.indices))
    # Clicking the point of k = 24 takes it, and the run follows.
    point = next(p for p in curve.scatter.points() if p.data() == 24)
    curve.scatter.sigClicked.emit(curve.scatter, [point], None)
    assert source.panel.params.n_clusters.value() == 24
    wait_state(qtbot, window, lambda s: s.done and len(s.derived.palette) == 24)
    # The comparison of k = 64 is not shown beside k = 24, not even while it is made.
    table = source.stats.table
    assert table.rowCount() == 0 or table.item(0, 1).text() == "24"
    qtbot.waitUntil(lambda: table.rowCount() == 4 and table.item(0, 1).text() == "24",
                    timeout=30_000)
    # The target box: the fewest colours reaching 30 dB, then the most within 12 KiB.
    source.curve.target.setCurrentIndex(source.curve.target.findData("psnr"))
    source.curve.value.setValue(30.0)
    source.curve.find.click()
    expected = len(fewest_colors(colors, 30.0, 30.0).result.palette)
    qtbot.waitUntil(lambda: source.panel.params.n_clusters.value() == expected, timeout=60_000)
    assert f"{expected} colours reach" in source.curve.note.text()
    source.curve.target.setCurrentIndex(source.curve.target.findData("size"))
    source.curve.value.setValue(12.0)
    source.curve.find.click()
    fits = most_colors_within(colors, 12 * 1024,
                              lambda r: len(indexed_png_bytes(r.palette, r.indices))).result
    qtbot.waitUntil(lambda: "fit in 12 KiB" in source.curve.note.text(), timeout=60_000)
    assert source.panel.params.n_clusters.value() == len(fits.palette)
    assert len(indexed_png_bytes(fits.palette, fits.indices)) <= 12 * 1024


def run_in_space(window, qtbot, photo, space, k, described):
    """The photo dropped, then run in `space` with k colours; its final snapshot and
    what the space's `quantize` gives on its own."""
    from kmeans_studio.core.color.spaces import colors_kind

    drop(window, photo)
    wait_state(qtbot, window, lambda s: s.done and s.dataset.name == "flower.png")
    params = window.pages["image"].panel.params
    params.n_clusters.setValue(k)
    params.space.setCurrentIndex(params.space.findData(space))
    final = wait_state(qtbot, window, lambda s: s.done and described in s.dataset.description
                       and len(s.derived.palette) == k)
    expected = colors_kind(space).from_image(final.dataset.image.pixels).quantize(k)
    np.testing.assert_array_equal(final.derived.palette, expected.palette)
    np.testing.assert_array_equal(final.derived.indices, expected.indices)
    return final, expected


def test_the_oklab_space_is_a_new_run_saved_in_sessions(window, qtbot, photo, tmp_path):
    from kmeans_studio.core.export.session import Session

    final, expected = run_in_space(window, qtbot, photo, "oklab", 12, "Oklab")
    source = window.pages["image"]
    params = source.panel.params
    # The comparison's first row is this run: k-means in Oklab.
    table = source.stats.table
    qtbot.waitUntil(lambda: table.rowCount() == 4 and table.item(0, 0).text() == "k-means (Oklab)",
                    timeout=30_000)
    assert table.item(0, 2).text() == f"{expected.psnr:.2f}"
    # The cloud draws the Oklab centres where their colours sit in the RGB cube.
    from kmeans_studio.core.color.conversions import srgb_from_oklab

    source.cloud.projection.setCurrentText("R–G")
    qtbot.waitUntil(lambda: len(source.cloud.centers.data) == 12)
    x, y = source.cloud.centers.getData()
    rgb = srgb_from_oklab(final.iteration.centers)
    np.testing.assert_allclose(np.column_stack([x, y]), rgb[:, :2])
    # Saved in a session, and back from it after switching the space back.
    path = window.exporter.save_session(tmp_path / "oklab.kmeans.json")
    assert Session.load(path).source.space == "oklab"
    params.space.setCurrentIndex(params.space.findData("srgb"))
    wait_state(qtbot, window, lambda s: s.done and "Oklab" not in s.dataset.description)
    assert window.opener.open_session(path)
    back = wait_state(qtbot, window, lambda s: "Oklab" in s.dataset.description
                      and s.index == final.index)
    np.testing.assert_array_equal(back.derived.palette, final.derived.palette)
    assert params.space.currentData() == "oklab"


def test_the_brightness_weighted_space_runs_as_the_command_line_does(window, qtbot, photo):
    from kmeans_studio.core.color.luma import LumaColors

    final, _ = run_in_space(window, qtbot, photo, "luma", 10, "brightness")
    assert isinstance(final.dataset.image.colors, LumaColors)
    table = window.pages["image"].stats.table
    qtbot.waitUntil(lambda: table.rowCount() == 4
                    and table.item(0, 0).text() == "k-means (luma-weighted)", timeout=30_000)


def test_the_sample_chooser_shows_no_sample_while_another_photo_is_shown(
        window, qtbot, photo):
    """Open a file: the sample box says no sample ("—") rather than the sample shown
    before; load a sample again and it names it; the default sample is kept."""
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    window.page_bar.setCurrentIndex(window.page_bar.findData("image"))
    wait_state(qtbot, window, image_ready("china.jpg"))
    panel = window.pages["image"].panel
    assert panel.sample.currentText() == "china.jpg"
    assert window.open_path(photo)
    wait_state(qtbot, window, image_ready("flower.png"))
    assert panel.sample.currentIndex() == -1
    assert panel.sample.currentText() == ""
    assert panel.sample.placeholderText() == "—"
    assert not panel.load_sample.isEnabled()  # no sample to load
    panel.save(window.settings)
    assert window.settings["image/sample"] == "china.jpg"
    # Choose a sample and load it: the box names it again.
    panel.sample.setCurrentText("flower.jpg")
    assert panel.load_sample.isEnabled()
    qtbot.mouseClick(panel.load_sample, Qt.MouseButton.LeftButton)
    wait_state(qtbot, window, image_ready("flower.jpg"))
    assert panel.sample.currentText() == "flower.jpg"


def test_a_pasted_image_is_no_sample_either(window, qtbot):
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    window.page_bar.setCurrentIndex(window.page_bar.findData("image"))
    wait_state(qtbot, window, image_ready("china.jpg"))
    panel = window.pages["image"].panel
    panel.set_pixels(np.full((8, 8, 3), [9, 200, 30], np.uint8))
    wait_state(qtbot, window, lambda s: s.dataset.name.startswith("pasted image"))
    assert panel.sample.currentIndex() == -1


def _screen_cell(cloud):
    """Width and height on screen of one cell of the colour cloud's image."""
    cell = cloud.points.mapRectToScene(QRectF(0, 0, 1, 1))
    return cell.width(), cell.height()


@pytest.mark.parametrize("plane", ["R–G", "PCA"])
def test_the_colour_cloud_draws_round_dots_whatever_its_shape(qtbot, plane):
    """Wide and flat, square, tall and narrow: the cells the dots are drawn with are
    square on screen (not stretched into dashes), and as many as the plot shows."""
    from kmeans_studio.core.data.datasets import sample_image_dataset
    from kmeans_studio.qt.contracts import Snapshot
    from kmeans_studio.qt.scenes import settle_layout
    from kmeans_studio.qt.views.color_cloud import CELL_PX, ColorCloudView

    dataset = sample_image_dataset("china.jpg")
    cloud = ColorCloudView()
    qtbot.addWidget(cloud)
    cloud.projection.setCurrentText(plane)
    cloud.show()
    qtbot.waitExposed(cloud)
    snapshot = Snapshot(None, None, 0, 1, np.array([np.nan]), np.empty((0, 0, 0)), True,
                        dataset)
    for width, height in [(900, 200), (320, 320), (250, 700), (900, 200)]:
        cloud.resize(width, height)
        settle_layout()
        cloud.set_snapshot(snapshot)
        settle_layout()
        w, h = _screen_cell(cloud)
        assert w == pytest.approx(h, rel=0.03), (width, height)
        assert w == pytest.approx(CELL_PX, rel=0.1)
    # Zoomed along one axis only (a drag with the right button): square again.
    cloud.plot.getViewBox().scaleBy(x=0.5, y=1.0)
    settle_layout()
    w, h = _screen_cell(cloud)
    assert w == pytest.approx(h, rel=0.03)
