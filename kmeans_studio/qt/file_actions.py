"""The window's file work as a collaborator object: opening (photos, labelled images,
tables, sessions, the clipboard), saving (the compressed image, sessions) and exporting
(views, centres and labels, scripts).  `FileActions` is built from the pages, the
settings and the widget its dialogs belong to; it reports through signals (a sentence
for a message box, a note for the status bar, progress, a run to start) and never
reaches into the window.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Hashable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from kmeans_studio.core.checks import error_sentence
from kmeans_studio.core.color.images import IMAGE_SUFFIXES
from kmeans_studio.core.data.tables import TABLE_SUFFIXES
from kmeans_studio.core.engine.mixture import INITS as MIXTURE_INITS
from kmeans_studio.core.engine.mixture_steps import replay
from kmeans_studio.core.limits import regular_file
from kmeans_studio.qt.jobs import BackgroundJob

LABELLED_FILTER = "Labelled images (*.npz)"
SESSION_FILTER = "K-Means Studio sessions (*.kmeans.json *.json)"
TABLE_FILTER = "Tables (*.csv *.tsv *.tab *.txt *.npy *.npz)"


@dataclasses.dataclass
class Opening:
    """A file being opened, until its data are on screen.

    `show`, for a session, puts the session's data source and parameters on its page:
    called only once the data have loaded, so a session that fails changes nothing.
    """

    source: object
    path: str  # "" for a pasted image
    data_key: Hashable
    show: Callable[[], None] | None = None


class FileActions(QObject):
    """Opening, saving and exporting for the pages.

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
        A file being read, or a background export: what, done, total (0: unknown);
        "" when it ended.
    run_requested(object, object)
        Start this request on this page's run.
    """

    said = Signal(str)
    noted = Signal(str, int)
    busy = Signal(str, int, int)
    run_requested = Signal(object, object)

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
        self._exports = BackgroundJob("export")
        self._export_what = ""
        self._exports.progressed.connect(
            lambda done, total: self.busy.emit(f"{self._export_what}…", done, total))
        self._exports.succeeded.connect(lambda path: self._export_ended(f"Saved {path}"))
        self._exports.failed.connect(lambda message: self._export_ended(message, failed=True))
        self._exports.cancelled.connect(
            lambda: self._export_ended("Export cancelled: nothing was written."))

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
        """Stop reading and writing (before the window goes away; a read or write
        stuck in a call that cannot be interrupted is abandoned after about a
        second)."""
        self.cancel_reading()
        self.cancel_export()

    def cancel(self) -> None:
        """Stop the file being read and the export under way (Cancel)."""
        self.cancel_reading()
        self.cancel_export()

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
            self.busy.emit(f"{self._export_what}…" if self._exports.running else "", 0, 0)

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
        source = self.pages[key]
        source.panel.set_file(str(path))  # its page's run starts on it
        self.opening = Opening(source, str(path), source.panel.request().data_key)

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
                                 lambda chosen: self._load_table(str(path), chosen))

    def choose_columns(self) -> None:
        """The import dialog again for the table shown (Columns… on the page)."""
        from kmeans_studio.core.data.tables import iris_frame

        panel = self.pages["table"].panel
        if panel.path is None:
            self._ask_columns("Iris", iris_frame(), True, panel.choice,
                              lambda chosen: self._load_table(None, chosen))
        else:
            self.open_table(panel.path, panel.choice)

    def _ask_columns(self, name, frame, complete, choice, then) -> None:
        from kmeans_studio.qt.panels.table_import import ImportDialog

        dialog = ImportDialog(name, frame, complete, self._widget, choice)
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
        source = self.pages["table"]
        source.panel.take_table(path, choice)
        request = source.panel.request()
        if path is not None:  # remembered among the recent files once shown
            self.opening = Opening(source, path, request.data_key)
        self.run_requested.emit(source, request)  # its page shows once it has loaded

    def paste_image(self) -> bool:
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
        source = self.pages["image"]
        source.panel.set_pixels(qimage_to_rgb(qimage))  # its run starts
        # Opened like a file: its page is shown once the pixels are in.
        self.opening = Opening(source, "", source.panel.request().data_key)
        return True

    def open_dialog(self, first_filter: str | None = None) -> None:
        """File ▸ Open…: any file K-Means Studio reads, `first_filter` offered first."""
        patterns = " ".join(f"*{s}" for s in IMAGE_SUFFIXES)
        filters = [f"Images ({patterns})", TABLE_FILTER, LABELLED_FILTER, SESSION_FILTER,
                   "All files (*)"]
        if first_filter in filters:
            filters.remove(first_filter)
            filters.insert(0, first_filter)
        path, _ = QFileDialog.getOpenFileName(
            self._widget, "Open", self.settings["files/last_folder"], ";;".join(filters))
        if path:
            self.settings["files/last_folder"] = str(Path(path).parent)
            self.open_path(path)

    def save_compressed(self) -> Path | None:
        """Ask where, then save the compressed image (indexed PNG by default)."""
        image = self.pages["image"]
        result = image.result()
        if result is None or image.snapshot is None:
            return None
        path = self._ask_save_path(
            "Save compressed image", f"{self._stem()}-k{len(result[0])}.png",
            "Indexed PNG (*.png);;WebP (*.webp);;JPEG (*.jpg *.jpeg);;BMP (*.bmp);;"
            "TIFF (*.tif *.tiff);;GIF (*.gif)")
        return None if path is None else self.write_compressed(path)

    def write_compressed(self, path: str | os.PathLike) -> Path | None:
        """Write the shown result to `path` (atomic; never over the source image)."""
        from kmeans_studio.core.color.images import save_image

        image = self.pages["image"]
        result = image.result()
        if result is None:
            return None
        path = Path(path)
        if not path.suffix:
            path = path.with_suffix(".png")
        source = image.snapshot.dataset.image.path
        return self._saved(path, lambda: save_image(path, *result, source=source))

    def _saved(self, path: str | os.PathLike, save) -> Path | None:
        """Run `save()` (it writes `path`); say where it went, or in a sentence why not."""
        try:
            written = Path(save())
        except (ValueError, OSError) as exc:
            reason = str(exc) if isinstance(exc, ValueError) else exc.strerror or str(exc)
            self.said.emit(f"Could not save “{Path(path).name}”: {reason}")
            return None
        self.settings["files/last_folder"] = str(written.parent)
        self.noted.emit(f"Saved {written}", 8000)
        return written

    def _stem(self) -> str:
        """A file name stem for what is shown ("china", "digits", "blobs")."""
        snap = self._shown().controller.snapshot
        name = snap.dataset.name if snap is not None and snap.dataset is not None else "kmeans"
        return Path(name).stem.lower().replace(" ", "-")

    def _ask_save_path(self, title: str, stem: str, filters: str) -> Path | None:
        folder = self.settings["files/last_folder"] or str(Path.home())
        path, _ = QFileDialog.getSaveFileName(self._widget, title, str(Path(folder) / stem),
                                              filters)
        if not path:
            return None
        self.settings["files/last_folder"] = str(Path(path).parent)
        return Path(path)

    def export_view(self, name: str | None = None, path: str | os.PathLike | None = None
                    ) -> Path | None:
        """Save one view of the page (the main one by default) as PNG, or SVG when the
        name ends in .svg; asks where when `path` is None."""
        import pyqtgraph.exporters as exporters

        targets = self._shown().export_targets
        name = name or next(iter(targets))
        if path is None:
            stem = name.lower().replace(",", "").replace(" ", "-") + ".png"
            path = self._ask_save_path(f"Export {name.lower()}", stem,
                                       "PNG image (*.png);;SVG drawing (*.svg)")
            if path is None:
                return None
        path = Path(path)
        if path.suffix.lower() not in (".png", ".svg"):
            path = path.with_suffix(".png")
        target = targets[name]
        if path.suffix.lower() == ".svg":
            # Qt's own SVG generator: pyqtgraph 0.14's SVGExporter fails on the path
            # data Qt 6 writes (pyqtgraph issue #3485).
            write = functools.partial(_render_svg, target, name)
        elif not hasattr(target, "plotItem"):  # a widget of our own (the centre images)
            write = functools.partial(_render_png, target)
        else:
            exporter = exporters.ImageExporter(target.plotItem)
            # Crisp on HiDPI screens and in print: twice the on-screen pixels.
            exporter.parameters()["width"] = 2 * int(exporter.parameters()["width"])
            write = exporter.export
        from kmeans_studio.core.color.images import atomic_write

        return self._saved(path, lambda: atomic_write(path, write))

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
        if request.source is None:
            self.said.emit("A pasted image cannot be saved in a session or script: save it "
                              "as a file, open that file, and try again.")
            return None
        if isinstance(request.init, str) or request.init is None:
            init = request.init or "click"
        else:  # a function (images) or centres chosen in the Explore dock
            init = "k-means++ on a pixel sample" if callable(request.init) else "given centres"
        run = {"model": request.model, "n_clusters": snap.iteration.n_clusters, "init": init,
               "n_init": request.n_init,
               "random_state": request.random_state, "max_iter": request.max_iter,
               "tol": request.tol}
        return Session(dict(request.source), run, np.array(snap.trail),
                       np.array(snap.objective[: snap.index + 1]), snap.index,
                       snap.dataset.description)

    def save_session_dialog(self) -> None:
        session = self.current_session()
        if session is None:
            return
        from kmeans_studio.core.export.session import SESSION_SUFFIX

        path = self._ask_save_path("Save session", self._stem() + SESSION_SUFFIX,
                                   SESSION_FILTER)
        if path is not None:
            self.save_session(path, session)

    def save_session(self, path: str | os.PathLike, session=None) -> Path | None:
        """Write the shown state as a session file (atomic)."""
        session = session or self.current_session()
        return None if session is None else self._saved(path, lambda: session.save(path))

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
        from kmeans_studio.core.export.session import Session, check_model, missing_file

        session = Session.load(path)
        missing = missing_file(session.source)
        if missing is not None and not Path(missing).exists():
            raise ValueError(f"Cannot open “{path.name}”: the file its data come from, "
                             f"“{Path(missing).name}”, is not there any more.")
        if missing is not None:  # a folder, a pipe, a device: said by name
            regular_file(missing)
        try:
            check_model(session.source, session.run)
        except ValueError as exc:
            raise ValueError(f"Cannot open “{path.name}”: {str(exc)[0].lower()}"
                             f"{str(exc)[1:]}") from None
        return functools.partial(self._replay_session, path, session)

    def _replay_session(self, path: Path, session) -> None:
        from kmeans_studio.core.export.session import SOURCE_PAGES

        source = self.pages[SOURCE_PAGES[session.source["kind"]]]
        run = session.run
        # k-means restarts from its initial centres; a mixture from its initialisation
        # (its first covariances come from it) unless its means were placed by hand.
        init = (run["init"] if run["model"] != "kmeans" and run["init"] in MIXTURE_INITS
                else session.initial_centers)
        request = dataclasses.replace(
            source.panel.request_for(session.source), model=run["model"], init=init,
            n_init=1, n_clusters=len(session.initial_centers),
            random_state=run["random_state"], max_iter=run["max_iter"], tol=run["tol"],
            advance_to=session.position, expected_trail=session.trail)
        self.opening = Opening(source, str(path), request.data_key,
                               functools.partial(source.panel.restore, session.source, run))
        self.run_requested.emit(source, request)

    # ------------------------------------------------------------------ tables, script
    def export_text(self, what: str, path: str | os.PathLike) -> Path | None:
        """Write "centres" or "labels" (CSV) or "script" (Python) for the shown state."""
        from kmeans_studio.core.color.images import atomic_write
        from kmeans_studio.core.export import session as sessions

        snap = self._shown().controller.snapshot
        if snap is None or snap.iteration is None:
            self.said.emit("There are no centres to export yet.")
            return None
        state = snap.iteration
        if what == "labels" and state.labels is None:
            self.said.emit("No sample has a cluster yet: step once to assign them.")
            return None
        if what == "labels":  # maybe millions of rows: written off the GUI thread
            self._write_in_background(
                path, sessions.labels_csv_chunks(snap.dataset, state.labels),
                1 + -(-snap.dataset.n_samples // 50_000), "Writing the labels")
            return Path(path)
        if what == "script":
            from kmeans_studio.core.export.script import python_script

            if snap.dataset.image is not None and snap.dataset.image.transparent:
                self.said.emit("The Python script does not handle transparency yet: it "
                               "would compress this photo flattened on white, not as "
                               "shown. Export the centres or labels instead.")
                return None
            session = self.current_session()
            if session is None:
                return None
            text = python_script(session, Path(path).name)
        else:
            text = sessions.centers_csv(snap.dataset, state.centers, state.labels)
        return self._saved(path, lambda: atomic_write(
            path, lambda temp: Path(temp).write_text(text, encoding="utf-8")))

    def export_animation(self, path: str | os.PathLike, size: tuple[int, int] | None = None,
                         fps: float | None = None, view: str = "plot") -> bool:
        """Write the run of the page shown, from its first state to the state shown,
        as an animation (`core.animation`: GIF, MP4 or PNG frames by `path`; its
        default size and rate unless given; `view` one of `animation.VIEWS`), drawn
        and written on a helper thread with progress and Cancel (a mixture's run is
        replayed there)."""
        import numpy as np

        from kmeans_studio.core.export import animation

        snap = self._shown().controller.snapshot
        if snap is None or snap.iteration is None or snap.dataset is None:
            self.said.emit("There is no run to animate yet: place or initialise centres first.")
            return False
        try:
            animation.output_kind(path)
        except ValueError as exc:
            self.said.emit(str(exc))
            return False
        dataset, request = snap.dataset, snap.request
        if view not in animation.views_for(dataset):
            self.said.emit(f"The {self._shown().title} page's animation cannot show "
                           f"“{animation.VIEWS.get(view, view)}”.")
            return False
        trail, objective = np.array(snap.trail), np.array(snap.objective)
        run = {"model": request.model, "init": request.init, "random_state":
               request.random_state, "tol": request.tol, "max_iter": request.max_iter}
        size, fps, index = size or animation.SIZE, fps or animation.FPS, snap.index

        def work(cancelled, progress):
            mixture = None if run["model"] == "kmeans" else replay(dataset.X, run, trail[0])
            # A mixture's states are computed again: step by step here, so that Cancel
            # stops it between half-steps (EM on big data takes minutes).
            while mixture is not None and len(mixture.history) <= index and not mixture.done:
                if cancelled():
                    return None
                mixture.advance()
            states = animation.frame_states(trail, objective, index, mixture)
            frames = animation.render_frames(dataset, states, size, view,
                                             cancelled=cancelled, progress=progress)
            if frames is None:
                return None
            try:
                return animation.write_animation(frames, path, fps)
            except OSError as exc:
                raise OSError(f"Could not save “{Path(path).name}”: "
                              f"{exc.strerror or exc}.") from None
        self._export_what = "Drawing the animation"
        self._exports.start(work)
        return True

    def export_animation_dialog(self) -> None:
        from kmeans_studio.core.export.animation import views_for
        from kmeans_studio.qt.animation_dialog import AnimationOptions

        snap = self._shown().controller.snapshot
        views = ("plot",) if snap is None or snap.dataset is None else views_for(snap.dataset)
        options = AnimationOptions(self._widget, views)
        options.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def chosen() -> None:
            path = self._ask_save_path("Export the run as an animation",
                                       f"{self._stem()}-run.gif",
                                       "Animated GIF (*.gif);;MP4 video (*.mp4)")
            if path is not None:
                self.export_animation(path, *options.values())
        options.accepted.connect(chosen)
        options.open()  # window-modal, without a nested event loop

    def _write_in_background(self, path, chunks, n_chunks: int, what: str) -> None:
        """Write text `chunks` to `path` on a helper thread (`BackgroundJob`), with
        progress and Cancel in the status bar; the file appears (atomically) only when
        complete.  A new export replaces one under way."""
        from kmeans_studio.core.color.images import atomic_write

        def work(cancelled, progress) -> Path | None:
            def write(temp: str) -> None:
                with open(temp, "w", encoding="utf-8") as file:
                    for done, chunk in enumerate(chunks):
                        if cancelled():
                            raise _Cancelled
                        file.write(chunk)
                        progress(done + 1, n_chunks)
            try:
                atomic_write(path, write)
            except _Cancelled:
                return None
            except OSError as exc:
                raise OSError(f"Could not save “{Path(path).name}”: "
                              f"{exc.strerror or exc}.") from None
            return Path(path)

        self._export_what = what
        self._exports.start(work)

    def cancel_export(self) -> None:
        """Stop a background export (its file is not written) and wait for it."""
        if self._exports.running:
            self._exports.cancel()

    def _export_ended(self, message: str, failed: bool = False) -> None:
        self.busy.emit("", 0, 0)
        if failed:
            self.said.emit(message)
        else:
            self.noted.emit(message, 8000)

    def export_text_dialog(self, what: str) -> None:
        stem = self._stem()
        if what == "script":
            path = self._ask_save_path("Export as Python script", f"{stem}_kmeans.py",
                                       "Python script (*.py)")
        else:
            path = self._ask_save_path(f"Export {what} as CSV", f"{stem}-{what}.csv",
                                       "CSV table (*.csv)")
        if path is not None:
            self.export_text(what, path)


class _Cancelled(Exception):
    """Raised inside a background write when the user cancels it."""


def _render_png(widget: QWidget, filename: str) -> None:
    """Draw a widget into a PNG file at twice its on-screen pixels, on its background."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QImage, QPainter

    image = QImage(widget.size() * 2, QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(2)
    image.fill(widget.palette().color(widget.backgroundRole()))
    painter = QPainter(image)
    widget.render(painter, QPoint())
    painter.end()
    if not image.save(filename, "PNG"):
        raise OSError(f"could not write {filename}")


def _render_svg(widget: QWidget, title: str, filename: str) -> None:
    """Draw a widget into an SVG file as vectors (images embedded)."""
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    generator = QSvgGenerator()
    generator.setFileName(filename)
    generator.setResolution(widget.logicalDpiX())  # else 72 dpi shrinks the scene
    generator.setSize(widget.size())
    generator.setViewBox(QRect(0, 0, widget.width(), widget.height()))
    generator.setTitle(title)
    generator.setDescription("Exported from K-Means Studio")
    painter = QPainter(generator)
    # In export mode pyqtgraph draws every symbol as a vector path (on screen it
    # stamps cached pixmaps) and redraws the axes for the target.
    scene = widget.scene() if hasattr(widget, "scene") else None  # a plot's
    items = [] if scene is None else [i for i in scene.items() if hasattr(i, "setExportMode")]
    if scene is not None:
        background = widget.backgroundBrush().color()
    else:
        background = widget.palette().color(widget.backgroundRole())
        painter.fillRect(QRect(0, 0, widget.width(), widget.height()), background)
    options = {"antialias": True, "background": background,
               "painter": painter, "resolutionScale": 1.0}
    for item in items:
        item.setExportMode(True, options)
    try:
        if scene is None:
            widget.render(painter, QPoint())
        else:
            widget.render(painter)  # QGraphicsView.render: the scene, scaled to fit
    finally:
        for item in items:
            item.setExportMode(False)
        painter.end()


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
