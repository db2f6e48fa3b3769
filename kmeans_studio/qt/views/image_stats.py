"""Numbers for the compressed image, and k-means against Pillow's quantizers."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kmeans_studio.core.color.image_quality import psnr
from kmeans_studio.qt.contracts import ImageReport, Snapshot
from kmeans_studio.qt.layout import WrappedLabel

#: The comparison table's columns and what each means.
COLUMNS = (("Method", "How the palette was chosen"),
           ("Colours", "Palette entries used"),
           ("PSNR (dB)", "Peak signal-to-noise ratio of the RGB error: higher is closer"),
           ("SSIM", "Structural similarity of the luma (Wang et al.): 1 is identical"),
           ("ΔE", "Mean colour difference in Oklab × 100: about 2 is just noticeable"),
           ("Time", "From the pixels to a palette and an index per pixel"))


def _kib(n: int) -> str:
    return f"{n / 1024:,.0f} KiB" if n >= 10 * 1024 else f"{n / 1024:,.1f} KiB"


class ImageStatsView(QWidget):
    """The compressed picture's numbers (size, colours, PSNR, SSIM, ΔE, PNG size),
    kept in view beside the pictures; and `comparison`, the table of k-means against
    Pillow's quantizers, which the page places in a tab."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("image_stats")
        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for key, text in (("size", "Image"), ("colors", "Colours"), ("psnr", "PSNR"),
                          ("seen", "SSIM · ΔE"), ("file", "Indexed PNG")):
            label = WrappedLabel("—")
            label.setObjectName(f"stat_{key}")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = label
            form.addRow(text, label)
        self.fields["file"].setToolTip(
            "The indexed PNG's size, against the original file's (when it was opened from "
            "one) or the raw RGB pixels' (width × height × 3 bytes)")
        self.fields["seen"].setToolTip(
            "Structural similarity of the luma (1: identical) and the mean colour "
            "difference in Oklab × 100 (about 2 is just noticeable), once k-means has "
            "converged")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("compare_table")
        self.table.setAccessibleName("k-means compared with Pillow's quantizers")
        self.table.setHorizontalHeaderLabels([name for name, _ in COLUMNS])
        for column, (_, tip) in enumerate(COLUMNS):
            self.table.horizontalHeaderItem(column).setToolTip(tip)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setFixedHeight(24 * 5 + 8)  # its header and four methods, no more
        self.table_note = WrappedLabel("The comparison appears when k-means has converged.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addLayout(form)
        self.comparison = QWidget()
        self.comparison.setObjectName("image_comparison")
        column = QVBoxLayout(self.comparison)
        column.setContentsMargins(4, 4, 4, 4)
        column.addWidget(WrappedLabel("k-means against Pillow's quantizers, with the same "
                                      "number of colours"))
        column.addWidget(self.table)
        column.addWidget(self.table_note)
        column.addStretch(1)

    def set_snapshot(self, snapshot: Snapshot) -> None:
        image = snapshot.dataset.image
        preview = snapshot.derived
        h, w = image.colors.shape
        self.fields["size"].setText(f"{w} × {h} ({w * h:,} pixels)")
        if preview is None:
            self.fields["colors"].setText(f"{image.colors.n_colors:,}")
            return
        used = len(np.unique(preview.palette, axis=0))
        self.fields["colors"].setText(f"{image.colors.n_colors:,} → {used:,}")
        value = psnr(preview.mse)
        self.fields["psnr"].setText("lossless" if value == float("inf") else f"{value:.2f} dB")
        self.fields["psnr"].setToolTip(f"Peak signal-to-noise ratio; mean squared error "
                                       f"{preview.mse:.2f}")

    def set_report(self, report: ImageReport) -> None:
        if report.file_bytes:
            ratio = report.png_bytes / report.file_bytes
            self.fields["file"].setText(
                f"{_kib(report.png_bytes)} vs {_kib(report.file_bytes)} file "
                f"({100 * (ratio - 1):+.0f}%)")
        else:
            self.fields["file"].setText(f"{_kib(report.png_bytes)} vs "
                                        f"{_kib(report.pixel_bytes)} raw RGB")
        ours = report.methods[0]
        self.fields["seen"].setText(f"{ours.quality.ssim:.4f} · {ours.quality.delta_e:.2f}")
        self.table.setRowCount(len(report.methods))
        for r, m in enumerate(report.methods):
            value = m.quality.psnr
            cells = [m.method, str(m.n_colors),
                     "lossless" if value == float("inf") else f"{value:.2f}",
                     f"{m.quality.ssim:.4f}", f"{m.quality.delta_e:.2f}",
                     f"{m.seconds * 1000:.0f} ms"]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table_note.setText("Each timed the same way, from the pixels to a palette and "
                                "an index per pixel (k-means run again on its own, without "
                                "the steps' pauses). All at full resolution.")

    def clear(self) -> None:
        for label in self.fields.values():
            label.setText("—")
        self.clear_report()

    def clear_report(self) -> None:
        """Forget the comparison shown (it was of another k, seed or photo)."""
        for key in ("seen", "file"):
            self.fields[key].setText("—")
        self.table.setRowCount(0)
        self.table_note.setText("The comparison appears when k-means has converged.")
