"""The k-sweep: inertia (the elbow), silhouette, Calinski–Harabasz and Davies–Bouldin
against k (a mixture: BIC and AIC in place of the inertia), the best k of each
marked; clicking a k asks to load that run."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QGridLayout, QVBoxLayout, QWidget

from kmeans_studio.core.engine.mixture import INITS as MIXTURE_INITS
from kmeans_studio.core.engine.models import MODELS
from kmeans_studio.core.explore.sweep import SCORES, Sweep
from kmeans_studio.qt.colors import fixed_plot, is_dark
from kmeans_studio.qt.layout import WrappedLabel
from kmeans_studio.qt.presentation import scale

#: In each score's title: which way is better (the tooltip says it in words); in the
#: title, not up the axis, which a short plot has no room to name.
HINTS = {"elbow": "(elbow)", "max": "↑", "min": "↓"}
RULES = {"elbow": "look for the elbow, where adding clusters stops paying",
         "max": "higher is better", "min": "lower is better"}
BEST = (213, 94, 0)  # Okabe–Ito vermillion
#: The scores' short names, for a title in a narrow plot.
SHORT = {"calinski_harabasz": "C–H", "davies_bouldin": "D–B"}
#: Scores only one kind of model has.
_MODEL_SCORES = ("inertia", "bic", "aic")


class SweepPlot(QWidget):
    """Small plots against k, one per score the sweep has; `k_chosen(k)` when the
    user clicks a k."""

    k_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sweep_plot")
        self.sweep: Sweep | None = None
        self.note = WrappedLabel("Run the sweep to compare k.")
        self.note.setObjectName("sweep_note")
        self.note.setAccessibleName("About the sweep")
        grid = self._grid = QGridLayout()
        grid.setSpacing(4)
        line = (120, 170, 255) if is_dark() else (0, 90, 170)
        self.plots: dict[str, pg.PlotWidget] = {}
        self._titles: dict[str, tuple[str, str]] = {}  # (whole, short) of each plot
        self._curves: dict[str, pg.PlotDataItem] = {}
        self._best: dict[str, pg.ScatterPlotItem] = {}
        self._loaded: dict[str, pg.InfiniteLine] = {}
        for i, (name, (title, rule)) in enumerate(SCORES.items()):
            # Which way is better goes on the score's axis: the title stays short
            # enough for a quarter of a small window.
            plot = fixed_plot(f"sweep_{name}", f"{title} against k", "k", "")
            plot.getAxis("left").showLabel(False)
            plot.setTitle(f"{title} {HINTS[rule]}", size="9pt")
            plot.setToolTip(f"{title} against k: {RULES[rule]}. Click a k to load its run.")
            plot.setMinimumHeight(90)
            curve = pg.PlotDataItem(pen=pg.mkPen(line, width=2), symbol="o", symbolSize=7,
                                    symbolBrush=line, symbolPen=None)
            curve.sigPointsClicked.connect(self._on_points_clicked)
            best = pg.ScatterPlotItem(size=16, symbol="star", brush=pg.mkBrush(*BEST),
                                      pen=pg.mkPen("w" if is_dark() else "k", width=0.5))
            best.sigClicked.connect(self._on_points_clicked)
            loaded = pg.InfiniteLine(angle=90, pen=pg.mkPen(128, 128, 128, width=1,
                                                            style=Qt.PenStyle.DashLine))
            loaded.hide()
            for item in (loaded, curve, best):
                plot.addItem(item)
            self.plots[name], self._curves[name] = plot, curve
            self._best[name], self._loaded[name] = best, loaded
            grid.addWidget(plot, 0, i)  # side by side: the dock is wide and short
            k_means_score = name not in ("bic", "aic")  # the others wait for a mixture
            plot.setVisible(k_means_score)
            grid.setColumnStretch(i, int(k_means_score))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addLayout(grid, 1)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_titles()

    def _fit_titles(self) -> None:
        """Each title whole where its plot is wide enough, else with the score's
        short name (the tooltip names it whole)."""
        font = QFont()
        font.setPointSizeF(9)  # the titles' size
        metrics = QFontMetrics(font)
        for name, (whole, short) in self._titles.items():
            plot = self.plots[name]
            plain = whole.replace("<b>", "").replace("</b>", "")
            room = plot.width() / scale() - 8
            plot.setTitle(whole if metrics.horizontalAdvance(plain) <= room else short,
                          size="9pt")

    def set_sweep(self, sweep: Sweep, what: str = "points") -> None:
        self.sweep = sweep
        ks = sweep.ks
        for name, (name_shown, rule) in SCORES.items():
            title = f"{name_shown} {HINTS[rule]}"
            values = sweep.values(name)
            finite = np.isfinite(values)
            # A k-means sweep has no BIC, a mixture's no inertia: their plots go, and
            # the others share the width equally.
            shown = (name not in _MODEL_SCORES
                     or (name == "inertia") == (sweep.model == "kmeans"))
            self.plots[name].setVisible(shown)
            self._grid.setColumnStretch(list(SCORES).index(name), int(shown))
            self._curves[name].setData(ks[finite], values[finite], data=ks[finite])
            best = sweep.best_k(name)
            # (The star marks the best k on the curve too.)
            result = "undefined" if best is None else f"<b>★ k = {best}</b>"
            self._titles[name] = (f"{title}: {result}",
                                  f"{SHORT.get(name, name_shown)} {HINTS[rule]}: {result}")
            if best is None:
                self._best[name].setData([])
            else:
                value = values[list(ks).index(best)]
                self._best[name].setData([best], [value], data=[best])
                self._best[name].setToolTip(f"best k = {best}")
            self.plots[name].setXRange(ks[0] - 0.5, ks[-1] + 0.5, padding=0)
        self._fit_titles()
        whole = "the inertia uses" if sweep.model == "kmeans" else "BIC and AIC use"
        scored = (f"Scores on a fixed random sample of {sweep.scored_points:,} of the "
                  f"{sweep.n_points:,} {what} ({whole} all of them)"
                  if sweep.sampled else f"Scores on all {sweep.n_points:,} {what}")
        model = MODELS[sweep.model].title
        init = MIXTURE_INITS.get(sweep.init, sweep.init).lower() if (
            sweep.model != "kmeans") else sweep.init
        self.note.setText(
            f"{model} ({init}, seed {sweep.random_state}) for k = {ks[0]}–{ks[-1]}. "
            f"{scored}. Click a k to load its run.")
        for line in self._loaded.values():
            line.hide()

    def mark_loaded(self, k: int | None) -> None:
        """Show which k's run is in the main view."""
        for line in self._loaded.values():
            line.setVisible(k is not None)
            if k is not None:
                line.setPos(k)

    def _on_points_clicked(self, item, points, *args) -> None:
        if len(points):
            self.k_chosen.emit(int(points[0].data()))
