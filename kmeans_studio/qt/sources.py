"""The data sources of the window: each has a Data page, views and a snapshot sink."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from PySide6.QtCore import QElapsedTimer, QSignalBlocker, Qt, QTimer
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from kmeans_studio.qt.contracts import ImageReport, Snapshot
from kmeans_studio.qt.controller import RunController
from kmeans_studio.qt.jobs import BackgroundJob
from kmeans_studio.qt.layout import Page, WrappedLabel, scrolled, splitter
from kmeans_studio.qt.panels.blobs import BlobsPanel
from kmeans_studio.qt.panels.digits import DigitsPanel
from kmeans_studio.qt.panels.image import ImagePanel
from kmeans_studio.qt.panels.table import TablePanel
from kmeans_studio.qt.settings import Settings
from kmeans_studio.qt.views.centroid_images import CentroidImagesView
from kmeans_studio.qt.views.color_cloud import ColorCloudView
from kmeans_studio.qt.views.confusion import ConfusionView
from kmeans_studio.qt.views.gallery import Gallery
from kmeans_studio.qt.views.image_compare import CompareView
from kmeans_studio.qt.views.image_stats import ImageStatsView
from kmeans_studio.qt.views.inertia import InertiaView
from kmeans_studio.qt.views.metrics_table import MetricsView
from kmeans_studio.qt.views.palette import GAP, SWATCH, PaletteView
from kmeans_studio.qt.views.pca import PcaView
from kmeans_studio.qt.views.quality_curve import QualityCurveView
from kmeans_studio.qt.views.scatter import ScatterView


class _Throttle:
    """Calls `show(latest)` at most every `interval_ms` while values stream in; an
    urgent value (the final state), or one after a pause, is shown at once.

    The interval also stretches to four times the last `show`'s duration, so that
    views slow to update (many clusters, big clouds) leave the GUI thread idle at
    least three quarters of the time while a run streams states.
    """

    def __init__(self, show, interval_ms: int) -> None:
        self._show = show
        self._base = interval_ms
        self._interval = interval_ms
        self._latest = None
        self._since = QElapsedTimer()
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._fire)

    def push(self, value, urgent: bool = False) -> None:
        self._latest = value
        elapsed = self._since.elapsed() if self._since.isValid() else 1 << 30
        if urgent or elapsed >= self._interval:
            self._timer.stop()
            self._fire()
        elif not self._timer.isActive():
            self._timer.start(self._interval - elapsed)

    def stop(self) -> None:
        self._timer.stop()

    def _fire(self) -> None:
        self._since.start()
        self._show(self._latest)
        self._interval = max(self._base, 4 * self._since.elapsed())


#: Views that are heavy to paint are refreshed at most this often while playing.
HEAVY_INTERVAL_MS = 125


class _Source:
    """A page of the window: its Data panel (`panel`, built at once), its own run
    (`controller`: one worker thread per page, so a page keeps its run, history and
    position while another is shown) and its views (built by `build()` the first time
    the page is shown, so that start-up builds only the page on screen)."""

    key = ""
    title = ""
    data_kind = ""  # the `Dataset.kind` this page shows

    def __init__(self, panel, controller: RunController) -> None:
        self.panel = panel
        self.controller = controller
        self.views: QWidget | None = None

    def accepts(self, dataset) -> bool:
        """Whether this page shows `dataset`."""
        return dataset.kind == self.data_kind

    @property
    def built(self) -> bool:
        return self.views is not None

    def build(self) -> QWidget:
        """The page's views (built the first time), reflowing and scrolling where
        the window is too small to give each view its minimum size (`layout.Page`)."""
        if self.views is None:
            self._build(self.controller)
            self.page = Page(self.views)
        return self.page

    def _build(self, controller: RunController) -> None:
        raise NotImplementedError

    def shutdown(self) -> None:
        """Stop what runs outside the controller (before the window goes away)."""
        if self.built:
            self._shutdown()

    def _shutdown(self) -> None:
        raise NotImplementedError


def _score_line(evaluation) -> str:
    """One line on how the clusters match labelled (drawn) data's classes."""
    if evaluation is None:
        return ""
    accuracy = evaluation.matching("hungarian").accuracy
    return (f"Against your classes: accuracy {accuracy:.3f} (clusters matched one-to-one) "
            f"· ARI {evaluation.scores['ARI']:.3f} · NMI {evaluation.scores['NMI']:.3f}")


class BlobsSource(_Source):
    """Toy 2-D data: the scatter explorer above the inertia curve."""

    key = "blobs"
    data_kind = "points"
    title = "Blobs"

    def __init__(self, settings: Settings, controller: RunController) -> None:
        super().__init__(BlobsPanel(settings), controller)
        # The View menu's display options, kept here until the page is built.
        self.view_options = {"show_voronoi": True, "show_trails": True}
        self._shown: Snapshot | None = None

    def set_view_options(self, **options: bool) -> None:
        """Voronoi regions and centre trails on or off; the state shown is redrawn."""
        self.view_options.update(options)
        if self.built:
            for name, value in self.view_options.items():
                setattr(self.scatter, name, value)
            if self._shown is not None and self._shown.iteration is not None:
                self.scatter.set_snapshot(self._shown)

    def _build(self, controller: RunController) -> None:
        self.scatter = ScatterView()
        for name, value in self.view_options.items():
            setattr(self.scatter, name, value)
        self.inertia = InertiaView()
        self.scores = WrappedLabel()
        self.scores.setObjectName("blobs_scores")
        self.scores.setAccessibleName("The clusters scored against the drawn classes")
        self.scores.hide()
        above = QWidget()
        column = QVBoxLayout(above)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.scatter, 1)
        column.addWidget(self.scores)
        self.views = splitter(Qt.Orientation.Vertical, [above, self.inertia], [4, 1],
                               "blobs_views")
        self.export_targets = {"Scatter plot": self.scatter.plot,
                               "Inertia curve": self.inertia.plot}
        self.scatter.set_placing(self.panel.placing)
        self.panel.run.init.currentIndexChanged.connect(
            lambda: self.scatter.set_placing(self.panel.placing))
        self.scatter.centers_edited.connect(controller.set_centers)
        self.inertia.seek_requested.connect(controller.seek)
        # Drawing: the scatter plot's strokes go into the panel's sketch.
        panel = self.panel
        self.scatter.stroke_started.connect(panel.stroke_started)
        self.scatter.stroke_moved.connect(self._on_stroke)
        self.scatter.stroke_finished.connect(panel.stroke_finished)
        panel.drawing_changed.connect(self._paint_mode)
        panel.brush.brush.valueChanged.connect(lambda: self._paint_mode(panel.drawing))
        self._paint_mode(panel.drawing)

    def _paint_mode(self, drawing: bool) -> None:
        self.scatter.class_symbols = drawing
        self.scatter.set_painting(self.panel.brush.values().brush if drawing else None)

    def _on_stroke(self, x: float, y: float, radius: float, erasing: bool) -> None:
        self.panel.stroke_moved(x, y, radius, erasing)
        drawing = self.panel.sketch.drawing
        self.scatter.show_sketch(drawing.points, drawing.classes)

    def set_snapshot(self, snapshot: Snapshot) -> None:
        # Painted at once: the worker sends the next state only after this one is
        # painted, which paces a run to what the screen can show.
        self._shown = snapshot
        self.scatter.set_snapshot(snapshot)
        self.inertia.set_snapshot(snapshot)
        self.scores.setText(_score_line(snapshot.derived))
        self.scores.setVisible(snapshot.derived is not None)
        if self.panel.placing and snapshot.iteration is not None:
            # k is what the user placed (the greyed box says so, not an old value).
            k = self.panel.run.n_clusters
            with QSignalBlocker(k):
                k.setValue(snapshot.iteration.n_clusters)

    def _shutdown(self) -> None:
        """Nothing runs outside the controller for this source."""


class DigitsSource(_Source):
    """Labelled images: centre images, confusion matrix, scores, PCA views, inertia."""

    key = "digits"
    data_kind = "images"
    title = "Digits"
    N_NEAREST = 20  # samples shown for a clicked centre

    def __init__(self, settings: Settings, controller: RunController) -> None:
        super().__init__(DigitsPanel(settings), controller)

    def _build(self, controller: RunController) -> None:
        self.centroids = CentroidImagesView()
        self.pca = PcaView()
        self.confusion = ConfusionView()
        self.metrics = MetricsView()
        self.inertia = InertiaView()
        left = splitter(Qt.Orientation.Vertical, [self.centroids, self.pca], [1, 1],
                         "digits_left")
        right = splitter(Qt.Orientation.Vertical, [self.confusion, self.metrics, self.inertia],
                          [5, 3, 2], "digits_right")
        self.views = splitter(Qt.Orientation.Horizontal, [left, right], [3, 2], "digits_views")
        left.setSizes([400, 500])
        self.views.setSizes([620, 420])
        self.export_targets = {"Cluster centres": self.centroids.grid,
                               "Confusion matrix": self.confusion.plot,
                               "PCA, learned clusters": self.pca.learned,
                               "PCA, true classes": self.pca.truth,
                               "Inertia curve": self.inertia.plot}
        self.inertia.seek_requested.connect(controller.seek)
        self.confusion.cell_clicked.connect(self.show_cell)
        self.centroids.cluster_clicked.connect(self.show_nearest)
        self.panel.matching_changed.connect(lambda _: self._show(self.shown))
        # Four plots and the centre images: at most 8 times a second while playing.
        self._heavy = _Throttle(self._show, HEAVY_INTERVAL_MS)
        self.snapshot: Snapshot | None = None
        self.shown: Snapshot | None = None
        self.matching = None
        self._gallery: Gallery | None = None

    def set_snapshot(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.inertia.set_snapshot(snapshot)
        self._heavy.push(snapshot, urgent=snapshot.done)

    def _show(self, snapshot: Snapshot | None) -> None:
        if snapshot is None:
            return
        evaluation = snapshot.derived
        self.shown = snapshot  # what the views show; the galleries agree with it
        self.matching = None if evaluation is None else evaluation.matching(self.panel.matching)
        self.centroids.set_state(snapshot, self.matching)
        self.pca.set_state(snapshot, self.matching)
        self.confusion.set_matching(self.matching)
        self.metrics.set_evaluation(evaluation)

    # -- galleries
    @property
    def gallery(self) -> Gallery:
        if self._gallery is None:  # parented to the page: closed with the window
            self._gallery = Gallery(self.views.window())
        return self._gallery

    def _show_samples(self, title: str, rows: np.ndarray, captions: list[str],
                      extra: list[str]) -> Gallery:
        dataset, labels = self.shown.dataset, self.shown.iteration.labels
        images = dataset.X[rows].reshape(len(rows), *dataset.image_shape)
        levels = dataset.value_range
        tips = [f"sample {i}: true {dataset.y[i]}, cluster {labels[i]}{more}"
                for i, more in zip(rows, extra)]
        self.gallery.show_images(title, images, levels, captions, tips)
        return self.gallery

    def show_cell(self, class_index: int, cluster: int) -> Gallery | None:
        """The samples of one class in one cluster (a confusion-matrix cell)."""
        if self.matching is None:
            return None
        dataset, labels = self.shown.dataset, self.shown.iteration.labels
        true = self.matching.classes[class_index]
        matched = self.matching.classes[self.matching.cluster_class[cluster]]
        rows = np.flatnonzero((dataset.y == true) & (labels == cluster))
        return self._show_samples(f"True {true} in cluster {cluster} (matched to {matched})",
                                  rows, [f"#{i}" for i in rows], [""] * len(rows))

    def show_nearest(self, cluster: int) -> Gallery | None:
        """The samples of a cluster nearest to its centre, nearest first."""
        state = None if self.shown is None else self.shown.iteration
        if state is None or state.labels is None:
            return None
        X = self.shown.dataset.X
        members = np.flatnonzero(state.labels == cluster)
        distance = np.sqrt(((X[members] - state.centers[cluster]) ** 2).sum(axis=1))
        order = np.argsort(distance, kind="stable")[: self.N_NEAREST]
        rows = members[order]
        y = self.shown.dataset.y
        return self._show_samples(
            f"The {len(rows)} samples of cluster {cluster} nearest to its centre", rows,
            [f"true {y[i]}" for i in rows], [f", distance {d:.3g}" for d in distance[order]])

    def _shutdown(self) -> None:
        self._heavy.stop()
        if self._gallery is not None:
            self._gallery.close()


class ImageSource(_Source):
    """Colour compression: before/after, palette, numbers, colour cloud, inertia.

    Two kinds of work run beside the page's run, each on a `BackgroundJob`: dithering
    the picture shown, and the comparison with Pillow's quantizers once a photo has
    converged (cached per photo, k and seed; a new photo abandons one under way,
    which may be inside a quantizer that cannot be interrupted, and never waits)."""

    key = "image"
    data_kind = "photo"
    title = "Image"
    #: Comparisons kept, so that coming back to a photo does not compare it again.
    REPORTS_KEPT = 8

    def __init__(self, settings: Settings, controller: RunController) -> None:
        super().__init__(ImagePanel(settings), controller)

    def _build(self, controller: RunController) -> None:
        self.compare = CompareView()
        self.inertia = InertiaView()
        self.palette = PaletteView()
        self.stats = ImageStatsView()
        self.cloud = ColorCloudView()
        self.curve = QualityCurveView()
        # The colour cloud, or the quality curve with the target box (computed when
        # first shown for a photo: it compresses the photo a dozen times).
        self.lower_tabs = QTabWidget()
        self.lower_tabs.setObjectName("image_lower_tabs")
        self.lower_tabs.addTab(self.cloud, "Colour cloud")
        self.lower_tabs.addTab(self.curve, "Colours vs quality")
        self.lower_tabs.currentChanged.connect(lambda _: self._start_curve())
        left = splitter(Qt.Orientation.Vertical, [self.compare, self.inertia], [5, 1],
                         "image_left")
        # A palette of many colours scrolls in its own box rather than push the rest.
        swatches = scrolled(self.palette)
        swatches.setMinimumHeight(GAP + 2 * (SWATCH + GAP))  # two rows at least
        right = splitter(Qt.Orientation.Vertical, [swatches, self.stats, self.lower_tabs],
                          [2, 0, 3], "image_right")
        # Room for 64 colours' swatches (eight rows) before the numbers and the cloud.
        right.setSizes([GAP + 8 * (SWATCH + GAP), 300, 400])
        self.views = splitter(Qt.Orientation.Horizontal, [left, right], [3, 1], "image_views")
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
        self._heavy = _Throttle(self._show_heavy, HEAVY_INTERVAL_MS)

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


class TableSource(_Source):
    """Your own table: the scatter (projected above two features), the inertia, and
    with a label column the confusion matrix and scores."""

    key = "table"
    data_kind = "table"
    title = "Table"

    def __init__(self, settings: Settings, controller: RunController) -> None:
        super().__init__(TablePanel(settings), controller)

    def _build(self, controller: RunController) -> None:
        self.scatter = ScatterView()
        self.scatter.set_placing(False)
        self.inertia = InertiaView()
        self.confusion = ConfusionView()
        self.metrics = MetricsView()
        left = splitter(Qt.Orientation.Vertical, [self.scatter, self.inertia], [4, 1],
                         "table_left")
        self.judged = splitter(Qt.Orientation.Vertical, [self.confusion, self.metrics],
                                [3, 2], "table_judged")
        self.views = splitter(Qt.Orientation.Horizontal, [left, self.judged], [3, 2],
                               "table_views")
        self.export_targets = {"Scatter plot": self.scatter.plot,
                               "Inertia curve": self.inertia.plot,
                               "Confusion matrix": self.confusion.plot}
        self.inertia.seek_requested.connect(controller.seek)
        self.panel.axes_changed.connect(self.scatter.set_axes)
        self._heavy = _Throttle(self._show, HEAVY_INTERVAL_MS)
        self._dataset = None

    def set_snapshot(self, snapshot: Snapshot) -> None:
        if snapshot.dataset is not self._dataset:
            self._dataset = snapshot.dataset
            self.scatter.set_dataset(snapshot.dataset)
            self.panel.set_axis_choices(self.scatter.axis_choices(),
                                        self.scatter.axes)
            self.judged.setVisible(snapshot.dataset.y is not None)
        self.inertia.set_snapshot(snapshot)
        self._heavy.push(snapshot, urgent=snapshot.done)

    def _show(self, snapshot: Snapshot | None) -> None:
        if snapshot is None:
            return
        self.scatter.set_snapshot(snapshot)
        evaluation = snapshot.derived
        if snapshot.dataset.y is not None:
            matching = None if evaluation is None else evaluation.matching("hungarian")
            self.confusion.set_matching(matching)
            self.metrics.set_evaluation(evaluation)

    def _shutdown(self) -> None:
        self._heavy.stop()
