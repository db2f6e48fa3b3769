"""The Blobs page of the Parameters dock: toy 2-D data (generated, or drawn with a brush)
and the run's parameters."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QSignalBlocker, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QWidget

from kmeans_studio.core.data.datasets import natural_groups, uses_field
from kmeans_studio.core.data.drawing import Sketch
from kmeans_studio.core.data.sources import DataSource, Drawn, data_source
from kmeans_studio.core.parameters import BLOBS_RUN, INIT_CHOICES, BlobParameters, next_seed
from kmeans_studio.qt.contracts import RunRequest
from kmeans_studio.qt.layout import WrappedLabel
from kmeans_studio.qt.pages.common import DataPanel, push_button
from kmeans_studio.qt.parameters import ParameterForm
from kmeans_studio.qt.settings import Settings


class RunForm(ParameterForm):
    """Model, k, initialisation, starts, seed, iteration limit and tolerance
    (`core.parameters.RunParameters`), with Re-initialise beside the seed; each page
    keeps its own under its settings prefix ("blobs/run", "digits/run", ...).

    `inits` narrows k-means' initialisations (a mixture's follow: "click" only when
    k-means' has it); `models` the model choice (its row is hidden when only k-means
    is offered).  The initialisations shown are the model's; k-means chosen again
    starts from `kmeans_init`, the page's own default."""

    def __init__(self, params, *, inits: tuple | None = None,
                 models: tuple | None = None, kmeans_init: str = "k-means++") -> None:
        self._kmeans_init = kmeans_init
        reinit = push_button("Re-initialise", "New initial centres from the next seed",
                             "Re-initialise", self.reinitialise)
        self._kmeans_inits = tuple(inits or INIT_CHOICES)
        super().__init__("k-means" if models == ("kmeans",) else "Clustering", params,
                         beside={"random_state": reinit},
                         choices=None if models is None else {"model": models})
        self.set_row_visible("model", self.model.count() > 1)
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
        default (a mixture's first, scikit-learn's; k-means' the page's), unless
        centres are placed by hand."""
        before = self.init.currentData()
        params = self.values()
        self._offer_inits(params)
        keep = before == "click" or params.is_mixture == self._was_mixture
        index = (self.init.findData(before) if keep else 0 if params.is_mixture
                 else self.init.findData(self._kmeans_init))
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
    """Parameters of the toy data and of the run; emits a `RunRequest` on change.

    With "Draw your own points" as the shape the data are `sketch`'s: the page's
    scatter plot draws into it (`stroke_*`), and the Brush box sets the brush, the
    class, and offers Undo, Redo and Clear; `drawing_changed(bool)` says when drawing
    starts or stops."""

    drawing_changed = Signal(bool)

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("blobs_panel")
        new_data = push_button("New data", "Draw new points from the next data seed",
                               "New data", self._new_data)
        self.data = ParameterForm("Data", settings.read("blobs"),
                                  beside={"random_state": new_data})
        self.sketch = Sketch()
        self.brush = ParameterForm("Brush", settings.read("blobs/draw"))
        self.brush.setToolTip("Left-drag to draw points, right-drag to erase them")
        self.undo_button = push_button("Undo", "Undo the last stroke (Ctrl+Z)", "Undo",
                                       lambda: self._edit(self.sketch.undo))
        self.redo_button = push_button("Redo", "Redo the stroke undone (Ctrl+Shift+Z)",
                                       "Redo", lambda: self._edit(self.sketch.redo))
        self.undo_button.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_button.setShortcut(QKeySequence.StandardKey.Redo)
        clear = push_button("Clear", "Remove every drawn point (Undo brings them back)",
                            "Clear", lambda: self._edit(self.sketch.clear))
        buttons = QHBoxLayout()
        for button in (self.undo_button, self.redo_button, clear):
            buttons.addWidget(button)
        self.brush.layout().addRow(buttons)
        self.brush.layout().addRow(WrappedLabel("Left-drag on the plot to draw, "
                                                "right-drag to erase."))
        self.run = RunForm(settings.read("blobs/run"), kmeans_init=BLOBS_RUN.init)
        self._stack(self.data, self.brush, self.run)

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

    @property
    def pending(self) -> bool:
        return self._debounce.isActive()

    @property
    def drawing(self) -> bool:
        """The data are drawn by hand."""
        return self.data.values().drawn

    def request(self) -> RunRequest:
        return self.request_for(Drawn.of(self.sketch.drawing) if self.drawing
                                else data_source(self.data.values().source()))

    def request_for(self, source: DataSource) -> RunRequest:
        values = self.run.values().request_values()
        if (isinstance(source, Drawn) and len(source.points) < values["n_clusters"]
                and values["init"] is not None):
            values["init"] = None  # shown, not clustered, until there are k points
        return RunRequest(source, **values)

    def restore(self, source: DataSource, run: dict) -> None:
        """Show a session's data and run parameters (no request is sent)."""
        if isinstance(source, Drawn):
            self.sketch.replace(source.drawing)
            shape = self.data.shape
            with QSignalBlocker(shape):
                shape.setCurrentIndex(shape.findData("drawn"))
        else:
            # (A moons' or circles' noise is their spread's: the page shows the spread.)
            fields = {key: value for key, value in source.to_dict().items()
                      if key not in ("kind", "noise")}
            self.data.show_values(dataclasses.replace(BlobParameters(), **fields))
        self.run.show_values(self.run.values().with_session(run))
        self._update_enabled()

    def save(self, settings: Settings) -> None:
        settings.write("blobs", self.data.values())
        settings.write("blobs/run", self.run.values())
        settings.write("blobs/draw", self.brush.values())

    # -- drawing (the scatter plot's strokes)
    def stroke_started(self) -> None:
        self.sketch.begin_stroke()

    def stroke_moved(self, x: float, y: float, radius: float, erasing: bool) -> None:
        """One dab of the brush (or the eraser) at (x, y), `radius` in data units."""
        if erasing:
            self.sketch.erase((x, y), radius)
        else:
            brush = self.brush.values()
            self.sketch.dab((x, y), radius, brush.density, brush.cls)

    def stroke_finished(self) -> None:
        """The stroke is over: the run starts again on the points as they are now."""
        self.sketch.end_stroke()
        self._edit(lambda: None)

    def _edit(self, change) -> None:
        change()
        self._update_enabled()
        if self.drawing:
            self._emit()

    def _emit(self) -> None:
        super()._emit()
        if self.drawing:
            k, n = self.run.n_clusters.value(), len(self.sketch.drawing)
            if n < k and not self.placing:
                self.show_error(f"Draw at least {k} points to cluster them into {k} "
                                f"({n} so far).")

    def _new_data(self) -> None:
        self.data.random_state.setValue(next_seed(self.data.random_state.value()))

    def _schedule(self) -> None:
        self._debounce.start()

    def _on_shape(self) -> None:
        """A new shape (chosen, not restored) starts k at its number of groups; the
        user can still change k (uniform noise, which has no groups, and drawing keep
        it)."""
        self._update_enabled()
        groups = natural_groups(self.data.shape.currentData(), self.data.n_centers.value())
        if groups and not self.placing and not self.drawing:
            self.run.n_clusters.setValue(groups)

    def _update_enabled(self) -> None:
        # "True blobs" means nothing for two circles or two moons (nor the spread for
        # uniform noise): hidden there; the generator's fields mean nothing for drawn
        # points.
        shape, drawing = self.data.shape.currentData(), self.drawing
        for name in ("n_samples", "n_centers", "cluster_std", "random_state"):
            self.data.set_row_visible(name, not drawing and uses_field(shape, name))
        self.brush.setVisible(drawing)
        self.undo_button.setEnabled(self.sketch.can_undo)
        self.redo_button.setEnabled(self.sketch.can_redo)
        if drawing != getattr(self, "_was_drawing", False):
            self._was_drawing = drawing
            self.drawing_changed.emit(drawing)
