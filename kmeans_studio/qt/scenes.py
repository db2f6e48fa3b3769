"""Every page in the states a user meets, for the screenshot check.

`python -m kmeans_studio.qt.scenes FOLDER` renders each scene at 1024×700 and
1920×1080, in a light and a dark palette, into FOLDER (run it after touching a view,
and look at the pictures); `tests/qt/test_layout.py` walks the same scenes and checks
what can be checked automatically.

`python -m kmeans_studio.qt.scenes --x11 FOLDER` shows them as a user sees them: a
real X11 screen (Xvfb) of 1024×768, 1200×800 and 1920×1080 with a window manager
(openbox) framing the maximised window, each screen grabbed whole.  It needs the
Debian packages xvfb and openbox.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QCoreApplication, QEvent, QThread
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

SIZES = ((1024, 700), (1920, 1080))

#: The screens `--x11` shows the window on: a projector's, the default window's, a
#: desktop's.
SCREENS = ((1024, 768), (1200, 800), (1920, 1080))

#: A dark palette like the desktops' (Breeze Dark's main colours).
DARK = {
    QPalette.ColorRole.Window: "#2a2e32", QPalette.ColorRole.WindowText: "#fcfcfc",
    QPalette.ColorRole.Base: "#1b1e20", QPalette.ColorRole.AlternateBase: "#232629",
    QPalette.ColorRole.Text: "#fcfcfc", QPalette.ColorRole.Button: "#31363b",
    QPalette.ColorRole.ButtonText: "#fcfcfc", QPalette.ColorRole.Highlight: "#3daee9",
    QPalette.ColorRole.HighlightedText: "#fcfcfc", QPalette.ColorRole.ToolTipBase: "#31363b",
    QPalette.ColorRole.ToolTipText: "#fcfcfc", QPalette.ColorRole.PlaceholderText: "#a1a9b1",
    QPalette.ColorRole.Light: "#40464c", QPalette.ColorRole.Midlight: "#363b40",
    QPalette.ColorRole.Mid: "#24282b", QPalette.ColorRole.Dark: "#1c1f22",
    QPalette.ColorRole.Shadow: "#101112", QPalette.ColorRole.Link: "#1d99f3",
    QPalette.ColorRole.LinkVisited: "#9b59b6",
}


def palette(dark: bool) -> QPalette:
    """The style's own light palette, or `DARK`."""
    if not dark:
        return QApplication.style().standardPalette()
    result = QPalette()
    for role, colour in DARK.items():
        result.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        result.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6e7175"))
    return result


def wait(condition: Callable[[], bool], timeout: float = 120.0) -> None:
    """Process events until `condition()` holds (TimeoutError after `timeout` s)."""
    end = time.monotonic() + timeout
    QCoreApplication.processEvents()  # (what is posted is done, even if it holds now)
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the window did not reach the scene's state")
        QThread.msleep(5)
        QCoreApplication.processEvents()


def settle_layout() -> None:
    """Carry out the layout requests a state change posted: each level of nested
    layouts posts the next level's request as it is carried out."""
    for _ in range(8):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        QCoreApplication.processEvents()


def settled(window) -> bool:
    """Nothing runs and the page shows its newest state."""
    snap = window.controller.snapshot
    return (snap is not None and snap.iteration is not None
            and window.page.accepts(snap.dataset) and not window.progress.isVisible()
            and not window.explore.busy and not window.page.panel.pending)


def _show_page(window, key: str) -> None:
    window.page_bar.setCurrentIndex(window.page_bar.findData(key))
    wait(lambda: settled(window))


def _converged(window) -> None:
    window.controller.run_to_end()
    wait(lambda: settled(window) and window.controller.snapshot.done)


def _blobs_of_shape(window, name: str) -> None:
    """The Blobs page on points of shape `name` (k set to its number of groups),
    clustered by k-means, without lines to centres."""
    _show_page(window, "blobs")
    window.actions["show_links"].setChecked(False)
    model = window.pages["blobs"].panel.run.model
    model.setCurrentIndex(model.findData("kmeans"))
    box = window.pages["blobs"].panel.data.shape
    box.setCurrentIndex(box.findData(name))
    wait(lambda: settled(window)
         and getattr(window.controller.snapshot.request.data, "shape", None) == name)


def blobs_stepped(window) -> None:
    _blobs_of_shape(window, "blobs")
    window.controller.reset()
    for _ in range(3):
        window.controller.step()
    wait(lambda: settled(window) and window.controller.snapshot.index == 3)


def blobs_links(window) -> None:
    """The seed's blobs stepped, each point joined to its centre, with Lloyd's loop
    beside them."""
    blobs_stepped(window)
    window.actions["show_links"].setChecked(True)
    window.pseudocode_dock.show()


def blobs_pseudocode(window) -> None:
    """The seed's blobs stepped, with Lloyd's loop beside them."""
    blobs_stepped(window)
    window.pseudocode_dock.show()


def blobs_mixture(window) -> None:
    """The stretched blobs, where k-means fails, with a full-covariance Gaussian
    mixture after a few EM half-steps: ellipses, shaded points, its regions."""
    _blobs_of_shape(window, "anisotropic")
    model = window.pages["blobs"].panel.run.model
    model.setCurrentIndex(model.findData("full"))
    wait(lambda: settled(window) and window.controller.snapshot.request.model == "full")
    window.controller.reset()
    for _ in range(5):
        window.controller.step()
    wait(lambda: settled(window) and window.controller.snapshot.index == 5)
    window.pseudocode_dock.show()


def blobs_drawn(window) -> None:
    """Two moons drawn with the brush, one class each, k-means converged (and cutting
    them wrongly)."""
    import numpy as np

    from kmeans_studio.core.data.drawing import NAME

    _show_page(window, "blobs")
    panel = window.pages["blobs"].panel
    panel.run.model.setCurrentIndex(panel.run.model.findData("kmeans"))
    panel.data.shape.setCurrentIndex(panel.data.shape.findData("drawn"))
    panel.run.n_clusters.setValue(2)
    # (Nothing to cluster yet: the canvas is empty.)
    wait(lambda: window.controller.snapshot is not None
         and window.controller.snapshot.dataset.name == NAME)
    for cls, (cx, cy, start) in enumerate(((-2.0, 2.0, 0.0), (1.0, 3.5, np.pi))):
        panel.brush.cls.setCurrentIndex(panel.brush.cls.findData(cls))
        panel.stroke_started()
        for angle in np.linspace(start, start + np.pi, 60):
            panel.stroke_moved(cx + 3 * np.cos(angle), cy + 3 * np.sin(angle), 0.4, False)
        panel.stroke_finished()
    count = len(panel.sketch.drawing)
    wait(lambda: settled(window) and window.controller.snapshot.dataset.n_samples == count)
    _converged(window)


def _shape(name: str):
    def scene(window) -> None:
        _blobs_of_shape(window, name)
        _converged(window)
    scene.__name__ = f"blobs_{name}"
    return scene


def digits_converged(window) -> None:
    _show_page(window, "digits")
    match = window.pages["digits"].panel.match
    match.setCurrentIndex(match.findData("hungarian"))
    _converged(window)


def digits_mode_matching(window) -> None:
    """Each cluster named after its most common digit: two share one, and the page
    warns in orange above the confusion matrix."""
    digits_converged(window)
    match = window.pages["digits"].panel.match
    match.setCurrentIndex(match.findData("mode"))
    wait(lambda: window.pages["digits"].confusion.warning.isVisible())


def _explore(page: str, tab: str):
    def scene(window) -> None:
        window.pseudocode_dock.hide()
        if page == "blobs":
            _blobs_of_shape(window, "blobs")
        _show_page(window, page)
        _converged(window)
        window.show_explore(tab)
        wait(lambda: settled(window) and getattr(window.explore, tab).view_has_result())
    scene.__name__ = f"{page}_explore_{tab}"
    return scene


def mixture_explore_sweep(window) -> None:
    """The seed's blobs with a full-covariance mixture converged, and its sweep: BIC
    and AIC beside the scores."""
    window.pseudocode_dock.hide()
    _blobs_of_shape(window, "blobs")
    model = window.pages["blobs"].panel.run.model
    model.setCurrentIndex(model.findData("full"))
    wait(lambda: settled(window) and window.controller.snapshot.request.model == "full")
    _converged(window)
    window.show_explore("sweep")
    wait(lambda: settled(window) and window.explore.sweep.view_has_result())


def moons_other_algorithms(window) -> None:
    """The moons (the notebook's noise, 0.05, at the default spread), k-means
    converged, the other algorithms beside."""
    window.pseudocode_dock.hide()
    _blobs_of_shape(window, "moons")
    _converged(window)
    window.show_explore("algorithms")
    wait(lambda: settled(window) and window.explore.algorithms.view_has_result())


def _image(mode: int):
    def scene(window) -> None:
        _show_page(window, "image")
        image = window.pages["image"]
        sample = image.panel.sample
        if getattr(image.panel.request().data, "name", None) != "china.jpg":
            sample.setCurrentText("china.jpg")
            image.panel.set_source(("sample", "china.jpg"))
        wait(lambda: settled(window) and window.controller.snapshot.done
             and window.controller.snapshot.dataset.name == "china.jpg"
             and image.stats.table.rowCount() == 4)
        image.compare.set_mode_index(mode)
    scene.__name__ = ("image_side_by_side", "image_wipe")[mode]
    return scene


def image_quality_curve(window) -> None:
    """china.jpg's PSNR and PNG size against k, with the target box."""
    _image(0)(window)
    image = window.pages["image"]
    image.lower_tabs.setCurrentWidget(image.curve)
    wait(lambda: image.curve.note.text().startswith("k-means at"))


def image_transparent(window) -> None:
    """china.jpg cut out with a soft round edge: transparency over a checkerboard."""
    from PIL import Image
    from sklearn.datasets import load_sample_image

    _show_page(window, "image")
    photo = load_sample_image("china.jpg")
    h, w = photo.shape[:2]
    y, x = np.mgrid[0:h, 0:w]
    edge = np.hypot((x - w / 2) / (w / 2), (y - h / 2) / (h / 2))
    alpha = np.clip((1 - edge) * 4 * 255, 0, 255).astype(np.uint8)
    path = Path(tempfile.mkdtemp(prefix="kmeans-studio-scenes-")) / "cut-out.png"
    Image.fromarray(np.dstack([photo, alpha]), "RGBA").save(path)
    window.open_path(path)
    image = window.pages["image"]
    wait(lambda: settled(window) and window.controller.snapshot.done
         and window.controller.snapshot.dataset.name == "cut-out.png"
         and image.stats.table.rowCount() >= 2)
    image.compare.set_mode_index(0)


def table_iris(window) -> None:
    from kmeans_studio.core.data.tables import IRIS_CHOICE

    _show_page(window, "table")
    panel = window.pages["table"].panel
    panel.run.model.setCurrentIndex(panel.run.model.findData("kmeans"))
    panel.run.n_clusters.setValue(3)  # its three species
    panel.set_table(None, IRIS_CHOICE)
    wait(lambda: settled(window) and window.controller.snapshot.dataset.y is not None
         and window.controller.snapshot.dataset.n_samples == 150
         and window.controller.snapshot.request.n_clusters == 3)
    _converged(window)


def table_iris_mixture(window) -> None:
    """Iris with a full-covariance mixture converged: ellipses in the principal plane."""
    table_iris(window)
    model = window.pages["table"].panel.run.model
    model.setCurrentIndex(model.findData("full"))
    wait(lambda: settled(window) and window.controller.snapshot.request.model == "full")
    _converged(window)


#: Twenty classes with long names: the most the confusion matrix is made to hold.
LONG_CLASS_NAMES = tuple(f"{genus} {species}" for genus, species in zip(
    ("Quercus", "Acer", "Fagus", "Betula", "Fraxinus", "Tilia", "Carpinus", "Alnus",
     "Sorbus", "Prunus", "Salix", "Populus", "Ulmus", "Juglans", "Castanea", "Pinus",
     "Picea", "Abies", "Larix", "Taxus"),
    ("robur", "pseudoplatanus", "sylvatica", "pendula", "excelsior", "cordata", "betulus",
     "glutinosa", "aucuparia", "avium", "alba", "tremula", "glabra", "regia", "sativa",
     "sylvestris", "abies", "alba", "decidua", "baccata")))


def labelled_table(folder: Path) -> Path:
    """A CSV of 600 rows, 4 measurements and a label column of `LONG_CLASS_NAMES`."""
    rng = np.random.default_rng(7)
    centres = rng.uniform(-10, 10, size=(len(LONG_CLASS_NAMES), 4))
    label = rng.integers(len(LONG_CLASS_NAMES), size=600)
    X = centres[label] + rng.normal(size=(600, 4))
    path = folder / "trees.csv"
    with path.open("w", encoding="utf-8") as file:
        file.write("height,girth,leaf length,leaf width,species\n")
        for row, name in zip(X, label):
            file.write(",".join(f"{v:.3f}" for v in row) + f",{LONG_CLASS_NAMES[name]}\n")
    return path


def table_labelled(window) -> None:
    from kmeans_studio.core.data.tables import TableChoice

    _show_page(window, "table")
    panel = window.pages["table"].panel
    panel.run.model.setCurrentIndex(panel.run.model.findData("kmeans"))
    path = labelled_table(Path(tempfile.mkdtemp(prefix="kmeans-studio-scenes-")))
    panel.run.n_clusters.setValue(len(LONG_CLASS_NAMES))
    panel.set_table(str(path), TableChoice(("height", "girth", "leaf length", "leaf width"),
                                           "species"))
    wait(lambda: settled(window) and window.controller.snapshot.dataset.n_samples == 600
         and window.controller.snapshot.request.n_clusters == len(LONG_CLASS_NAMES))
    _converged(window)


_SENSORS: list[Path] = []


def table_on_a_cluster(window) -> None:
    """A folder of Parquet files (200,000 rows) on a dask cluster the window starts,
    run to convergence: the plot draws a sample, the status bar links the dashboard."""
    import numpy as np
    import pandas as pd

    from kmeans_studio.core.data.tables import TableChoice

    _show_page(window, "table")
    panel = window.pages["table"].panel
    panel.run.model.setCurrentIndex(panel.run.model.findData("kmeans"))
    if not _SENSORS:  # written once: every size shows the same table, loaded once
        folder = Path(tempfile.mkdtemp(prefix="kmeans-studio-scenes-")) / "sensors"
        folder.mkdir()
        rng = np.random.default_rng(5)
        centres = rng.uniform(0, 40, (5, 4))
        for part in range(4):
            rows = centres[rng.integers(0, 5, 50_000)] + rng.normal(0, 3, (50_000, 4))
            pd.DataFrame(rows, columns=["speed", "load", "temperature", "vibration"]
                         ).to_parquet(folder / f"part-{part}.parquet")
        _SENSORS.append(folder)
    folder = _SENSORS[0]
    panel.run.n_clusters.setValue(5)
    panel.set_table(str(folder), TableChoice(("speed", "load", "temperature", "vibration"),
                                             scaling="standardise", cluster=True))
    wait(lambda: settled(window) and window.controller.snapshot.dataset.cluster is not None
         and window.controller.snapshot.request.n_clusters == 5, timeout=180)
    _converged(window)


def _tour(index: int):
    """Section `index` of the tour of the notebook, its state shown (Show me), the
    tour's dock beside it."""
    def scene(window) -> None:
        from kmeans_studio.qt.tour import STEPS

        dock = window.guide.start()
        dock.go_to(index)
        if STEPS[index].source is None:
            return
        shown = []
        window.guide.step_shown.connect(shown.append)
        dock.show_me.click()
        wait(lambda: index in shown)
        window.guide.step_shown.disconnect(shown.append)
    scene.__name__ = f"tour_{index + 1}"
    return scene


def _close_explore(scene):
    """`scene` with the tour ended and the Explore and Pseudocode docks closed (unless
    it opens them)."""
    def closed(window) -> None:
        window.guide.end()
        window.explore.hide()
        window.pseudocode_dock.hide()
        scene(window)
    closed.__name__ = scene.__name__
    return closed


#: (name, scene): each puts the window in a state a user meets.
SCENES = [(scene.__name__, scene) for scene in (
    _close_explore(blobs_stepped),
    _close_explore(blobs_pseudocode),
    _close_explore(blobs_links),
    _close_explore(blobs_mixture),
    _close_explore(blobs_drawn),
    *(_close_explore(_shape(name)) for name in
      ("anisotropic", "unequal_variance", "uneven_sizes", "circles", "moons", "uniform",
       "smiley", "packed_circles")),
    _close_explore(digits_converged),
    _close_explore(digits_mode_matching),
    _explore("digits", "sweep"),
    _close_explore(_image(0)),
    _close_explore(_image(1)),
    _close_explore(image_transparent),
    _close_explore(image_quality_curve),
    _close_explore(table_iris),
    _close_explore(table_iris_mixture),
    _close_explore(table_labelled),
    _close_explore(table_on_a_cluster),
    _explore("blobs", "sweep"),
    _explore("blobs", "silhouette"),
    _explore("blobs", "race"),
    _explore("image", "silhouette"),
    moons_other_algorithms,
    mixture_explore_sweep,
    # The tour last: its dock stays open from one section to the next.
    *(_tour(index) for index in range(8)),
)]


def render(folder: Path, sizes=SIZES, palettes=("light", "dark"), screen: str = "",
           only=()) -> list[Path]:
    """Every scene at every size in every palette, as FOLDER/scene-palette-WxH.png;
    with `screen` (its "WxH"), the window maximised on the X11 screen it runs on and
    the whole screen grabbed, window manager's frame included."""
    from kmeans_studio.app import application, build_window

    folder.mkdir(parents=True, exist_ok=True)
    app = application()
    app.setStyle("Fusion")  # the same look on every machine
    saved = []
    for tone in palettes:
        app.setPalette(palette(tone == "dark"))
        _own_settings()  # each palette from the same start, not the last one's settings
        window = build_window()  # (views take the palette they are built in)
        if screen:
            window.showMaximized()
            sizes = [None]
        else:
            window.show()
        for name, scene in SCENES:
            if only and name not in only:
                continue
            for size in sizes:
                if size is not None:
                    window.resize(*size)
                scene(window)
                wait(lambda w=window: settled(w))
                settle_layout()
                if screen:
                    path = folder / f"{name}-{tone}-{screen}.png"
                    app.primaryScreen().grabWindow(0).save(str(path))
                else:
                    path = folder / f"{name}-{tone}-{size[0]}x{size[1]}.png"
                    window.grab().save(str(path))
                saved.append(path)
        window.close()
    return saved


def render_x11(folder: Path, only=(), screens=SCREENS) -> int:
    """`render` on each of `screens`, each a new Xvfb server with openbox."""
    status = 0
    for number, (width, height) in enumerate(screens, start=90):
        display = f":{number}"
        server = subprocess.Popen(["Xvfb", display, "-screen", "0", f"{width}x{height}x24",
                                   "-nolisten", "tcp"], stderr=subprocess.DEVNULL)
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        try:
            time.sleep(1.0)  # (Xvfb takes a moment to accept clients)
            manager = subprocess.Popen(["openbox"], env=env, stderr=subprocess.DEVNULL)
            time.sleep(1.0)
            status |= subprocess.call([sys.executable, "-m", "kmeans_studio.qt.scenes",
                                       "--screen", f"{width}x{height}", str(folder),
                                       *only],
                                      env=env)
            manager.terminate()
        finally:
            server.terminate()
            server.wait()
    return status


def _own_settings() -> None:
    """Settings of their own: the user's window state is neither used nor changed."""
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      tempfile.mkdtemp(prefix="kmeans-studio-settings-"))


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m kmeans_studio.qt.scenes",
                                     description="Render the screenshot scenes.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("scenes", nargs="*", metavar="SCENE",
                        help="only these scenes (default: all)")
    parser.add_argument("--x11", action="store_true",
                        help="on real X11 screens of 1024×768, 1200×800 and 1920×1080")
    parser.add_argument("--screen", default="", help=argparse.SUPPRESS)  # (one of them)
    args = parser.parse_args(argv)
    if args.x11:
        return render_x11(args.folder, args.scenes)
    unknown = set(args.scenes) - {name for name, _ in SCENES}
    if unknown:
        parser.error(f"no scene named {', '.join(sorted(unknown))}")
    if not args.screen:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    for path in render(args.folder, screen=args.screen, only=args.scenes):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
