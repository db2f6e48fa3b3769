"""The Blobs page: toy 2-D data in the scatter explorer, drawn points, the inertia curve."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kmeans_studio.qt.contracts import Snapshot
from kmeans_studio.qt.controller import RunController
from kmeans_studio.qt.layout import WrappedLabel, splitter
from kmeans_studio.qt.pages.base import Page
from kmeans_studio.qt.pages.blobs.panel import BlobsPanel
from kmeans_studio.qt.settings import Settings
from kmeans_studio.qt.views.inertia import InertiaView
from kmeans_studio.qt.views.scatter import ScatterView


def _score_line(evaluation) -> str:
    """One line on how the clusters match labelled (drawn) data's classes."""
    if evaluation is None:
        return ""
    accuracy = evaluation.matching("hungarian").accuracy
    return (f"Against your classes: accuracy {accuracy:.3f} (clusters matched one-to-one) "
            f"· ARI {evaluation.scores['ARI']:.3f} · NMI {evaluation.scores['NMI']:.3f}")


class BlobsPage(Page):
    """Toy 2-D data: the scatter explorer above the inertia curve."""

    key = "blobs"
    data_kind = "points"
    title = "Blobs"
    tip = "Points in two dimensions: the EM loop step by step, and the shapes where k-means fails"

    def __init__(self, settings: Settings, controller: RunController) -> None:
        super().__init__(BlobsPanel(settings), controller)
        # The View menu's display options, kept here until the page is built.
        self.view_options = {"show_voronoi": True, "show_trails": True, "show_links": False}
        self._shown: Snapshot | None = None

    def set_view_options(self, **options: bool) -> None:
        """Voronoi regions, centre trails and lines to centres on or off; the state
        shown is redrawn."""
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
        self.scatter.edits_mid_run = True
        self.scatter.center_added.connect(self._add_center)
        self.scatter.center_removed.connect(self._remove_center)
        self.inertia.seek_requested.connect(controller.seek)
        # Drawing: the scatter plot's strokes go into the panel's sketch.
        panel = self.panel
        self.scatter.stroke_started.connect(panel.stroke_started)
        self.scatter.stroke_moved.connect(self._on_stroke)
        self.scatter.stroke_finished.connect(panel.stroke_finished)
        panel.drawing_changed.connect(self._paint_mode)
        panel.brush.brush.valueChanged.connect(lambda: self._paint_mode(panel.drawing))
        self._paint_mode(panel.drawing)

    def _add_center(self, x: float, y: float) -> None:
        self.controller.add_center((x, y))

    def _remove_center(self, x: float, y: float) -> None:
        self.controller.remove_center((x, y))

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
        state = snapshot.iteration
        if state is not None and (self.panel.placing or (
                snapshot.request is self.requested and not self.panel.pending)):
            # k is the state's: what the user placed, or after centres were added or
            # removed mid-run (a new run from the panel then has that k).  Only for the
            # newest run asked for, and no edit of the panel waiting: a state of the
            # run being replaced must not undo a k just typed.
            k = self.panel.run.n_clusters
            with QSignalBlocker(k):
                k.setValue(state.n_clusters)

    def _shutdown(self) -> None:
        """Nothing runs outside the controller on this page."""
