"""Widgets made from a parameter dataclass's declaration (`core.parameters`).

A `ParameterForm` is a group box with one row per field: a spin box for a number with
a range, a combo box for choices, a check box for a yes/no.  `values()` reads the
dataclass back, `show(params)` sets the widgets without announcing an edit, and
`changed` fires on every edit the user makes.  The widgets are reachable by field
name (``form.n_clusters``), so a page never repeats a parameter's range or label.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QSpinBox,
    QWidget,
)

from kmeans_studio.core.parameters import Spec, specs


class ParameterForm(QGroupBox):
    """The widgets of `params`' fields under `title`.

    `choices` narrows a field's choices for this page ({name: allowed values});
    `beside` puts a widget (a button) on a field's row.
    """

    changed = Signal()

    def __init__(self, title: str, params: Any, *,
                 choices: Mapping[str, tuple] | None = None,
                 beside: Mapping[str, QWidget] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self._type = type(params)
        self.widgets: dict[str, QWidget] = {}
        form = QFormLayout(self)
        for name, spec in specs(params).items():
            allowed = None if choices is None else choices.get(name)
            widget = _widget(spec, getattr(params, name), allowed)
            widget.setObjectName(name)
            self.widgets[name] = widget
            row: QWidget | QHBoxLayout = widget
            if beside and name in beside:
                row = QHBoxLayout()
                row.addWidget(widget, 1)
                row.addWidget(beside[name])
            if isinstance(widget, QCheckBox):
                form.addRow(row)
            else:
                form.addRow(spec.label, row)
            _changed_signal(widget).connect(self.changed)
            if isinstance(widget, QAbstractSpinBox):
                widget.installEventFilter(self)
        self.show_values(params)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Enter in a number field takes the value and gives the keys back to the run
        (Right, Left, End and Space edit the field while it has the focus)."""
        if (event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            watched.clearFocus()  # the field takes its value as it loses the focus
            return True
        return super().eventFilter(watched, event)

    def __getattr__(self, name: str) -> QWidget:
        widgets = self.__dict__.get("widgets")
        if widgets is not None and name in widgets:
            return widgets[name]
        raise AttributeError(name)

    def set_row_visible(self, name: str, visible: bool) -> None:
        """Show or hide field `name`'s row (its label, widget and any button)."""
        form = self.layout()
        for row in range(form.rowCount()):
            item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if item is None:
                continue
            inner = item.layout()
            held = ([inner.itemAt(i).widget() for i in range(inner.count())]
                    if inner is not None else [item.widget()])
            if self.widgets[name] in held:
                form.setRowVisible(row, visible)
                return

    def values(self) -> Any:
        """The parameters the widgets show."""
        return self._type(**{name: _read(w) for name, w in self.widgets.items()})

    def show_values(self, params: Any) -> None:
        """Show `params` without emitting `changed` (no run is asked for)."""
        for name, widget in self.widgets.items():
            with QSignalBlocker(widget):
                _write(widget, getattr(params, name))


def _widget(spec: Spec, value: Any, allowed: tuple | None) -> QWidget:
    if isinstance(value, bool):
        widget = QCheckBox(spec.label)
    elif spec.choices is not None:
        widget = QComboBox()
        for key, text in spec.choices.items():
            if allowed is None or key in allowed:
                widget.addItem(text, key)
    elif isinstance(value, float):
        widget = QDoubleSpinBox()
        widget.setRange(spec.low, spec.high)
        widget.setSingleStep(spec.step or 1.0)
        widget.setKeyboardTracking(False)
    else:
        widget = QSpinBox()
        widget.setRange(int(spec.low), int(spec.high))
        widget.setSingleStep(int(spec.step or 1))
        widget.setKeyboardTracking(False)  # typing "300" asks for one run, not three
    widget.setToolTip(spec.tip)
    widget.setAccessibleName(spec.label)
    return widget


def _changed_signal(widget: QWidget):
    if isinstance(widget, QCheckBox):
        return widget.toggled
    if isinstance(widget, QComboBox):
        return widget.currentIndexChanged
    return widget.valueChanged


def _read(widget: QWidget) -> Any:
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QComboBox):
        return widget.currentData()
    return widget.value()


def _write(widget: QWidget, value: Any) -> None:
    if isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    elif isinstance(widget, QComboBox):
        widget.setCurrentIndex(max(0, widget.findData(value)))
    else:
        widget.setValue(value)
