"""The Image page: a photo's colours compressed, the comparison with Pillow, the quality curve."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kmeans_studio.core.color.images import IMAGE_SUFFIXES
from kmeans_studio.qt.contracts import ImageReport, Snapshot
from kmeans_studio.qt.controller import RunController
from kmeans_studio.qt.jobs import BackgroundJob
from kmeans_studio.qt.layout import scrolled, splitter, tabs
from kmeans_studio.qt.pages.base import HEAVY_INTERVAL_MS, FileRequests, Page, Throttle
from kmeans_studio.qt.pages.image.panel import ImagePanel
from kmeans_studio.qt.settings import Settings
from kmeans_studio.qt.views.color_cloud import ColorCloudView
from kmeans_studio.qt.views.image_compare import CompareView
from kmeans_studio.qt.views.image_stats import ImageStatsView
from kmeans_studio.qt.views.inertia import InertiaView
from kmeans_studio.qt.views.palette import GAP, SWATCH, PaletteView
from kmeans_studio.qt.views.quality_curve import QualityCurveView

#: The least width of the column beside the pictures.
RIGHT_LEAST = 270


class ImagePage(Page):
    """Colour compression: before/after, palette, numbers, colour cloud, inertia.

    Two kinds of work run beside the page's run, each on a `BackgroundJob`: dithering
    the picture shown, and the comparison with Pillow's quantizers once a photo has
    converged (cached per photo, k and seed; a new photo abandons one under way,
    which may be inside a quantizer that cannot be interrupted, and never waits)."""

    key = "image"
    data_kind = "photo"
    title = "Image"
    tip = "A photo compressed to k colours, before and after, with its size and quality"
    open_filter = "Images ({})".format(" ".join(f"*{s}" for s in IMAGE_SUFFIXES))
    #: Comparisons kept, so that coming back to a photo does not compare it again.
    REPORTS_KEPT = 8

    def __init__(self, settings: Settings, controller: RunController) -> None:
        super().__init__(ImagePanel(settings), controller)

    def connect(self, files: FileRequests) -> None:
        super().connect(files)
        self.panel.paste_requested.connect(files.paste)

    def saves_result(self, snapshot) -> bool:
        return snapshot.derived is not None

    def cancel(self) -> None:
        """Esc stops the comparison with Pillow's quantizers (`cancel_comparison`)."""
        if self.built:
            self.cancel_comparison()

    def _build(self, controller: RunController) -> None:
        self.compare = CompareView()
        self.inertia = InertiaView()
        self.palette = PaletteView()
        self.stats = ImageStatsView()
        self.cloud = ColorCloudView()
        self.curve = QualityCurveView()
        # Beside the pictures: the palette, the numbers (PSNR, SSIM, size), then in
        # tabs the colour cloud, the quality curve with the target box (computed when
        # first shown for a photo: it compresses the photo a dozen times) and the
        # inertia.
        self.lower_tabs = tabs([("Cloud", self.cloud), ("Quality", self.curve),
                                ("Pillow", self.stats.comparison), ("Inertia", self.inertia)],
                               "image_lower_tabs")
        for index, tip in enumerate(("The colours in colour space, with the palette",
                                     "PSNR and PNG size against the number of colours",
                                     "k-means against Pillow's quantizers",
                                     "Inertia per half-step")):
            self.lower_tabs.setTabToolTip(index, tip)
        self.lower_tabs.currentChanged.connect(lambda _: self._start_curve())
        # A palette of many colours scrolls in its own box rather than push the rest.
        swatches = scrolled(self.palette)
        swatches.setMinimumHeight(GAP + SWATCH + GAP)  # a row at least
        # The numbers keep the height they need above a splitter of the palette and
        # the tabs (a splitter holding the numbers kept their first height).
        shared = splitter(Qt.Orientation.Vertical, [swatches, self.lower_tabs], [1, 3],
                          "image_palette_tabs")
        shared.setSizes([GAP + 4 * (SWATCH + GAP), 600])  # (in proportion, once shown)
        right = QWidget()
        right.setObjectName("image_right")
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.stats)
        column.addWidget(shared, 1)
        right.setMinimumWidth(RIGHT_LEAST)  # its tabs' names and the target box whole
        self.views = splitter(Qt.Orientation.Horizontal, [self.compare, right], [3, 1],
                              "image_views")
        self.views.setSizes([700, 300])  # (in proportion, once shown)
        self.export_targets = {"Colour cloud": self.cloud.plot, "Inertia curve": self.inertia.plot,
                               "PSNR against k": self.curve.psnr_plot,
                               "PNG size against k": self.curve.size_plot}
        self.inertia.seek_requested.connect(controller.seek)
        self.panel.params.dither.toggled.connect(self._refresh_result)
        self.panel.params.dither_strength.valueChanged.connect(self._refresh_result)
        self.snapshot: Snapshot | None = None
        self._dataset = None
        # Parented to the panel: deleted with the window, so a late result is dropped.
        self.comparison = BackgroundJob("comparison")
        self.comparison.succeeded.connect(self._on_report)
        self._reports: OrderedDict[tuple, ImageReport] = OrderedDict()
        self._comparing: tuple | None = None
        self._shown_report: tuple | None = None  # the key of the report on screen
        self._dithering = BackgroundJob("dither")
        self._dithering.succeeded.connect(self._on_dithered)
        # (snapshot, strength) the _dithered_indices are of
        self._dithered_for: tuple | None = None
        self._dithered_indices = None
        self._curve_job = BackgroundJob("quality curve")
        self._curve_job.progressed.connect(lambda *_: self._show_curve(done=False))
        self._curve_job.succeeded.connect(lambda _: self._show_curve(done=True))
        self._curve_points: list = []
        self._curve_for = None  # the dataset the curve is (being) made for
        self._finding = BackgroundJob("find k")
        self._finding.succeeded.connect(self._on_found)
        self._finding.failed.connect(self.curve.note.setText)
        self.curve.k_chosen.connect(self.panel.params.n_clusters.setValue)
        self.curve.find_requested.connect(self._find_k)
        # Pictures, palette and cloud are heavy to paint: at most 8 times a second
        # while playing; every single step and the final state are shown at once.
        self._heavy = Throttle(self._show_heavy, HEAVY_INTERVAL_MS)

    def set_snapshot(self, snapshot: Snapshot) -> None:
        dataset = snapshot.dataset
        if dataset is None or dataset.image is None:
            return
        if dataset is not self._dataset:
            self._dataset = dataset
            h, w = dataset.image.colors.shape
            self.compare.set_original(dataset.image.pixels, f"{dataset.name}: {w}×{h}")
            self.stats.clear()
            self._start_curve()
        self.curve.set_current(snapshot.request.n_clusters)
        if snapshot.derived is not None and self._report_key(snapshot) != self._shown_report:
            # Another k or seed: the last comparison is not this picture's.
            self._shown_report = None
            self.stats.clear_report()
        self.snapshot = snapshot
        self.inertia.set_snapshot(snapshot)
        self._heavy.push(snapshot, urgent=snapshot.done)
        if snapshot.done and snapshot.derived is not None:
            self._compare(snapshot)

    def _show_heavy(self, snapshot: Snapshot) -> None:
        self.cloud.set_snapshot(snapshot)
        self.stats.set_snapshot(snapshot)
        if snapshot.derived is None:
            return
        self.palette.set_palette(snapshot.derived.palette, snapshot.derived.counts)
        self._refresh_result()

    # -- the comparison with Pillow's quantizers
    @staticmethod
    def _report_key(snapshot: Snapshot) -> tuple:
        return (snapshot.request.data_key, len(snapshot.derived.palette),
                snapshot.request.random_state)

    def _compare(self, snapshot: Snapshot) -> None:
        """The PNG size and Pillow's quantizers for a converged photo: from the cache,
        or on the comparison job."""
        key = self._report_key(snapshot)
        if key in self._reports:
            self._reports.move_to_end(key)
            self._show_report(key)
            return
        if key == self._comparing and self.comparison.running:
            return
        self._comparing = key
        image, result = snapshot.dataset.image, snapshot.derived
        seed = snapshot.request.random_state

        def work(cancelled, progress):
            from kmeans_studio.core.color import comparison
            from kmeans_studio.core.color.images import indexed_png_bytes

            png = len(indexed_png_bytes(result.palette, result.indices))
            # k-means is run again on its own (same start, same stop), so that it is
            # timed as Pillow's quantizers are; Cancel or a new photo stops it between
            # methods, or abandons it inside one.
            methods = comparison.compare_methods(image.pixels, len(result.palette),
                                               random_state=seed, cancelled=cancelled,
                                               kind=type(image.colors))
            if methods is None:
                return None
            return key, ImageReport(png, methods, image.file_size, image.pixels.nbytes)
        self.comparison.start(work)

    def _on_report(self, keyed: tuple) -> None:
        key, report = keyed
        self._reports[key] = report
        while len(self._reports) > self.REPORTS_KEPT:
            self._reports.popitem(last=False)
        snap = self.snapshot
        # Shown only beside the photo (and k) it belongs to.
        if snap is not None and snap.derived is not None and self._report_key(snap) == key:
            self._show_report(key)

    def _show_report(self, key: tuple) -> None:
        self._shown_report = key
        self.stats.set_report(self._reports[key])

    def cancel_comparison(self) -> None:
        """Stop the comparison under way (Esc); it is made again when the photo's final
        state is next shown."""
        self._comparing = None
        self.comparison.cancel(wait=False)

    # -- the quality curve and the target box
    def _start_curve(self) -> None:
        """Make the curve of the photo shown, when its tab is on screen and it is not
        made (or being made) already."""
        dataset = self._dataset
        if (dataset is None or self.lower_tabs.currentWidget() is not self.curve
                or dataset is self._curve_for):
            if dataset is not self._curve_for and self._curve_for is not None:
                self._curve_job.cancel(wait=False)  # another photo's: not wanted now
                self._curve_for = None
                self.curve.clear("The curve is made when this tab is shown.")
            return
        self._curve_for = dataset
        self._finding.cancel(wait=False)
        points: list = []
        self._curve_points = points
        seed = self.panel.params.random_state.value()
        self.curve.clear(f"Compressing {dataset.name} at each number of colours…")

        def work(cancelled, progress):
            from kmeans_studio.core.color.search import CURVE_KS, quality_curve

            def each(point):
                points.append(point)
                progress(len(points), len(CURVE_KS))
            done = quality_curve(dataset.image.colors, random_state=seed, cancelled=cancelled,
                                 each=each)
            return done
        self._curve_job.start(work)

    def _show_curve(self, done: bool) -> None:
        from kmeans_studio.core.color.search import CURVE_KS

        self.curve.set_points(list(self._curve_points), done, len(CURVE_KS))

    def _find_k(self, kind: str, value: float) -> None:
        """The target box: search k for it on the job, then take it."""
        dataset = self._dataset
        if dataset is None:
            return
        seed = self.panel.params.random_state.value()
        self.curve.note.setText("Searching the number of colours…")

        def work(cancelled, progress):
            from kmeans_studio.core.color.images import indexed_png_bytes
            from kmeans_studio.core.color.search import (
                fewest_colors,
                most_colors_within,
            )

            colors = dataset.image.colors
            if kind == "psnr":
                search = fewest_colors(colors, value, value, random_state=seed)
                result = search.result
                text = (f"Even 256 colours reach only {search.tried[256].psnr:.1f} dB."
                        if result is None else
                        f"{len(result.palette)} colours reach {result.psnr:.1f} dB "
                        f"({len(search.tried)} tried).")
            else:
                limit = int(value * 1024)
                search = most_colors_within(
                    colors, limit, lambda r: len(indexed_png_bytes(r.palette, r.indices)),
                    random_state=seed)
                result = search.result
                text = (f"Even one colour takes more than {value:g} KiB." if result is None
                        else f"{len(result.palette)} colours fit in {value:g} KiB "
                             f"({len(search.tried)} tried).")
            return dataset, None if result is None else len(result.palette), text
        self._finding.start(work)

    def _on_found(self, found: tuple) -> None:
        dataset, k, text = found
        if dataset is not self._dataset:
            return  # another photo is shown now
        self.curve.note.setText(text)
        if k is not None:
            self.panel.params.n_clusters.setValue(k)

    # -- the result, dithered or not
    def result(self):
        """(palette, indices) as shown, dithered when asked; None without a result."""
        snap = self.snapshot
        if snap is None or snap.derived is None:
            return None
        palette = snap.derived.palette
        if not self.panel.params.dither.isChecked():
            return palette, snap.derived.indices
        key = (snap, self.panel.params.dither_strength.value())
        if self._dithered_for != key:  # not shown yet: compute it now
            self._dithered_indices = _dithered(snap, key[1])
            self._dithered_for = key
        return palette, self._dithered_indices

    def _refresh_result(self) -> None:
        snap = self.snapshot
        if snap is None or snap.derived is None:
            return
        phase = f"iteration {snap.iteration.n_iter}, {snap.iteration.phase}"
        label = f"{len(snap.derived.palette)} colours ({'final' if snap.done else phase})"
        if not self.panel.params.dither.isChecked():
            self.compare.set_result(snap.derived.image(), label)
            return
        # Dithering takes tens of milliseconds: off the GUI thread.
        key = (snap, self.panel.params.dither_strength.value())
        self._dithering.start(lambda cancelled, progress: (key, _dithered(*key), label))

    def _on_dithered(self, done: tuple) -> None:
        key, indices, label = done
        params = self.panel.params
        if key == (self.snapshot, params.dither_strength.value()) and params.dither.isChecked():
            # Kept for saving, so Ctrl+S does not dither the same picture again.
            self._dithered_for, self._dithered_indices = key, indices
            self.compare.set_result(key[0].derived.palette[indices],
                                    f"{label}, dithered at {key[1]:g}")

    def _shutdown(self) -> None:
        """Stop pending work before the window goes away: dithering is short and is
        waited for; a comparison may be inside a quantizer for many seconds and is
        abandoned."""
        self._heavy.stop()
        self._dithering.cancel()
        self.comparison.cancel(wait=False)
        self._curve_job.cancel(wait=False)
        self._finding.cancel(wait=False)


def _dithered(snap: Snapshot, strength: float) -> np.ndarray:
    """The indices of a state's picture dithered at `strength` (`core.dither`)."""
    from kmeans_studio.core.color.dither import dither

    return dither(snap.dataset.image.pixels, snap.derived.palette, strength,
                  snap.derived.indices)
