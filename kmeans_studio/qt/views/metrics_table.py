"""The scores of the shown state: accuracy under both matchings and the label-free
scores of `sklearn.metrics`."""

from __future__ import annotations

import math

from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem

from kmeans_studio.core.explore.metrics import SILHOUETTE_SAMPLE, Evaluation

ROWS = {
    "Accuracy (one-to-one)": "Share of samples in a cluster matched to their class, each "
                             "class matched to at most one cluster (Hungarian)",
    "Accuracy (mode)": "Share of samples whose cluster's most common class is their own "
                       "(two clusters may take the same class)",
    "ARI": "Adjusted Rand index: agreement of the two partitions, 0 for chance, 1 perfect",
    "AMI": "Adjusted mutual information: shared information, 0 for chance, 1 perfect",
    "NMI": "Normalised mutual information (arithmetic mean), 1 perfect",
    "Homogeneity": "1 when each cluster holds a single class",
    "Completeness": "1 when each class lies in a single cluster",
    "V-measure": "Harmonic mean of homogeneity and completeness",
    "Silhouette": f"Mean silhouette (Euclidean) of at most {SILHOUETTE_SAMPLE:,} samples: "
                  "how much nearer each sample is to its cluster than to the next; uses no "
                  "labels",
}


class MetricsView(QTableWidget):
    """Score name, value; hover a name for what it measures."""

    def __init__(self) -> None:
        super().__init__(len(ROWS), 2)
        self.setObjectName("metrics_table")
        self.setAccessibleName("Clustering scores")
        self.setHorizontalHeaderLabels(["Score", "Value"])
        self.verticalHeader().hide()
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        for row, (name, tip) in enumerate(ROWS.items()):
            item = QTableWidgetItem(name)
            item.setToolTip(tip)
            self.setItem(row, 0, item)
            self.setItem(row, 1, QTableWidgetItem("—"))
        self.resizeRowsToContents()
        rows = sum(self.rowHeight(r) for r in range(self.rowCount()))
        self.setMinimumHeight(rows + self.horizontalHeader().sizeHint().height() + 4)

    def values(self) -> dict[str, str]:
        return {self.item(r, 0).text(): self.item(r, 1).text() for r in range(self.rowCount())}

    def set_evaluation(self, evaluation: Evaluation | None) -> None:
        if evaluation is None:
            values = dict.fromkeys(ROWS, math.nan)
        else:
            values = {"Accuracy (one-to-one)": evaluation.matching("hungarian").accuracy,
                      "Accuracy (mode)": evaluation.matching("mode").accuracy,
                      **evaluation.scores}
        for row, name in enumerate(ROWS):
            value = values[name]
            self.item(row, 1).setText("—" if math.isnan(value) else f"{value:.3f}")
