"""The Image page's panel: which photo, how many colours, dithering (its run's steps
on the worker are chosen by `core.recipes` for its data source)."""

from __future__ import annotations

import itertools

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from kmeans_studio.core.data.datasets import SAMPLE_IMAGES, Dataset
from kmeans_studio.core.data.sources import (
    DataSource,
    ImageFile,
    PastedImage,
    SampleImage,
)
from kmeans_studio.core.parameters import from_values
from kmeans_studio.qt.contracts import RunRequest
from kmeans_studio.qt.pages.common import SourcePanel, push_button
from kmeans_studio.qt.parameters import ParameterForm
from kmeans_studio.qt.settings import Settings

_pasted = itertools.count(1)


class ImagePanel(SourcePanel):
    """Emits `request_changed(RunRequest)` when the photo or a parameter changes.
    Sources are ("sample", name), ("file", path) and ("pixels", array, name)."""

    open_requested = Signal()
    paste_requested = Signal()

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(("sample", settings["image/sample"]), parent, settings=settings,
                         file_key="image/file")
        self.setObjectName("image_panel")

        self.current = QLabel()
        self.current.setTextFormat(Qt.TextFormat.PlainText)  # a file's name, as named
        self.current.setObjectName("image_current")
        self.current.setWordWrap(True)
        self.alpha_note = QLabel("Transparency is kept: colours are clustered with their "
                                 "alpha (in sRGB), shown on a checkerboard and saved in the "
                                 "PNG; one of the k colours is the fully transparent one "
                                 "(dithering and Oklab need an opaque photo).")
        self.alpha_note.setWordWrap(True)
        self.alpha_note.hide()
        open_button = push_button("Open image…",
                                  "Open a photo (Ctrl+O), or drop one on the window",
                                  "Open image", self.open_requested)
        paste_button = push_button("Paste", "Use the image on the clipboard (Ctrl+V)",
                                   "Paste image", self.paste_requested)
        self.sample = QComboBox()
        self.sample.setObjectName("image_sample")
        self.sample.setToolTip("Photos that come with scikit-learn")
        self.sample.setAccessibleName("Sample photo")
        self.sample.addItems(list(SAMPLE_IMAGES))
        # A photo that is not a sample shows no sample chosen: "—" (index -1).
        self.sample.setPlaceholderText("—")
        self.load_sample = load_sample = push_button(
            "Load", "Compress this sample photo", "Load sample photo",
            lambda: self.set_source(("sample", self.sample.currentText())))
        self.sample.currentIndexChanged.connect(
            lambda index: load_sample.setEnabled(index >= 0))
        self._show_sample(self._source)

        photo = QGroupBox("Photo")
        box = QVBoxLayout(photo)
        box.addWidget(self.current)
        box.addWidget(self.alpha_note)
        row = QHBoxLayout()
        row.addWidget(open_button)
        row.addWidget(paste_button)
        box.addLayout(row)
        row = QHBoxLayout()
        row.addWidget(QLabel("Sample"))
        row.addWidget(self.sample, 1)
        row.addWidget(load_sample)
        box.addLayout(row)

        self.params = ParameterForm("Compression", settings.read("image"))
        self._stack(photo, self.params)
        # A new k, seed or colour space is a new run; dithering only changes how the
        # result is drawn.
        self.params.n_clusters.valueChanged.connect(self._emit)
        self.params.random_state.valueChanged.connect(self._emit)
        self.params.space.currentIndexChanged.connect(self._emit)
        # The strength counts only while dithering is on.
        self.params.dither.toggled.connect(self._enable_strength)
        self._enable_strength()
        self._describe(None)

    def _enable_strength(self) -> None:
        self.params.dither_strength.setEnabled(self.params.dither.isEnabled()
                                               and self.params.dither.isChecked())

    # -- sources
    def set_pixels(self, pixels: np.ndarray, name: str | None = None) -> None:
        self.set_source(("pixels", pixels, name or f"pasted image {next(_pasted)}"))

    def request(self) -> RunRequest:
        kind, space = self._source[0], self.params.values().space
        if kind == "pixels":  # pasted: nothing to rebuild it from
            return self.request_for(PastedImage(self._source[1], self._source[2], space))
        return self.request_for(SampleImage(self._source[1], space) if kind == "sample"
                                else ImageFile(self._source[1], space))

    def request_for(self, source: DataSource) -> RunRequest:
        # The start is k-means++ on a pixel sample (`core.recipes`), and a new photo
        # runs to the end at once: the compressed picture comes without asking.
        return RunRequest(source, n_clusters=self.params.n_clusters.value(),
                          random_state=self.params.random_state.value(), max_iter=300,
                          tol=1e-4, run_to_end=True)

    def restore(self, source: DataSource, run: dict) -> None:
        """Take a session's photo and colours (no request is sent); also a pasted photo,
        which only the tour gives back."""
        if isinstance(source, PastedImage):  # (the tour gives a pasted photo back)
            self._source = ("pixels", source.pixels, source.name)
        else:
            self._source = (("sample", source.name) if isinstance(source, SampleImage)
                            else ("file", source.path))
        self.params.show_values(from_values(self.params.values(), {
            "n_clusters": run["n_clusters"], "random_state": run["random_state"] or 0,
            "space": source.space}))

    def k_and_seed_boxes(self):
        return self.params.n_clusters, self.params.random_state

    def save(self, settings: Settings) -> None:
        settings.write("image", self.params.values())
        if self.sample.currentIndex() >= 0:  # (else the last sample stays the default)
            settings["image/sample"] = self.sample.currentText()
        self.save_source(settings)

    def _show_sample(self, source: tuple) -> None:
        """The sample chooser names the photo shown when it is a sample, none (its
        placeholder) when it is a file or a pasted image."""
        self.sample.setCurrentIndex(self.sample.findText(source[1]) if source[0] == "sample"
                                    else -1)

    def _describe(self, dataset: Dataset | None) -> None:
        if dataset is None or dataset.image is None:
            self.current.setText("Loading the photo…")
            return
        self.current.setText(dataset.description)
        self._show_sample(self._loaded or self._source)
        transparent = dataset.image.transparent
        self.alpha_note.setVisible(transparent)
        # The dithering kernel and the Oklab path take opaque photos.
        self.params.dither.setEnabled(not transparent)
        self.params.space.setEnabled(not transparent)
        if transparent:
            self.params.dither.setChecked(False)
        self._enable_strength()
