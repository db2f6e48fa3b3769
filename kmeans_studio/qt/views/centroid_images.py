"""Each cluster centre drawn as an image, with its matched class and size."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kmeans_studio.core.explore.metrics import Matching
from kmeans_studio.qt.contracts import Snapshot
from kmeans_studio.qt.layout import WrappedLabel
from kmeans_studio.qt.views.image_grid import ImageGrid


class CentroidImagesView(QWidget):
    """The centres of the shown state; clicking one emits `cluster_clicked(j)`."""

    cluster_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = WrappedLabel("Cluster centres")
        self.title.setObjectName("centroid_title")
        self.grid = ImageGrid(fit=True)
        self.grid.setObjectName("centroid_grid")
        self.grid.setAccessibleName("Cluster centres as images; click one to see the "
                                    "samples nearest to it")
        self.grid.setMinimumSize(220, 120)
        self.grid.clicked.connect(self.cluster_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.grid, 1)

    def set_state(self, snapshot: Snapshot, matching: Matching | None) -> None:
        state, dataset = snapshot.iteration, snapshot.dataset
        if state is None:
            return
        k = state.n_clusters
        images = state.centers.reshape(k, *dataset.image_shape)
        levels = dataset.value_range
        phase = {"init": "initial centres", "assign": "after the assignment",
                 "update": "moved to the means"}[state.phase]
        self.title.setText(f"Cluster centres, iteration {state.n_iter} ({phase}) · "
                           "click one for the samples nearest to it")
        if matching is None:
            captions = [f"c{j}" for j in range(k)]
            tips = [f"cluster {j}: not assigned yet" for j in range(k)]
        else:
            sizes = matching.table.sum(axis=0)
            matched = [matching.classes[c].item() for c in matching.cluster_class]
            right = matching.table[matching.cluster_class, np.arange(k)]
            captions = [f"→{m} · {n}" for m, n in zip(matched, sizes)]
            tips = [f"cluster {j}: {sizes[j]:,} samples, matched to {matched[j]} "
                    f"({right[j]:,} of them are {matched[j]}). Click for the 20 samples "
                    "nearest to this centre." for j in range(k)]
        self.grid.set_images(images, levels, captions, tips)
