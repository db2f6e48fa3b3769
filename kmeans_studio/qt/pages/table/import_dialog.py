"""The import dialog for a table: a preview of the first rows, the feature columns,
an optional label column, what to do with missing values, and the scaling."""

from __future__ import annotations

from html import escape

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from kmeans_studio.core.data.tables import (
    MISSING,
    SCALINGS,
    TableChoice,
    TableError,
    missing_rows,
    numeric_columns,
)
from kmeans_studio.qt.pages.common import choice_box

PREVIEW_ROWS = 20
#: The preview shows this many columns at most (a table of 10,000 columns took the
#: GUI thread 13.8 s to fill); every column is still offered as a feature.
PREVIEW_COLUMNS = 50
LABEL_NAMES = ("label", "labels", "class", "target", "y", "species", "category")


class ImportDialog(QDialog):
    """Choose what to cluster in `frame` (the whole table when `complete`, else its
    first rows), and whether on a dask cluster: `cluster` is "always" (Parquet,
    folders), "optional" (CSV and .npy files) or "no"."""

    def _could_be_labels(self, column: str) -> bool:
        """Text, or whole numbers: a column named "y" of coordinates is a feature."""
        if column not in self._numeric:
            return True
        values = self._frame[column].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        return bool(np.all(values == np.round(values)))

    def __init__(self, name: str, frame, complete: bool, parent=None,
                 choice: TableChoice | None = None, cluster: str = "no") -> None:
        super().__init__(parent)
        self.setObjectName("import_dialog")
        self.setWindowTitle(f"Import {name}")
        self._frame, self._complete, self._name = frame, complete, name
        self._numeric = numeric = set(numeric_columns(frame))
        columns = [str(c) for c in frame.columns]
        shape = (f"{len(frame):,} rows × {len(columns):,} columns" if complete
                 else f"{len(columns):,} columns (first {len(frame):,} rows read)")
        shown = (f" The preview shows the first {PREVIEW_COLUMNS} columns."
                 if len(columns) > PREVIEW_COLUMNS else "")
        intro = QLabel(f"<b>{escape(name, quote=False)}</b>: {shape}. Tick the columns to "
                       "cluster on; a label column (optional) lets K-Means Studio score the "
                       f"clusters against it.{shown}")
        intro.setWordWrap(True)

        cells = frame.iloc[:PREVIEW_ROWS, :PREVIEW_COLUMNS].to_numpy(dtype=object).tolist()
        preview = QTableWidget(len(cells), min(PREVIEW_COLUMNS, len(columns)))
        preview.setObjectName("import_preview")
        preview.setAccessibleName("First rows of the table")
        preview.setHorizontalHeaderLabels(columns[:PREVIEW_COLUMNS])
        preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for r, row in enumerate(cells):
            for c, text in enumerate(row):
                preview.setItem(r, c, QTableWidgetItem(str(text)))
        preview.resizeColumnsToContents()

        text_columns = [c for c in columns if c not in numeric]
        default_label = (choice.label if choice is not None else next(
            (c for name in LABEL_NAMES for c in columns
             if c.strip().lower() == name and self._could_be_labels(c)),
            text_columns[0] if len(text_columns) == 1 else None))
        self.features = QListWidget()
        self.features.setObjectName("import_features")
        self.features.setAccessibleName("Feature columns")
        self.features.setToolTip("The columns k-means clusters on (numbers only)")
        for column in columns:
            text = column if column in numeric else f"{column} (text: label only)"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, column)
            flags = item.flags() | Qt.ItemFlag.ItemIsUserCheckable
            item.setFlags(flags)
            wanted = (column in choice.features if choice is not None
                      else column in numeric and column != default_label)
            item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)
            self.features.addItem(item)
        self.label = QComboBox()
        self.label.setObjectName("import_label")
        self.label.setAccessibleName("Label column")
        self.label.setToolTip("Known classes to compare the clusters with (optional)")
        self.label.addItem("None", None)
        for column in columns:
            self.label.addItem(column, column)
        self.label.setCurrentIndex(max(0, self.label.findData(default_label)))
        self.missing = choice_box(MISSING, "Missing values", "Rows with an empty or "
                                  "non-numeric cell among the chosen columns")
        self.missing.setObjectName("import_missing")
        self.scaling = choice_box(SCALINGS, "Scaling", "Put the columns on comparable "
                                  "scales, so that no column dominates just by its units")
        self.scaling.setObjectName("import_scaling")
        if choice is not None:
            self.missing.setCurrentIndex(self.missing.findData(choice.missing))
            self.scaling.setCurrentIndex(self.scaling.findData(choice.scaling))
        self.cluster = QCheckBox("On a dask cluster (a table larger than memory)")
        self.cluster.setObjectName("import_cluster")
        self.cluster.setToolTip(
            "The rows are read and clustered by the workers of a dask cluster (File ▸ "
            "Connect to cluster…; one on this computer by default) and never read whole "
            "into the window, which draws a random sample of them. k-means only; rows "
            "with a missing value are left out; no label column.")
        self.cluster.setChecked(cluster == "always" or (choice is not None and choice.cluster))
        self.cluster.setEnabled(cluster == "optional")
        self.cluster.setVisible(cluster != "no")
        self.summary = QLabel()
        self.summary.setObjectName("import_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)  # names in it are escaped

        form = QFormLayout()
        form.addRow("Label column", self.label)
        form.addRow("Missing values", self.missing)
        form.addRow("Scaling", self.scaling)
        columns_row = QHBoxLayout()
        columns_row.addWidget(self.features, 1)
        columns_row.addLayout(form, 2)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(preview, 2)
        layout.addWidget(QLabel("Feature columns:"))
        layout.addLayout(columns_row, 1)
        layout.addWidget(self.cluster)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.resize(760, 560)
        self.features.itemChanged.connect(self._update)
        self.label.currentIndexChanged.connect(self._update)
        self.missing.currentIndexChanged.connect(self._update)
        self.cluster.toggled.connect(self._on_cluster)
        self._on_cluster(self.cluster.isChecked())

    def _on_cluster(self, on: bool) -> None:
        """On a cluster rows with a missing value are dropped and no label is used."""
        if on:
            self.label.setCurrentIndex(0)
            self.missing.setCurrentIndex(self.missing.findData("drop"))
        self.label.setEnabled(not on)
        self.missing.setEnabled(not on)
        self._update()

    def choice(self) -> TableChoice:
        features = tuple(
            self.features.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.features.count())
            if self.features.item(i).checkState() == Qt.CheckState.Checked)
        return TableChoice(features, self.label.currentData(), self.missing.currentData(),
                           self.scaling.currentData(), self.cluster.isChecked())

    def _update(self) -> None:
        choice = self.choice()
        problem = None
        text = [c for c in choice.features if c not in self._numeric]
        if not choice.features:
            problem = "Tick at least one feature column."
        elif text:
            problem = (f"{', '.join(map(repr, text))} "
                       f"{'are' if len(text) > 1 else 'is'} not numeric: untick "
                       f"{'them' if len(text) > 1 else 'it'} or use it as the label.")
        elif choice.label in choice.features:
            problem = f"{choice.label!r} cannot be both a feature and the label."
        if problem is None:
            try:
                count = missing_rows(self._frame, choice)
            except (TableError, ValueError) as exc:
                problem = str(exc)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(problem is None)
        if problem is not None:
            problem = escape(problem, quote=False)
            self.summary.setText(f"<span style='color:#D55E00'>{problem}</span>")
            return
        where = "" if self._complete else f" of the first {len(self._frame):,}"
        action = ("will be dropped" if choice.missing == "drop"
                  else "will be filled with the column mean")
        d = len(choice.features)
        self.summary.setText(escape(
            f"{d:,} feature{'s' if d != 1 else ''}"
            + (f", labels from {choice.label!r}" if choice.label else ", no labels")
            + f". {_rows(count)}{where} {'has' if count == 1 else 'have'} missing values"
            + (f" and {action}." if count else "."), quote=False))


def _rows(count: int) -> str:
    return f"{count:,} row" + ("" if count == 1 else "s")


