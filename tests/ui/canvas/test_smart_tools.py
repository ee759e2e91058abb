"""The magic wand and select object on an in-memory photo (the small host of test_tools stands
in for the canvas), and refine edge's preview on a real canvas view."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from test_tools import Host, at, drag

from desktop_editor.core.images import LoadedImage
from desktop_editor.core.mask_ops import SelectionMode
from desktop_editor.core.selection.refine import refine_edge
from desktop_editor.ui.canvas.refine_edge import RefineEdge
from desktop_editor.ui.canvas.tools import ToolBox
from desktop_editor.ui.canvas.tools.selection import mode_cursor
from desktop_editor.ui.canvas.view import CanvasView
from desktop_editor.ui.models.document import Document
from desktop_editor.ui.models.smart_settings import OBJECT_SCRIBBLE, smart_settings

SHIFT, ALT = Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.AltModifier
GREY = (128, 128, 128)


def _discs() -> np.ndarray:
    """160x100: grey, a red disc (r 22 at 45,50), a smaller red disc (r 12 at 125,30), and a
    strip a little lighter than the grey along the bottom (rows 85+), touching the grey."""
    h, w = 100, 160
    photo = np.empty((h, w, 3), np.uint8)
    photo[:] = GREY
    photo[85:] = (148, 148, 148)
    yy, xx = np.mgrid[0:h, 0:w]
    photo[(xx - 45) ** 2 + (yy - 50) ** 2 <= 22**2] = (210, 40, 40)
    photo[(xx - 125) ** 2 + (yy - 30) ** 2 <= 12**2] = (210, 40, 40)
    return photo


def _object_photo(seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """240x180: a textured green-grey background with a textured orange blob; and its truth mask."""
    rng = np.random.default_rng(seed)
    h, w = 180, 240
    photo = np.empty((h, w, 3), np.float32)
    photo[:] = (90, 110, 95)
    yy, xx = np.mgrid[0:h, 0:w]
    angle = np.arctan2(yy - 90, xx - 120)
    radius = 55 + 8 * np.sin(3 * angle)
    truth = ((xx - 120) ** 2 + (yy - 90) ** 2) <= radius**2
    photo[truth] = (235, 140, 40)
    photo += rng.normal(0, 8, photo.shape)
    return np.clip(photo, 0, 255).astype(np.uint8), truth


def _setup(qtbot, photo: np.ndarray):
    document = Document(LoadedImage(image=Image.fromarray(photo, "RGB")))
    host = Host(document)
    qtbot.addWidget(host)
    return document, ToolBox(host), host


def _settle(qtbot, tool) -> None:
    qtbot.waitUntil(lambda: not tool.work.busy(), timeout=20000)


def _iou(mask: np.ndarray, truth: np.ndarray) -> float:
    sel = mask >= 128
    return float((sel & truth).sum() / max(1, (sel | truth).sum()))


# -- magic wand -------------------------------------------------------------------------------


@pytest.fixture
def wand(qtbot):
    document, tools, host = _setup(qtbot, _discs())
    tools.set_current("wand")
    return document, tools, tools.current


def _click(qtbot, tool, x, y, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    tool.press(at(x, y, modifiers))
    tool.release(at(x, y, modifiers))
    _settle(qtbot, tool)


def test_a_wand_click_selects_the_contiguous_region_as_one_undo_step(qtbot, wand):
    document, _tools, tool = wand
    _click(qtbot, tool, 45, 50)
    mask = document.mask_pixels()
    assert mask[50, 45] == 255 and mask[50, 30] == 255  # the disc
    assert mask[30, 125] == 0 and mask[5, 5] == 0  # not the other disc, not the grey
    assert document.undo_stack.count() == 1
    assert "Magic wand" in document.undo_stack.text(0)
    document.undo_stack.undo()
    assert not document.mask_pixels().any()


def test_contiguous_off_selects_every_similar_pixel(qtbot, wand):
    document, _tools, tool = wand
    tool.options.contiguous = False
    _click(qtbot, tool, 45, 50)
    mask = document.mask_pixels()
    assert mask[50, 45] == 255 and mask[30, 125] == 255 and mask[5, 5] == 0
    assert "colour range" in document.undo_stack.text(0)


def test_the_wand_edge_is_anti_aliased_and_can_be_hard(qtbot, wand):
    document, _tools, tool = wand
    photo = _discs()
    photo[50, 22] = (169, 84, 84)  # half red, half grey, just left of the disc (its edge is at x=23)
    document.loaded.image = Image.fromarray(photo, "RGB")  # a new photo: the cache converts it again
    _click(qtbot, tool, 45, 50)
    assert 90 < document.mask_pixels()[50, 22] < 170
    document.undo_stack.undo()
    tool.options.antialias = False
    _click(qtbot, tool, 45, 50)
    assert set(np.unique(document.mask_pixels())) <= {0, 255}


def test_shift_adds_alt_subtracts_and_both_intersect(qtbot, wand):
    document, _tools, tool = wand
    _click(qtbot, tool, 45, 50)
    _click(qtbot, tool, 125, 30, SHIFT)  # add the small disc
    mask = document.mask_pixels()
    assert mask[50, 45] == 255 and mask[30, 125] == 255
    _click(qtbot, tool, 45, 50, ALT)  # subtract the big one
    mask = document.mask_pixels()
    assert mask[50, 45] == 0 and mask[30, 125] == 255
    half = np.zeros_like(mask)
    half[:, :80] = 255  # the big disc and the grey around it
    document.set_mask_array(half, "left half")
    _click(qtbot, tool, 45, 50, SHIFT | ALT)  # intersect: only the big disc stays
    mask = document.mask_pixels()
    assert mask[50, 45] == 255 and mask[5, 5] == 0 and mask[30, 125] == 0
    assert document.undo_stack.count() == 5
    assert "intersect" in document.undo_stack.text(4)


def test_the_selection_mode_option_applies_without_modifiers(qtbot, wand):
    document, tools, tool = wand
    _click(qtbot, tool, 45, 50)
    tools.settings.selection_mode = SelectionMode.ADD
    _click(qtbot, tool, 125, 30)
    assert document.mask_pixels()[50, 45] == 255 and document.mask_pixels()[30, 125] == 255


def test_changing_the_tolerance_rethresholds_the_last_click_in_the_same_undo_step(qtbot, wand):
    document, _tools, tool = wand
    tool.options.tolerance = 10
    _click(qtbot, tool, 5, 5)  # the grey: the lighter strip (20 levels away) is not in
    mask = document.mask_pixels()
    assert mask[5, 5] == 255 and mask[95, 5] == 0 and mask[50, 45] == 0
    tool.options.tolerance = 30  # as the slider does
    _settle(qtbot, tool)
    assert document.mask_pixels()[95, 5] == 255 and document.mask_pixels()[50, 45] == 0
    assert document.undo_stack.count() == 1 and "tolerance 30" in document.undo_stack.text(0)
    tool.options.tolerance = 10  # back down: the strip leaves again
    _settle(qtbot, tool)
    assert document.mask_pixels()[95, 5] == 0 and document.mask_pixels()[5, 5] == 255
    document.undo_stack.undo()
    assert not document.mask_pixels().any()


def test_dragging_sideways_while_clicking_changes_the_tolerance(qtbot, wand):
    document, _tools, tool = wand
    tool.options.tolerance = 10
    tool.press(at(5, 5))
    assert tool.is_busy()
    _settle(qtbot, tool)
    assert document.mask_pixels()[95, 5] == 0
    tool.move(at(45, 5))  # 40 view pixels right: +20
    tool.release(at(45, 5))
    assert tool.options.tolerance == 30 and not tool.is_busy()
    _settle(qtbot, tool)
    assert document.mask_pixels()[95, 5] == 255 and document.undo_stack.count() == 1


def test_a_click_stops_being_live_once_something_else_changes_the_mask(qtbot, wand):
    document, tools, tool = wand
    tool.options.tolerance = 10
    _click(qtbot, tool, 5, 5)
    assert tool.live_click() == (5, 5)
    mask = document.mask_array()
    mask[0:3, 0:3] = 0
    document.set_mask_array(mask, "another change")
    assert tool.live_click() is None
    tool.options.tolerance = 40
    _settle(qtbot, tool)
    assert document.mask_pixels()[95, 5] == 0 and document.undo_stack.count() == 2


def test_a_newer_click_supersedes_work_in_flight(qtbot, wand):
    document, _tools, tool = wand
    tool.press(at(45, 50))
    tool.release(at(45, 50))
    tool.press(at(125, 30))  # before the first answer is applied
    tool.release(at(125, 30))
    _settle(qtbot, tool)
    mask = document.mask_pixels()
    assert mask[30, 125] == 255 and mask[50, 45] == 0
    assert document.undo_stack.count() == 1


def test_clicks_outside_the_image_or_without_an_image_do_nothing(qtbot, wand):
    document, _tools, tool = wand
    tool.press(at(-5, 10))
    tool.release(at(-5, 10))
    assert not tool.work.busy() and document.undo_stack.count() == 0


# -- select object ------------------------------------------------------------------------------


@pytest.fixture
def objects(qtbot):
    photo, truth = _object_photo()
    document, tools, host = _setup(qtbot, photo)
    tools.set_current("object")
    messages: list[str] = []
    tools.current.message.connect(messages.append)
    return document, tools, tools.current, truth, messages


def test_a_box_around_an_object_selects_it_as_one_undo_step(qtbot, objects):
    document, _tools, tool, truth, _messages = objects
    drag(tool, [(50, 20), (120, 90), (190, 160)])
    assert tool.work.busy() and not document.mask_pixels().any()  # found on a worker, applied later
    _settle(qtbot, tool)
    assert _iou(document.mask_pixels(), truth) > 0.9
    assert document.mask_pixels()[5, 5] == 0
    assert document.undo_stack.count() == 1 and "Select object" in document.undo_stack.text(0)
    document.undo_stack.undo()
    assert not document.mask_pixels().any()


def test_alt_scribbles_correct_the_object_one_undo_step_each(qtbot, objects):
    document, _tools, tool, truth, _messages = objects
    drag(tool, [(50, 20), (190, 160)])
    _settle(qtbot, tool)
    first = document.mask_array()
    assert first[90, 150] == 255
    # "not the object": a background scribble across the blob's right part
    drag(tool, [(150, 60), (150, 90), (150, 120)], ALT)
    _settle(qtbot, tool)
    corrected = document.mask_pixels()
    assert corrected[90, 150] == 0 and corrected[90, 100] == 255
    assert document.undo_stack.count() == 2 and "Correct object" in document.undo_stack.text(1)
    hints = tool.live_hints()
    assert hints is not None and len(hints.scribbles) == 1 and not hints.scribbles[0].foreground
    document.undo_stack.undo()  # the correction goes, and so does its hint
    assert np.array_equal(document.mask_pixels(), first)
    hints = tool.live_hints()
    assert hints is not None and hints.box is not None and hints.scribbles == ()
    drag(tool, [(100, 60), (100, 110)], ALT)  # a new correction builds on the box alone
    _settle(qtbot, tool)
    assert document.undo_stack.count() == 2
    assert document.mask_pixels()[90, 150] == 255 and document.mask_pixels()[90, 100] == 0


def test_scribbling_over_an_object_selects_it(qtbot, objects):
    document, _tools, tool, truth, _messages = objects
    tool.options.object_draw = OBJECT_SCRIBBLE
    drag(tool, [(100, 80), (120, 90), (140, 100), (120, 70)])
    _settle(qtbot, tool)
    mask = document.mask_pixels()
    assert mask[90, 120] == 255 and mask[5, 5] == 0
    assert _iou(mask, truth) > 0.8
    assert document.undo_stack.count() == 1


def test_alt_scribble_with_no_object_says_what_to_do_and_changes_nothing(qtbot, objects):
    document, _tools, tool, _truth, messages = objects
    drag(tool, [(20, 20), (40, 40)], ALT)
    assert not tool.work.busy() and document.undo_stack.count() == 0
    assert messages and "Select an object first" in messages[-1]


def test_shift_box_adds_another_object(qtbot, objects):
    document, _tools, tool, _truth, _messages = objects
    mask = document.mask_array()
    mask[0:10, 0:10] = 255
    document.set_mask_array(mask, "painted")
    drag(tool, [(50, 20), (190, 160)], SHIFT)
    _settle(qtbot, tool)
    assert document.mask_pixels()[5, 5] == 255 and document.mask_pixels()[90, 120] == 255
    assert "(add)" in document.undo_stack.text(1)


def test_a_click_selects_the_object_under_it_and_alt_scribbles_correct_it(qtbot, objects):
    document, _tools, tool, truth, _messages = objects
    tool.press(at(120, 90))
    tool.release(at(121, 90))  # no drag: a click
    assert tool.work.busy()  # its box is found on the worker too
    _settle(qtbot, tool)
    assert _iou(document.mask_pixels(), truth) > 0.9
    assert document.undo_stack.count() == 1 and "Select object" in document.undo_stack.text(0)
    hints = tool.live_hints()
    assert hints is not None and hints.box is not None and hints.scribbles  # what corrections build on
    drag(tool, [(120, 80), (125, 80)], ALT)  # background over the object's middle: removed there
    _settle(qtbot, tool)
    assert document.undo_stack.count() == 2 and document.mask_pixels()[80, 122] == 0


def test_select_subject_selects_the_blob_as_one_undo_step(qtbot, objects):
    document, _tools, tool, truth, _messages = objects
    mask = document.mask_array()
    mask[0:10, 0:10] = 255
    document.set_mask_array(mask, "painted")
    assert tool.select_subject()
    assert tool.work.busy() and document.undo_stack.count() == 1  # on a worker
    _settle(qtbot, tool)
    assert _iou(document.mask_pixels(), truth) > 0.9
    assert document.mask_pixels()[5, 5] == 0  # it replaces the mask
    assert document.undo_stack.count() == 2 and document.undo_stack.text(1) == "Select subject (replace)"
    document.undo_stack.undo()
    assert document.mask_pixels()[5, 5] == 255 and not document.mask_pixels()[90, 120]


def test_select_subject_on_a_plain_photo_says_so(qtbot):
    rng = np.random.default_rng(1)
    wall = np.clip(rng.normal(128, 3, (120, 160, 3)), 0, 255).astype(np.uint8)
    document, tools, _host = _setup(qtbot, wall)
    tools.set_current("object")
    messages: list[str] = []
    tools.current.message.connect(messages.append)
    tools.current.select_subject()
    _settle(qtbot, tools.current)
    assert "No clear subject" in messages[-1]
    assert document.undo_stack.count() == 0 and not document.mask_pixels().any()


def test_escape_cancels_the_object_in_flight(qtbot, objects):
    document, _tools, tool, _truth, _messages = objects
    drag(tool, [(50, 20), (190, 160)])
    tool.cancel()
    assert not tool.work.busy()
    tool.work.wait(20000)
    qtbot.wait(50)
    assert document.undo_stack.count() == 0 and not document.mask_pixels().any()


# -- refine edge brush ---------------------------------------------------------------------------


def _rough_blob(truth: np.ndarray) -> np.ndarray:
    """The blob's mask drawn 5 px too far right: the edge the refine brush should put back."""
    rough = np.zeros(truth.shape, np.uint8)
    rough[:, 5:] = np.where(truth[:, :-5], 255, 0)
    return rough


def test_a_refine_brush_stroke_snaps_the_edge_under_it_only_as_one_undo_step(qtbot):
    photo, truth = _object_photo()
    document, tools, host = _setup(qtbot, photo)
    rough = _rough_blob(truth)
    document.set_mask_array(rough, "Rough")
    tools.settings.brush_size = 16
    smart_settings(tools.settings).refine_band = 8
    tools.set_current("refine")
    tool = tools.current
    # Down the blob's left edge (x about 65 at mid-height), where the mask starts 5 px too late.
    stroke = [(68, y) for y in range(70, 112, 3)]
    drag(tool, stroke)
    qtbot.waitUntil(lambda: not tool.stroke_in_progress(), timeout=20000)
    assert document.undo_stack.count() == 2  # the rough mask, then the whole stroke
    mask = document.mask_array()
    changed = mask != rough
    assert changed.any()
    ys, xs = np.nonzero(changed)
    assert xs.min() >= 68 - 9 and xs.max() <= 68 + 9  # only under the brush (radius 8)
    assert ys.min() >= 70 - 9 and ys.max() <= 109 + 9
    under = slice(74, 106), slice(61, 76)  # well inside the stroke
    error_before = np.abs(rough[under].astype(int) - truth[under] * 255).mean()
    error_after = np.abs(mask[under].astype(int) - truth[under] * 255).mean()
    assert error_after < 0.8 * error_before
    # Under the brush, the same answer as refining the whole mask.
    assert np.array_equal(mask[under], refine_edge(photo, rough, 8)[under])
    document.undo_stack.undo()
    assert np.array_equal(document.mask_array(), rough)


def test_the_refine_brush_needs_an_edge_and_uses_the_brush_size(qtbot):
    photo, _truth = _object_photo()
    document, tools, host = _setup(qtbot, photo)
    tools.set_current("refine")
    tool = tools.current
    messages: list[str] = []
    tool.message.connect(messages.append)
    drag(tool, [(60, 60), (80, 80)])
    assert messages and "no edge" in messages[0] and document.undo_stack.count() == 0
    tools.settings.brush_size = 30
    assert tool.radius() == 15


# -- the mode on the cursor ----------------------------------------------------------------------


def _cursor_image(host):
    return host.viewport().cursor().pixmap().toImage()


@pytest.mark.parametrize("tool_id", ["wand", "object"])
def test_wand_and_select_object_show_the_mode_on_the_cursor(qtbot, tool_id):
    document, tools, host = _setup(qtbot, _discs())
    tools.settings.selection_mode = SelectionMode.REPLACE
    tools.set_current(tool_id)
    tool = tools.current
    assert _cursor_image(host) == mode_cursor(SelectionMode.REPLACE).pixmap().toImage()
    tool.hover(at(30, 30, SHIFT))
    assert _cursor_image(host) == mode_cursor(SelectionMode.ADD).pixmap().toImage()
    tool.hover(at(30, 30, ALT))
    assert _cursor_image(host) == mode_cursor(SelectionMode.SUBTRACT).pixmap().toImage()
    tool.hover(at(30, 30))
    assert _cursor_image(host) == mode_cursor(SelectionMode.REPLACE).pixmap().toImage()
    tools.settings.selection_mode = SelectionMode.ADD  # the option, when no modifier is held
    assert _cursor_image(host) == mode_cursor(SelectionMode.ADD).pixmap().toImage()


def test_the_wand_shows_intersect_and_keeps_the_busy_cursor_while_working(qtbot, wand):
    document, tools, tool = wand
    host = tool.canvas
    tool.hover(at(30, 30, SHIFT | ALT))
    assert _cursor_image(host) == mode_cursor(SelectionMode.INTERSECT).pixmap().toImage()
    _click(qtbot, tool, 45, 50)
    if tool.work.busy():  # a modifier pressed meanwhile does not hide the busy cursor
        tool.hover(at(30, 30, SHIFT))
        assert host.viewport().cursor().shape() == Qt.CursorShape.BusyCursor
    _settle(qtbot, tool)
    tool.hover(at(30, 30, SHIFT))
    assert _cursor_image(host) == mode_cursor(SelectionMode.ADD).pixmap().toImage()


# -- refine edge ----------------------------------------------------------------------------------


@pytest.fixture
def refine(qtbot):
    photo, truth = _object_photo()
    document = Document(LoadedImage(image=Image.fromarray(photo, "RGB")))
    canvas = CanvasView()
    qtbot.addWidget(canvas)
    canvas.resize(700, 500)
    canvas.show()
    canvas.set_document(document)
    rough = np.zeros(truth.shape, np.uint8)
    rough[35:146, 62:179] = 255  # a box, far from the blob's outline in places
    document.set_mask_array(rough, "rough")
    controller = RefineEdge(canvas)
    messages: list[str] = []
    controller.message.connect(messages.append)
    return document, canvas, controller, truth, messages


def test_refine_edge_previews_as_one_step_that_apply_keeps(qtbot, refine):
    document, _canvas, controller, truth, _messages = refine
    rough = document.mask_array()
    smart_settings(controller.canvas.tools.settings).refine_band = 24
    assert controller.start() and controller.bar.isVisible()
    _settle(qtbot, controller)
    refined = document.mask_array()
    assert not np.array_equal(refined, rough)
    assert _iou(refined, truth) > _iou(rough, truth)
    assert document.undo_stack.count() == 2 and "Refine edge 24 px" in document.undo_stack.text(1)
    controller.bar.band_spin.setValue(8)  # another band: the same step, worked out from the rough mask
    _settle(qtbot, controller)
    assert document.undo_stack.count() == 2 and "8 px" in document.undo_stack.text(1)
    assert not np.array_equal(document.mask_pixels(), refined)
    controller.apply()
    assert not controller.bar.isVisible() and not controller.is_active()
    document.undo_stack.undo()
    assert np.array_equal(document.mask_pixels(), rough)


def test_refine_edge_cancel_puts_the_mask_back(qtbot, refine):
    document, _canvas, controller, _truth, _messages = refine
    rough = document.mask_array()
    controller.start()
    _settle(qtbot, controller)
    controller.cancel()
    assert np.array_equal(document.mask_pixels(), rough) and not controller.bar.isVisible()
    assert document.undo_stack.index() == 1
    # Cancelled, not undone: nothing to redo (the Edit menu shows no "Redo Refine edge …").
    assert document.undo_stack.count() == 1 and not document.undo_stack.canRedo()
    assert document.undo_stack.undoText() == "rough" and document.history_bytes() == document.undo_stack.command(0).nbytes


def test_apply_while_refining_keeps_the_answer_when_it_arrives(qtbot, refine):
    document, _canvas, controller, _truth, _messages = refine
    controller.start()
    controller.apply()
    assert controller.bar.state_label.text() == "Applying…" or not controller.is_active()
    qtbot.waitUntil(lambda: not controller.is_active(), timeout=20000)
    assert document.undo_stack.count() == 2 and not controller.bar.isVisible()


def test_another_change_ends_the_preview_and_an_empty_mask_is_refused(qtbot, refine):
    document, _canvas, controller, _truth, messages = refine
    controller.start()
    _settle(qtbot, controller)
    mask = document.mask_array()
    mask[0:5, 0:5] = 255
    document.set_mask_array(mask, "painted after")
    assert not controller.is_active() and not controller.bar.isVisible()
    assert document.undo_stack.count() == 3
    document.set_mask_array(np.zeros_like(mask), "clear")
    assert not controller.start() and "no edge" in messages[-1]

