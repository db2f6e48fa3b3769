"""The data sources of the window: each has a Data page, views and a snapshot sink."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QSplitter, QWidget

from kmeans_studio.qt.controller import RunController, Snapshot
from kmeans_studio.qt.panels.blobs import BlobsPanel
from kmeans_studio.qt.panels.image import ImagePanel
from kmeans_studio.qt.settings import Settings
from kmeans_studio.qt.views.color_cloud import ColorCloudView
from kmeans_studio.qt.views.image_compare import CompareView
from kmeans_studio.qt.views.image_stats import ImageStatsView
from kmeans_studio.qt.views.inertia import InertiaView
from kmeans_studio.qt.views.palette import PaletteView
from kmeans_studio.qt.views.scatter import ScatterView


def _splitter(orientation: Qt.Orientation, widgets: list[QWidget], stretch: list[int],
              name: str) -> QSplitter:
    splitter = QSplitter(orientation)
    splitter.setObjectName(name)
    for widget, factor in zip(widgets, stretch):
        splitter.addWidget(widget)
        splitter.setStretchFactor(splitter.count() - 1, factor)
    return splitter


class BlobsSource:
    """Toy 2-D data: the scatter explorer above the inertia curve."""

    key = "blobs"
    title = "Blobs"

    def __init__(self, settings: Settings, controller: RunController) -> None:
        self.panel = BlobsPanel(settings)
        self.scatter = ScatterView()
        self.inertia = InertiaView()
        self.views = _splitter(Qt.Orientation.Vertical, [self.scatter, self.inertia], [4, 1],
                               "blobs_views")
        self.export_targets = {"Scatter plot": self.scatter.plot,
                               "Inertia curve": self.inertia.plot}
        self.scatter.set_placing(self.panel.placing)
        self.panel.run.init.currentIndexChanged.connect(
            lambda: self.scatter.set_placing(self.panel.placing))
        self.scatter.centers_edited.connect(controller.set_centers)
        self.inertia.seek_requested.connect(controller.seek)

    def set_snapshot(self, snapshot: Snapshot) -> None:
        self.scatter.set_snapshot(snapshot)
        self.inertia.set_snapshot(snapshot)

    def shutdown(self) -> None:
        """Nothing runs outside the controller for this source."""


class _Dithered(QObject):
    """Carries a dithered image from the helper thread to the GUI thread."""

    ready = Signal(object, object)


class ImageSource:
    """Colour compression: before/after, palette, numbers, colour cloud, inertia."""

    key = "image"
    title = "Image"

    def __init__(self, settings: Settings, controller: RunController) -> None:
        self.panel = ImagePanel(settings)
        self.compare = CompareView()
        self.inertia = InertiaView()
        self.palette = PaletteView()
        self.stats = ImageStatsView()
        self.cloud = ColorCloudView()
        left = _splitter(Qt.Orientation.Vertical, [self.compare, self.inertia], [5, 1],
                         "image_left")
        right = _splitter(Qt.Orientation.Vertical, [self.palette, self.stats, self.cloud],
                          [1, 2, 2], "image_right")
        self.views = _splitter(Qt.Orientation.Horizontal, [left, right], [3, 1], "image_views")
        self.export_targets = {"Colour cloud": self.cloud.plot, "Inertia curve": self.inertia.plot}
        self.inertia.seek_requested.connect(controller.seek)
        controller.image_report.connect(self.stats.set_report)
        self.panel.dither.toggled.connect(self._refresh_result)
        self.snapshot: Snapshot | None = None
        self._dataset = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dither")
        # Parented to the panel: deleted with the window, so a late result is dropped.
        self._dithered = _Dithered(self.panel)
        self._dithered_for: Snapshot | None = None  # the snapshot _dithered_indices are of
        self._dithered_indices = None
        self._dithered.ready.connect(self._on_dithered)
        # Pictures, palette and cloud are heavy to paint: at most 8 times a second
        # while playing; every single step and the final state are shown at once.
        self._since_heavy = QElapsedTimer()
        self._heavy_timer = QTimer()
        self._heavy_timer.setSingleShot(True)
        self._heavy_timer.timeout.connect(lambda: self._show_heavy(self.snapshot))

    HEAVY_INTERVAL_MS = 125

    def set_snapshot(self, snapshot: Snapshot) -> None:
        dataset = snapshot.dataset
        if dataset is None or dataset.image is None:
            return
        if dataset is not self._dataset:
            self._dataset = dataset
            h, w = dataset.image.colors.shape
            self.compare.set_original(dataset.image.pixels, f"{dataset.name}: {w}×{h}")
            self.stats.clear()
        self.snapshot = snapshot
        self.inertia.set_snapshot(snapshot)
        elapsed = self._since_heavy.elapsed() if self._since_heavy.isValid() else 1 << 30
        if snapshot.done or elapsed >= self.HEAVY_INTERVAL_MS:
            self._heavy_timer.stop()
            self._show_heavy(snapshot)
        elif not self._heavy_timer.isActive():
            self._heavy_timer.start(self.HEAVY_INTERVAL_MS - elapsed)

    def _show_heavy(self, snapshot: Snapshot) -> None:
        self._since_heavy.start()
        dataset = snapshot.dataset
        self.cloud.set_snapshot(snapshot)
        self.stats.set_snapshot(snapshot)
        if snapshot.preview is None:
            return
        self.palette.set_palette(snapshot.preview.palette, snapshot.preview.counts)
        self._refresh_result()

    def result(self):
        """(palette, indices) as shown, dithered when asked; None without a result."""
        snap = self.snapshot
        if snap is None or snap.preview is None:
            return None
        palette = snap.preview.palette
        if not self.panel.dither.isChecked():
            return palette, snap.preview.indices
        if self._dithered_for is not snap:  # not shown yet: compute it now
            from kmeans_studio.core.quantize import dither

            self._dithered_indices = dither(snap.dataset.image.pixels, palette)
            self._dithered_for = snap
        return palette, self._dithered_indices

    def _refresh_result(self) -> None:
        snap = self.snapshot
        if snap is None or snap.preview is None:
            return
        phase = f"iteration {snap.iteration.n_iter}, {snap.iteration.phase}"
        label = f"{len(snap.preview.palette)} colours ({'final' if snap.done else phase})"
        if not self.panel.dither.isChecked():
            self.compare.set_result(snap.preview.image(), label)
            return
        # Dithering takes tens of milliseconds: off the GUI thread.
        pixels, palette = snap.dataset.image.pixels, snap.preview.palette

        def work():
            from kmeans_studio.core.quantize import dither

            return dither(pixels, palette)
        future = self._pool.submit(work)
        future.add_done_callback(
            lambda f: None if f.cancelled() else self._dithered.ready.emit(snap, (f.result(), label)))

    def shutdown(self) -> None:
        """Finish or drop pending dithering (before the window goes away)."""
        self._heavy_timer.stop()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _on_dithered(self, snap: Snapshot, payload) -> None:
        if snap is self.snapshot and self.panel.dither.isChecked():
            indices, label = payload
            # Kept for saving, so Ctrl+S does not dither the same picture again.
            self._dithered_for, self._dithered_indices = snap, indices
            self.compare.set_result(snap.preview.palette[indices], label + ", dithered")
