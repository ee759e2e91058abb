"""The tool options bar: the active tool (its icon), brush size, hardness, opacity and flow, the
selection mode, the fill's tolerance, and the mask overlay's colour and opacity.

It has to fit a 1400 px window with the window's commands and Generate beside the busiest
tool's options: icons stand for the tool and the selection modes (names in their tooltips).

It edits the shared `ToolSettings` and the canvas's overlay, and follows them back, so a key
([ ], Shift+[ ]) or a restored setting shows here at once. The window puts its own commands
(open, undo, zoom, Generate) around it; what only makes sense while painting hides on the
Compare page, which has a bar of its own.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Slot
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QLabel,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QToolBar,
    QToolButton,
    QWidget,
)

from desktop_editor.core.mask_ops import SelectionMode
from desktop_editor.ui.canvas.expand_options import ExpandOptions
from desktop_editor.ui.canvas.smart_options import SmartOptions
from desktop_editor.ui.canvas.view import CanvasView
from desktop_editor.ui.common.icons import color_swatch_icon, icon
from desktop_editor.ui.models.smart_settings import smart_settings

BRUSH_TOOLS = ("brush", "eraser")
SIZED_TOOLS = (*BRUSH_TOOLS, "refine")  # the refine edge brush has a size, not the rest
SELECTION_TOOLS = ("rect", "lasso", "wand", "object")
FILL_TOOLS = ("bucket",)
_MODES = (
    (SelectionMode.REPLACE, "Replace", "mode_replace", "Replace: a new selection replaces the mask"),
    (SelectionMode.ADD, "Add", "mode_add", "Add to the mask (or hold Shift)"),
    (SelectionMode.SUBTRACT, "Subtract", "mode_subtract", "Subtract from the mask (or hold Alt)"),
    (SelectionMode.INTERSECT, "Intersect", "mode_intersect", "Intersect: keep only the overlap (or hold Shift+Alt)"),
)


def _percent_spin(prefix: str, tip: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(1, 100)
    spin.setPrefix(prefix)
    spin.setSuffix("%")
    spin.setAlignment(Qt.AlignmentFlag.AlignRight)
    # With its arrows, like Size and Hardness: a field without them did not look like one to change.
    # As wide as its text and arrows need, no wider: the bar must keep Generate at 1280 px.
    spin.setFixedWidth(spin.fontMetrics().horizontalAdvance(f"{prefix}100%") + 38)
    spin.setToolTip(tip)
    return spin


def _show(widget: QWidget, value) -> None:
    """Show a setting's value without echoing it back."""
    widget.blockSignals(True)
    if isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    else:
        widget.setValue(value)
    widget.blockSignals(False)


def _option_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("option_label")
    return label


class ToolOptionsBar(QToolBar):
    """Options of the active tool and of the mask overlay.

    `start` and `end` are the window's actions placed before and after the options (None is a
    separator); `overlay` its overlay actions (show mask, mask only), placed with the overlay
    controls.
    """

    def __init__(self, canvas: CanvasView, *, start: list[QAction | None], overlay: list[QAction],
                 end: list[QAction | None], parent: QWidget | None = None):
        super().__init__("Tool Options", parent)
        self.canvas = canvas
        self._painting = True
        self.setObjectName("options_toolbar")
        self.setMovable(False)
        self.setIconSize(QSize(18, 18))
        self._add_all(start)
        settings = canvas.tools.settings

        # The active tool as its icon (its name in the tooltip): the name took up to 150 px.
        self.tool_badge = QToolButton()
        self.tool_badge.setObjectName("tool_badge")
        self.tool_badge.setAutoRaise(True)
        self.tool_badge.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.tool_badge.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        tool_name = self.addWidget(self.tool_badge)

        self.size_slider = QSlider(Qt.Orientation.Horizontal)
        self.size_slider.setRange(1, 500)
        self.size_slider.setFixedWidth(92)
        self.size_slider.setToolTip("Brush size in image pixels ([ and ])")
        self.size_spin = QSpinBox()
        self.size_spin.setRange(1, 2000)
        self.size_spin.setSuffix(" px")
        self.size_spin.setToolTip(self.size_slider.toolTip())
        self.hardness_slider = QSlider(Qt.Orientation.Horizontal)
        self.hardness_slider.setRange(0, 100)
        self.hardness_slider.setFixedWidth(64)
        self.hardness_slider.setToolTip("Hardness: 100% is a hard edge ({ and })")
        self.hardness_spin = QSpinBox()
        self.hardness_spin.setRange(0, 100)
        self.hardness_spin.setSuffix(" %")
        self.hardness_spin.setToolTip(self.hardness_slider.toolTip())
        self._size_options = [self.addWidget(w) for w in (_option_label("Size"), self.size_slider, self.size_spin)]
        self._brush_options = [self.addWidget(w) for w in (
            _option_label("Hardness"), self.hardness_slider, self.hardness_spin)]
        self._add_stroke_and_fill_options(settings)

        self.mode_group = QActionGroup(self)
        self.mode_actions: dict[SelectionMode, QAction] = {}
        self._selection_options: list[QAction] = []
        for mode, text, icon_name, tip in _MODES:
            action = QAction(icon(icon_name), text, self)  # icons only: four words did not fit at 1400 px
            action.setProperty("icon_name", icon_name)
            action.setCheckable(True)
            action.setToolTip(tip)
            action.triggered.connect(lambda _c=False, m=mode: setattr(settings, "selection_mode", m))
            self.mode_group.addAction(action)
            self.mode_actions[mode] = action
            self.addAction(action)
            self._selection_options.append(action)
        self.mode_actions[settings.selection_mode].setChecked(True)
        self.smart_options = SmartOptions(self, smart_settings(settings))
        self.expand_options = ExpandOptions(self, canvas)

        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.addWidget(spacer)

        self.color_button = QToolButton()
        self.color_button.setToolTip("Mask overlay colour")
        self.color_button.setAutoRaise(True)
        self.color_button.clicked.connect(self.choose_overlay_color)
        color_button = self.addWidget(self.color_button)
        self.opacity_slider = QSlider(Qt.Orientation.Horizontal)
        self.opacity_slider.setRange(0, 100)
        self.opacity_slider.setFixedWidth(80)
        self.opacity_slider.setToolTip("Mask overlay opacity")
        opacity_slider = self.addWidget(self.opacity_slider)
        self.opacity_label = QLabel()
        self.opacity_label.setMinimumWidth(38)
        opacity_label = self.addWidget(self.opacity_label)
        for action in overlay:
            self.addAction(action)
        self._painting_only = [tool_name, color_button, opacity_slider, opacity_label, *overlay,
                               self.addSeparator()]
        self._add_all(end)

        self.size_slider.valueChanged.connect(lambda v: setattr(settings, "brush_size", v))
        self.size_spin.valueChanged.connect(lambda v: setattr(settings, "brush_size", v))
        self.hardness_slider.valueChanged.connect(lambda v: setattr(settings, "hardness", v / 100.0))
        self.hardness_spin.valueChanged.connect(lambda v: setattr(settings, "hardness", v / 100.0))
        self.opacity_slider.valueChanged.connect(self._on_opacity_slider)
        settings.brush_size_changed.connect(self._show_brush_size)
        settings.hardness_changed.connect(self._show_hardness)
        settings.selection_mode_changed.connect(self._show_selection_mode)
        canvas.tools.tool_changed.connect(self.show_tool)
        self._show_brush_size(settings.brush_size)
        self._show_hardness(settings.hardness)
        self.show_tool(canvas.tools.current.tool_id)
        self.sync_overlay()

    def _add_stroke_and_fill_options(self, settings) -> None:
        """Brush opacity and flow; the fill's tolerance and soft edge."""
        self.opacity_spin = _percent_spin("Opacity ", "Opacity: the most one stroke covers; strokes build up on each other")
        self.flow_spin = _percent_spin("Flow ", "Flow: how much each dab adds; below 100% a stroke builds up where it "
                                       "goes over itself")
        self._brush_options += [self.addWidget(w) for w in (self.opacity_spin, self.flow_spin)]
        self.tolerance_spin = QSpinBox()
        self.tolerance_spin.setRange(0, 100)
        self.tolerance_spin.setSuffix(" %")
        self.tolerance_spin.setToolTip("How different from the clicked value an outline must be to stop the fill")
        self.soft_edge_check = QCheckBox("Soft edge")
        self.soft_edge_check.setToolTip("Also fill the outline's soft edge up to its most opaque pixels (no halo)")
        self._fill_options = [self.addWidget(w) for w in (
            _option_label("Tolerance"), self.tolerance_spin, self.soft_edge_check)]
        self.opacity_spin.valueChanged.connect(lambda v: setattr(settings, "opacity", v / 100.0))
        self.flow_spin.valueChanged.connect(lambda v: setattr(settings, "flow", v / 100.0))
        self.tolerance_spin.valueChanged.connect(lambda v: setattr(settings, "fill_tolerance", round(v * 2.55)))
        self.soft_edge_check.toggled.connect(lambda on: setattr(settings, "fill_soft_edge", on))
        for signal, show in ((settings.opacity_changed, lambda v: _show(self.opacity_spin, round(v * 100))),
                             (settings.flow_changed, lambda v: _show(self.flow_spin, round(v * 100))),
                             (settings.fill_tolerance_changed, lambda v: _show(self.tolerance_spin, round(v / 2.55))),
                             (settings.fill_soft_edge_changed, lambda on: _show(self.soft_edge_check, on))):
            signal.connect(show)
        _show(self.opacity_spin, round(settings.opacity * 100))
        _show(self.flow_spin, round(settings.flow * 100))
        _show(self.tolerance_spin, round(settings.fill_tolerance / 2.55))
        _show(self.soft_edge_check, settings.fill_soft_edge)

    def _add_all(self, actions: list[QAction | None]) -> None:
        for action in actions:
            if action is None:
                self.addSeparator()
            else:
                self.addAction(action)

    def set_painting(self, painting: bool) -> None:
        """Show the painting options (Mask page) or hide them (Compare page)."""
        self._painting = painting
        for action in self._painting_only:
            action.setVisible(painting)
        self.show_tool(self.canvas.tools.current.tool_id)

    @Slot(str)
    def show_tool(self, tool_id: str) -> None:
        tool = self.canvas.tools.tool(tool_id)
        self.tool_badge.setProperty("icon_name", tool.icon_name)
        self.tool_badge.setIcon(icon(tool.icon_name))
        self.tool_badge.setToolTip(tool.label)
        self.tool_badge.setAccessibleName(tool.label)
        for action in self._size_options:
            action.setVisible(self._painting and tool_id in SIZED_TOOLS)
        for action in self._brush_options:
            action.setVisible(self._painting and tool_id in BRUSH_TOOLS)
        for action in self._selection_options:
            action.setVisible(self._painting and tool_id in SELECTION_TOOLS)
        self.smart_options.show_tool(tool_id, self._painting)
        self.expand_options.show_tool(tool_id, self._painting)
        for action in self._fill_options:
            action.setVisible(self._painting and tool_id in FILL_TOOLS)

    @Slot()
    def choose_overlay_color(self) -> None:
        color = QColorDialog.getColor(self.canvas.overlay_color(), self, "Mask Overlay Colour")
        if color.isValid():
            self.canvas.set_overlay_color(color)
            self.sync_overlay()

    def sync_overlay(self) -> None:
        """Show the canvas's overlay colour and opacity (after a restore or a palette change)."""
        self.color_button.setIcon(color_swatch_icon(self.canvas.overlay_color()))
        value = round(self.canvas.overlay_opacity() * 100)
        self.opacity_slider.blockSignals(True)
        self.opacity_slider.setValue(value)
        self.opacity_slider.blockSignals(False)
        self.opacity_label.setText(f"{value}%")

    @Slot(int)
    def _on_opacity_slider(self, value: int) -> None:
        self.canvas.set_overlay_opacity(value / 100.0)
        self.opacity_label.setText(f"{value}%")

    @Slot(float)
    def _show_brush_size(self, size: float) -> None:
        for widget, value in ((self.size_slider, min(500, int(size))), (self.size_spin, int(size))):
            widget.blockSignals(True)
            widget.setValue(value)
            widget.blockSignals(False)

    @Slot(float)
    def _show_hardness(self, hardness: float) -> None:
        for widget in (self.hardness_slider, self.hardness_spin):
            widget.blockSignals(True)
            widget.setValue(round(hardness * 100))
            widget.blockSignals(False)

    @Slot(str)
    def _show_selection_mode(self, mode: str) -> None:
        self.mode_actions[SelectionMode(mode)].setChecked(True)
