"""The Digits page: labelled images, their centre images, confusion matrix, scores and PCA views."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from kmeans_studio.qt.contracts import Snapshot
from kmeans_studio.qt.controller import RunController
from kmeans_studio.qt.layout import splitter, tabs
from kmeans_studio.qt.pages.base import HEAVY_INTERVAL_MS, Page, Throttle
from kmeans_studio.qt.pages.digits.panel import DigitsPanel
from kmeans_studio.qt.settings import Settings
from kmeans_studio.qt.views.centroid_images import CentroidImagesView
from kmeans_studio.qt.views.confusion import ConfusionView
from kmeans_studio.qt.views.gallery import Gallery
from kmeans_studio.qt.views.inertia import InertiaView
from kmeans_studio.qt.views.metrics_table import MetricsView
from kmeans_studio.qt.views.pca import PcaView


class DigitsPage(Page):
    """Labelled images: centre images and scores beside the confusion matrix, with the
    PCA views and the inertia in its tabs."""

    key = "digits"
    data_kind = "images"
    title = "Digits"
    tip = "Handwritten 8×8 digits in 10 clusters: centre images, accuracy, confusion matrix"
    open_filter = "Labelled images (*.npz)"
    N_NEAREST = 20  # samples shown for a clicked centre

    def __init__(self, settings: Settings, controller: RunController) -> None:
        super().__init__(DigitsPanel(settings), controller)

    def _build(self, controller: RunController) -> None:
        self.centroids = CentroidImagesView()
        self.pca = PcaView()
        self.confusion = ConfusionView()
        self.metrics = MetricsView()
        self.inertia = InertiaView()
        # The notebook's results in view at once: the centre images and the scores
        # beside the confusion matrix (with the accuracy); the PCA views and the
        # inertia curve in the matrix's tabs.
        left = splitter(Qt.Orientation.Vertical, [self.centroids, self.metrics], [3, 2],
                        "digits_left")
        self.tabs = tabs([("Confusion matrix", self.confusion),
                          ("Learned vs true (PCA)", self.pca), ("Inertia", self.inertia)],
                         "digits_tabs")
        self.views = splitter(Qt.Orientation.Horizontal, [left, self.tabs], [2, 3],
                              "digits_views")
        self.views.setSizes([400, 600])  # (in proportion, once shown)
        # The scores keep the height of their rows; the centre images take the rest.
        self.metrics.setMaximumHeight(self.metrics.minimumHeight())
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
        self._heavy = Throttle(self._show, HEAVY_INTERVAL_MS)
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
