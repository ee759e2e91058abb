"""What each pane shows per mode: the rules of pane_contents, without a widget."""

from __future__ import annotations

from PySide6.QtGui import QImage

from desktop_editor.ui.compare.image_levels import ImageLevels
from desktop_editor.ui.compare.modes import CompareMode
from desktop_editor.ui.compare.pane_contents import pane_contents


def _levels(colour: int) -> ImageLevels:
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(colour)
    return ImageLevels(image)


def _contents(mode: CompareMode, before, after, heat=None, **kwargs):
    options = {"peek": False, "pinned_before": False, "mix": None, "mix_note": "", "difference_error": ""}
    options.update(kwargs)
    return pane_contents(mode, before, after, heat, **options)


def test_side_by_side_shows_both_with_a_crosshair_and_says_when_the_result_is_not_ready(qapp):
    before, after = _levels(0x202020), _levels(0xA0A0A0)
    left, right = _contents(CompareMode.SIDE_BY_SIDE, before, after, peek=True)  # a held key changes nothing here
    assert (left.left, left.left_label, left.crosshair) == (before, "Before", True)
    assert (right.left, right.left_label, right.crosshair, right.busy_text) == (after, "After", True, "")
    _left, right = _contents(CompareMode.SIDE_BY_SIDE, before, None)
    assert right.left is None and right.busy_text == "Preparing…"


def test_a_held_key_or_the_toggle_shows_the_original_marked_as_such(qapp):
    before, after = _levels(0x202020), _levels(0xA0A0A0)
    for mode, kwargs in ((CompareMode.WIPE, {"peek": True}), (CompareMode.DIFFERENCE, {"peek": True}),
                         (CompareMode.TOGGLE, {"pinned_before": True})):
        left, right = _contents(mode, before, after, **kwargs)
        assert (left.left, left.right, left.left_label, left.accent_label) == (before, None, "Before", True), mode
        assert right.left is None
    left, _right = _contents(CompareMode.TOGGLE, before, after)
    assert (left.left, left.left_label, left.accent_label) == (after, "After", False)


def test_wipe_puts_the_result_after_the_divider_and_waits_for_it(qapp):
    before, after = _levels(0x202020), _levels(0xA0A0A0)
    left, _right = _contents(CompareMode.WIPE, before, after)
    assert (left.left, left.right, left.left_label, left.right_label) == (before, after, "Before", "After")
    left, _right = _contents(CompareMode.WIPE, before, None)
    assert (left.left, left.right, left.busy_text) == (before, None, "Preparing the result…")


def test_difference_shows_the_heat_map_or_why_there_is_none_yet(qapp):
    before, after, heat = _levels(0x202020), _levels(0xA0A0A0), _levels(0xFF0000)
    left, _right = _contents(CompareMode.DIFFERENCE, before, after, heat)
    assert (left.left, left.left_label, left.busy_text) == (heat, "Difference", "")
    left, _right = _contents(CompareMode.DIFFERENCE, before, after)
    assert (left.left, left.busy_text) == (before, "Computing difference…")
    left, _right = _contents(CompareMode.DIFFERENCE, before, after, difference_error="Could not compute it")
    assert left.busy_text == "Could not compute it"


def test_mix_without_a_session_dims_the_original_under_its_note(qapp):
    before, after = _levels(0x202020), _levels(0xA0A0A0)
    left, _right = _contents(CompareMode.MIX, before, after, mix_note="Mixing needs two results")
    assert (left.left, left.left_label, left.busy_text, left.painter) == (before, "Mix", "Mixing needs two results", None)
    left, _right = _contents(CompareMode.MIX, before, after)
    assert left.busy_text == "Preparing the mix…"


def test_nothing_to_show_without_an_original(qapp):
    for mode in CompareMode:
        left, right = _contents(mode, None, None)
        assert left.left is None and right.left is None and left.empty_text == "No result to compare yet"
