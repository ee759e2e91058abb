"""What a mask tool needs of the surface it works on, and the pointer events it receives.

The canvas view is the host in the app; tests can give the tools any object with these
methods, so the tools never import the view (and the view imports the tools).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtWidgets import QWidget

from desktop_editor.core.mask_ops import SelectionMode

if TYPE_CHECKING:
    from desktop_editor.ui.models.document import Document


class ToolHost(Protocol):
    """The canvas as the tools see it."""

    def document(self) -> Document | None: ...

    def viewport(self) -> QWidget: ...

    def scale(self) -> float:
        """Logical (widget) pixels per image pixel."""
        ...

    def map_from_image(self, image_pos: QPointF) -> QPointF: ...

    def update_view_rect(self, rect: QRectF) -> None:
        """Repaint this part of the viewport (the tool's on-canvas feedback)."""
        ...

    def hover_pointer(self) -> Pointer | None: ...


@dataclass
@dataclass
class Pointer:
    """One pointer event in both coordinate systems, from a mouse or a tablet pen."""

    view_pos: QPointF  # viewport (logical pixels)
    image_pos: QPointF  # image pixels, continuous: pixel (i, j) spans [i, i + 1)
    button: Qt.MouseButton = Qt.MouseButton.NoButton
    buttons: Qt.MouseButton = Qt.MouseButton.NoButton
    modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    pressure: float | None = None  # 0..1 from a tablet, None from a mouse


def selection_mode_for(modifiers: Qt.KeyboardModifier, default: SelectionMode) -> SelectionMode:
    """Shift adds, Alt subtracts, both intersect; otherwise the tool option's mode."""
    shift = bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
    alt = bool(modifiers & Qt.KeyboardModifier.AltModifier)
    if shift and alt:
        return SelectionMode.INTERSECT
    if shift:
        return SelectionMode.ADD
    if alt:
        return SelectionMode.SUBTRACT
    return default
