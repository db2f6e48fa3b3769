"""Opening files for the pages: photos, labelled images, tables, sessions, the
clipboard.  `Opener` is built from the pages, the settings and the widget its dialogs
belong to; it reports through signals (a sentence for a message box, a note for the
status bar, progress, a run to start) and never reaches into the window.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Hashable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from kmeans_studio.core import limits
from kmeans_studio.core.checks import error_sentence
from kmeans_studio.core.data.tables import TABLE_SUFFIXES, needs_cluster, table_folder
from kmeans_studio.core.engine.mixture import INITS as MIXTURE_INITS
from kmeans_studio.core.limits import regular_file
from kmeans_studio.qt.jobs import BackgroundJob
from kmeans_studio.qt.settings import MAX_RECENT

SESSION_FILTER = "K-Means Studio sessions (*.kmeans.json *.json)"


@dataclasses.dataclass
class Opening:
    """A file being opened, until its data are on screen.

    `show`, for a session, puts the session's data source and parameters on its page:
    called only once the data have loaded, so a session that fails changes nothing.
    """

    page: object
    path: str  # "" for a pasted image
    data_key: Hashable
    show: Callable[[], None] | None = None


class Opener(QObject):
    """Opening files (and the clipboard) for the pages, and the session of the page
    shown.

    Parameters
    ----------
    pages : dict
        The window's pages by key (each with its panel, controller and views).
    settings : Settings
    shown : callable
        Returns the page on screen.
    parent : QWidget
        What the file dialogs and the import dialog belong to.

    Signals
    -------
    said(str)
        A sentence for a message box (a refusal, a failure).
    noted(str, int)
        A note for the status bar, and for how many milliseconds.
    busy(str, int, int)
        A file being read: what, done, total (0: unknown); "" when it ended.
    run_requested(object, object)
        Start this request on this page's run.
    recent_changed()
        The recent files changed.
    """

    said = Signal(str)
    noted = Signal(str, int)
    busy = Signal(str, int, int)
    run_requested = Signal(object, object)
    recent_changed = Signal()

    def __init__(self, pages: dict, settings, shown: Callable[[], object],
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.pages, self.settings, self._shown, self._widget = pages, settings, shown, parent
        #: The file being opened, until its data are on screen (`opened`).
        self.opening: Opening | None = None
        self.import_dialog = None
        # Files are read off the GUI thread (a session parsed, an archive's members
        # scanned, a table's first rows): the work returns what to do with it, done
        # here on the GUI thread unless a newer opening or Cancel came meanwhile.
        self._reading = BackgroundJob("file-read")
        self._reading_what = ""  # what is being read ("" when nothing)
        self._read_ticket = 0
        self._reading.succeeded.connect(self._read_done)
        self._reading.failed.connect(self._read_failed)
        self._reading.cancelled.connect(self._read_ended)

    @property
    def busy_reading(self) -> bool:
        """A file is being read (a session, an archive's members, a table's first
        rows), until what it holds is handed on."""
        return bool(self._reading_what)

    def opened(self, request) -> Opening | None:
        """The file being opened, when `request` is the one that opens it; a session's
        parameters go on its page now (its data have loaded)."""
        opening = self.opening
        if opening is None or request is None or request.data_key != opening.data_key:
            return None
        if opening.show is not None:
            opening.show, show = None, opening.show
            show()
        return opening

    def shutdown(self) -> None:
        """Stop reading (before the window goes away; a read stuck in a call that
        cannot be interrupted is abandoned)."""
        self.cancel_reading()

    def cancel(self) -> None:
        """Stop the file being read (Cancel)."""
        self.cancel_reading()

    def cancel_reading(self) -> None:
        """Stop the file being read: what it holds is never shown."""
        self._read_ticket += 1
        if self._reading.running:
            self._reading.cancel(wait=False)
        self._read_ended()

    def _read_in_background(self, what: str, name: str, read) -> None:
        """Run `read(cancelled, progress)` on the reading job; it returns a function
        to call on the GUI thread with what it read.  Its failures are said in one
        sentence naming the file `name`; a newer read replaces it."""
        self._read_ticket += 1
        ticket = self._read_ticket

        def work(cancelled, progress):
            try:
                then = read(cancelled, progress)
            except Exception as exc:  # noqa: BLE001 - files come from anyone: a sentence
                raise ValueError(error_sentence(exc, name)) from None
            return None if then is None else (ticket, then)

        self._reading_what = what
        self.busy.emit(what, 0, 0)
        self._reading.start(work)

    def _read_done(self, read) -> None:
        ticket, then = read
        if ticket != self._read_ticket:
            return  # cancelled, or replaced by a newer opening, after it was read
        self._read_ended()
        try:
            then()
        except Exception as exc:  # noqa: BLE001 - as `open_path`: said, not raised
            self.said.emit(error_sentence(exc))

    def _read_failed(self, message: str) -> None:
        self._read_ended()
        self.said.emit(message)

    def _read_ended(self) -> None:
        if self._reading_what:
            self._reading_what = ""
            self.busy.emit("", 0, 0)

    # ------------------------------------------------------------------ opening
    def open_path(self, path: str | os.PathLike) -> bool:
        """Open a file (what Open…, drag and drop, recent files and the command line
        call): False, with one sentence, when it is refused at once; True when it is
        being read (a failure later is said too).  Whatever the file holds, nothing is
        raised and what every page shows is kept until the file's data are loaded."""
        path = Path(path)
        try:
            return self._open_path(path)
        except Exception as exc:  # noqa: BLE001 - files come from anyone: said, not raised
            self.said.emit(error_sentence(exc, path.name))
            return False

    def _open_path(self, path: Path) -> bool:
        if table_folder(path):  # a folder of Parquet or CSV files, on a cluster
            return self.open_table(path)
        # Only regular files, links resolved, refused before anything opens them: a
        # named pipe would block its reader for good, /dev/zero never end.
        regular_file(path, path.name)
        suffix = path.suffix.lower()
        if suffix == ".json":
            return self.open_session(path)
        if suffix == ".npz":
            return self._open_archive(path)
        if suffix in TABLE_SUFFIXES:
            return self.open_table(path)
        self._open_file("image", path)
        return True

    def _open_file(self, key: str, path: Path) -> None:
        """Labelled images (.npz) or a photo: the page's worker reads it, and a file it
        cannot read gets a message box while the current data stay on screen."""
        self.cancel_reading()  # a file read before for another page is not shown now
        page = self.pages[key]
        page.panel.set_file(str(path))  # its page's run starts on it
        self.opening = Opening(page, str(path), page.panel.request().data_key)

    def _open_archive(self, path: Path) -> bool:
        """An .npz opened on the Digits page, or one with image_shape or a stack of
        images (n, h, w), is labelled images; other .npz files are tables.  Its members
        are scanned off the GUI thread (`datasets.MAX_ARRAYS` at most)."""
        from kmeans_studio.core.data.datasets import npz_holds_images

        if self._shown().key == "digits":
            self._open_file("digits", path)
            return True

        def read(cancelled, progress):
            if npz_holds_images(path):
                return functools.partial(self._open_file, "digits", path)
            return None if cancelled() else self._preview(path, None)

        self._read_in_background(f"Reading “{path.name}”…", path.name, read)
        return True

    def open_table(self, path: str | os.PathLike, choice=None) -> bool:
        """Read the start of a table on a helper thread (`read_preview`), then ask which
        columns to cluster (the import dialog, `import_dialog`); the table loads in its
        page's worker once confirmed.  A file that cannot be read gets one sentence."""
        path = Path(path)
        self._read_in_background(f"Reading “{path.name}”…", path.name,
                                 lambda cancelled, progress: self._preview(path, choice))
        return True

    def _preview(self, path: Path, choice):
        """Read the start of the table at `path` (on the reading job); then, on the GUI
        thread, ask for its columns."""
        from kmeans_studio.core.data.tables import read_preview

        frame, complete = read_preview(path)
        return functools.partial(self._ask_columns, path.name, frame, complete, choice,
                                 lambda chosen: self._load_table(str(path), chosen),
                                 cluster_choice(path))

    def choose_columns(self) -> None:
        """The import dialog again for the table shown (Columns… on the page)."""
        from kmeans_studio.core.data.tables import iris_frame

        panel = self.pages["table"].panel
        if panel.path is None:
            self._ask_columns("Iris", iris_frame(), True, panel.choice,
                              lambda chosen: self._load_table(None, chosen))
        else:
            self.open_table(panel.path, panel.choice)

    def _ask_columns(self, name, frame, complete, choice, then, cluster="no") -> None:
        from kmeans_studio.qt.pages.table.import_dialog import ImportDialog

        dialog = ImportDialog(name, frame, complete, self._widget, choice, cluster)
        dialog.accepted.connect(lambda: then(dialog.choice()))
        dialog.finished.connect(lambda: self._dialog_closed(dialog))
        self.import_dialog = dialog
        dialog.open()

    def _dialog_closed(self, dialog) -> None:
        """The import dialog is gone once answered: `import_dialog` never names a
        deleted one."""
        if self.import_dialog is dialog:
            self.import_dialog = None
        dialog.deleteLater()

    def _load_table(self, path: str | None, choice) -> None:
        page = self.pages["table"]
        page.panel.take_table(path, choice)
        request = page.panel.request()
        if path is not None:  # remembered among the recent files once shown
            self.opening = Opening(page, path, request.data_key)
        self.run_requested.emit(page, request)  # its page shows once it has loaded

    def paste(self) -> bool:
        """Use the clipboard's image (or image file) as the photo to compress."""
        from PySide6.QtWidgets import QApplication

        data = QApplication.clipboard().mimeData()
        if data is not None and data.hasUrls():
            files = [u.toLocalFile() for u in data.urls() if u.isLocalFile()]
            if files:
                return self.open_path(files[0])
        qimage = QApplication.clipboard().image()
        if qimage.isNull():
            self.said.emit("The clipboard holds no image to paste.")
            return False
        self.cancel_reading()  # a file being read is not shown after the pasted image
        page = self.pages["image"]
        page.panel.set_pixels(qimage_to_rgb(qimage))  # its run starts
        # Opened like a file: its page is shown once the pixels are in.
        self.opening = Opening(page, "", page.panel.request().data_key)
        return True

    # ------------------------------------------------------------------ recent files
    def remember(self, path: str) -> None:
        """`path` first among the recent files (once its data are on screen)."""
        recent = [p for p in self.settings["files/recent"] if p != path]
        self.settings["files/recent"] = [path, *recent][:MAX_RECENT]
        self.recent_changed.emit()

    @property
    def remembers_files(self) -> bool:
        return bool(self.settings["files/recent"])

    def recent_files(self) -> list[str]:
        """The remembered files that are still regular files, checked when asked (as
        the menu opens): at most MAX_RECENT stats then and none at start (a settings
        file listing a million files once held the start for 20 s), and never a FIFO,
        a device or a folder, which could not be opened anyway."""
        recent = []
        for path in self.settings["files/recent"]:
            if table_folder(path):  # a folder of tables opened on a cluster
                recent.append(path)
                continue
            try:
                limits.regular_file(path)
            except ValueError:
                continue
            recent.append(path)
        return recent

    def open_dialog(self, first_filter: str | None = None) -> None:
        """File ▸ Open…: any file K-Means Studio reads (each page's `open_filter`, in
        the pages' order, then sessions), `first_filter` offered first."""
        filters = [page.open_filter for page in self.pages.values() if page.open_filter]
        filters += [SESSION_FILTER, "All files (*)"]
        if first_filter in filters:
            filters.remove(first_filter)
            filters.insert(0, first_filter)
        path, _ = QFileDialog.getOpenFileName(
            self._widget, "Open", self.settings["files/last_folder"], ";;".join(filters))
        if path:
            self.settings["files/last_folder"] = str(Path(path).parent)
            self.open_path(path)

    def open_folder_dialog(self) -> None:
        """File ▸ Open folder of tables…: its Parquet (or CSV) files as one table, on a
        dask cluster."""
        path = QFileDialog.getExistingDirectory(self._widget, "Open a folder of tables",
                                                self.settings["files/last_folder"])
        if path:
            self.settings["files/last_folder"] = str(Path(path).parent)
            self.open_path(path)

    # ------------------------------------------------------------------ sessions
    def current_session(self):
        """The shown state as a `Session`, or None (with a message) when it has none."""
        import numpy as np

        from kmeans_studio.core.export.session import Session

        snap = self._shown().controller.snapshot
        if snap is None or snap.iteration is None or snap.request is None:
            self.said.emit("There is no run to save yet: place or initialise centres first.")
            return None
        request = snap.request
        if not request.data.rebuildable:
            self.said.emit("A pasted image cannot be saved in a session or script: save it "
                              "as a file, open that file, and try again.")
            return None
        if request.init is None:
            init = "click"
        elif not isinstance(request.init, str):  # centres chosen in the Explore dock
            init = "given centres"
        else:  # a photo's start is k-means++ on a sample of its pixels (`core.recipes`)
            init = "k-means++ on a pixel sample" if request.data.photo else request.init
        # The run's first stretch, then each edit of the centres mid-run with its own.
        (_, first), *edits = snap.stretches or ((0, snap.trail),)
        run = {"model": request.model, "n_clusters": first.shape[1], "init": init,
               "n_init": request.n_init,
               "random_state": request.random_state, "max_iter": request.max_iter,
               "tol": request.tol}
        return Session(request.data, run, np.array(first),
                       np.array(snap.objective[: snap.index + 1]), snap.index,
                       snap.dataset.description,
                       tuple((state, np.array(trail)) for state, trail in edits))

    def open_session(self, path: str | os.PathLike) -> bool:
        """Check a session file whole (read and parsed off the GUI thread, with
        progress and Cancel), then rebuild its data and replay its run to the saved
        state.  Nothing on screen changes until its run has been replayed (the page,
        its parameters and the run shown stay as they were when it cannot be opened);
        every refusal is one sentence in a message box."""
        path = Path(path)
        try:
            regular_file(path, path.name)
        except ValueError as exc:
            self.said.emit(str(exc))
            return False
        self._read_in_background("Reading the session…", path.name,
                                 lambda cancelled, progress: self._read_session(path))
        return True

    def _read_session(self, path: Path):
        """Read and check a session (on the reading job); then, on the GUI thread, ask
        its page's run for it (`_replay_session`)."""
        from kmeans_studio.core.export.session import Session

        session = Session.load(path)
        missing = session.source.missing_file()
        if missing is not None and not Path(missing).exists():
            raise ValueError(f"Cannot open “{path.name}”: the file its data come from, "
                             f"“{Path(missing).name}”, is not there any more.")
        if missing is not None:  # a folder, a pipe, a device: said by name
            regular_file(missing)
        try:
            session.source.check_model(session.run["model"])
        except ValueError as exc:
            raise ValueError(f"Cannot open “{path.name}”: {str(exc)[0].lower()}"
                             f"{str(exc)[1:]}") from None
        return functools.partial(self._replay_session, path, session)

    def _replay_session(self, path: Path, session) -> None:
        page = self.pages[session.source.page]
        run = session.run
        # k-means restarts from its initial centres; a mixture from its initialisation
        # (its first covariances come from it) unless its means were placed by hand.
        init = (run["init"] if run["model"] != "kmeans" and run["init"] in MIXTURE_INITS
                else session.initial_centers)
        request = dataclasses.replace(
            page.panel.request_for(session.source), model=run["model"], init=init,
            n_init=1, n_clusters=len(session.initial_centers),
            random_state=run["random_state"], max_iter=run["max_iter"], tol=run["tol"],
            advance_to=session.position, expected_trail=session.trail,
            edits=session.edits)
        self.opening = Opening(page, str(path), request.data_key,
                               functools.partial(page.panel.restore, session.source, run))
        self.run_requested.emit(page, request)


def cluster_choice(path: Path) -> str:
    """Whether a table is clustered on a dask cluster: "always" (Parquet, folders),
    "optional" (CSV and .npy files, which can also be read whole) or "no"."""
    if needs_cluster(path):
        return "always"
    return "optional" if path.suffix.lower() in (".csv", ".tsv", ".npy") else "no"


def qimage_to_rgb(qimage):
    """RGB uint8 (H, W, 3) copy of a QImage (alpha composited on white)."""
    from PySide6.QtGui import QColor, QImage, QPainter

    flat = QImage(qimage.size(), QImage.Format.Format_RGB888)
    flat.fill(QColor(255, 255, 255))
    painter = QPainter(flat)
    painter.drawImage(0, 0, qimage)
    painter.end()
    width, height, stride = flat.width(), flat.height(), flat.bytesPerLine()
    buffer = np.frombuffer(flat.constBits(), dtype=np.uint8, count=stride * height)
    return buffer.reshape(height, stride)[:, : width * 3].reshape(height, width, 3).copy()
