"""Difference map: exact statistics inside and outside the mask, and a heat image that shows them."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from desktop_editor.core.difference import DEFAULT_THRESHOLD, RegionStats, difference_map, ramp_colour


def _pair():
    """100x80 grey image; mask = left half. Known changes:
    inside: 400 pixels +50 on red, 100 pixels +5 (below threshold);
    outside: 40 pixels -20 on blue, 60 pixels +8 (exactly the threshold: not noticeable)."""
    before = np.full((80, 100, 3), 120, dtype=np.uint8)
    after = before.copy()
    mask = np.zeros((80, 100), dtype=np.uint8)
    mask[:, :50] = 255
    after[0:20, 0:20, 0] += 50  # 400 inside
    after[30:35, 0:20, 1] += 5  # 100 inside, small
    after[0:4, 60:70, 2] -= 20  # 40 outside
    after[40:46, 60:70, 0] += 8  # 60 outside, at threshold
    return Image.fromarray(before), Image.fromarray(after), mask


def test_stats_exact_inside_and_outside():
    before, after, mask = _pair()
    result = difference_map(before, after, mask)
    assert result.inside == RegionStats(pixels=4000, changed=400, mean=(400 * 50 + 100 * 5) / 4000)
    assert result.outside == RegionStats(pixels=4000, changed=40, mean=(40 * 20 + 60 * 8) / 4000)
    assert result.whole.pixels == 8000 and result.whole.changed == 440
    assert result.outside.fraction == pytest.approx(0.01)
    assert result.threshold == DEFAULT_THRESHOLD and not result.resized


def test_summary_lines_put_outside_first():
    before, after, mask = _pair()
    lines = difference_map(before, after, mask).summary()
    assert lines == [
        "Outside mask: 1.0% of pixels changed (mean 0.3)",
        "Inside mask: 10.0% of pixels changed (mean 5.1)",
    ]


def test_soft_mask_edge_counts_as_inside():
    before, after, mask = _pair()
    mask[:, 50:52] = 1  # a faint brush edge is still painted: compositing may change it
    after_arr = np.asarray(after).copy()
    after_arr[10:20, 50:52, 0] += 90
    result = difference_map(before, Image.fromarray(after_arr), mask)
    assert result.inside.pixels == 4160 and result.inside.changed == 420
    assert result.outside.changed == 40


def test_without_mask_reports_the_whole_image():
    before, after, _ = _pair()
    result = difference_map(before, after, None)
    assert result.inside is None
    assert result.outside == result.whole
    assert result.summary() == ["Whole image: 5.5% of pixels changed (mean 2.7)"]
    empty = difference_map(before, after, np.zeros((80, 100), np.uint8))
    assert empty.inside is None


def test_size_mismatch_resizes_after_to_before():
    before = Image.new("RGB", (200, 100), (10, 200, 30))
    after = Image.new("RGB", (100, 50), (10, 200, 30))
    result = difference_map(before, after, None)
    assert result.resized
    assert result.heat.size == (200, 100)
    assert result.whole.changed == 0 and result.whole.mean == 0


def test_mask_of_another_size_is_refused():
    before, after, _ = _pair()
    with pytest.raises(ValueError, match="does not match"):
        difference_map(before, after, np.zeros((10, 10), np.uint8))


def test_alpha_changes_count():
    before = Image.new("RGBA", (10, 10), (50, 50, 50, 255))
    after = before.copy()
    after.putpixel((3, 3), (50, 50, 50, 0))
    result = difference_map(before, after, None)
    assert result.whole.changed == 1


def test_heat_image_dark_where_unchanged_and_bright_where_changed():
    before, after, mask = _pair()
    heat = difference_map(before, after, mask, outline_mask=False).heat
    assert heat.mode == "RGB" and heat.size == before.size
    unchanged = heat.getpixel((90, 70))
    assert unchanged[0] == unchanged[1] == unchanged[2] and unchanged[0] < 60  # darkened grey of 120
    changed = heat.getpixel((5, 5))
    assert changed == ramp_colour(50)
    assert sum(changed) > 3 * 100


def test_mask_outline_is_drawn_on_the_edge_only():
    before, after, mask = _pair()
    plain = difference_map(before, after, mask, outline_mask=False).heat
    outlined = difference_map(before, after, mask, outline_mask=True).heat
    assert outlined.getpixel((49, 60)) != plain.getpixel((49, 60))  # last painted column
    assert outlined.getpixel((30, 60)) == plain.getpixel((30, 60))
    assert outlined.getpixel((51, 60)) == plain.getpixel((51, 60))


def test_describe_empty_region_and_tiny_fractions():
    assert RegionStats(0, 0, 0.0).describe("Outside mask") == "Outside mask: no pixels"
    assert RegionStats(100000, 3, 0.01).describe("Outside mask") == "Outside mask: <0.1% of pixels changed (mean 0.0)"
