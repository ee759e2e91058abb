"""The options of the smart selection tools: the magic wand's tolerance, contiguity and edge,
how select object is drawn, and refine edge's band.

An observable model like `ToolSettings`, which it hangs from (`smart_settings(tool_settings)`),
so the tools and the tool options bar that share one `ToolSettings` share these too.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktop_editor.core.selection.refine import DEFAULT_BAND, MAX_BAND
from desktop_editor.core.selection.wand import DEFAULT_TOLERANCE

OBJECT_BOX, OBJECT_SCRIBBLE = "box", "scribble"


class SmartSelectionSettings(QObject):
    """Options of the magic wand, select object and refine edge.

    Signals:
        tolerance_changed(int): the wand's tolerance, 0 (one exact colour) .. 255 (everything).
        contiguous_changed(bool): the wand selects only the region connected to the click.
        antialias_changed(bool): the wand's edge is anti-aliased from the photo.
        object_draw_changed(str): select object draws a "box" or a "scribble".
        refine_band_changed(int): refine edge's band, in image pixels.
    """

    tolerance_changed = Signal(int)
    contiguous_changed = Signal(bool)
    antialias_changed = Signal(bool)
    object_draw_changed = Signal(str)
    refine_band_changed = Signal(int)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._tolerance = DEFAULT_TOLERANCE
        self._contiguous = True
        self._antialias = True
        self._object_draw = OBJECT_BOX
        self._refine_band = DEFAULT_BAND

    @property
    def tolerance(self) -> int:
        return self._tolerance

    @tolerance.setter
    def tolerance(self, value: int) -> None:
        value = int(max(0, min(255, round(value))))
        if value != self._tolerance:
            self._tolerance = value
            self.tolerance_changed.emit(value)

    @property
    def contiguous(self) -> bool:
        return self._contiguous

    @contiguous.setter
    def contiguous(self, value: bool) -> None:
        if bool(value) != self._contiguous:
            self._contiguous = bool(value)
            self.contiguous_changed.emit(self._contiguous)

    @property
    def antialias(self) -> bool:
        return self._antialias

    @antialias.setter
    def antialias(self, value: bool) -> None:
        if bool(value) != self._antialias:
            self._antialias = bool(value)
            self.antialias_changed.emit(self._antialias)

    @property
    def object_draw(self) -> str:
        return self._object_draw

    @object_draw.setter
    def object_draw(self, value: str) -> None:
        if value not in (OBJECT_BOX, OBJECT_SCRIBBLE):
            raise ValueError(f"select object draws a box or a scribble, not {value!r}")
        if value != self._object_draw:
            self._object_draw = value
            self.object_draw_changed.emit(value)

    @property
    def refine_band(self) -> int:
        return self._refine_band

    @refine_band.setter
    def refine_band(self, value: int) -> None:
        value = int(max(1, min(MAX_BAND, round(value))))
        if value != self._refine_band:
            self._refine_band = value
            self.refine_band_changed.emit(value)


def smart_settings(tool_settings: QObject) -> SmartSelectionSettings:
    """The smart selection options that belong with `tool_settings` (made on first use)."""
    found = getattr(tool_settings, "_smart_selection", None)
    if found is None:
        found = SmartSelectionSettings(tool_settings)
        tool_settings._smart_selection = found  # type: ignore[attr-defined]
    return found
