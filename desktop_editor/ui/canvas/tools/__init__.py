"""Mask tools: brush, eraser, rectangle and lasso selection, magic wand, select object, refine edge
brush, fill.

A tool turns pointer input on the canvas into mask changes; the pixel work itself is done by
`desktop_editor.core.mask_ops`. Every change a tool makes is one undo step: a brush stroke
paints live into the mask and is recorded when the button is released, a selection or fill is
computed on release and applied through `Document.set_mask_array`. One module per family:
`brush`, `selection`, `wand`, `object_select`, `refine_brush`, `fill` (wand, select object
and the refine edge brush work on workers, through `smart`); `toolbox` holds them; `host` says what they need of the canvas.
"""

from desktop_editor.ui.canvas.tools.base import Tool
from desktop_editor.ui.canvas.tools.brush import BrushTool, EraserTool
from desktop_editor.ui.canvas.tools.fill import BucketTool
from desktop_editor.ui.canvas.tools.host import Pointer, ToolHost, selection_mode_for
from desktop_editor.ui.canvas.tools.object_select import ObjectSelectTool
from desktop_editor.ui.canvas.tools.refine_brush import RefineBrushTool
from desktop_editor.ui.canvas.tools.selection import LassoTool, RectSelectTool
from desktop_editor.ui.canvas.tools.toolbox import TOOL_CLASSES, ToolBox
from desktop_editor.ui.canvas.tools.wand import WandTool
from desktop_editor.ui.models.tool_settings import MAX_BRUSH, MIN_BRUSH, ToolSettings

__all__ = [
    "MAX_BRUSH", "MIN_BRUSH", "TOOL_CLASSES", "BrushTool", "BucketTool", "EraserTool", "LassoTool", "ObjectSelectTool",
    "Pointer", "RectSelectTool", "RefineBrushTool", "Tool", "ToolBox", "ToolHost", "ToolSettings", "WandTool", "selection_mode_for",
]
