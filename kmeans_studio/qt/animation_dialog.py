"""The frame size and rate of an exported animation, asked before its file name."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QSpinBox,
    QWidget,
)

from kmeans_studio.core import animation


class AnimationOptions(QDialog):
    """Width, height and frames a second (`core.animation`'s defaults to start)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("animation_options")
        self.setWindowTitle("Animation of the run")
        self.width_box, self.height_box = QSpinBox(), QSpinBox()
        for box, value, name in ((self.width_box, animation.SIZE[0], "Width"),
                                 (self.height_box, animation.SIZE[1], "Height")):
            box.setRange(64, 4096)
            box.setSingleStep(16)
            box.setValue(value)
            box.setSuffix(" px")
            box.setAccessibleName(f"{name} of the frames")
            box.setToolTip(f"{name} of every frame in pixels (64 to 4096)")
        self.fps_box = QDoubleSpinBox()
        self.fps_box.setRange(0.1, 60.0)
        self.fps_box.setDecimals(1)
        self.fps_box.setValue(animation.FPS)
        self.fps_box.setAccessibleName("Frames a second")
        self.fps_box.setToolTip(f"Half-steps shown a second; the last frame stays "
                                f"{animation.HOLD} times as long")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Width", self.width_box)
        form.addRow("Height", self.height_box)
        form.addRow("Frames a second", self.fps_box)
        form.addRow(buttons)

    def values(self) -> tuple[tuple[int, int], float]:
        """((width, height), frames a second)."""
        return (self.width_box.value(), self.height_box.value()), self.fps_box.value()
