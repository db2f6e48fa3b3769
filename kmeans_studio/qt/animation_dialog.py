"""What an exported animation shows, its frame size and rate, asked before its file
name."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QSpinBox,
    QWidget,
)

from kmeans_studio.core.export import animation


class AnimationOptions(QDialog):
    """The view (of `views`, keys of `animation.VIEWS`), width, height and frames a
    second (`core.animation`'s defaults to start)."""

    def __init__(self, parent: QWidget | None = None,
                 views: tuple[str, ...] = ("plot",)) -> None:
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
        self.view_box = QComboBox()
        for key in views:
            self.view_box.addItem(animation.VIEWS[key], key)
        self.view_box.setAccessibleName("What each frame shows")
        self.view_box.setToolTip("What each frame shows: the plot alone, with the run's "
                                 "curve (inertia, or a mixture's log-likelihood), the "
                                 "centres as images, or the photo's palette")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Shows", self.view_box)
        form.addRow("Width", self.width_box)
        form.addRow("Height", self.height_box)
        form.addRow("Frames a second", self.fps_box)
        form.addRow(buttons)

    def values(self) -> tuple[tuple[int, int], float, str]:
        """((width, height), frames a second, view)."""
        return ((self.width_box.value(), self.height_box.value()), self.fps_box.value(),
                self.view_box.currentData())
