"""Silhouette plot of one clustering, as in scikit-learn's silhouette analysis: every
point's silhouette as a horizontal bar, sorted within its cluster, in the cluster's
colour, clusters stacked with a gap, and the mean as a dashed line."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kmeans_studio.core.cluster_colors import cluster_colors
from kmeans_studio.core.explore.metrics import SilhouetteProfile
from kmeans_studio.qt.colors import fixed_plot
from kmeans_studio.qt.layout import WrappedLabel

GAP = 10  # empty rows between clusters, as in scikit-learn's example


class SilhouettePlot(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("silhouette_plot")
        self.profile: SilhouetteProfile | None = None
        self.note = WrappedLabel("The silhouette plot shows the clustering in the main view once "
                           "its points are assigned.")
        self.note.setObjectName("silhouette_note")
        self.note.setAccessibleName("About the silhouette plot")
        self.plot = fixed_plot("silhouette_values", "Silhouette of every point, by cluster",
                               "silhouette coefficient", "cluster")
        self.plot.setMinimumHeight(120)
        self.bars = pg.BarGraphItem(x0=[], y=[], height=1, width=[], pen=None)
        self.plot.addItem(self.bars)
        self.mean_line = pg.InfiniteLine(angle=90, pen=pg.mkPen(213, 94, 0, width=2,
                                                                style=Qt.PenStyle.DashLine))
        self.mean_line.hide()
        self.plot.addItem(self.mean_line)
        self.zero_line = pg.InfiniteLine(pos=0, angle=90, pen=pg.mkPen(128, 128, 128))
        self.plot.addItem(self.zero_line)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addWidget(self.plot, 1)
        self._ticks: list[tuple[float, str]] = []
        self._rows = 1
        self.plot.getViewBox().sigResized.connect(self._thin_ticks)

    def _thin_ticks(self) -> None:
        """Name each cluster where its name has room: with many clusters in a short
        plot, names at least one line apart."""
        line = QFontMetrics(self.plot.getAxis("left").font()).height()
        per_row = self.plot.getViewBox().height() / max(1, self._rows)
        shown, last = [], -np.inf
        for position, name in self._ticks:
            if (position - last) * per_row >= line:
                shown.append((position, name))
                last = position
        self.plot.getAxis("left").setTicks([shown])

    def set_profile(self, profile: SilhouetteProfile, what: str = "points") -> None:
        self.profile = profile
        if not np.isfinite(profile.mean):
            self.bars.setOpts(x0=[], y=[], width=[], brushes=[])
            self.mean_line.hide()
            self.note.setText("The silhouette needs at least two clusters (and fewer "
                              "clusters than points).")
            return
        clusters = np.unique(profile.labels)
        colors = cluster_colors(int(clusters.max()) + 1)
        widths, ys, brushes, ticks = [], [], [], []
        bottom = GAP
        for j in clusters:
            values = np.sort(profile.values[profile.labels == j])
            ys.append(bottom + np.arange(len(values)))
            widths.append(values)
            brushes += [pg.mkBrush(*colors[j])] * len(values)
            ticks.append((bottom + len(values) / 2, str(int(j))))
            bottom += len(values) + GAP
        y, width = np.concatenate(ys), np.concatenate(widths)
        self.bars.setOpts(x0=np.zeros(len(y)), y=y + 0.5, width=width, height=1.0,
                          brushes=brushes)
        self.mean_line.setPos(profile.mean)
        self.mean_line.show()
        self._ticks, self._rows = ticks, bottom
        self._thin_ticks()
        self.plot.setXRange(min(-0.1, float(width.min())), 1.0, padding=0.02)
        self.plot.setYRange(0, bottom, padding=0)
        sample = (f"a fixed random sample of {profile.n_scored:,} of the "
                  f"{profile.n_points:,} {what}" if profile.sampled
                  else f"all {profile.n_points:,} {what}")
        below = float(np.mean(profile.values < 0))
        self.note.setText(
            f"Mean silhouette {profile.mean:.3f} (dashed) over {sample}, "
            f"{len(clusters)} clusters. {below:.0%} of them are nearer another cluster "
            "than their own (bars left of 0).")
