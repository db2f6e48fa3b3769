"""The window's file work: saving the compressed image, exporting views, tables and
scripts, sessions.  A mixin of `MainWindow` (it uses the window's controller, sources,
settings, actions and `show_message`), kept apart so each file stays readable.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Hashable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from kmeans_studio.core._validation import error_sentence
from kmeans_studio.qt.jobs import BackgroundJob

LABELLED_FILTER = "Labelled images (*.npz)"
SESSION_FILTER = "K-Means Studio sessions (*.kmeans.json *.json)"
TABLE_FILTER = "Tables (*.csv *.tsv *.tab *.txt *.npy *.npz)"
#: Which page shows each kind of session source.
SOURCE_PAGES = {"blobs": "blobs", "digits": "digits", "labelled_file": "digits",
                "sample_image": "image", "image_file": "image", "table": "table"}


@dataclasses.dataclass
class Opening:
    """A file being opened, until its data are on screen.

    `show`, for a session, puts the session's data source and parameters on its page:
    called only once the data have loaded, so a session that fails changes nothing.
    """

    source: object
    path: str
    data_key: Hashable
    show: Callable[[], None] | None = None


class FileActions:
    """Saving, exporting and sessions for `MainWindow`."""

    def save_compressed(self) -> Path | None:
        """Ask where, then save the compressed image (indexed PNG by default)."""
        image = self.sources["image"]
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
        from kmeans_studio.core.images import save_image

        image = self.sources["image"]
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
            self.show_message(f"Could not save “{Path(path).name}”: {reason}")
            return None
        self.settings["files/last_folder"] = str(written.parent)
        self.statusBar().showMessage(f"Saved {written}", 8000)
        return written

    def _stem(self) -> str:
        """A file name stem for what is shown ("china", "digits", "blobs")."""
        snap = self.controller.snapshot
        name = snap.dataset.name if snap is not None and snap.dataset is not None else "kmeans"
        return Path(name).stem.lower().replace(" ", "-")

    def _fill_export_menu(self) -> None:
        """One entry per view of the current page, then the tables and the script."""
        menu = self.export_menu
        menu.clear()
        for name in self.source.export_targets:
            action = menu.addAction(f"{name} as PNG or SVG…")
            action.triggered.connect(lambda checked=False, n=name: self.export_view(n))
        menu.addSeparator()
        for key in ("export_centers", "export_labels", "export_script"):
            menu.addAction(self.actions[key])

    def _ask_save_path(self, title: str, stem: str, filters: str) -> Path | None:
        folder = self.settings["files/last_folder"] or str(Path.home())
        path, _ = QFileDialog.getSaveFileName(self, title, str(Path(folder) / stem), filters)
        if not path:
            return None
        self.settings["files/last_folder"] = str(Path(path).parent)
        return Path(path)

    def export_view(self, name: str | None = None, path: str | os.PathLike | None = None
                    ) -> Path | None:
        """Save one view of the page (the main one by default) as PNG, or SVG when the
        name ends in .svg; asks where when `path` is None."""
        import pyqtgraph.exporters as exporters

        targets = self.source.export_targets
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
        if path.suffix.lower() == ".svg":
            # Qt's own SVG generator: pyqtgraph 0.14's SVGExporter fails on the path
            # data Qt 6 writes (pyqtgraph issue #3485).
            write = functools.partial(_render_svg, targets[name], name)
        else:
            exporter = exporters.ImageExporter(targets[name].plotItem)
            # Crisp on HiDPI screens and in print: twice the on-screen pixels.
            exporter.parameters()["width"] = 2 * int(exporter.parameters()["width"])
            write = exporter.export
        from kmeans_studio.core.images import atomic_write

        return self._saved(path, lambda: atomic_write(path, write))

    # ------------------------------------------------------------------ sessions
    def current_session(self):
        """The shown state as a `Session`, or None (with a message) when it has none."""
        import numpy as np

        from kmeans_studio.core.session import Session

        snap = self.controller.snapshot
        if snap is None or snap.iteration is None or snap.request is None:
            self.show_message("There is no run to save yet: place or initialise centres first.")
            return None
        request = snap.request
        if request.source is None:
            self.show_message("A pasted image cannot be saved in a session or script: save it "
                              "as a file, open that file, and try again.")
            return None
        if isinstance(request.init, str) or request.init is None:
            init = request.init or "click"
        else:  # a function (images) or centres chosen in the Explore dock
            init = "k-means++ on a pixel sample" if callable(request.init) else "given centres"
        run = {"n_clusters": snap.iteration.n_clusters, "init": init, "n_init": request.n_init,
               "random_state": request.random_state, "max_iter": request.max_iter,
               "tol": request.tol}
        return Session(dict(request.source), run, np.array(snap.trail),
                       np.array(snap.inertia[: snap.index + 1]), snap.index,
                       snap.dataset.description)

    def _save_session_dialog(self) -> None:
        session = self.current_session()
        if session is None:
            return
        from kmeans_studio.core.session import SESSION_SUFFIX

        path = self._ask_save_path("Save session", self._stem() + SESSION_SUFFIX,
                                   SESSION_FILTER)
        if path is not None:
            self.save_session(path, session)

    def save_session(self, path: str | os.PathLike, session=None) -> Path | None:
        """Write the shown state as a session file (atomic)."""
        session = session or self.current_session()
        return None if session is None else self._saved(path, lambda: session.save(path))

    def open_session(self, path: str | os.PathLike) -> bool:
        """Check a session file whole, then rebuild its data and replay its run to the
        saved state.  Nothing on screen changes until its data have loaded (the page,
        its parameters and the run shown stay as they were when it cannot be opened);
        every refusal is one sentence in a message box."""
        from kmeans_studio.core.session import Session, missing_file

        path = Path(path)
        try:
            session = Session.load(path)
        except Exception as exc:  # noqa: BLE001 - whatever the file holds, a sentence
            self.show_message(error_sentence(exc, path.name))
            return False
        missing = missing_file(session.source)
        if missing is not None:
            self.show_message(f"Cannot open “{path.name}”: the file its data come from, "
                              f"“{Path(missing).name}”, is not there any more.")
            return False
        source = self.sources[SOURCE_PAGES[session.source["kind"]]]
        run = session.run
        request = dataclasses.replace(
            source.panel.request_for(session.source), init=session.initial_centers,
            n_init=1, n_clusters=len(session.initial_centers),
            random_state=run["random_state"], max_iter=run["max_iter"], tol=run["tol"],
            advance_to=session.position, expected_trail=session.trail)
        self._opening = Opening(source, str(path), request.data_key,
                                functools.partial(source.panel.restore, session.source, run))
        self._start(source, request)
        return True

    # ------------------------------------------------------------------ tables, script
    def export_text(self, what: str, path: str | os.PathLike) -> Path | None:
        """Write "centres" or "labels" (CSV) or "script" (Python) for the shown state."""
        from kmeans_studio.core import session as sessions
        from kmeans_studio.core.images import atomic_write

        snap = self.controller.snapshot
        if snap is None or snap.iteration is None:
            self.show_message("There are no centres to export yet.")
            return None
        state = snap.iteration
        if what == "labels" and state.labels is None:
            self.show_message("No sample has a cluster yet: step once to assign them.")
            return None
        if what == "labels":  # maybe millions of rows: written off the GUI thread
            self._write_in_background(
                path, sessions.labels_csv_chunks(snap.dataset, state.labels),
                1 + -(-snap.dataset.n_samples // 50_000), "Writing the labels")
            return Path(path)
        if what == "script":
            from kmeans_studio.core.script import python_script

            session = self.current_session()
            if session is None:
                return None
            text = python_script(session, Path(path).name)
        else:
            text = sessions.centers_csv(snap.dataset, state.centers, state.labels)
        return self._saved(path, lambda: atomic_write(
            path, lambda temp: Path(temp).write_text(text, encoding="utf-8")))

    def _write_in_background(self, path, chunks, n_chunks: int, what: str) -> None:
        """Write text `chunks` to `path` on a helper thread (`BackgroundJob`), with
        progress and Cancel in the status bar; the file appears (atomically) only when
        complete.  A new export replaces one under way."""
        from kmeans_studio.core.images import atomic_write

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

    @property
    def _exports(self):
        """The export job, made (and connected) once."""
        job = getattr(self, "_export_job", None)
        if job is None:
            job = self._export_job = BackgroundJob("export", self)
            job.progressed.connect(
                lambda done, total: self._on_busy(None, f"{self._export_what}…", done, total))
            job.succeeded.connect(lambda path: self._export_ended(f"Saved {path}"))
            job.failed.connect(lambda message: self._export_ended(message, failed=True))
            job.cancelled.connect(
                lambda: self._export_ended("Export cancelled: nothing was written."))
        return job

    def cancel_export(self) -> None:
        """Stop a background export (its file is not written) and wait for it."""
        job = getattr(self, "_export_job", None)
        if job is not None and job.running:
            job.cancel()

    def _export_ended(self, message: str, failed: bool = False) -> None:
        self._on_busy(None, "", 0, 0)
        if failed:
            self.show_message(message)
        else:
            self.statusBar().showMessage(message, 8000)

    def _export_text_dialog(self, what: str) -> None:
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


def _render_svg(widget: QWidget, title: str, filename: str) -> None:
    """Draw a widget into an SVG file as vectors (images embedded)."""
    from PySide6.QtCore import QRect
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
    items = [i for i in widget.scene().items() if hasattr(i, "setExportMode")]
    options = {"antialias": True, "background": widget.backgroundBrush().color(),
               "painter": painter, "resolutionScale": 1.0}
    for item in items:
        item.setExportMode(True, options)
    try:
        widget.render(painter)
    finally:
        for item in items:
            item.setExportMode(False)
        painter.end()
