"""Document: mask storage, one undo step per change, and history limited by memory."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from desktop_editor.core.images import LoadedImage
from desktop_editor.core.masks import MaskError
from desktop_editor.ui.models.document import Document


@pytest.fixture
def doc(qtbot):
    return Document(LoadedImage(image=Image.new("RGB", (200, 120), (10, 20, 30))))


def block(doc, x0, y0, x1, y1, value=255):
    mask = doc.mask_array()
    mask[y0:y1, x0:x1] = value
    return mask


def test_set_mask_array_is_one_step_storing_only_the_changed_box(doc, qtbot):
    with qtbot.waitSignal(doc.mask_changed) as changed:
        assert doc.set_mask_array(block(doc, 30, 40, 70, 60), "Box")
    assert changed.args[0].getRect() == (30, 40, 40, 20)
    assert doc.undo_stack.count() == 1
    assert doc.undo_stack.command(0).payload.bounds == (30, 40, 70, 60)
    assert not doc.set_mask_array(doc.mask_array(), "nothing")  # unchanged: no step
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert not doc.mask_pixels().any()
    doc.undo_stack.redo()
    doc.undo_stack.redo()  # redo is safe to repeat
    assert doc.mask_pixels()[40:60, 30:70].all()


def test_every_announced_mask_change_moves_the_revision(doc):
    seen = [doc.mask_revision]
    doc.set_mask_array(block(doc, 30, 40, 70, 60), "Box")
    seen.append(doc.mask_revision)
    doc.undo_stack.undo()  # back to the first pixels: still a new revision
    seen.append(doc.mask_revision)
    edit = doc.begin_edit()
    edit.touch((0, 0, 10, 10))
    edit.pixels[0:10, 0:10] = 255
    edit.changed((0, 0, 10, 10))
    edit.commit("stroke")
    seen.append(doc.mask_revision)
    assert seen == sorted(set(seen))  # strictly increasing
    assert not doc.set_mask_array(doc.mask_array(), "nothing")  # no change: same revision
    assert doc.mask_revision == seen[-1]


def test_wrong_size_mask_is_refused_or_rescaled(doc):
    with pytest.raises(MaskError):
        doc.set_mask_array(np.zeros((10, 10), np.uint8))
    assert doc.set_mask_array(np.full((60, 100), 255, np.uint8), rescale=True)
    assert doc.mask_pixels().all()


def test_modified_follows_the_undo_stack(doc, qtbot):
    assert not doc.is_modified()
    with qtbot.waitSignal(doc.modified_changed) as signal:
        doc.set_mask_array(block(doc, 0, 0, 10, 10))
    assert signal.args == [True] and doc.is_modified()
    doc.mark_saved()
    assert not doc.is_modified()
    doc.undo_stack.undo()
    assert doc.is_modified()
    doc.undo_stack.redo()
    assert not doc.is_modified()


def test_in_place_edit_commits_one_step_and_cancel_leaves_no_trace(doc):
    edit = doc.begin_edit()
    edit.touch((100, 50, 190, 110))
    edit.pixels[60:100, 120:180] = 200
    edit.changed((100, 50, 190, 110))
    assert edit.commit("stroke")
    command = doc.undo_stack.command(0)
    assert command.payload.bounds == (120, 60, 180, 100)
    doc.undo_stack.undo()
    assert not doc.mask_pixels().any()

    edit = doc.begin_edit()
    edit.touch((0, 0, 10, 10))
    edit.pixels[0:10, 0:10] = 255
    edit.cancel()
    assert not doc.mask_pixels().any()
    assert doc.undo_stack.count() == 1


def test_history_is_limited_by_memory_dropping_the_oldest(doc, qtbot):
    rng = np.random.default_rng(1)
    doc.history_budget = 10_000  # noise does not compress: each step holds ~3 KB
    masks = []
    trimmed = []
    doc.history_trimmed.connect(trimmed.append)
    for i in range(8):
        mask = doc.mask_array()
        mask[:, i * 25 : i * 25 + 25] = rng.integers(0, 256, (120, 25), dtype=np.uint8)
        doc.set_mask_array(mask, f"step {i}")
        masks.append(doc.mask_array())
        assert doc.history_bytes() <= doc.history_budget
    assert trimmed, "the oldest steps were dropped"
    count = doc.undo_stack.count()
    assert 1 <= count < 8
    assert [doc.undo_stack.text(i) for i in range(count)] == [f"step {i}" for i in range(8 - count, 8)]
    # Every remaining step still undoes and redoes exactly.
    for i in range(count - 1, -1, -1):
        doc.undo_stack.undo()
        expected = masks[8 - count + i - 1] if 8 - count + i >= 1 else np.zeros_like(masks[0])
        assert np.array_equal(doc.mask_pixels(), expected)
    assert not doc.undo_stack.canUndo()
    for _ in range(count):
        doc.undo_stack.redo()
    assert np.array_equal(doc.mask_pixels(), masks[-1])
    assert doc.is_modified()  # the saved (empty) state was dropped: never clean again by undo


def test_trimming_keeps_a_clean_state_that_is_still_in_history(doc):
    doc.history_budget = 10**9
    for i in range(4):
        doc.set_mask_array(block(doc, i * 10, 0, i * 10 + 10, 10), f"s{i}")
    doc.mark_saved()
    doc.set_mask_array(block(doc, 100, 100, 110, 110), "after save")
    doc.history_budget = doc.history_bytes() - 1
    doc.set_mask_array(block(doc, 150, 100, 160, 110), "trigger")
    assert doc.undo_stack.count() < 6
    assert doc.is_modified()
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert not doc.is_modified()  # back at the saved state


def test_history_bytes_follow_pushes_undos_and_discarded_redos(doc):
    from desktop_editor.ui.models.mask_history import history_bytes

    for i in range(3):
        doc.set_mask_array(block(doc, i * 20, 0, i * 20 + 15, 30, value=100 + i), f"s{i}")
    assert doc.history_bytes() == history_bytes(doc.undo_stack) > 0
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    doc.set_mask_array(block(doc, 150, 50, 190, 100), "new branch")  # drops two redo steps
    assert doc.undo_stack.count() == 2
    assert doc.history_bytes() == history_bytes(doc.undo_stack)
    doc.undo_stack.clear()
    assert doc.history_bytes() == 0


def test_invert_is_one_step_keeping_no_pixels_and_undoes_exactly(doc, qtbot):
    from desktop_editor.core import mask_ops

    rng = np.random.default_rng(4)
    painted = rng.integers(0, 256, (120, 200), dtype=np.uint8)
    doc.set_mask_array(painted, "noise")
    bytes_before = doc.history_bytes()
    with qtbot.waitSignal(doc.mask_changed) as changed:
        doc.invert_mask()
    assert changed.args[0].getRect() == (0, 0, 200, 120)
    assert np.array_equal(doc.mask_pixels(), mask_ops.invert(painted))  # the same as the core's invert
    assert doc.undo_stack.count() == 2 and doc.undo_stack.text(1) == "Invert mask"
    assert doc.history_bytes() == bytes_before  # the step holds no pixels
    revision = doc.mask_revision
    doc.undo_stack.undo()
    assert np.array_equal(doc.mask_pixels(), painted)
    assert doc.mask_revision > revision
    doc.undo_stack.redo()
    assert np.array_equal(doc.mask_pixels(), mask_ops.invert(painted))


def test_invert_survives_a_history_trim(doc):
    doc.history_budget = 10**9
    for i in range(3):
        doc.set_mask_array(block(doc, i * 10, 0, i * 10 + 10, 10), f"s{i}")
    doc.invert_mask()
    expected = doc.mask_array()
    doc.history_budget = doc.history_bytes()  # the next step trims the oldest of the three
    assert doc.set_mask_array(block(doc, 150, 100, 160, 110, value=0), "trigger")  # trimmed to the newest steps
    assert doc.undo_stack.text(doc.undo_stack.count() - 1) == "trigger"
    doc.undo_stack.undo()
    assert np.array_equal(doc.mask_pixels(), expected)
    assert doc.undo_stack.count() < 5 and doc.undo_stack.text(doc.undo_stack.index() - 1) == "Invert mask"
    doc.undo_stack.undo()  # the invert was kept through the rebuild and still undoes exactly
    assert np.array_equal(doc.mask_pixels(), 255 - expected)


def test_an_edit_across_a_large_mask_keeps_only_the_tiles_it_touched(qtbot):
    from desktop_editor.ui.models.tile_payload import TilePayload

    big = Document(LoadedImage(image=Image.new("RGB", (2000, 1200))))
    edit = big.begin_edit()
    for i in range(40):  # a diagonal stroke: its bounding box is most of the mask, its tiles few
        x, y = i * 48, i * 28
        edit.touch((x, y, x + 40, y + 40))
        edit.pixels[y : y + 40, x : x + 40] = 200
        edit.changed((x, y, x + 40, y + 40))
    after = big.mask_array()
    assert edit.commit("long stroke")
    command = big.undo_stack.command(0)
    assert isinstance(command.payload, TilePayload)
    x0, y0, x1, y1 = command.payload.bounds
    assert (x0, y0) == (0, 0) and x1 >= 1912 and y1 >= 1132  # every changed pixel inside
    assert command.nbytes <= 2 * 80 * 64 * 64  # the touched tiles, raw until compressed: not the box's 2.4 MP
    qtbot.waitUntil(lambda: command.nbytes < 2 * 40 * 64 * 64 // 10)  # compressed in the background
    big.undo_stack.undo()
    assert not big.mask_pixels().any()
    big.undo_stack.redo()
    assert np.array_equal(big.mask_pixels(), after)

    erase = big.begin_edit()  # touching tiles without changing them is no step
    erase.touch((0, 0, 2000, 1200))
    assert not erase.commit("nothing")
    assert big.undo_stack.count() == 1
