"""The Image page of the Data dock: which photo, how many colours, dithering."""

from __future__ import annotations

import functools
import itertools

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kmeans_studio.core.datasets import SAMPLE_IMAGES, Dataset, image_dataset
from kmeans_studio.core.parameters import RUN_RANGES, SEED_RANGE
from kmeans_studio.core.session import load_source
from kmeans_studio.qt.contracts import RunRequest
from kmeans_studio.qt.panels.common import SourcePanel, push_button
from kmeans_studio.qt.settings import Settings

_pasted = itertools.count(1)


def image_init(dataset: Dataset, n_colors: int, random_state) -> np.ndarray:
    """The run's `init` for a photo: `quantize.initial_palette` of its colours."""
    from kmeans_studio.core.quantize import initial_palette

    return initial_palette(dataset.image.colors, n_colors, random_state)


def image_run(dataset: Dataset, init: np.ndarray, request: RunRequest):
    """The run `quantize` makes, a half-step at a time (`quantize.engine_run`)."""
    from kmeans_studio.core.quantize import engine_run

    return engine_run(dataset.image.colors, init, max_iter=request.max_iter, tol=request.tol)


def image_preview(dataset: Dataset, state, done: bool):
    """The picture a state gives (`quantize.Quantized`), made in the worker thread.
    The final state is shown as saved: every colour to its nearest palette entry."""
    from kmeans_studio.core.quantize import state_preview

    colors = dataset.image.colors
    return state_preview(colors, state.centers, None if done else state.labels)


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
        self.alpha_note = QLabel("Transparent areas are shown and compressed on white.")
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
        load_sample = push_button(
            "Load", "Compress this sample photo", "Load sample photo",
            lambda: self.set_source(("sample", self.sample.currentText())))

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

        self.k = QSpinBox()
        self.k.setObjectName("image_k")
        self.k.setRange(*RUN_RANGES["n_clusters"])
        self.k.setValue(settings["image/k"])
        self.k.setToolTip("Number of colours in the compressed image (1–256)")
        self.k.setAccessibleName("Number of colours")
        self.k.setKeyboardTracking(False)
        self.seed = QSpinBox()
        self.seed.setRange(*SEED_RANGE)
        self.seed.setValue(settings["image/seed"])
        self.seed.setToolTip("Seed of the initial palette (k-means++ on 10,000 sampled pixels)")
        self.seed.setAccessibleName("Initialisation seed")
        self.seed.setKeyboardTracking(False)
        self.dither = QCheckBox("Floyd–Steinberg dithering")
        self.dither.setObjectName("image_dither")
        self.dither.setChecked(settings["image/dither"])
        self.dither.setToolTip("Spread the rounding error to neighbouring pixels, with the "
                               "k-means palette (shown and saved)")
        self.dither.setAccessibleName("Dithering")
        params = QGroupBox("Compression")
        form = QFormLayout(params)
        form.addRow("Colours k", self.k)
        form.addRow("Seed", self.seed)
        form.addRow(self.dither)

        self._stack(photo, params)
        self.k.valueChanged.connect(self._emit)
        self.seed.valueChanged.connect(self._emit)
        self._describe(None)

    # -- sources
    def set_pixels(self, pixels: np.ndarray, name: str | None = None) -> None:
        self.set_source(("pixels", pixels, name or f"pasted image {next(_pasted)}"))

    def request(self) -> RunRequest:
        kind = self._source[0]
        if kind == "pixels":  # pasted: nothing to rebuild it from
            pixels, name = self._source[1], self._source[2]
            return self._request(None, ("pixels", id(pixels), name),
                                 functools.partial(image_dataset, pixels, name))
        return self.request_for({"kind": "sample_image", "name": self._source[1]}
                                if kind == "sample"
                                else {"kind": "image_file", "path": self._source[1]})

    def request_for(self, source: dict) -> RunRequest:
        return self._request(source, tuple(source.values()),
                             functools.partial(load_source, source))

    def _request(self, source: dict | None, key: tuple, make) -> RunRequest:
        return RunRequest(data_key=("image", *key), make_data=make, n_clusters=self.k.value(),
                          init=image_init, random_state=self.seed.value(), max_iter=300,
                          tol=1e-4, preview=image_preview, source=source, run_to_end=True,
                          make_run=image_run)

    def restore(self, source: dict, run: dict) -> None:
        """Take a session's photo and colours (no request is sent)."""
        self._source = (("sample", source["name"]) if source["kind"] == "sample_image"
                        else ("file", source["path"]))
        with QSignalBlocker(self.k), QSignalBlocker(self.seed):
            self.k.setValue(int(run["n_clusters"]))
            self.seed.setValue(int(run["random_state"] or 0))

    def k_and_seed_boxes(self):
        return self.k, self.seed

    def save(self, settings: Settings) -> None:
        settings["image/k"] = self.k.value()
        settings["image/seed"] = self.seed.value()
        settings["image/dither"] = self.dither.isChecked()
        settings["image/sample"] = self.sample.currentText()
        self.save_source(settings)

    def _describe(self, dataset: Dataset | None) -> None:
        if dataset is None or dataset.image is None:
            self.current.setText("Loading the photo…")
            return
        self.current.setText(dataset.description)
        self.alpha_note.setVisible(dataset.image.has_alpha)
