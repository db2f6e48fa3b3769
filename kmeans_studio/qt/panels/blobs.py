"""The Blobs page of the Data dock: toy 2-D data and the run's parameters."""

from __future__ import annotations

import dataclasses
import functools

from PySide6.QtCore import QSignalBlocker, QTimer
from PySide6.QtWidgets import QWidget

from kmeans_studio.core.datasets import TWO_GROUP_SHAPES, natural_groups
from kmeans_studio.core.parameters import INIT_CHOICES, BlobParameters, next_seed
from kmeans_studio.core.session import load_source
from kmeans_studio.qt.contracts import RunRequest
from kmeans_studio.qt.panels.common import DataPanel, push_button
from kmeans_studio.qt.parameters import ParameterForm
from kmeans_studio.qt.settings import Settings


class RunForm(ParameterForm):
    """Model, k, initialisation, starts, seed, iteration limit and tolerance
    (`core.parameters.RunParameters`), with Re-initialise beside the seed; each page
    keeps its own under its settings prefix ("blobs/run", "digits/run", ...).

    `inits` narrows k-means' initialisations (a mixture's follow: "click" only when
    k-means' has it); `models` the model choice (its row is hidden when only k-means
    is offered).  The initialisations shown are the model's."""

    def __init__(self, params, *, inits: tuple | None = None,
                 models: tuple | None = None) -> None:
        reinit = push_button("Re-initialise", "New initial centres from the next seed",
                             "Re-initialise", self.reinitialise)
        self._kmeans_inits = tuple(inits or INIT_CHOICES)
        super().__init__("k-means" if models == ("kmeans",) else "Clustering", params, beside={"random_state": reinit},
                         choices=None if models is None else {"model": models})
        self.layout().setRowVisible(self.model, self.model.count() > 1)
        # A new model first offers its own initialisations, then asks for a run.
        self.model.currentIndexChanged.disconnect(self.changed)
        self.model.currentIndexChanged.connect(self._on_model)
        self.init.currentIndexChanged.connect(self._update_enabled)
        self._update_enabled()

    @property
    def placing(self) -> bool:
        return self.values().placing

    def show_values(self, params) -> None:
        if "init" in self.widgets:  # (not yet while the form is being built)
            self._offer_inits(params)
        super().show_values(params)
        if "init" in self.widgets:
            self._update_enabled()

    def reinitialise(self) -> None:
        """New initial centres from the next seed (0 again after the largest)."""
        self.random_state.setValue(next_seed(self.random_state.value()))

    def _offer_inits(self, params) -> None:
        """Fill the initialisation box with `params.model`'s choices."""
        allowed = [key for key in params.inits
                   if key in self._kmeans_inits or (params.is_mixture and key != "click")]
        with QSignalBlocker(self.init):
            self.init.clear()
            for key in allowed:
                self.init.addItem(params.inits[key], key)

    def _on_model(self) -> None:
        """Between k-means and a mixture the initialisation starts at the new model's
        first (scikit-learn's default), unless centres are placed by hand."""
        before = self.init.currentData()
        params = self.values()
        self._offer_inits(params)
        keep = before == "click" or params.is_mixture == self._was_mixture
        index = self.init.findData(before) if keep else 0
        with QSignalBlocker(self.init):
            self.init.setCurrentIndex(max(0, index))
        self._update_enabled()
        self.changed.emit()

    def _update_enabled(self) -> None:
        params = self.values()
        self._was_mixture = params.is_mixture
        self.n_clusters.setEnabled(not params.placing)
        self.n_init.setEnabled(not params.placing and not params.is_mixture)


class BlobsPanel(DataPanel):
    """Parameters of the toy data and of the run; emits a `RunRequest` on change."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("blobs_panel")
        new_data = push_button("New data", "Draw new points from the next data seed",
                               "New data", self._new_data)
        self.data = ParameterForm("Data", settings.read("blobs"),
                                  beside={"random_state": new_data})
        self.run = RunForm(settings.read("blobs/run"))
        self._stack(self.data, self.run)

        # Debounce: several quick edits make one request.
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(120)
        self._debounce.timeout.connect(self._emit)
        # (Not connected to QTimer.start directly: it would take the value as msec.)
        self.data.changed.connect(self._schedule)
        self.run.changed.connect(self._schedule)
        self.data.shape.currentIndexChanged.connect(self._on_shape)
        self._update_enabled()

    @property
    def placing(self) -> bool:
        return self.run.placing

    def request(self) -> RunRequest:
        return self.request_for(self.data.values().source())

    def request_for(self, source: dict) -> RunRequest:
        return RunRequest(data_key=tuple(source.values()), source=source,
                          make_data=functools.partial(load_source, source),
                          **self.run.values().request_values())

    def restore(self, source: dict, run: dict) -> None:
        """Show a session's data and run parameters (no request is sent)."""
        fields = {key: value for key, value in source.items() if key != "kind"}
        self.data.show_values(dataclasses.replace(BlobParameters(), **fields))
        self.run.show_values(self.run.values().with_session(run))
        self._update_enabled()

    def save(self, settings: Settings) -> None:
        settings.write("blobs", self.data.values())
        settings.write("blobs/run", self.run.values())

    def _new_data(self) -> None:
        self.data.random_state.setValue(next_seed(self.data.random_state.value()))

    def _schedule(self) -> None:
        self._debounce.start()

    def _on_shape(self) -> None:
        """A new shape (chosen, not restored) starts k at its number of groups; the
        user can still change k."""
        self._update_enabled()
        if not self.placing:
            self.run.n_clusters.setValue(natural_groups(self.data.shape.currentData(),
                                                        self.data.n_centers.value()))

    def _update_enabled(self) -> None:
        # "True blobs" means nothing for two circles or two moons: hidden there.
        self.data.layout().setRowVisible(
            self.data.n_centers, self.data.shape.currentData() not in TWO_GROUP_SHAPES)
