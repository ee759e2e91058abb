"""The mask tools on an in-memory document, with no window: a small host stands in for the canvas."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtWidgets import QWidget

from desktop_editor.core.images import LoadedImage
from desktop_editor.core.mask_ops import SelectionMode
from desktop_editor.ui.canvas.tools import Pointer, ToolBox
from desktop_editor.ui.models.document import Document

LEFT = Qt.MouseButton.LeftButton


class Host(QWidget):
    """A ToolHost at 100% zoom whose view coordinates are image coordinates."""

    def __init__(self, document: Document):
        super().__init__()
        self._document = document
        self.repainted: list[QRectF] = []

    def document(self) -> Document:
        return self._document

    def viewport(self) -> QWidget:
        return self

    def scale(self) -> float:
        return 1.0

    def map_from_image(self, image_pos: QPointF) -> QPointF:
        return QPointF(image_pos)

    def update_view_rect(self, rect: QRectF) -> None:
        self.repainted.append(rect)

    def hover_pointer(self) -> Pointer | None:
        return None


def at(x: float, y: float, modifiers=Qt.KeyboardModifier.NoModifier) -> Pointer:
    point = QPointF(x, y)
    return Pointer(point, point, LEFT, LEFT, modifiers)


@pytest.fixture
def setup(qtbot):
    document = Document(LoadedImage(image=Image.new("RGB", (100, 80), (50, 60, 70))))
    host = Host(document)
    qtbot.addWidget(host)
    return document, ToolBox(host), host


def drag(tool, points, modifiers=Qt.KeyboardModifier.NoModifier):
    tool.press(at(*points[0], modifiers))
    for p in points[1:]:
        tool.move(at(*p, modifiers))
    tool.release(at(*points[-1], modifiers))


def test_a_brush_stroke_is_one_undo_step_and_the_eraser_takes_it_back(setup):
    document, tools, host = setup
    tools.settings.brush_size, tools.settings.hardness = 10, 1.0
    drag(tools.current, [(20, 40), (50, 40), (80, 40)])
    mask = document.mask_pixels()
    assert mask[40, 20:81].min() == 255 and mask[10, 50] == 0 and mask[40, 95] == 0
    assert document.undo_stack.count() == 1 and host.repainted
    tools.swap_brush_eraser()
    assert tools.current.tool_id == "eraser"
    drag(tools.current, [(20, 40), (80, 40)])
    assert not document.mask_pixels()[40, 25:76].any()
    assert document.undo_stack.count() == 2
    document.undo_stack.undo()
    assert document.mask_pixels()[40, 50] == 255


def test_rectangles_replace_or_combine_by_mode_and_modifiers(setup):
    document, tools, _host = setup
    tools.set_current("rect")
    rect = tools.current
    drag(rect, [(10, 10), (30, 30)])
    drag(rect, [(50, 10), (70, 30)], Qt.KeyboardModifier.ShiftModifier)  # add
    mask = document.mask_pixels()
    assert mask[20, 20] == 255 and mask[20, 60] == 255
    drag(rect, [(15, 15), (65, 25)], Qt.KeyboardModifier.AltModifier)  # subtract
    assert document.mask_pixels()[20, 20] == 0 and document.mask_pixels()[12, 12] == 255
    tools.settings.selection_mode = SelectionMode.REPLACE
    drag(rect, [(0, 60), (10, 70)])
    assert document.mask_pixels()[12, 12] == 0 and document.mask_pixels()[65, 5] == 255
    assert document.undo_stack.count() == 4


def test_lasso_selects_the_drawn_shape_and_fill_fills_an_outline(setup):
    document, tools, _host = setup
    tools.set_current("lasso")
    drag(tools.current, [(10, 10), (60, 10), (60, 60), (10, 60), (10, 12)])
    mask = document.mask_pixels()
    assert mask[35, 35] == 255 and mask[70, 70] == 0
    tools.set_current("brush")
    tools.settings.brush_size, tools.settings.hardness = 4, 1.0
    document.set_mask_array(np.zeros_like(mask), "clear")
    ring = [(70, 10), (95, 10), (95, 40), (70, 40), (70, 10)]
    drag(tools.current, ring)
    tools.set_current("bucket")
    tools.current.press(at(82, 25))
    assert document.mask_pixels()[25, 82] == 255 and document.mask_pixels()[60, 20] == 0
    tools.current.press(at(82, 25, Qt.KeyboardModifier.AltModifier))
    assert document.mask_pixels()[25, 82] == 0


def test_only_the_active_tool_draws_its_outline(setup):
    _document, tools, _host = setup
    brush = tools.current
    assert brush.active
    tools.set_current("eraser")
    assert not brush.active and tools.current.active
