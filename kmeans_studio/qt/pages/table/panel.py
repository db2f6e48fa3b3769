"""The Table page of the Parameters dock: your own CSV/TSV/NPY/NPZ data (scikit-learn's iris
until you open a file), its columns, missing values, scaling, the view's axes and the
run's parameters."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from kmeans_studio.core.data.datasets import Dataset
from kmeans_studio.core.data.sources import DataSource, Table
from kmeans_studio.core.data.tables import IRIS_CHOICE, MISSING, SCALINGS, TableChoice
from kmeans_studio.qt.contracts import RunRequest
from kmeans_studio.qt.pages.blobs.panel import RunForm
from kmeans_studio.qt.pages.common import (
    DataPanel,
    choice_box,
    push_button,
)
from kmeans_studio.qt.pages.digits.panel import DIGIT_INITS
from kmeans_studio.qt.settings import Settings


class TablePanel(DataPanel):
    """Emits `request_changed` for a new run, `open_requested` for Open data… and
    `columns_requested` to choose the columns again; `axes_changed(tuple)` when the
    view's axes change (no new run)."""

    open_requested = Signal()
    columns_requested = Signal()
    axes_changed = Signal(object)

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("table_panel")
        self.path: str | None = None
        self.choice: TableChoice = IRIS_CHOICE
        saved = settings["table/source"]
        if saved:
            try:
                source = json.loads(saved)
                if Path(source["path"]).is_file():
                    self.path, self.choice = source["path"], TableChoice.from_source(source)
            except (ValueError, KeyError, TypeError):
                pass  # an unreadable setting: start from iris
        self._loaded: tuple | None = None  # (path, choice) last shown
        self._saved_axes = settings["table/axes"]

        self.current = QLabel("Loading the table…")
        self.current.setTextFormat(Qt.TextFormat.PlainText)  # a file's name, as named
        self.current.setObjectName("table_current")
        self.current.setWordWrap(True)
        open_button = push_button("Open data…",
                                  "A CSV or TSV table, or a .npy/.npz array of your own",
                                  "Open a data file", self.open_requested)
        columns = push_button("Columns…", "Choose the feature and label columns again",
                              "Choose columns", self.columns_requested, "table_columns")
        iris = push_button("Iris", "scikit-learn's iris measurements (150 flowers, 3 species)",
                           "Load the iris table", lambda: self.set_table(None, IRIS_CHOICE))
        data_box = QGroupBox("Table")
        box = QVBoxLayout(data_box)
        box.addWidget(self.current)
        row = QHBoxLayout()
        row.addWidget(open_button)
        row.addWidget(columns)
        row.addWidget(iris)
        box.addLayout(row)

        self.scaling = choice_box(SCALINGS, "Scaling", "Put the columns on comparable scales "
                              "(scikit-learn's StandardScaler or MinMaxScaler), so that no "
                              "column dominates just by its units")
        self.missing = choice_box(MISSING, "Missing values", "Rows with an empty cell among "
                              "the chosen columns")
        self.axes = QComboBox()
        self.axes.setObjectName("table_axes")
        self.axes.setAccessibleName("Axes of the scatter plot")
        self.axes.setToolTip("Draw the data along their first two principal components "
                             "or along any two columns")
        prep = QGroupBox("Preparation and view")
        form = QFormLayout(prep)
        form.addRow("Scaling", self.scaling)
        form.addRow("Missing", self.missing)
        form.addRow("Axes", self.axes)
        self._show_choice()

        self.run = RunForm(settings.read("table/run"), inits=DIGIT_INITS)
        self._stack(data_box, prep, self.run)
        self.run.changed.connect(self._emit)
        self.scaling.currentIndexChanged.connect(self._on_preparation)
        self.missing.currentIndexChanged.connect(self._on_preparation)
        self.axes.currentIndexChanged.connect(
            lambda: self.axes_changed.emit(self.axes.currentData()))

    # -- the table
    def set_table(self, path: str | None, choice: TableChoice) -> None:
        """Show `path` (None: iris) with `choice` of columns: a new request."""
        self.take_table(path, choice)
        self._emit()

    def take_table(self, path: str | None, choice: TableChoice) -> None:
        """The table for the next request (none is sent)."""
        self.path, self.choice = path, choice
        self._show_choice()

    def request(self) -> RunRequest:
        if self.path:
            return self.request_for(Table.of(self.path, self.choice))
        return self.request_for(Table(None, IRIS_CHOICE.features, IRIS_CHOICE.label,
                                      self.choice.missing, self.choice.scaling))

    def request_for(self, source: DataSource) -> RunRequest:
        return RunRequest(source, **self.run.values().request_values())

    def data_loaded(self, dataset: Dataset) -> None:
        self._loaded = (self.path, self.choice)
        self.current.setText(dataset.description)

    def load_failed(self) -> None:
        if self._loaded is not None:  # back to what is shown
            self.path, self.choice = self._loaded
            self._show_choice()

    def fall_back(self) -> None:
        if self._loaded is None and self.path is not None:
            self.set_table(None, IRIS_CHOICE)

    def set_axis_choices(self, choices: list[tuple[str, tuple]], current: tuple) -> None:
        """Fill the axis picker (empty for data with two features)."""
        with QSignalBlocker(self.axes):
            self.axes.clear()
            for text, axes in choices:
                self.axes.addItem(text, axes)
            wanted = next((i for i, (text, _) in enumerate(choices)
                           if text == self._saved_axes), None)
            index = wanted if wanted is not None else next(
                (i for i, (_, axes) in enumerate(choices) if axes == current), 0)
            self.axes.setCurrentIndex(index)
        self.axes.setEnabled(bool(choices))
        if wanted is not None and choices[wanted][1] != current:
            self.axes_changed.emit(choices[wanted][1])

    def restore(self, source: Table, run: dict) -> None:
        """Take a session's table and run parameters (no request is sent)."""
        self.path = source.path
        self.choice = source.choice
        self._show_choice()
        self.run.show_values(self.run.values().with_session(run))

    def save(self, settings: Settings) -> None:
        shown = self._loaded or (self.path, self.choice)
        settings["table/source"] = (json.dumps(shown[1].to_source(shown[0]))
                                    if shown[0] else "")
        settings["table/axes"] = self.axes.currentText()
        settings.write("table/run", self.run.values())

    def _show_choice(self) -> None:
        with QSignalBlocker(self.scaling), QSignalBlocker(self.missing):
            self.scaling.setCurrentIndex(self.scaling.findData(self.choice.scaling))
            self.missing.setCurrentIndex(self.missing.findData(self.choice.missing))
        # On a cluster rows with a missing value are always left out.
        self.missing.setEnabled(self.path is None
                                or not Table.of(self.path, self.choice).on_cluster)

    def _on_preparation(self) -> None:
        self.choice = dataclasses.replace(self.choice, missing=self.missing.currentData(),
                                          scaling=self.scaling.currentData())
        self._emit()
