"""Observable properties and a two-way `bind()` between a property and a widget.

After Krita AI Diffusion's `properties.py`: each model property has a matching
`<name>_changed` signal, setting a property emits it only when the value really changed, and
`bind(model, "name", widget)` keeps the two in sync both ways. Because both sides only react to
real changes, a binding can never loop, and a panel never wires each widget by hand.

PySide needs signals declared in the class body, so a subclass declares each `Prop` *and* its
`<name>_changed = Signal(object)`; a missing signal is reported when the class is defined.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

T = TypeVar("T")


class Prop(Generic[T]):
    """An observable property of an `ObservableModel`, with a default value."""

    def __init__(self, default: T):
        self.default = default
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return instance._values.get(self.name, self.default)

    def __set__(self, instance: Any, value: T) -> None:
        if instance._values.get(self.name, self.default) == value:
            return
        instance._values[self.name] = value
        getattr(instance, f"{self.name}_changed").emit(value)
        instance.changed.emit(self.name)


class ObservableModel(QObject):
    """Base of models whose properties are `Prop`s.

    Signals:
        changed(str): the named property changed (after its own `<name>_changed`).
    """

    changed = Signal(str)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in cls.properties():
            if not hasattr(cls, f"{name}_changed"):
                raise TypeError(f"{cls.__name__}.{name} needs a '{name}_changed = Signal(object)'")

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._values: dict[str, Any] = {}

    @classmethod
    def properties(cls) -> list[str]:
        """Names of every Prop, in definition order (bases first)."""
        names: list[str] = []
        for klass in reversed(cls.__mro__):
            for name, attr in vars(klass).items():
                if isinstance(attr, Prop) and name not in names:
                    names.append(name)
        return names

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.properties()}

    def update(self, **values: Any) -> None:
        """Set several properties; each emits only if it changed."""
        for name, value in values.items():
            if name not in self.properties():
                raise AttributeError(f"{type(self).__name__} has no property {name!r}")
            setattr(self, name, value)


class Binding:
    """A live two-way connection; `disconnect()` ends it (e.g. when a widget is reused)."""

    def __init__(self, connections: list[tuple[Any, Callable]]):
        self._connections = connections

    def disconnect(self) -> None:
        for signal, slot in self._connections:
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
        self._connections = []


def _widget_access(widget: QWidget) -> tuple[Callable[[], Any], Callable[[Any], None], Any]:
    """(getter, setter, changed signal) for the widgets the panels use."""
    if isinstance(widget, QComboBox):

        def set_combo(value: Any) -> None:
            index = widget.findData(value)
            if index >= 0:
                widget.setCurrentIndex(index)

        return widget.currentData, set_combo, widget.currentIndexChanged
    if isinstance(widget, QAbstractButton):
        if not widget.isCheckable():
            raise TypeError(f"{type(widget).__name__} must be checkable to bind")
        return widget.isChecked, widget.setChecked, widget.toggled
    if isinstance(widget, (QSpinBox, QDoubleSpinBox)):
        return widget.value, widget.setValue, widget.valueChanged
    if isinstance(widget, QLineEdit):
        return widget.text, widget.setText, widget.textChanged
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText, widget.setPlainText, widget.textChanged
    raise TypeError(f"cannot bind a {type(widget).__name__}")


def bind(
    model: ObservableModel,
    name: str,
    widget: QWidget,
    *,
    to_widget: Callable[[Any], Any] | None = None,
    to_model: Callable[[Any], Any] | None = None,
) -> Binding:
    """Keep `model.<name>` and `widget` in sync both ways; the widget takes the model's value now.

    `to_widget` / `to_model` convert between the two (e.g. None <-> "" for a combo's "Default").
    A QComboBox binds its item *data*; a checkable button its checked state; a QPlainTextEdit
    its plain text (which is only replaced when it differs, so the cursor stays put).
    """
    get, set_, widget_changed = _widget_access(widget)
    to_widget = to_widget or (lambda v: v)
    to_model = to_model or (lambda v: v)
    model_changed = getattr(model, f"{name}_changed")

    def model_to_widget(value: Any) -> None:
        wanted = to_widget(value)
        if get() != wanted:
            set_(wanted)

    def widget_to_model(*_args: Any) -> None:
        setattr(model, name, to_model(get()))

    model_to_widget(getattr(model, name))
    model_changed.connect(model_to_widget)
    widget_changed.connect(widget_to_model)
    return Binding([(model_changed, model_to_widget), (widget_changed, widget_to_model)])


# ----- status colours for labels that report validation ------------------------------------------

_TONES_DARK = {"error": "#ff7b72", "warning": "#e3b341", "ok": "#56d364", "muted": "#9198a1", "accent": "#79c0ff"}
_TONES_LIGHT = {"error": "#c62828", "warning": "#9a6700", "ok": "#1a7f37", "muted": "#656d76", "accent": "#0969da"}


def tone_color(widget: QWidget, tone: str) -> str:
    """A readable colour for `tone` (error, warning, ok, muted, accent) on the widget's palette."""
    dark = widget.palette().color(QPalette.ColorRole.Window).lightness() < 128
    return (_TONES_DARK if dark else _TONES_LIGHT)[tone]


def set_tone(label: QLabel, tone: str | None) -> None:
    """Colour a label's text for its meaning; None restores the palette's text colour.

    The tone is remembered on the label, so `refresh_tones` can pick the colour again when the
    theme switches between light and dark.
    """
    label.setProperty("tone", tone or "")
    sheet = "" if tone is None else f"color: {tone_color(label, tone)};"
    if label.styleSheet() != sheet:  # setting a style sheet re-polishes the label, even the same one
        label.setStyleSheet(sheet)


def refresh_tones(widgets: list[QWidget]) -> None:
    """Re-colour every toned label among `widgets` for the palette in use now."""
    for widget in widgets:
        tone = widget.property("tone")
        if tone and isinstance(widget, QLabel):
            set_tone(widget, str(tone))


def no_wheel_when_unfocused(*widgets: QWidget) -> None:
    """Scrolling a long panel must not change the combo and spin boxes it passes over.

    Such widgets take focus on click or Tab only, and a wheel event reaching one without focus is
    handed to its parent, so the surrounding scroll area scrolls instead.
    """
    for widget in widgets:
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        widget.installEventFilter(_WHEEL_GUARD)


class _WheelGuard(QObject):
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Wheel and isinstance(obj, QWidget) and not obj.hasFocus():
            parent = obj.parentWidget()
            if parent is not None:
                QCoreApplication.sendEvent(parent, event)
            return True
        return False


_WHEEL_GUARD = _WheelGuard()
