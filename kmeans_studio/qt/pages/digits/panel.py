"""The Digits page of the Parameters dock: labelled images (scikit-learn's digits or a .npz),
how clusters are matched to classes, and the run's parameters."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
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
from kmeans_studio.core.data.sources import DataSource, Digits, LabelledFile
from kmeans_studio.core.explore.metrics import MATCH_METHODS
from kmeans_studio.core.parameters import INIT_CHOICES
from kmeans_studio.qt.contracts import RunRequest
from kmeans_studio.qt.pages.blobs.panel import RunForm
from kmeans_studio.qt.pages.common import SourcePanel, push_button
from kmeans_studio.qt.settings import Settings

#: Centres cannot be placed by clicking in 64 dimensions.
DIGIT_INITS = tuple(key for key in INIT_CHOICES if key != "click")


class DigitsPanel(SourcePanel):
    """Emits `request_changed(RunRequest)` for a new run and `matching_changed(str)` when
    only the matching method changes (no new run is needed for that).  Sources are
    ("digits",) and ("file", path)."""

    open_requested = Signal()
    matching_changed = Signal(str)

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(("digits",), parent, settings=settings, file_key="digits/file")
        self.setObjectName("digits_panel")

        self.current = QLabel("Loading the digits…")
        self.current.setTextFormat(Qt.TextFormat.PlainText)  # a file's name, as named
        self.current.setObjectName("digits_current")
        self.current.setWordWrap(True)
        load_digits = push_button(
            "Handwritten digits", "scikit-learn's 1,797 digits of 8×8 pixels (no download)",
            "Load scikit-learn's digits", lambda: self.set_source(("digits",)))
        open_button = push_button(
            "Open .npz…", "Labelled images of your own: a .npz file with arrays X (one "
            "flattened image per row), y (labels) and optionally image_shape (height, width)",
            "Open labelled images", self.open_requested)
        data_box = QGroupBox("Labelled images")
        box = QVBoxLayout(data_box)
        box.addWidget(self.current)
        row = QHBoxLayout()
        row.addWidget(load_digits)
        row.addWidget(open_button)
        box.addLayout(row)

        self.match = QComboBox()
        self.match.setObjectName("digits_match")
        self.match.setToolTip("How clusters are named after classes: the one-to-one matching "
                              "with the most agreeing samples, or each cluster's most common "
                              "class as in the notebook (two clusters may then share a class)")
        self.match.setAccessibleName("Matching of clusters to classes")
        for key, text in MATCH_METHODS.items():
            self.match.addItem(text, key)
        self.match.setCurrentIndex(max(0, self.match.findData(settings["digits/match"])))
        self.match.currentIndexChanged.connect(lambda: self.matching_changed.emit(self.matching))
        match_box = QGroupBox("Clusters → classes")
        QFormLayout(match_box).addRow("Matching", self.match)

        self.run = RunForm(settings.read("digits/run"), inits=DIGIT_INITS,
                           models=("kmeans",))
        self._stack(data_box, match_box, self.run)
        self.run.changed.connect(self._emit)

    @property
    def matching(self) -> str:
        return self.match.currentData()

    def request(self) -> RunRequest:
        return self.request_for(LabelledFile(self._source[1]) if self._source[0] == "file"
                                else Digits())

    def request_for(self, source: DataSource) -> RunRequest:
        return RunRequest(source, **self.run.values().request_values())

    def restore(self, source: DataSource, run: dict) -> None:
        """Take a session's data and run parameters (no request is sent), and the
        matching of clusters to classes when `run` names one ("match": the tour's)."""
        self._source = ("file", source.path) if source.path is not None else ("digits",)
        self.run.show_values(self.run.values().with_session(run))
        if self.match.findData(run.get("match")) >= 0:
            self.match.setCurrentIndex(self.match.findData(run["match"]))

    def save(self, settings: Settings) -> None:
        settings["digits/match"] = self.matching
        settings.write("digits/run", self.run.values())
        self.save_source(settings)

    def _describe(self, dataset: Dataset) -> None:
        self.current.setText(dataset.description)
