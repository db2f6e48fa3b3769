"""Saving and exporting what the page shown holds: the compressed image, views as
PNG or SVG, centres and labels, a script, an animation, the session.  `Exporter`
reports through signals (a sentence for a message box, a note for the status bar,
progress) and never reaches into the window.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from kmeans_studio.qt.jobs import BackgroundJob
from kmeans_studio.qt.window.opening import SESSION_FILTER


class Exporter(QObject):
    """Saving and exporting for the page shown.

    Parameters
    ----------
    pages : dict
        The window's pages by key (each with its panel, controller and views).
    settings : Settings
    shown : callable
        Returns the page on screen.
    current_session : callable
        Returns the shown state as a `Session`, or None (having said why).
    parent : QWidget
        What the file dialogs belong to.

    Signals
    -------
    said(str)
        A sentence for a message box (a refusal, a failure).
    noted(str, int)
        A note for the status bar, and for how many milliseconds.
    busy(str, int, int)
        A background export: what, done, total (0: unknown); "" when it ended.
    """

    said = Signal(str)
    noted = Signal(str, int)
    busy = Signal(str, int, int)

    def __init__(self, pages: dict, settings, shown: Callable[[], object],
                 current_session: Callable[[], object], parent: QWidget) -> None:
        super().__init__(parent)
        self.pages, self.settings, self._shown, self._widget = pages, settings, shown, parent
        self.current_session = current_session
        self._exports = BackgroundJob("export")
        self._export_what = ""
        self._exports.progressed.connect(
            lambda done, total: self.busy.emit(f"{self._export_what}…", done, total))
        self._exports.succeeded.connect(lambda path: self._export_ended(f"Saved {path}"))
        self._exports.failed.connect(lambda message: self._export_ended(message, failed=True))
        self._exports.cancelled.connect(
            lambda: self._export_ended("Export cancelled: nothing was written."))

    def shutdown(self) -> None:
        """Stop writing (before the window goes away)."""
        self.cancel_export()

    def cancel(self) -> None:
        """Stop the export under way (Cancel)."""
        self.cancel_export()

    def save_compressed(self) -> Path | None:
        """Ask where, then save the compressed image of the page shown (its
        `result()`; indexed PNG by default)."""
        result = self._shown().result()
        if result is None:
            return None
        path = self._ask_save_path(
            "Save compressed image", f"{self._stem()}-k{len(result[0])}.png",
            "Indexed PNG (*.png);;WebP (*.webp);;JPEG (*.jpg *.jpeg);;BMP (*.bmp);;"
            "TIFF (*.tif *.tiff);;GIF (*.gif)")
        return None if path is None else self.write_compressed(path)

    def write_compressed(self, path: str | os.PathLike) -> Path | None:
        """Write the shown result to `path` (atomic; never over the source image)."""
        from kmeans_studio.core.color.images import save_image

        page = self._shown()
        result = page.result()
        if result is None:
            return None
        path = Path(path)
        if not path.suffix:
            path = path.with_suffix(".png")
        source = page.controller.snapshot.dataset.image.path
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

    # ------------------------------------------------------------------ tables, script
    def export_text(self, what: str, path: str | os.PathLike) -> Path | None:
        """Write "centres" or "labels" (CSV), "script" (Python) or "notebook" (Jupyter)
        for the shown state."""
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
        if what in ("script", "notebook"):
            if snap.dataset.image is not None and snap.dataset.image.transparent:
                self.said.emit(f"The {_CODE_EXPORTS[what][0]} does not handle transparency "
                               "yet: it would compress this photo flattened on white, not "
                               "as shown. Export the centres or labels instead.")
                return None
            session = self.current_session()
            if session is None:
                return None
            matching = self._shown().matching
            match = "hungarian" if matching is None else matching.method
            try:  # (a run the cells cannot rebuild is refused in a sentence)
                if what == "script":
                    from kmeans_studio.core.export.script import python_script

                    text = python_script(session, Path(path).name, match)
                else:
                    from kmeans_studio.core.export.notebook import jupyter_notebook

                    text = jupyter_notebook(session, match)
            except ValueError as exc:
                self.said.emit(str(exc))
                return None
        else:
            text = sessions.centers_csv(snap.dataset, state.centers, state.labels)
        return self._saved(path, lambda: atomic_write(
            path, lambda temp: Path(temp).write_text(text, encoding="utf-8")))

    def export_animation(self, path: str | os.PathLike, size: tuple[int, int] | None = None,
                         fps: float | None = None, view: str = "plot") -> bool:
        """Write the run of the page shown, from its first state (or its last edit of
        the centres mid-run) to the state shown, as an animation (`core.animation`:
        GIF, MP4 or PNG frames by `path`; its default size and rate unless given;
        `view` one of `animation.VIEWS`), drawn and written on a helper thread with
        progress and Cancel (a mixture's run is replayed there)."""
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
        # Centres edited mid-run: the run from the last edit on (a run started from
        # the edited centres, state for state), its frames numbered from there.
        start = snap.stretches[-1][0] if snap.stretches else 0
        trail, objective = np.array(snap.trail), np.array(snap.objective[start:])
        run = {"model": request.model, "init": request.init, "random_state":
               request.random_state, "tol": request.tol, "max_iter": request.max_iter}
        size, fps, index = size or animation.SIZE, fps or animation.FPS, snap.index - start

        def work(cancelled, progress):
            replayed = animation.replayed_run(dataset, run, trail[0])
            # The run is replayed for its states' words (and a mixture's labels and
            # ellipses): step by step here, so that Cancel stops it between half-steps
            # (EM on big data takes minutes).
            while replayed is not None and len(replayed.history) <= index and (
                    not replayed.done):
                if cancelled():
                    return None
                replayed.advance()
            states = animation.frame_states(trail, objective, index, replayed,
                                            edited=start > 0)
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
        if what in _CODE_EXPORTS:
            title, suffix, kind = _CODE_EXPORTS[what]
            path = self._ask_save_path(f"Export as {title}", f"{stem}_kmeans{suffix}",
                                       f"{kind} (*{suffix})")
        else:
            path = self._ask_save_path(f"Export {what} as CSV", f"{stem}-{what}.csv",
                                       "CSV table (*.csv)")
        if path is not None:
            self.export_text(what, path)


#: The run exported as code: {what: (its name, suffix, file kind)}.
_CODE_EXPORTS = {"script": ("Python script", ".py", "Python script"),
                 "notebook": ("Jupyter notebook", ".ipynb", "Jupyter notebook")}


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
