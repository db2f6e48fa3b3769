"""The Explore dock: choosing k (a background k-sweep), the silhouette plot of the
clustering shown, and a race of many starts, for whatever data the main view shows.

Each tab runs its work on its own helper thread (`BackgroundJob`) with progress and
Cancel; the main view and its run are never touched until the user clicks a k or a
run, which asks the window (`load_requested`) to show that run from its start.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kmeans_studio.core.data.datasets import Dataset
from kmeans_studio.core.engine.mixture import INITS as MIXTURE_INITS
from kmeans_studio.core.explore.metrics import silhouette_profile
from kmeans_studio.core.explore.race import race
from kmeans_studio.core.explore.sweep import sweep
from kmeans_studio.core.parameters import INIT_CHOICES
from kmeans_studio.qt.contracts import RunRequest, Snapshot
from kmeans_studio.qt.jobs import BackgroundJob
from kmeans_studio.qt.layout import WrappedLabel, scrolled
from kmeans_studio.qt.pages.common import ErrorLabel, push_button, spin_box
from kmeans_studio.qt.views.algorithm_grid import AlgorithmGrid
from kmeans_studio.qt.views.race_plot import RacePlot
from kmeans_studio.qt.views.silhouette_plot import SilhouettePlot
from kmeans_studio.qt.views.sweep_plot import SweepPlot

#: What the window tells the dock: the snapshot shown and the page's request.
Context = Callable[[], tuple[Snapshot | None, RunRequest | None]]
#: The initialisations a race starts from (not centres placed by hand: every start
#: would be the same).
RACE_INITS = tuple(key for key in INIT_CHOICES if key != "click")


def _what(dataset: Dataset) -> str:
    return "pixels" if dataset.image is not None else "points"


def _init_method(request: RunRequest) -> str:
    """The request's initialisation by name (images: k-means++ on the colours; a
    mixture with means placed by hand: from k-means, scikit-learn's default)."""
    if request.model != "kmeans":
        return request.init if request.init in MIXTURE_INITS else "kmeans"
    return request.init if request.init in ("k-means++", "random") else "k-means++"


def _page_kmeans(snapshot: Snapshot, request: RunRequest) -> dict | None:
    """The page's k-means for the other algorithms' grid (which runs it on their
    standardised data): its initialisation, starts and limits; centres placed by
    hand as placed (None before any is); a mixture's page, k-means++."""
    from kmeans_studio.core.engine.kmeans import INIT_METHODS

    options = {"n_init": request.n_init, "max_iter": request.max_iter, "tol": request.tol}
    if request.model != "kmeans":
        return {**options, "init": "k-means++", "n_init": 1, "title": "k-means++",
                "about": "Standardised, with this page's k and seed"}
    if isinstance(request.init, str) and request.init in INIT_METHODS:
        return {**options, "init": request.init}
    if snapshot.trail is not None and len(snapshot.trail):  # placed by hand
        return {**options, "init": snapshot.trail[0],
                "about": "Standardised, from the centres placed on this page"}
    return None


def _shown_k(snapshot: Snapshot, request: RunRequest) -> int:
    """The k of the state shown (centres added or removed mid-run change it), else the
    k asked for."""
    state = snapshot.iteration
    return request.n_clusters if state is None else state.n_clusters


def _photo_runs(data) -> dict:
    """For a photo, the runs its page makes: seeded on a sample of its pixels and
    assigned by its colour octree (built here, once, on the job's thread); nothing
    for other data."""
    if data.image is None:
        return {}
    colors = data.image.colors
    return {"seeding": colors.initial_palette, "assigner": colors.assigner()}


class _JobTab(QWidget):
    """A tab with a Run button, progress with Cancel, an error line and a view."""

    busy_changed = Signal(bool)

    def __init__(self, name: str, button: str, tip: str, context: Context) -> None:
        super().__init__()
        self.setObjectName(f"{name}_tab")
        self._context = context
        self.job = BackgroundJob(name)
        self.result_dataset: Dataset | None = None
        self._running_on: Dataset | None = None
        self.run_button = push_button(button, tip, button, self.start, f"{name}_run")
        self.progress = QProgressBar()
        self.progress.setObjectName(f"{name}_progress")
        self.progress.setAccessibleName("Progress")
        self.progress.setMaximumWidth(200)
        self.cancel_button = push_button("Cancel", "Stop this work; what is shown stays (Esc)",
                                         "Cancel", self.cancel, f"{name}_cancel")
        self.error = ErrorLabel()
        self._button_text = button
        self.subject = WrappedLabel()  # which data the result shown was computed on
        self.subject.setObjectName(f"{name}_subject")
        self.subject.setTextFormat(Qt.TextFormat.PlainText)
        self.subject.hide()
        # Which data, then the tab's own controls, on one line (a dock that gave way
        # to the page keeps its room for the plots).
        self.controls = QHBoxLayout()
        self.controls.addWidget(self.subject, 100)
        self.controls.addStretch(1)  # (the controls stay right while it is hidden)
        self.controls.addWidget(self.progress)
        self.controls.addWidget(self.cancel_button)
        self.controls.addWidget(self.run_button)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(6, 6, 6, 6)
        self.layout_.addLayout(self.controls)
        self.layout_.addWidget(self.error)
        self.job.progressed.connect(self._on_progress)
        self.job.succeeded.connect(self._on_result)
        self.job.failed.connect(self._on_failed)
        self.job.cancelled.connect(self._on_cancelled)
        self._set_busy(False)

    def add_control(self, label: str, widget: QWidget) -> None:
        index = self.controls.count() - 4  # after the stretch
        self.controls.insertWidget(index + 1, QLabel(label))
        self.controls.insertWidget(index + 2, widget)

    @property
    def busy(self) -> bool:
        """Work started and its outcome not shown yet."""
        return self._busy

    def start(self) -> None:
        snapshot, request = self._context()
        if snapshot is None or snapshot.dataset is None or request is None:
            self.error.show_error("There are no data yet.")
            return
        work = self.work(snapshot, request)
        if work is None:
            return
        self._running_on = snapshot.dataset
        self.error.show_error(None)
        self.progress.setRange(0, 0)
        self.job.start(work)
        self._set_busy(True)

    def cancel(self) -> None:
        """Stop the work and show the last result at once: work inside a call that
        cannot be interrupted (scikit-learn's spectral clustering, OPTICS) is abandoned,
        never waited for on the GUI thread, and whatever it reports later is dropped."""
        if self._busy:
            self.job.cancel(wait=False)
            self._on_cancelled()

    def work(self, snapshot: Snapshot, request: RunRequest):
        raise NotImplementedError

    def view_has_result(self) -> bool:
        return self.result_dataset is not None

    def show_result(self, result) -> None:
        raise NotImplementedError

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy_changed.emit(busy)
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.run_button.setEnabled(not busy)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.progress.setFormat(f"{done} of {total}")

    def _on_result(self, result) -> None:
        self._set_busy(False)
        self.result_dataset = self._running_on
        self.show_result(result)
        self.describe_subject(self.result_dataset)

    def describe_subject(self, shown: Dataset | None) -> None:
        """Say which data the result was computed on, and whether the page shown (whose
        data are `shown`) has other data."""
        data = self.result_dataset
        if data is None:
            self.subject.hide()
            return
        text = f"Computed on {data.name}."
        if shown is not data:
            text += (f" The page shown has other data: press {self._button_text} to "
                     "compute this for them.")
        self.subject.setText(text)
        self.subject.show()

    def shows_current_data(self) -> bool:
        """True when the result shown was computed on the data now in the main view;
        else says so."""
        snapshot, _ = self._context()
        if snapshot is not None and snapshot.dataset is self.result_dataset:
            return True
        self.error.show_error("These results are for other data than the main view "
                              "shows now: run again to load from them.")
        return False

    def _on_failed(self, message: str) -> None:
        self._set_busy(False)
        self.error.show_error(message)

    def _on_cancelled(self) -> None:
        self._set_busy(False)
        self.error.show_error("Cancelled: the last result stays.")


class SweepTab(_JobTab):
    """k-means for a range of k; clicking a k loads its run."""

    load_requested = Signal(int, object, int, str)  # k, initial centres, seed, what

    def __init__(self, context: Context) -> None:
        super().__init__("sweep", "Run sweep",
                         "Run k-means for every k in the range, in the background", context)
        self.k_from = spin_box(1, 256, 2, "Smallest k to try", "Smallest k")
        self.k_to = spin_box(2, 256, 12, "Largest k to try", "Largest k")
        self.add_control("k from", self.k_from)
        self.add_control("to", self.k_to)
        self.view = SweepPlot()
        self.layout_.addWidget(self.view, 1)
        self.view.k_chosen.connect(self._load)

    def work(self, snapshot: Snapshot, request: RunRequest):
        low, high = self.k_from.value(), self.k_to.value()
        if low > high:
            self.error.show_error("The smallest k must not be larger than the largest.")
            return None
        data, seed = snapshot.dataset, request.random_state or 0
        init = _init_method(request)
        self._what = _what(data)
        mixture = request.model != "kmeans"

        def work(cancelled, progress):
            return sweep(data.X, range(low, high + 1), sample_weight=data.sample_weight,
                         init=init, random_state=seed, max_iter=request.max_iter,
                         tol=request.tol * (1 if mixture else data.tolerance_scale),
                         cancelled=cancelled, on_progress=progress, model=request.model,
                         **_photo_runs(data))
        return work

    def show_result(self, result) -> None:
        self.view.set_sweep(result, self._what)

    def _load(self, k: int) -> None:
        run = self.view.sweep.run_for(k) if self.view.sweep is not None else None
        if run is not None and self.shows_current_data():
            self.view.mark_loaded(k)
            # A mixture starts again from the sweep's initialisation (its first
            # covariances come from it); k-means from its initial centres.
            sweep = self.view.sweep
            start = run.initial_centers if sweep.model == "kmeans" else sweep.init
            self.load_requested.emit(k, start, int(sweep.random_state),
                                     f"k = {k} from the sweep")


class SilhouetteTab(_JobTab):
    """The silhouette plot of the clustering in the main view."""

    def __init__(self, context: Context) -> None:
        super().__init__("silhouette", "Update",
                         "Compute the silhouette of the clustering shown now", context)
        self.view = SilhouettePlot()
        self.layout_.addWidget(self.view, 1)

    def work(self, snapshot: Snapshot, request: RunRequest):
        state, data = snapshot.iteration, snapshot.dataset
        if state is None or state.labels is None:
            self.error.show_error("No point has a cluster yet: step once to assign them.")
            return None
        labels, self._what = state.labels, _what(data)
        return lambda cancelled, progress: silhouette_profile(data.X, labels,
                                                              data.sample_weight)

    def show_result(self, result) -> None:
        self.view.set_profile(result, self._what)


class RaceTab(_JobTab):
    """Many starts of the same k; clicking a run loads it."""

    load_requested = Signal(int, object, int, str)

    def __init__(self, context: Context) -> None:
        super().__init__("race", "Race",
                         "Run k-means from several seeds side by side, in the background",
                         context)
        self.n_runs = spin_box(2, 100, 10, "How many starts to race (seeds seed, seed+1, …)",
                            "Number of starts")
        self.init = QComboBox()
        self.init.addItem("As on the page", None)
        for key in RACE_INITS:
            self.init.addItem(INIT_CHOICES[key], key)
        self.init.setToolTip("How each start chooses its first centres: the page's "
                             "initialisation, or another to compare with it")
        self.init.setAccessibleName("Initialisation of the starts")
        self.add_control("Starts", self.n_runs)
        self.add_control("Initialisation", self.init)
        self.view = RacePlot()
        self.layout_.addWidget(self.view, 1)
        self.view.run_chosen.connect(self._load)

    def work(self, snapshot: Snapshot, request: RunRequest):
        if request.model != "kmeans":
            self.error.show_error("The seed race compares starts of k-means: choose "
                                  "k-means as the model to race them.")
            return None
        data, k = snapshot.dataset, _shown_k(snapshot, request)
        init = self.init.currentData() or request.init
        if not isinstance(init, str) or init not in RACE_INITS:
            if data.n_samples >= k:  # (fewer points than k: the race says so itself)
                self.error.show_error("Centres placed by hand start every run alike: "
                                      "choose an initialisation on the page, or one for "
                                      "the race.")
                return None
            init = "k-means++"
        n_runs, seed = self.n_runs.value(), request.random_state or 0

        def work(cancelled, progress):
            return race(data.X, k, n_runs, sample_weight=data.sample_weight, init=init,
                        random_state=seed, max_iter=request.max_iter,
                        tol=request.tol * data.tolerance_scale, cancelled=cancelled,
                        on_progress=progress, **_photo_runs(data))
        return work

    def show_result(self, result) -> None:
        self.view.set_race(result)

    def _load(self, index: int) -> None:
        result = self.view.race
        if result is None or index >= len(result.runs) or not self.shows_current_data():
            return
        run = result.runs[index]
        self.view.select(index)
        self.load_requested.emit(result.n_clusters, run.initial_centers, run.seed,
                                 f"seed {run.seed} from the race")


class AlgorithmsTab(_JobTab):
    """scikit-learn's other clustering algorithms on the page's points, beside the
    page's k-means, all on the same standardised data; clicking a tile opens it
    large."""

    def __init__(self, context: Context) -> None:
        super().__init__("algorithms", "Run",
                         "Cluster the points shown with other algorithms", context)
        self.view = AlgorithmGrid()
        self.layout_.addWidget(self.view, 1)
        self.view.chosen.connect(self.view.open_large)
        self.view.setting_changed.connect(self._rerun)
        self._only: tuple[str, ...] | None = None  # run these alone (a setting changed)

    def work(self, snapshot: Snapshot, request: RunRequest):
        data = snapshot.dataset
        if data.image is not None:
            self.error.show_error("The other algorithms cluster points, not a photo's "
                                  "colours: open them on the Blobs, Digits or Table page.")
            return None
        points = data.X if data.n_features == 2 else (
            data.projection.points if data.projection is not None else data.X[:, :2])
        k, seed, y = _shown_k(snapshot, request), request.random_state or 0, data.y
        self._points, self._what = points, _what(data)

        only, values = self._only, self.view.values()
        self._only = None
        kmeans = None if only is not None else _page_kmeans(snapshot, request)

        def work(cancelled, progress):
            from kmeans_studio.core.explore.algorithms import NAMES, compare_algorithms

            results = compare_algorithms(data.X, k, y=y, random_state=seed,
                                         names=only or NAMES, values=values,
                                         kmeans=kmeans, cancelled=cancelled,
                                         progress=progress)
            if results is None:
                return None
            return only is not None, results
        return work

    def show_result(self, result) -> None:
        alone, results = result
        if alone:  # one tile again, with its new setting
            for one in results:
                self.view.replace_result(one)
        else:
            self.view.set_results(self._points, results, self._what)

    def _rerun(self, name: str, value: float) -> None:
        """A tile's setting changed: that algorithm again, on the data shown (all of
        them, when the grid is of other data)."""
        snapshot, _ = self._context()
        if (not self.busy and snapshot is not None
                and snapshot.dataset is self.result_dataset):
            self._only = (name,)
        self.start()


class ExploreDock(QDockWidget):
    """The three tabs, built the first time the dock is shown (start-up stays quick);
    `load_requested(k, initial centres, seed, what)` asks the window to show a run
    from its start."""

    load_requested = Signal(int, object, int, str)
    busy_changed = Signal(bool)  # some tab's work started or ended

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__("Explore", parent)
        self.setObjectName("explore_dock")
        self._context = context
        self._tabs: list[_JobTab] = []
        self.tabs: QTabWidget | None = None

    def _build(self) -> None:
        if self.tabs is not None:
            return
        self._tabs = [SweepTab(self._context), SilhouetteTab(self._context),
                      RaceTab(self._context), AlgorithmsTab(self._context)]
        self.tabs = QTabWidget()
        self.tabs.setObjectName("explore_tabs")
        tips = ["Elbow, silhouette, Calinski–Harabasz and Davies–Bouldin for a range of k",
                "How well each point sits in its cluster",
                "Which minima k-means reaches from different starts",
                "scikit-learn's other clustering algorithms on the same points"]
        titles = ("Choose k", "Silhouette", "Seed race", "Other algorithms")
        for tab, title, tip in zip(self._tabs, titles, tips):
            self.tabs.setTabToolTip(self.tabs.addTab(tab, title), tip)
            tab.busy_changed.connect(lambda _: self.busy_changed.emit(self.busy))
        self.setWidget(scrolled(self.tabs))
        self.sweep.load_requested.connect(self.load_requested)
        self.race.load_requested.connect(self.load_requested)
        self.tabs.currentChanged.connect(self._on_tab)
        self._on_tab(self.tabs.currentIndex())

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._build()
        super().showEvent(event)

    @property
    def sweep(self) -> SweepTab:
        self._build()
        return self._tabs[0]

    @property
    def silhouette(self) -> SilhouetteTab:
        self._build()
        return self._tabs[1]

    @property
    def race(self) -> RaceTab:
        self._build()
        return self._tabs[2]

    @property
    def algorithms(self) -> AlgorithmsTab:
        self._build()
        return self._tabs[3]

    @property
    def busy(self) -> bool:
        return any(tab.busy for tab in self._tabs)

    def show_tab(self, name: str, start: bool = True) -> None:
        """Show the dock at tab `name` ("sweep", "silhouette", "race", "algorithms") and
        start its
        work (unless it is running)."""
        tab = getattr(self, name)
        self.show()
        self.raise_()
        self.tabs.setCurrentWidget(tab)
        if start and not tab.busy:
            tab.start()

    def page_shown(self, snapshot: Snapshot | None) -> None:
        """Another page is shown: each tab says whether its result is for its data."""
        for tab in self._tabs:
            tab.describe_subject(None if snapshot is None else snapshot.dataset)

    def snapshot_shown(self, snapshot: Snapshot) -> None:
        """Keep the silhouette plot on the final state of each run while it is shown."""
        if (snapshot.done and self.isVisible() and self.tabs is not None
                and self.tabs.currentWidget() is self.silhouette and not self.silhouette.busy
                and snapshot.iteration is not None and snapshot.iteration.labels is not None):
            self.silhouette.start()

    def _on_tab(self, index: int) -> None:
        # The dock is as tall as the tab shown needs, not as the tallest (the grid of
        # other algorithms would otherwise push the sweep's plots out of view).
        for tab in self._tabs:
            shown = tab is self.tabs.widget(index)
            tab.setSizePolicy(QSizePolicy.Policy.Preferred if shown
                              else QSizePolicy.Policy.Ignored,
                              QSizePolicy.Policy.Preferred if shown
                              else QSizePolicy.Policy.Ignored)
        self.tabs.updateGeometry()
        if self.tabs.widget(index) is self.silhouette and not self.silhouette.busy:
            self.silhouette.start()

    def cancel(self) -> bool:
        """Cancel whatever runs; True if something did."""
        running = [tab for tab in self._tabs if tab.busy]
        for tab in running:
            tab.cancel()
        return bool(running)

    def shutdown(self) -> None:
        """Before the window goes away: every tab's work is told to stop and abandoned
        (closing never waits for a clustering inside scikit-learn)."""
        for tab in self._tabs:
            tab.job.cancel(wait=False)
