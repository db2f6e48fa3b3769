"""The seed race: every start's inertia per iteration, coloured by the minimum it
reached, and a table of the runs; clicking a run (curve or row) asks to load it."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kmeans_studio.core.cluster_colors import cluster_colors
from kmeans_studio.core.explore.race import Race
from kmeans_studio.core.parameters import INIT_CHOICES
from kmeans_studio.qt.colors import fixed_plot
from kmeans_studio.qt.layout import WrappedLabel

#: Above this many minima the summary names the first few (the key lists them all).
MAX_LEGEND = 6


class RacePlot(QWidget):
    """Curves and table of a `Race`; `run_chosen(index)` when the user picks a run."""

    run_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("race_plot")
        self.race: Race | None = None
        self.summary = WrappedLabel("Race several starts to see which minima k-means falls into.")
        self.summary.setObjectName("race_summary")
        self.summary.setAccessibleName("Minima found")
        self.plot = fixed_plot("race_curves", "Inertia per iteration of every start",
                               "iteration", "inertia", movable=True)
        self.plot.setMinimumHeight(120)
        # The key of the colours, every minimum found, beside the plot: a legend
        # inside it hid the curves, and a short plot cut its last entries off.
        self.key = WrappedLabel("")
        self.key.setObjectName("race_key")
        self.key.setAccessibleName("Colours of the minima")
        self.key.setTextFormat(Qt.TextFormat.RichText)
        self.key.hide()
        #: The key's entries, one per minimum ("minimum #1", ...).
        self.key_entries: list[str] = []
        # A pool of curves that grows as races need them, shown or hidden: never
        # removed from the plot.
        self._curves: list[pg.PlotDataItem] = []
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("race_table")
        self.table.setAccessibleName("Runs of the race")
        self.table.setHorizontalHeaderLabels(["Seed", "Final inertia", "Iterations",
                                              "Minimum"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setToolTip("Click a run to load it into the main view and step through it")
        self.table.cellClicked.connect(lambda row, column: self.run_chosen.emit(row))
        self.table.setMinimumWidth(300)
        curves = QVBoxLayout()
        curves.setContentsMargins(0, 0, 0, 0)
        curves.addWidget(self.key)
        curves.addWidget(self.plot, 1)
        body = QHBoxLayout()
        body.addLayout(curves, 3)
        body.addWidget(self.table, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addLayout(body, 1)

    def set_race(self, race: Race) -> None:
        self.race = race
        colors = cluster_colors(max(race.n_minima, 1))
        best = race.best
        while len(self._curves) < len(race.runs):
            i = len(self._curves)
            curve = pg.PlotDataItem()
            curve.setCurveClickable(True, width=8)
            curve.sigClicked.connect(lambda item, *args, i=i: self.run_chosen.emit(i))
            self.plot.addItem(curve)
            self._curves.append(curve)
        for i, curve in enumerate(self._curves):
            if i >= len(race.runs):
                curve.hide()
                continue
            run, group = race.runs[i], int(race.group[i])
            pen = pg.mkPen(*colors[group], width=3.5 if i == best else 1.5)
            # Where the main inertia curve puts them: iteration n's assignment at n - ½.
            curve.setData(np.arange(len(run.inertia)) + 0.5, run.inertia, pen=pen)
            curve.setZValue(2 if i == best else 1)
            curve.setToolTip(f"Seed {run.seed}: final inertia {run.final_inertia:.6g}, "
                             f"minimum #{group + 1}")
            curve.show()
        self.key_entries = [f"minimum #{group + 1}" for group in range(race.n_minima)]
        self.key.setText("&nbsp;&nbsp; ".join(
            f'<span style="color: rgb({r}, {g}, {b})">━━</span>&nbsp;{entry}'
            for (r, g, b), entry in zip(colors.tolist(), self.key_entries)))
        self.key.show()
        self.table.setRowCount(len(race.runs))
        for row, run in enumerate(race.runs):
            group = int(race.group[row])
            cells = [str(run.seed), f"{run.final_inertia:.6g}",
                     f"{run.n_iter}" + ("" if run.converged else " (limit)"),
                     f"#{group + 1}" + (" ★ best" if row == best else "")]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if column == 3:
                    item.setForeground(pg.mkColor(*colors[group]))
                self.table.setItem(row, column, item)
        self.plot.autoRange()
        sizes = race.group_sizes()
        finals = [race.runs[int(np.flatnonzero(race.group == g)[0])].final_inertia
                  for g in range(race.n_minima)]
        parts = [f"#{g + 1} (inertia {finals[g]:.6g}) by {sizes[g]} run"
                 + ("s" if sizes[g] != 1 else "") for g in range(race.n_minima)]
        if len(parts) > MAX_LEGEND:
            parts = parts[:3] + [f"… and {len(parts) - 3} more"]
        minima = "1 minimum" if race.n_minima == 1 else f"{race.n_minima} distinct minima"
        init = INIT_CHOICES.get(race.init, race.init)
        self.summary.setText(
            f"{len(race.runs)} starts ({init}, k = {race.n_clusters}) reached "
            f"{minima}: " + ", ".join(parts) + ". Click a run to step through it.")

    def select(self, index: int) -> None:
        self.table.selectRow(index)
