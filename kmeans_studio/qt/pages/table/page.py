"""The Table page: your own table's scatter, inertia, and with a label column its scores."""

from __future__ import annotations

from PySide6.QtCore import Qt

from kmeans_studio.core.data.tables import TABLE_SUFFIXES
from kmeans_studio.qt.contracts import Snapshot
from kmeans_studio.qt.controller import RunController
from kmeans_studio.qt.layout import splitter, tabs
from kmeans_studio.qt.pages.base import HEAVY_INTERVAL_MS, FileRequests, Page, Throttle
from kmeans_studio.qt.pages.table.panel import TablePanel
from kmeans_studio.qt.settings import Settings
from kmeans_studio.qt.views.confusion import ConfusionView
from kmeans_studio.qt.views.inertia import InertiaView
from kmeans_studio.qt.views.metrics_table import MetricsView
from kmeans_studio.qt.views.scatter import ScatterView


class TablePage(Page):
    """Your own table: the scatter (projected above two features), the inertia, and
    with a label column the confusion matrix and scores."""

    key = "table"
    data_kind = "table"
    title = "Table"
    tip = "A table of your own (CSV, spreadsheet, …) clustered and viewed in two dimensions"

    open_filter = "Tables ({})".format(" ".join(f"*{s}" for s in TABLE_SUFFIXES))

    def __init__(self, settings: Settings, controller: RunController) -> None:
        super().__init__(TablePanel(settings), controller)

    def connect(self, files: FileRequests) -> None:
        super().connect(files)
        self.panel.columns_requested.connect(files.choose_columns)

    def _build(self, controller: RunController) -> None:
        self.scatter = ScatterView()
        self.scatter.set_placing(False)
        self.inertia = InertiaView()
        self.confusion = ConfusionView()
        self.metrics = MetricsView()
        left = splitter(Qt.Orientation.Vertical, [self.scatter, self.inertia], [4, 1],
                        "table_left")
        # With a label column: the confusion matrix (with the accuracy), the scores
        # in its second tab.
        self.judged = tabs([("Confusion matrix", self.confusion), ("Scores", self.metrics)],
                           "table_judged")
        self.views = splitter(Qt.Orientation.Horizontal, [left, self.judged], [3, 2],
                              "table_views")
        self.export_targets = {"Scatter plot": self.scatter.plot,
                               "Inertia curve": self.inertia.plot,
                               "Confusion matrix": self.confusion.plot}
        self.inertia.seek_requested.connect(controller.seek)
        self.panel.axes_changed.connect(self.scatter.set_axes)
        self._heavy = Throttle(self._show, HEAVY_INTERVAL_MS)
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
