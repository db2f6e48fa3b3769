"""Inertia per half-step (a mixture: its log-likelihood), the current one marked, and a
sentence on the last half-step.

The x axis counts iterations; an assignment sits half-way to its update.  A click
anywhere on the chart asks to jump to the state nearest to it along the x axis
(`seek_requested`): no need to hit a point.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics, QTextOption
from PySide6.QtWidgets import (
    QHBoxLayout,
    QSizePolicy,
    QSpacerItem,
    QVBoxLayout,
    QWidget,
)

from kmeans_studio.core.engine.narration import narrate
from kmeans_studio.qt.colors import fixed_plot, is_dark
from kmeans_studio.qt.contracts import Snapshot
from kmeans_studio.qt.layout import WrappedLabel
from kmeans_studio.qt.presentation import relative_font

PLOT_MINIMUM = (180, 105)  # pixels (taller where a large font needs it for the axis title)


class InertiaView(QWidget):
    """Inertia curve with the narration line above it."""

    seek_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.narration = WrappedLabel("Generating the data…")
        self.narration.setObjectName("narration")
        self.narration.setAccessibleName("What the last half-step did")
        relative_font(self.narration, 1.15)
        self.plot = fixed_plot("inertia_plot", "Inertia per iteration", "iteration",
                               "inertia")
        color = (120, 170, 255) if is_dark() else (0, 90, 170)
        self.curve = pg.PlotDataItem(pen=pg.mkPen(color, width=2), symbol="o", symbolSize=6,
                                     symbolBrush=color, symbolPen=None)
        self.plot.addItem(self.curve)
        self.plot.scene().sigMouseClicked.connect(self._on_clicked)
        self.plot.viewport().setCursor(Qt.CursorShape.PointingHandCursor)
        self._n_states = 0  # states a click can go to (none before there are centres)
        self.marker = pg.InfiniteLine(angle=90, pen=pg.mkPen(200, 80, 0, width=1.5,
                                                             style=Qt.PenStyle.DashLine))
        self.plot.addItem(self.marker)
        self.current = pg.ScatterPlotItem(size=13, brush=pg.mkBrush(213, 94, 0), pen=None)
        self.plot.addItem(self.current)
        self.plot.setMinimumSize(*PLOT_MINIMUM)
        self.placeholder = pg.TextItem("Inertia appears after the first assignment",
                                       anchor=(0.5, 0.5), color=(128, 128, 128))
        self.plot.addItem(self.placeholder)
        self._curve_name = "inertia"
        self.placeholder.setPos(1.5, 0.5)
        # The axis title wraps (at its hyphen) where the axis is too short for it.
        axis = self.plot.getAxis("left")
        axis.label.document().setDefaultTextOption(
            QTextOption(Qt.AlignmentFlag.AlignCenter))
        self._title_wrapped = False
        self.plot.getPlotItem().vb.sigResized.connect(self._fit_axis_title)

        # Two lines are kept for the narration, whatever its length: one- and two-line
        # sentences alternate while playing, and must not move the curve up and down.
        self.narration.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._two_lines = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum,
                                      QSizePolicy.Policy.Fixed)
        self._reserve_lines()
        header = QHBoxLayout()
        header.addWidget(self.narration, 1)
        header.addSpacerItem(self._two_lines)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addLayout(header)
        layout.addWidget(self.plot, 1)

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._reserve_lines()
            self.plot.setMinimumHeight(PLOT_MINIMUM[1])
            self._fit_axis_title()

    def _reserve_lines(self) -> None:
        """The narration's header keeps the height of two lines of its text (a longer
        sentence still makes it taller: the label asks for its own height)."""
        metrics = QFontMetrics(self.narration.font())
        two = metrics.boundingRect(QRect(0, 0, 10_000, 10_000),
                                   Qt.TextFlag.TextWordWrap, "Ag\nAg").height()
        margins = self.narration.contentsMargins()
        two += margins.top() + margins.bottom() + 2 * self.narration.margin()
        if two != self._two_lines.sizeHint().height():
            self._two_lines.changeSize(0, two, QSizePolicy.Policy.Minimum,
                                       QSizePolicy.Policy.Fixed)
            if self.layout() is not None:
                self.layout().invalidate()

    def _fit_axis_title(self) -> None:
        """Wrap the left axis title (at its hyphen or spaces, never inside a word)
        where the axis is too short for it on one line; where even its longest word
        does not fit (a large font), the plot asks for the height it lacks."""
        axis = self.plot.getAxis("left")
        label, room = axis.label, axis.size().height()
        if room <= 0:
            return
        label.setTextWidth(-1)
        wrap = label.boundingRect().width() > room
        if wrap:
            label.setTextWidth(room)
            word = label.document().idealWidth()
            # Narrower than its longest word, it would break that word.
            label.setTextWidth(max(room, word))
            if word > room:
                # (The plot item's height: the widget's may be newer than the axis's.)
                shown = self.plot.getPlotItem().height() + 2 * self.plot.frameWidth()
                # Later, not inside the plot's layout: a minimum above the widget's
                # height resizes it at once, and its viewport would not follow.
                need = math.ceil(shown + word - room)
                QTimer.singleShot(0, self.plot, lambda: self.plot.setMinimumHeight(
                    max(self.plot.minimumHeight(), need)))
        if wrap or wrap != self._title_wrapped:
            self._title_wrapped = wrap
            axis.showLabel(True)  # (the axis's width counts the title's lines)
            axis.resizeEvent()  # (the title is placed by its length)

    def set_snapshot(self, snapshot: Snapshot) -> None:
        state = snapshot.iteration
        self.marker.setVisible(state is not None)
        self._n_states = 0 if state is None else len(snapshot.objective)
        if state is None:  # no centres yet (click-to-place): an empty chart
            self.curve.setData([])
            self.current.setData([])
            self.placeholder.show()
            self.plot.setXRange(0, 3.0, padding=0.02)
            self.plot.setYRange(0, 1, padding=0)
            self.say("Place centres to start.")
            return
        self._name_curve(state.objective_name)
        inertia = np.asarray(snapshot.objective, dtype=float)
        x = np.arange(len(inertia)) / 2.0
        finite = np.isfinite(inertia)
        # Broken where a state has none: after the start, an edit of the centres
        # mid-run (the inertia of another k follows).
        shown = np.flatnonzero(finite)
        joined = np.append(np.diff(shown) == 1, False)
        self.curve.setData(x[finite], inertia[finite], connect=joined)
        self.plot.setXRange(0, max(3.0, x[-1] + 0.5 if len(x) else 0.0), padding=0.02)
        self.placeholder.setVisible(not finite.any())
        if finite.any():
            low, high = inertia[finite].min(), inertia[finite].max()
            span = max(high - low, abs(high) * 0.05, 1e-12)
            self.plot.setYRange(low - 0.08 * span, high + 0.08 * span, padding=0)
        self.marker.setPos(snapshot.index / 2.0)
        if snapshot.index < len(inertia) and np.isfinite(inertia[snapshot.index]):
            self.current.setData([snapshot.index / 2.0], [inertia[snapshot.index]])
        else:
            self.current.setData([])
        if not finite.any():
            self.plot.setYRange(0, 1, padding=0)
        self.say(narrate(state, snapshot.previous))

    def say(self, text: str) -> None:
        """Show `text` as the narration, with the height it needs now: QLabel's
        height-for-width is at least its minimum height, so the label would keep the
        height of the longest sentence it has shown."""
        self.narration.setMinimumHeight(0)
        self.narration.setText(text)

    def _name_curve(self, name: str) -> None:
        """Title and axis for what the run improves (inertia, or log-likelihood)."""
        if name != self._curve_name:
            self._curve_name = name
            self.plot.setAccessibleName(f"{name[0].upper()}{name[1:]} per iteration")
            self.plot.setLabel("left", name)
            self.plot.setMinimumHeight(PLOT_MINIMUM[1])
            self._fit_axis_title()
            self.placeholder.setText(f"{name[0].upper()}{name[1:]} appears after the "
                                     "first " + ("E-step" if name != "inertia"
                                                 else "assignment"))

    def _on_clicked(self, event) -> None:
        """A left click anywhere on the chart: the state nearest along the x axis (the
        nearest half-step, states sitting at 0, ½, 1, 1½ ...)."""
        if event.button() != Qt.MouseButton.LeftButton or self._n_states == 0:
            return
        item = self.plot.getPlotItem()
        if not item.sceneBoundingRect().contains(event.scenePos()):
            return
        x = item.vb.mapSceneToView(event.scenePos()).x()
        state = int(np.clip(np.floor(2 * x + 0.5), 0, self._n_states - 1))
        event.accept()
        self.seek_requested.emit(state)
