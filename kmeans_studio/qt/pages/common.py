"""Pieces the Data pages share."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kmeans_studio.core.parameters import next_seed


def spin_box(low: int, high: int, value: int, tip: str, name: str) -> QSpinBox:
    """A spin box with its tooltip and accessible name, asking once per edit."""
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    box.setToolTip(tip)
    box.setAccessibleName(name)
    box.setKeyboardTracking(False)  # typing "300" asks for one run, not three
    return box


def push_button(text: str, tip: str, name: str, clicked, object_name: str = "") -> QPushButton:
    """A button with its tooltip and accessible name, connected to `clicked`."""
    button = QPushButton(text)
    button.setToolTip(tip)
    button.setAccessibleName(name)
    if object_name:
        button.setObjectName(object_name)
    button.clicked.connect(clicked)
    return button


def choice_box(items: dict, name: str, tip: str) -> QComboBox:
    """A combo box of ``{key: text}`` (texts capitalised, keys as item data)."""
    box = QComboBox()
    box.setAccessibleName(name)
    box.setToolTip(tip)
    for key, text in items.items():
        box.addItem(text[0].upper() + text[1:], key)
    return box


class ErrorLabel(QLabel):
    """A sentence in the page saying why the last request could not be carried out."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("panel_error")
        self.setWordWrap(True)
        self.setStyleSheet("color: #D55E00;")  # Okabe–Ito vermillion: readable, not alarming
        self.hide()

    def show_error(self, message: str | None) -> None:
        self.setText(message or "")
        self.setVisible(bool(message))


class DataPanel(QWidget):
    """A page of the Parameters dock: emits `request_changed(RunRequest)` and shows, in a
    sentence, why the last request could not be carried out."""

    request_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error = ErrorLabel()

    #: How clusters are matched to classes ("hungarian" or "mode"; None on a page
    #: that matches none): what a session or the tour gives back with `restore`.
    matching: str | None = None

    def request(self):
        raise NotImplementedError

    @property
    def pending(self) -> bool:
        """An edit waits to be sent as a request (a page that gathers quick edits)."""
        return False

    def _stack(self, *boxes: QWidget) -> None:
        """Lay out the page: its boxes top to bottom, the error line, then space."""
        layout = QVBoxLayout(self)
        for box in boxes:
            layout.addWidget(box)
        layout.addWidget(self.error)
        layout.addStretch(1)

    def k_and_seed_boxes(self):
        """The spin boxes of k and of the initialisation seed."""
        return self.run.n_clusters, self.run.random_state

    def reinitialise(self) -> None:
        """New initial centres from the next seed (Run ▸ Re-initialise)."""
        seed = self.k_and_seed_boxes()[1]
        seed.setValue(next_seed(seed.value()))

    def request_for(self, source: dict):
        """The request this page makes for `source`'s data (a session's), with the
        page's own run parameters, without showing that source."""
        raise NotImplementedError

    def show_run(self, k: int, seed: int) -> None:
        """Show a run's k and seed chosen elsewhere (the Explore dock) without asking
        for a new run."""
        for box, value in zip(self.k_and_seed_boxes(), (k, seed)):
            with QSignalBlocker(box):
                box.setValue(value)

    def data_loaded(self, dataset) -> None:
        """The worker loaded this page's data (nothing to say by default)."""

    def load_failed(self) -> None:
        """A file opened for this page could not be loaded (nothing to undo by default)."""

    def fall_back(self) -> None:
        """The data the page asked for by itself (a file remembered from the last start)
        could not be loaded: when it has shown nothing yet, ask for its default data, so
        it never stays empty (nothing to do by default)."""

    def show_error(self, message: str | None) -> None:
        self.error.show_error(message)

    def _emit(self) -> None:
        self.show_error(None)
        self.request_changed.emit(self.request())


class SourcePanel(DataPanel):
    """A Data page whose data come from a chosen source (a sample, a file, ...).

    Subclasses keep the source as a tuple in `_source`, build requests in `request()`
    and say what was loaded in `_describe(dataset)`.  A source that fails to load is
    forgotten: the next request uses the last one that loaded.
    """

    def __init__(self, source: tuple, parent: QWidget | None = None, *,
                 settings=None, file_key: str | None = None) -> None:
        super().__init__(parent)
        # The file the user last had open comes back, when it is still there.
        self._file_key = file_key
        last = settings[file_key] if settings is not None and file_key else ""
        default = source
        if last and Path(last).is_file():
            source = ("file", last)
        self._source = source
        self._default = self._before = default  # _before: the source before the last asked
        self._loaded: tuple | None = None

    def save_source(self, settings) -> None:
        """Remember the file shown (or that none is), for the next start."""
        if self._file_key:
            shown = self._loaded or self._source
            settings[self._file_key] = shown[1] if shown[0] == "file" else ""

    def _describe(self, dataset) -> None:
        raise NotImplementedError

    def set_source(self, source: tuple) -> None:
        self._before, self._source = self._source, source
        self._emit()

    def set_file(self, path: str) -> None:
        self.set_source(("file", str(path)))

    def data_loaded(self, dataset) -> None:
        self._loaded = self._source
        self._describe(dataset)

    def load_failed(self) -> None:
        """Go back to the last source that loaded (or, when none has yet, to the one
        before the failed one): the page never keeps asking for a file it cannot read."""
        self._source = self._loaded if self._loaded is not None else self._before

    def fall_back(self) -> None:
        if self._loaded is None and self._source != self._default:
            self._source = self._before = self._default
            self._emit()
