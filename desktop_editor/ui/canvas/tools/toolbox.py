"""The canvas's set of tools and which one is active."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktop_editor.ui.canvas.tools.base import Tool
from desktop_editor.ui.canvas.tools.brush import BrushTool, EraserTool
from desktop_editor.ui.canvas.tools.expand import ExpandTool
from desktop_editor.ui.canvas.tools.fill import BucketTool
from desktop_editor.ui.canvas.tools.host import ToolHost
from desktop_editor.ui.canvas.tools.object_select import ObjectSelectTool
from desktop_editor.ui.canvas.tools.refine_brush import RefineBrushTool
from desktop_editor.ui.canvas.tools.selection import LassoTool, RectSelectTool
from desktop_editor.ui.canvas.tools.wand import WandTool
from desktop_editor.ui.models.tool_settings import ToolSettings

TOOL_CLASSES: tuple[type[Tool], ...] = (
    BrushTool, EraserTool, RectSelectTool, LassoTool, WandTool, ObjectSelectTool, RefineBrushTool, BucketTool,
    ExpandTool)


class ToolBox(QObject):
    """The canvas's tools and which one is active.

    Signals:
        tool_changed(str): the active tool's id.
    """

    tool_changed = Signal(str)

    def __init__(self, canvas: ToolHost):
        super().__init__(canvas)
        self.canvas = canvas
        self.settings = ToolSettings(self)
        self.tools: dict[str, Tool] = {cls.tool_id: cls(canvas, self.settings) for cls in TOOL_CLASSES}
        self.current: Tool = self.tools["brush"]
        self.current.active = True

    def tool(self, tool_id: str) -> Tool:
        return self.tools[tool_id]

    def set_current(self, tool_id: str) -> None:
        tool = self.tools[tool_id]
        if tool is self.current:
            return
        self.current.deactivate()
        self.current = tool
        tool.activate()
        hover = self.canvas.hover_pointer()
        tool.hover(hover)
        self.tool_changed.emit(tool_id)

    def wait_for_background_work(self, msecs: int = -1) -> None:
        """Stop the smart selection tools' work on workers and wait for it (closing, tests)."""
        for tool in self.tools.values():
            work = getattr(tool, "work", None)
            if work is not None:
                work.cancel()
                work.wait(msecs)

    def swap_brush_eraser(self) -> None:
        """X: brush becomes eraser and back (from any other tool, go to the brush)."""
        self.set_current("eraser" if self.current.tool_id == "brush" else "brush")
