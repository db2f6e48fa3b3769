"""The Blobs page of the Data dock: toy 2-D data and the run's parameters."""

from __future__ import annotations

import functools

from PySide6.QtCore import QSignalBlocker, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QWidget,
)

from kmeans_studio.core.datasets import BLOB_SHAPES
from kmeans_studio.core.parameters import BLOB_RANGES, RUN_RANGES, SEED_RANGE, next_seed
from kmeans_studio.core.session import load_source
from kmeans_studio.qt.contracts import RunRequest
from kmeans_studio.qt.panels.common import DataPanel, push_button, spin_box
from kmeans_studio.qt.settings import Settings

INIT_CHOICES = {
    "k-means++": "k-means++",
    "random": "Random samples",
    "farthest": "Farthest point",
    "click": "Click to place",
}
TOLERANCES = [1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 0.0]


class RunParameters(QGroupBox):
    """k, initialisation, starts, seed, iteration limit and tolerance; shared by the
    pages, each with its own settings (`prefix`: "run" for blobs, "digits", ...)."""

    changed = Signal()

    def __init__(self, settings: Settings, prefix: str = "run",
                 inits: dict[str, str] = INIT_CHOICES) -> None:
        super().__init__("k-means")
        self._prefix = prefix
        self.k = spin_box(*RUN_RANGES["n_clusters"], settings[f"{prefix}/k"],
                          "Number of clusters k", "Number of clusters")
        self.init = QComboBox()
        self.init.setToolTip("How the first centres are chosen")
        self.init.setAccessibleName("Initialisation")
        for key, text in inits.items():
            self.init.addItem(text, key)
        self.init.setCurrentIndex(max(0, self.init.findData(settings[f"{prefix}/init"])))
        self.n_init = spin_box(*RUN_RANGES["n_init"], settings[f"{prefix}/n_init"],
                            "Run k-means from this many starts and show the one with the "
                            "lowest inertia, from its beginning (scikit-learn's n_init)",
                            "Number of starts")
        self.seed = spin_box(*SEED_RANGE, settings[f"{prefix}/seed"],
                          "Seed of the initialisation: the same seed gives the same start",
                          "Initialisation seed")
        self.max_iter = spin_box(*RUN_RANGES["max_iter"], settings[f"{prefix}/max_iter"],
                              "Stop after this many iterations", "Maximum iterations")
        self.tol = QComboBox()
        self.tol.setToolTip("Stop when the centres move less than this, relative to the "
                            "data's variance (0: only when no label changes)")
        self.tol.setAccessibleName("Tolerance")
        for value in TOLERANCES:
            self.tol.addItem(f"{value:g}" if value else "0 (labels stable)", value)
        saved = settings[f"{prefix}/tol"]
        self.tol.setCurrentIndex(min(range(len(TOLERANCES)),
                                     key=lambda i: abs(TOLERANCES[i] - saved)))
        reinit = push_button("Re-initialise", "New initial centres from the next seed",
                             "Re-initialise", self.reinitialise)
        form = QFormLayout(self)
        form.addRow("Clusters k", self.k)
        form.addRow("Initialisation", self.init)
        form.addRow("Starts", self.n_init)
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(reinit)
        form.addRow("Seed", seed_row)
        form.addRow("Max iterations", self.max_iter)
        form.addRow("Tolerance", self.tol)
        for box in (self.k, self.n_init, self.seed, self.max_iter):
            box.valueChanged.connect(self.changed)
        self.init.currentIndexChanged.connect(self.changed)
        self.tol.currentIndexChanged.connect(self.changed)
        self.init.currentIndexChanged.connect(self._update_enabled)
        self._update_enabled()

    @property
    def placing(self) -> bool:
        return self.init.currentData() == "click"

    def values(self) -> dict:
        return {
            "n_clusters": self.k.value(),
            "init": None if self.placing else self.init.currentData(),
            "random_state": self.seed.value(),
            "max_iter": self.max_iter.value(),
            "tol": float(self.tol.currentData()),
            "n_init": self.n_init.value(),
        }

    def save(self, settings: Settings) -> None:
        p = self._prefix
        settings[f"{p}/k"] = self.k.value()
        settings[f"{p}/init"] = self.init.currentData()
        settings[f"{p}/n_init"] = self.n_init.value()
        settings[f"{p}/seed"] = self.seed.value()
        settings[f"{p}/max_iter"] = self.max_iter.value()
        settings[f"{p}/tol"] = float(self.tol.currentData())

    def restore(self, run: dict) -> None:
        """Show a session's run parameters without asking for a new run."""
        boxes = (self.k, self.init, self.n_init, self.seed, self.max_iter, self.tol)
        blockers = [QSignalBlocker(box) for box in boxes]
        self.k.setValue(int(run["n_clusters"]))
        index = self.init.findData(run["init"])
        if index >= 0:
            self.init.setCurrentIndex(index)
        self.n_init.setValue(int(run["n_init"]))
        self.seed.setValue(int(run["random_state"] or 0))
        self.max_iter.setValue(int(run["max_iter"]))
        self.tol.setCurrentIndex(min(range(len(TOLERANCES)),
                                     key=lambda i: abs(TOLERANCES[i] - float(run["tol"]))))
        for blocker in blockers:
            blocker.unblock()
        self._update_enabled()


    def reinitialise(self) -> None:
        """New initial centres from the next seed (0 again after the largest)."""
        self.seed.setValue(next_seed(self.seed.value()))

    def _update_enabled(self) -> None:
        self.k.setEnabled(not self.placing)
        self.n_init.setEnabled(not self.placing)


class BlobsPanel(DataPanel):
    """Parameters of the toy data and of the run; emits a `RunRequest` on change."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("blobs_panel")
        self.shape = QComboBox()
        self.shape.setToolTip("Blobs, or a shape where k-means' assumptions fail")
        self.shape.setAccessibleName("Data shape")
        for key, text in BLOB_SHAPES.items():
            self.shape.addItem(text, key)
        self.shape.setCurrentIndex(max(0, self.shape.findData(settings["blobs/shape"])))
        self.n_samples = spin_box(*BLOB_RANGES["n_samples"], settings["blobs/n_samples"],
                               "Number of points", "Number of points")
        self.n_samples.setSingleStep(100)
        self.n_centers = spin_box(*BLOB_RANGES["n_centers"], settings["blobs/n_centers"],
                               "Number of true blobs", "Number of true blobs")
        self.cluster_std = QDoubleSpinBox()
        self.cluster_std.setRange(*BLOB_RANGES["cluster_std"])
        self.cluster_std.setSingleStep(0.1)
        self.cluster_std.setValue(settings["blobs/cluster_std"])
        self.cluster_std.setToolTip("Spread (standard deviation) of each blob; noise for "
                                    "circles and moons")
        self.cluster_std.setAccessibleName("Spread")
        self.cluster_std.setKeyboardTracking(False)
        self.data_seed = spin_box(*SEED_RANGE, settings["blobs/data_seed"],
                               "Seed of the data: the same seed gives the same points",
                               "Data seed")
        new_data = push_button("New data", "Draw new points from the next data seed",
                               "New data",
                               lambda: self.data_seed.setValue(
                                   next_seed(self.data_seed.value())))

        data_box = QGroupBox("Data")
        form = QFormLayout(data_box)
        form.addRow("Shape", self.shape)
        form.addRow("Points", self.n_samples)
        form.addRow("True blobs", self.n_centers)
        form.addRow("Spread", self.cluster_std)
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.data_seed, 1)
        seed_row.addWidget(new_data)
        form.addRow("Seed", seed_row)
        self.run = RunParameters(settings)

        self._stack(data_box, self.run)

        # Debounce: several quick edits make one request.
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(120)
        self._debounce.timeout.connect(self._emit)
        # (Not connected to QTimer.start directly: it would take the value as msec.)
        for box in (self.n_samples, self.n_centers, self.data_seed, self.cluster_std):
            box.valueChanged.connect(self._schedule)
        self.shape.currentIndexChanged.connect(self._schedule)
        self.run.changed.connect(self._schedule)
        self.shape.currentIndexChanged.connect(self._update_enabled)
        self._update_enabled()

    @property
    def placing(self) -> bool:
        return self.run.placing

    def request(self) -> RunRequest:
        return self.request_for({
            "kind": "blobs", "shape": self.shape.currentData(),
            "n_samples": self.n_samples.value(), "n_centers": self.n_centers.value(),
            "cluster_std": round(self.cluster_std.value(), 6),
            "random_state": self.data_seed.value()})

    def request_for(self, source: dict) -> RunRequest:
        return RunRequest(data_key=tuple(source.values()), source=source,
                          make_data=functools.partial(load_source, source),
                          **self.run.values())

    def restore(self, source: dict, run: dict) -> None:
        """Show a session's data and run parameters (no request is sent)."""
        with QSignalBlocker(self.shape), QSignalBlocker(self.n_samples), \
                QSignalBlocker(self.n_centers), QSignalBlocker(self.cluster_std), \
                QSignalBlocker(self.data_seed):
            self.shape.setCurrentIndex(max(0, self.shape.findData(source["shape"])))
            self.n_samples.setValue(source["n_samples"])
            self.n_centers.setValue(source["n_centers"])
            self.cluster_std.setValue(source["cluster_std"])
            self.data_seed.setValue(source["random_state"])
        self.run.restore(run)
        self._update_enabled()

    def save(self, settings: Settings) -> None:
        settings["blobs/shape"] = self.shape.currentData()
        settings["blobs/n_samples"] = self.n_samples.value()
        settings["blobs/n_centers"] = self.n_centers.value()
        settings["blobs/cluster_std"] = self.cluster_std.value()
        settings["blobs/data_seed"] = self.data_seed.value()
        self.run.save(settings)

    def _schedule(self) -> None:
        self._debounce.start()


    def _update_enabled(self) -> None:
        self.n_centers.setEnabled(self.shape.currentData() not in ("circles", "moons"))
