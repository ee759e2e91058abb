"""The fill tool: fill (or with Alt clear) an enclosed area of the mask, soft edge included."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtGui import QCursor

from desktop_editor.core import mask_ops
from desktop_editor.ui.canvas.tools.base import Tool
from desktop_editor.ui.canvas.tools.host import Pointer, ToolHost
from desktop_editor.ui.common.image_tasks import TaskRunner
from desktop_editor.ui.models.tool_settings import ToolSettings

# Masks up to this many pixels are filled at once (a few milliseconds); larger ones on a worker,
# so a fill of most of a 24 MP mask never stalls the window.
SYNC_FILL_PIXELS = 4_000_000


class BucketTool(Tool):
    """Click inside an outline to fill it (Alt-click clears the region instead).

    The options bar's tolerance says how different a value must be from the clicked one to stop
    the fill; with "soft edge" on, the fill also takes the rising soft edge of the outline up to
    its most opaque pixels (see `mask_ops.fill_region`), so no half-masked halo remains.
    """

    tool_id = "bucket"
    label = "Fill"
    icon_name = "bucket"
    tip = "Fill an enclosed area of the mask (Alt clears it)"

    def __init__(self, canvas: ToolHost, settings: ToolSettings):
        super().__init__(canvas, settings)
        self._runner = TaskRunner(self, max_threads=1)
        self._pending = False

    def is_busy(self) -> bool:
        return self._pending

    def wait(self, msecs: int = -1) -> bool:
        """Block until a fill running on a worker has finished (for closing and tests)."""
        return self._runner.wait(msecs)

    def press(self, pointer: Pointer) -> None:
        document = self.document()
        if document is None or self._pending:
            return
        x, y = int(math.floor(pointer.image_pos.x())), int(math.floor(pointer.image_pos.y()))
        if not (0 <= x < document.width and 0 <= y < document.height):
            return
        erase = bool(pointer.modifiers & Qt.KeyboardModifier.AltModifier)
        tolerance, soft = self.settings.fill_tolerance, self.settings.fill_soft_edge
        value, text = (0, "Clear region") if erase else (255, "Fill region")

        def apply(region) -> None:
            self._pending = False
            self.canvas.viewport().setCursor(self.cursor())
            if region is not None and self.document() is document:
                bounds, footprint = region
                document.fill_mask_region(bounds, footprint, value, text)

        if document.width * document.height <= SYNC_FILL_PIXELS:
            apply(mask_ops.fill_region(document.mask_pixels(), x, y, tolerance, soft_edge=soft))
            return
        mask = document.mask_array()  # the worker reads a copy; strokes may go on meanwhile
        self._pending = True
        self.canvas.viewport().setCursor(self.cursor())
        self._runner.submit(lambda: mask_ops.fill_region(mask, x, y, tolerance, soft_edge=soft), apply,
                            lambda _exc: apply(None))

    def cursor(self) -> QCursor:
        return QCursor(Qt.CursorShape.BusyCursor if self._pending else Qt.CursorShape.CrossCursor)
