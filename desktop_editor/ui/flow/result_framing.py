"""Turning to a result that just arrived without taking the view away from the designer.

The designer zoomed into the part they masked; when its result arrives the window turns to the
Compare page at the zoom and place the canvas showed (fitted if it was fitted), with the edited
area in view and on the After side of the wipe divider. Selecting another result on the Compare
page keeps whatever the designer set there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRect

from desktop_editor.core.mask_ops import nonzero_bounds
from desktop_editor.ui.models.document import Document

if TYPE_CHECKING:
    from desktop_editor.ui.flow.host import EditHost

__all__ = ["edit_rect", "turn_to_result"]


def edit_rect(mask: np.ndarray | None) -> QRect | None:
    """The edited area of a mask sent with a job (its painted pixels' bounds), or None. Reads
    every pixel of the mask: for a worker."""
    bounds = nonzero_bounds(mask) if mask is not None else None
    if bounds is None:
        return None
    x0, y0, x1, y1 = bounds
    return QRect(x0, y0, x1 - x0, y1 - y0)


def turn_to_result(window: EditHost, document: Document | None, edit: QRect | None) -> None:
    """Show the Compare page for a result of `document` just put in the compare view; coming
    from the canvas, at the canvas's zoom and place (see the module docstring)."""
    arriving = window.is_mask_page()
    view = window.compare_view
    before = view.before_image()
    state = window.canvas.view_state() if document is not None and window.canvas.document() is document else {}
    if before is None or document is None or before.size() != document.image.size():
        state = {}  # another picture (an expansion's canvas): nothing of the canvas's view applies
    if not window.show_compare_page() or not arriving:
        return
    if state and not state.get("fit", True):
        view.frame_edit(float(state["zoom"]), QPointF(*state["center"]), edit)
    else:
        view.frame_edit(None, None, edit)
