"""Expanding the canvas: geometry of every preset and anchor on odd sizes, the sent size always
valid, the mask's band, and the composite keeping every original pixel outside the band."""

import numpy as np
import pytest
from PIL import Image

from desktop_editor.core import expand
from desktop_editor.core.expand import ANCHORS, PRESETS, Expansion, ExpandError
from desktop_editor.core.params import size_problems

ODD_SIZES = [(641, 481), (1001, 1999), (333, 777), (4001, 3001), (97, 53)]


@pytest.mark.parametrize("size", ODD_SIZES)
@pytest.mark.parametrize("preset", list(PRESETS))
@pytest.mark.parametrize("anchor", list(ANCHORS))
def test_every_preset_and_anchor(size, preset, anchor):
    w, h = size
    rw, rh = PRESETS[preset]
    exp = expand.for_aspect(w, h, (rw, rh), anchor)
    assert min(exp.sides) >= 0, "an aspect preset never crops"
    cw, ch = exp.canvas_size(w, h)
    assert cw >= w and ch >= h
    assert cw == w or ch == h, "only one axis grows: the smallest canvas"
    assert abs(cw / ch - rw / rh) <= 1.0 / min(cw, ch), f"{cw}x{ch} is not {preset}"
    ax, ay = ANCHORS[anchor]
    for start, end, where in ((exp.left, exp.right, ax), (exp.top, exp.bottom, ay)):
        if where == 0.0:
            assert start == 0
        elif where == 1.0:
            assert end == 0
        else:
            assert abs(start - end) <= 1
    sent = expand.sent_size(cw, ch)
    assert size_problems(*sent) == [], f"{sent} breaks the model's rules"
    assert abs(sent[0] / sent[1] / (cw / ch) - 1) < 0.03


@pytest.mark.parametrize("size", [(641, 481), (6000, 4000), (100, 300), (3839, 1281), (17, 16), (20000, 7000)])
def test_sent_size_always_valid(size):
    sent = expand.sent_size(*size)
    assert size_problems(*sent) == []


def test_sent_size_keeps_a_valid_canvas_and_scales_a_large_one():
    assert expand.sent_size(1024, 1536) == (1024, 1536)
    assert expand.sent_size(4000, 4000) == (2880, 2880)
    assert expand.plan_text((4000, 4000), (2880, 2880)) == "sent as 2880x2880, result scaled to 4000x4000"


@pytest.mark.parametrize("ratio,nearest", [((4, 1), "3:1"), ((1, 5), "1:3"), ((32, 9), "3:1")])
def test_ratio_outside_the_rules_is_refused_with_the_nearest(ratio, nearest):
    with pytest.raises(ExpandError, match=f"nearest allowed is {nearest}"):
        expand.for_aspect(640, 480, ratio)
    assert expand.aspect_problem((21, 9)) is None  # 2.33:1 is allowed


def test_sides_that_make_a_canvas_too_wide_are_refused():
    problem = expand.canvas_problem(300, 300, Expansion(0, 0, 700, 0))
    assert problem and "1000x300" in problem and "3:1" in problem


def test_parse_sides_aspect_anchor():
    assert expand.parse_sides("10,-20,30,0") == Expansion(10, -20, 30, 0)
    assert expand.parse_aspect("9:16") == (9, 16)
    assert expand.parse_aspect("2.35:1") == (47, 20)
    assert expand.parse_anchor("Centre") == "center"
    for bad in ("1,2,3", "a,b,c,d", "1.5,0,0,0"):
        with pytest.raises(ExpandError):
            expand.parse_sides(bad)
    with pytest.raises(ExpandError):
        expand.parse_aspect("wide")
    with pytest.raises(ExpandError):
        expand.parse_anchor("north")


def test_crop_removing_everything_is_refused():
    with pytest.raises(ExpandError):
        Expansion(-50, 0, -50, 0).check(100, 100)


def _photo(w, h, mode="RGB", seed=3):
    rng = np.random.default_rng(seed)
    channels = 4 if mode == "RGBA" else 3
    return Image.fromarray(rng.integers(0, 256, (h, w, channels), dtype=np.uint8), mode)


def test_mask_is_new_area_plus_a_ramped_band():
    exp = Expansion(5, 0, 0, 7)
    mask = expand.expansion_mask(41, 31, exp, overlap=4)
    assert mask.shape == (38, 46)
    assert (mask[:, :5] == 255).all() and (mask[31:, :] == 255).all()
    row = mask[10, 5:12]
    assert list(row[:4]) == sorted(row[:4], reverse=True) and row[0] > row[3] > 0 and row[4] == 0
    assert (mask[:27, 9:] == 0).all(), "beyond the band the original is untouched"
    assert (mask[:, -1][:27] == 0).all(), "sides that did not grow get no band"


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
@pytest.mark.parametrize("exp", [Expansion(13, 0, 21, 0), Expansion(0, 9, 0, 0), Expansion(7, 5, 3, 11),
                                 Expansion(-6, 8, 0, -4)])
def test_canvas_and_composite_keep_original_pixels_exactly(mode, exp):
    w, h, overlap = 63, 47, 6
    original = _photo(w, h, mode)
    canvas = expand.expand_canvas(original, exp)
    assert canvas.size == exp.canvas_size(w, h) and canvas.mode == mode
    mask = expand.expansion_mask(w, h, exp, overlap)
    left, top, right, bottom = exp.original_box(w, h)
    src = np.asarray(original)[max(0, -exp.top):, max(0, -exp.left):][: bottom - top, : right - left]
    assert np.array_equal(np.asarray(canvas)[top:bottom, left:right], src)
    result = _photo(*canvas.size, "RGB", seed=9).resize((canvas.width // 2 + 1, canvas.height // 2 + 1))
    out = expand.composite_expansion(canvas, result, mask)
    assert out.size == canvas.size
    kept = mask == 0
    assert kept.any()
    assert np.array_equal(np.asarray(out)[kept], np.asarray(canvas)[kept]), "an original pixel changed"
    new = mask == 255
    resized = np.asarray(result.resize(canvas.size, Image.Resampling.LANCZOS).convert(mode))
    assert np.array_equal(np.asarray(out)[new], resized[new]), "the new area is the result's"


def test_band_is_a_blend_between_original_and_result():
    original = Image.new("RGB", (64, 64), (0, 0, 0))
    exp = Expansion(0, 0, 32, 0)
    canvas = expand.expand_canvas(original, exp)
    mask = expand.expansion_mask(64, 64, exp, overlap=8)
    out = np.asarray(expand.composite_expansion(canvas, Image.new("RGB", canvas.size, (255, 255, 255)), mask))
    row = out[30, 56:64, 0].astype(int)
    assert row[0] < row[-1] < 255 and all(np.diff(row) > 0), row
    assert out[30, 55, 0] == 0 and out[30, 64, 0] == 255


def test_band_box_only_for_canvases_too_large_to_send():
    assert expand.band_box(1000, 800, Expansion(0, 0, 300, 0), 32, 256) is None
    box = expand.band_box(6000, 4000, Expansion(0, 0, 1500, 0), 32, 400)
    assert box is not None
    left, top, right, bottom = box
    assert right == 7500 and left <= 6000 - 32 - 400 and (right - left) * (bottom - top) < 7500 * 4000 * 0.6
