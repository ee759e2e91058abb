"""The fill tool: fill (or with Alt clear) an enclosed area of the mask."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt

from desktop_editor.core import mask_ops
from desktop_editor.ui.canvas.tools.base import Tool
from desktop_editor.ui.canvas.tools.host import Pointer


class BucketTool(Tool):
    """Click inside an outline to fill it (Alt-click clears the region instead)."""

    tool_id = "bucket"
    label = "Fill"
    icon_name = "bucket"
    tip = "Fill an enclosed area of the mask (Alt clears it)"

    def press(self, pointer: Pointer) -> None:
        document = self.document()
        if document is None:
            return
        x, y = int(math.floor(pointer.image_pos.x())), int(math.floor(pointer.image_pos.y()))
        if not (0 <= x < document.width and 0 <= y < document.height):
            return
        erase = bool(pointer.modifiers & Qt.KeyboardModifier.AltModifier)
        new = mask_ops.flood_fill(document.mask_pixels(), x, y, 0 if erase else 255)
        document.set_mask_array(new, "Clear region" if erase else "Fill region")
