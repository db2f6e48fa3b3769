"""Lloyd's loop (a mixture: EM's) in a few lines, the half-step just taken marked."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QVBoxLayout, QWidget

from kmeans_studio.core.engine.mixture_steps import MixtureIteration
from kmeans_studio.qt.contracts import Snapshot
from kmeans_studio.qt.layout import WrappedLabel
from kmeans_studio.qt.presentation import relative_font

#: (key, line): what `step_lines` names, and what the reader sees.
LINES = (
    ("init", "centres ← k starting points"),
    ("repeat", "repeat"),
    ("assign", "  each point → its nearest centre  (E)"),
    ("update", "  each centre → mean of its points (M)"),
    ("until", "until no label changes, or the centres move less than tol"),
    ("final", "each point → its nearest centre, once more"),
    ("return", "return centres, labels"),
)
#: The same for a Gaussian mixture's EM.
EM_LINES = (
    ("init", "weights, means, covariances ← a start"),
    ("repeat", "repeat"),
    ("assign", "  E: responsibilities ∝ weight × density  (E)"),
    ("update", "  M: weights, means, covariances from them (M)"),
    ("until", "until the log-likelihood rises less than tol"),
    ("return", "return weights, means, covariances"),
)


def lines_for(snapshot: Snapshot | None) -> tuple:
    """The loop the run shown follows: `EM_LINES` for a mixture, else `LINES`."""
    state = None if snapshot is None else snapshot.iteration
    return EM_LINES if isinstance(state, MixtureIteration) else LINES


def step_lines(snapshot: Snapshot | None) -> tuple[str, ...]:
    """The lines the state shown has just carried out."""
    if snapshot is None or snapshot.iteration is None:
        return ()
    state = snapshot.iteration
    if state.phase in ("init", "edit"):  # an edit starts the loop again from its centres
        return ("init",)
    if state.phase == "update":
        # A converged update ends the loop; with no label changed (scikit-learn's
        # strict test) the run is over, else one more assignment follows (k-means).
        if snapshot.done:
            return "update", "until", "return"
        return ("update", "until") if state.converged else ("update",)
    if snapshot.done:  # the assignment after the loop
        return "final", "return"
    return ("assign",)


class PseudocodeView(QWidget):
    """The loop as text; `set_snapshot` marks the lines of the state shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pseudocode")
        self.code = QListWidget()
        self.code.setObjectName("pseudocode_lines")
        self.code.setAccessibleName("Lloyd's algorithm, the step just taken selected")
        self.code.setToolTip("k-means (Lloyd's algorithm); the lines of the half-step "
                             "just taken are selected as you step")
        relative_font(self.code, family=QFontDatabase.systemFont(
            QFontDatabase.SystemFont.FixedFont).family())
        # The selection marks the step (in the palette's highlight colours); it is
        # read, not clicked.
        self.code.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        self.code.viewport().setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.code.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._lines = LINES
        self.code.addItems([text for _, text in LINES])
        # A narrow dock wraps a long line rather than hide its end.
        self.code.setWordWrap(True)
        self.code.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.note = WrappedLabel("Step the run to follow it here.")
        self.note.setObjectName("pseudocode_note")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.code, 1)
        layout.addWidget(self.note)
        self.code.setResizeMode(QListWidget.ResizeMode.Adjust)  # rows re-wrapped on resize
        self._fit_rows()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_rows()

    def _fit_rows(self) -> None:
        """Every line in view, wrapped lines included: the dock asks for their height."""
        metrics = self.code.fontMetrics()
        width = max(40, self.code.viewport().width() - 8)  # (the items' own margins)
        line = self.code.sizeHintForRow(0) - metrics.height() if self.code.count() else 0
        rows = sum(metrics.boundingRect(QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap,
                                        self.code.item(i).text()).height() + line
                   for i in range(self.code.count()))
        need = rows + 2 * self.code.frameWidth() + 4
        if need != self.code.minimumHeight():
            self.code.setMinimumHeight(need)

    def text_width(self) -> int:
        """Width that shows the longest line unwrapped."""
        metrics = self.code.fontMetrics()
        return (max(metrics.horizontalAdvance(text) for _, text in self._lines)
                + 2 * self.code.frameWidth() + 24)

    def set_snapshot(self, snapshot: Snapshot | None) -> None:
        lines = lines_for(snapshot)
        if lines is not self._lines:
            self._lines = lines
            self.code.clear()
            self.code.addItems([text for _, text in lines])
            self._fit_rows()
        marked = step_lines(snapshot)
        self.code.clearSelection()
        rows = {key: row for row, (key, _) in enumerate(lines)}
        for key in marked:
            self.code.item(rows[key]).setSelected(True)
        self.note.setText(_note(snapshot, marked))

    def marked(self) -> list[str]:
        """The keys of the lines marked now."""
        return [self._lines[self.code.row(item)][0] for item in self.code.selectedItems()]


def _note(snapshot: Snapshot | None, marked: tuple[str, ...]) -> str:
    if not marked:
        return "Step the run to follow it here."
    state = snapshot.iteration
    if isinstance(state, MixtureIteration):
        return _mixture_note(state, marked)
    if marked == ("init",) and state.phase == "edit":
        return (f"You edited the centres: {state.n_clusters} now; the loop begins again "
                "from them.")
    if marked == ("init",):
        return f"{state.n_clusters} centres placed; the loop has not begun."
    if "final" in marked:
        return (f"Stopped after {state.n_iter} iterations; the last assignment gives each "
                "point the label of its nearest final centre.")
    if "return" in marked:
        return f"Stopped after {state.n_iter} iterations: no label changed."
    if "until" in marked:
        return (f"Iteration {state.n_iter}: the centres moved less than the tolerance; "
                "one last assignment follows.")
    if marked == ("assign",):
        points = ("1 point changed its label" if state.n_changed == 1
                  else f"{state.n_changed:,} points changed their label")
        return f"Iteration {state.n_iter}: {points}."
    return f"Iteration {state.n_iter}: each centre moved to the mean of its points."


def _mixture_note(state: MixtureIteration, marked: tuple[str, ...]) -> str:
    if marked == ("init",):
        return f"{state.n_clusters} components started; the loop has not begun."
    if "return" in marked:
        why = ("the log-likelihood rose less than the tolerance" if state.converged
               else "the iteration limit")
        return f"Stopped after {state.n_iter} iterations: {why}."
    if marked == ("assign",):
        points = ("1 point changed its" if state.n_changed == 1
                  else f"{state.n_changed:,} points changed their")
        return f"Iteration {state.n_iter}: {points} most likely component."
    return (f"Iteration {state.n_iter}: each component's weight, mean and covariance "
            "re-estimated from the responsibilities.")
