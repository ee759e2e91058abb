"""The options the mask tools share (brush size, hardness, opacity and flow, selection mode,
fill tolerance, pen pressure).

An observable model: the tool options bar and the tools both follow its `*_changed` signals,
and the window remembers it between runs.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktop_editor.core.mask_ops import SelectionMode

MIN_BRUSH = 1.0
MAX_BRUSH = 2000.0


class ToolSettings(QObject):
    """Options shared by the tools, which the tool options bar edits.

    Signals:
        brush_size_changed(float): brush diameter in image pixels.
        hardness_changed(float): 0 (soft) .. 1 (hard edge).
        opacity_changed(float): 0..1, the most a brush stroke covers (strokes build up).
        flow_changed(float): 0..1, how much each dab of the brush adds within a stroke.
        selection_mode_changed(str): a SelectionMode value.
        fill_tolerance_changed(int): 0..255, how far from the clicked value the fill spreads.
        fill_soft_edge_changed(bool): whether the fill takes the soft edge of its outline too.
        pressure_changed(bool): whether pen pressure scales the brush size.
    """

    brush_size_changed = Signal(float)
    hardness_changed = Signal(float)
    opacity_changed = Signal(float)
    flow_changed = Signal(float)
    selection_mode_changed = Signal(str)
    fill_tolerance_changed = Signal(int)
    fill_soft_edge_changed = Signal(bool)
    pressure_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._brush_size = 60.0
        self._hardness = 0.8
        self._opacity = 1.0
        self._flow = 1.0
        # Masks are built up: a new selection adds unless the designer picks another mode (which
        # is then remembered). On an empty mask Add and Replace give the same result.
        self._selection_mode = SelectionMode.ADD
        self._fill_tolerance = 127
        self._fill_soft_edge = True
        self._pressure = True

    @property
    def brush_size(self) -> float:
        return self._brush_size

    @brush_size.setter
    def brush_size(self, value: float) -> None:
        value = float(max(MIN_BRUSH, min(MAX_BRUSH, round(value))))
        if value != self._brush_size:
            self._brush_size = value
            self.brush_size_changed.emit(value)

    @property
    def hardness(self) -> float:
        return self._hardness

    @hardness.setter
    def hardness(self, value: float) -> None:
        value = max(0.0, min(1.0, round(float(value), 2)))
        if value != self._hardness:
            self._hardness = value
            self.hardness_changed.emit(value)

    @property
    def opacity(self) -> float:
        return self._opacity

    @opacity.setter
    def opacity(self, value: float) -> None:
        value = max(0.01, min(1.0, round(float(value), 2)))
        if value != self._opacity:
            self._opacity = value
            self.opacity_changed.emit(value)

    @property
    def flow(self) -> float:
        return self._flow

    @flow.setter
    def flow(self, value: float) -> None:
        value = max(0.01, min(1.0, round(float(value), 2)))
        if value != self._flow:
            self._flow = value
            self.flow_changed.emit(value)

    @property
    def fill_tolerance(self) -> int:
        return self._fill_tolerance

    @fill_tolerance.setter
    def fill_tolerance(self, value: int) -> None:
        value = int(max(0, min(255, round(float(value)))))
        if value != self._fill_tolerance:
            self._fill_tolerance = value
            self.fill_tolerance_changed.emit(value)

    @property
    def fill_soft_edge(self) -> bool:
        return self._fill_soft_edge

    @fill_soft_edge.setter
    def fill_soft_edge(self, value: bool) -> None:
        if bool(value) != self._fill_soft_edge:
            self._fill_soft_edge = bool(value)
            self.fill_soft_edge_changed.emit(self._fill_soft_edge)

    @property
    def selection_mode(self) -> SelectionMode:
        return self._selection_mode

    @selection_mode.setter
    def selection_mode(self, value: SelectionMode | str) -> None:
        value = SelectionMode(value)
        if value != self._selection_mode:
            self._selection_mode = value
            self.selection_mode_changed.emit(value.value)

    @property
    def pressure_scales_size(self) -> bool:
        return self._pressure

    @pressure_scales_size.setter
    def pressure_scales_size(self, value: bool) -> None:
        if bool(value) != self._pressure:
            self._pressure = bool(value)
            self.pressure_changed.emit(self._pressure)

    def step_brush_size(self, direction: int) -> None:
        """One [ or ] key press: about 10% per step, at least 1 px, like other paint programs."""
        size = self._brush_size
        step = max(1.0, round(size * 0.1)) if direction > 0 else max(1.0, round(size / 11.0))
        self.brush_size = size + step if direction > 0 else size - step

    def step_hardness(self, direction: int) -> None:
        """One Shift+[ or Shift+] press: 10% hardness."""
        self.hardness = self._hardness + (0.1 if direction > 0 else -0.1)
