"""Help ▸ Tour of the notebook: the sections of "K-Means In-Depth" (Jake VanderPlas) in
order, each a few sentences and a state of the studio to show (`TourStep`), in a dock
with Back, Show me, Next and End (`TourDock`); and the frame that points at what to
look at (`Highlight`).  The window puts the states on its pages (`window.touring`).
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QEvent, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from kmeans_studio.qt.layout import WrappedLabel

#: The notebook's blobs: make_blobs(300, centers=4, cluster_std=0.6, random_state=0).
BLOBS = {"kind": "blobs", "shape": "blobs", "n_samples": 300, "n_centers": 4,
         "cluster_std": 0.6, "random_state": 0}
#: The notebook's moons: make_moons(200, noise=0.05), the noise of the spread 0.6.
MOONS = dict(BLOBS, shape="moons", n_samples=200, noise=0.05)


def _run(k: int, init: str = "k-means++", seed: int = 0, n_init: int = 1, **more) -> dict:
    return {"model": "kmeans", "n_clusters": k, "init": init, "n_init": n_init,
            "random_state": seed, "max_iter": 300, "tol": 1e-4, **more}


@dataclasses.dataclass(frozen=True)
class TourStep:
    """One section of the notebook, and the state that shows it.

    Attributes
    ----------
    title, text : str
        The section's name and a few sentences (rich text).
    source : dict or None
        The data (a session's source); None for a section that changes nothing.
    run : dict
        The run on them (a session's run fields; "match" for the Digits page).
    to_end : bool
        Run to convergence at once (else shown at its initial centres, to step).
    explore : str
        The Explore dock's tab to open ("" for none); `pseudocode`: open that dock.
    look_at : str
        The object name of the widget the frame points at.
    """

    title: str
    text: str
    source: dict | None = None
    run: dict = dataclasses.field(default_factory=dict)
    to_end: bool = True
    explore: str = ""
    pseudocode: bool = False
    look_at: str = ""


#: The seed whose random start walks ten iterations to the four blobs
#: (`parameters.BLOBS_SEED`), and one whose random start ends in a local minimum
#: (inertia 523.66 after 3 iterations, against 212.01 for the four blobs).
WALKING_SEED, STUCK_SEED = 36, 5

STEPS = (
    TourStep(
        "1. Four blobs, k = 4",
        "<p>Three hundred points drawn around four centres. k-means looks for <b>k "
        "centres</b> such that each point belongs to its nearest centre and each centre "
        "is the mean of its points.</p><p>With k = 4 it finds the four blobs: the "
        "<b>inertia</b> (the sum of squared distances from points to their centres) "
        "ends at 212.0, the smallest any four centres reach here.</p>",
        BLOBS, _run(4), look_at="scatter_plot"),
    TourStep(
        "2. The EM loop, a half-step at a time",
        "<p>k-means alternates two half-steps, as expectation–maximisation does: "
        "<b>assign</b> each point to its nearest centre (E), then <b>update</b> each "
        "centre to the mean of its points (M), until the centres stop moving.</p>"
        "<p>Here it starts from four random points of the data. Press <b>Step</b> "
        "(→) and watch the Pseudocode dock mark each line; ← goes back. It takes ten "
        "iterations to reach the four blobs.</p>",
        BLOBS, _run(4, "random", WALKING_SEED), to_end=False, pseudocode=True,
        look_at="pseudocode"),
    TourStep(
        "3. A bad start: a local minimum",
        "<p>The loop only ever lowers the inertia, so where it ends depends on where it "
        "starts. From these random points two centres share one blob and one centre "
        "sits between two: the run converges at an inertia of <b>523.7</b>, not "
        "212.0.</p><p>The Race tab of the Explore dock runs many seeds side by side; "
        "scikit-learn keeps the best of several starts (<i>Starts</i>, n_init) and "
        "starts with k-means++, which spreads the first centres out.</p>",
        BLOBS, _run(4, "random", STUCK_SEED), explore="race", look_at="inertia_plot"),
    TourStep(
        "4. The wrong k",
        "<p>k-means finds as many clusters as it is asked for, whether or not the data "
        "have them: with k = 6 it cuts two of the four blobs in half.</p><p>The "
        "Choose k tab runs every k and plots the inertia (look for the elbow) and the "
        "silhouette; neither is a proof, both are hints.</p>",
        BLOBS, _run(6), explore="sweep", look_at="scatter_plot"),
    TourStep(
        "5. Boundaries are straight lines",
        "<p>Each cluster is the region nearer its centre than any other (a Voronoi "
        "cell), so the boundaries between clusters are straight: on two moons, k-means "
        "with k = 2 cuts both in half.</p><p>The Other algorithms tab runs methods that "
        "follow the data's shape: <b>spectral clustering</b> (a nearest-neighbour "
        "graph) separates the two moons.</p>",
        MOONS, _run(2), explore="algorithms", look_at="algorithm_grid"),
    TourStep(
        "6. Handwritten digits",
        "<p>1,797 digits of 8×8 pixels: each is a point in 64 dimensions. k-means with "
        "k = 10 (the best of ten starts) never sees the labels, yet its centres look "
        "like digits.</p><p>Naming each cluster after its most common digit, as the "
        "notebook does, about <b>79%</b> of the digits are labelled right. The "
        "confusion matrix shows where it fails: two clusters are named 1 and none 8 "
        "(most 8s fall in with the 1s), and many 5s and 8s in with the 9s.</p>",
        {"kind": "digits"}, _run(10, n_init=10, match="mode"), look_at="confusion_plot"),
    TourStep(
        "7. Colour compression",
        "<p>A photo's pixels are points in colour space. k-means with k = 64 finds 64 "
        "colours that stand for all of them, and each pixel takes its cluster's colour: "
        "a 64-colour palette that looks almost like the original.</p><p>Drag the "
        "slider to compare; File ▸ Save compressed image writes the PNG. Drop your "
        "own photo on the window to compress it.</p>",
        {"kind": "sample_image", "name": "china.jpg"}, _run(64), look_at="compare_view"),
    TourStep(
        "8. Take it home",
        "<p>File ▸ Export ▸ <b>Jupyter notebook</b> writes the run shown as a notebook "
        "that rebuilds the data, reproduces the run with scikit-learn from the same "
        "centres and draws these figures, with the same numbers. File ▸ Save session "
        "keeps the state to open again.</p><p>End the tour to get your own pages back "
        "as you left them.</p>"),
)


class TourDock(QDockWidget):
    """The tour's panel: a section's title and text, Back, Show me, Next, End.

    Signals
    -------
    section_changed(int)
        Back or Next went to the section of this index.
    show_requested(int)
        "Show me" for the section of this index.
    ended()
        End tour, or the dock closed.
    """

    section_changed = Signal(int)
    show_requested = Signal(int)
    ended = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Tour of the notebook", parent)
        self.setObjectName("tour_dock")
        self.index = 0
        body = QWidget()
        self.counter = QLabel()
        self.counter.setObjectName("tour_counter")
        self.title = QLabel()
        self.title.setObjectName("tour_title")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.text = WrappedLabel("")
        self.text.setObjectName("tour_text")
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.back = _button("◀ Back", "The section before (Alt+Left)", "tour_back", self.go_back)
        self.show_me = _button("Show me", "Put the studio in this section's state "
                               "(Alt+S)", "tour_show_me", self._show)
        self.next = _button("Next ▶", "The next section (Alt+Right)", "tour_next", self.go_next)
        self.end = _button("End tour", "Close the tour: your pages come back as they were",
                           "tour_end", self.close)
        self.back.setShortcut("Alt+Left")
        self.next.setShortcut("Alt+Right")
        self.show_me.setShortcut("Alt+S")
        buttons = QHBoxLayout()
        for button in (self.back, self.show_me, self.next):
            buttons.addWidget(button)
        layout = QVBoxLayout(body)
        layout.addWidget(self.counter)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addLayout(buttons)
        layout.addWidget(self.end)
        layout.addStretch(1)
        self.setWidget(body)
        self.go_to(0)

    def go_to(self, index: int) -> None:
        self.index = max(0, min(index, len(STEPS) - 1))
        step = STEPS[self.index]
        self.counter.setText(f"Section {self.index + 1} of {len(STEPS)}")
        self.title.setText(step.title)
        self.text.setText(step.text)
        self.back.setEnabled(self.index > 0)
        self.next.setEnabled(self.index < len(STEPS) - 1)
        self.show_me.setEnabled(step.source is not None)
        self.section_changed.emit(self.index)

    def go_back(self) -> None:
        self.go_to(self.index - 1)

    def go_next(self) -> None:
        self.go_to(self.index + 1)

    def _show(self) -> None:
        self.show_requested.emit(self.index)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().closeEvent(event)
        self.ended.emit()


def _button(text: str, tip: str, name: str, clicked) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setToolTip(tip)
    button.clicked.connect(clicked)
    return button


class Highlight(QWidget):
    """A frame in the palette's highlight colour around a widget of the window for a
    few seconds, scrolled into view; it follows the widget while its layout settles
    (a tile shown with its results) and lets every click through."""

    SHOWN_MS = 6000

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("tour_highlight")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.target: QWidget | None = None
        self._watched: list[QWidget] = []
        self._settling = QTimer(self)
        self._settling.setSingleShot(True)
        self._settling.setInterval(0)
        self._settling.timeout.connect(lambda: self.target is not None and self._place())
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(lambda: self.point_at(None))
        self.hide()

    def point_at(self, target: QWidget | None) -> None:
        """Frame `target` (None: no frame)."""
        for watched in self._watched:
            if isValid(watched):
                watched.removeEventFilter(self)
        self.target, self._watched = target, []
        if target is None:
            self._timer.stop()
            self.hide()
            return
        # The target and every widget around it: a layout settling anywhere on the
        # way (a dock growing, a grid given its tiles) moves it.
        widget = target
        while widget is not None and widget is not self.parentWidget():
            widget.installEventFilter(self)
            self._watched.append(widget)
            widget = widget.parentWidget()
        self._timer.start(self.SHOWN_MS)
        self._place()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        if event.type() in _FOLLOWED and not self._settling.isActive():
            self._settling.start()  # once the events of this layout pass are done
        return False

    def _place(self) -> None:
        target = self.target
        if not target.isVisible():
            self.hide()
            return
        area = target.parentWidget()
        while area is not None:
            if isinstance(area, QScrollArea):
                area.ensureWidgetVisible(target, 0, 0)
            area = area.parentWidget()
        # The part of it not scrolled away: its rectangle within every one around it.
        window = self.parentWidget()
        shown = QRect(target.mapTo(window, QPoint(0, 0)), target.size())
        around = target.parentWidget()
        while around is not None and around is not window:
            shown &= QRect(around.mapTo(window, QPoint(0, 0)), around.size())
            around = around.parentWidget()
        if shown.isEmpty():
            self.hide()
            return
        self.setGeometry(shown.adjusted(-4, -4, 4, 4))
        self.raise_()
        self.show()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(self.palette().color(QPalette.ColorRole.Highlight), 4)
        painter.setPen(pen)
        painter.drawRoundedRect(self.rect().adjusted(2, 2, -2, -2), 6, 6)


#: The events (of the target or a widget around it) that may move the frame.
_FOLLOWED = (QEvent.Type.Show, QEvent.Type.Move, QEvent.Type.Resize,
             QEvent.Type.LayoutRequest)
