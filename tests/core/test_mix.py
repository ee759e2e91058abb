"""The mixing math: the map's palette, hard and soft source strokes, rendering, and the mask."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from desktop_editor.core.mix import (
    MAX_RESULTS,
    MixPalette,
    MixStroke,
    mix_to_image,
    prepare_source,
    render,
    render_all,
    stack_sources,
    used_results,
)

H, W = 64, 96


def solid(rgb, size=(W, H)) -> Image.Image:
    return Image.new("RGB", size, rgb)


def test_palette_has_pure_entries_and_as_many_blend_steps_as_fit():
    palette = MixPalette(5)  # base + four results
    assert palette.levels == (256 - 5) // 10 == 25
    for slot in range(5):
        assert palette.first[slot] == palette.second[slot] == slot and palette.weight[slot] == 0
    blends = palette.weight[5:5 + 10 * 25]
    assert blends.min() > 0 and blends.max() < 255
    with pytest.raises(ValueError):
        MixPalette(MAX_RESULTS + 2)


def test_a_hard_stroke_shows_the_source_exactly_inside_the_disc_and_nothing_outside():
    palette = MixPalette(3)
    labels = np.zeros((H, W), np.uint8)
    stroke = MixStroke(labels, palette, slot=2, radius=10, hardness=1.0)
    stroke.segment((30, 30), (60, 30))
    yy, xx = np.mgrid[0:H, 0:W] + 0.5
    # distance of each pixel centre from the segment (30..60, 30)
    dx = np.clip(xx, 30, 60) - xx
    dist = np.hypot(dx, yy - 30)
    assert (labels[dist <= 9.5] == 2).all()
    assert (labels[dist > 10.5] == 0).all()
    assert set(np.unique(labels)) <= {0, 2}  # a hard brush makes no blends


def test_a_soft_stroke_blends_the_sources_smoothly_across_its_edge():
    palette = MixPalette(3)
    stack = stack_sources([solid((0, 0, 0)), solid((200, 200, 200))])  # result 1 black, result 2 grey
    labels = np.zeros((H, W), np.uint8)  # the base everywhere; base = result 1
    MixStroke(labels, palette, slot=2, radius=24, hardness=0.2).segment((48, 32), (48, 32))
    mixed = render(labels, stack, palette, base=0)[..., 0].astype(int)
    row = mixed[32, 48:48 + 26]  # from the centre outwards
    assert row[0] == 200 and row[-1] == 0
    assert (np.diff(row.astype(float)) <= 12).all()  # falls off with no jump wider than a dither step
    # Averaged over the 4x4 dither cell, the edge is smooth and monotonic.
    ring = [mixed[32 - 2:32 + 2, 48 + r - 2:48 + r + 2].mean() for r in range(4, 24, 4)]
    assert all(a >= b for a, b in zip(ring, ring[1:])) and 0 < ring[-2] < 200


def test_overlapping_segments_of_one_stroke_do_not_build_up():
    palette = MixPalette(3)
    once = np.zeros((H, W), np.uint8)
    MixStroke(once, palette, 1, 12, 0.3).segment((40, 30), (41, 30))
    many = np.zeros((H, W), np.uint8)
    stroke = MixStroke(many, palette, 1, 12, 0.3)
    for _ in range(5):
        stroke.segment((40, 30), (41, 30))
    assert np.array_equal(once, many)


def test_painting_one_result_over_another_meets_them_without_the_base_in_between():
    palette = MixPalette(4)
    stack = stack_sources([solid((0, 0, 0)), solid((100, 100, 100)), solid((250, 250, 250))])
    labels = np.zeros((H, W), np.uint8)
    MixStroke(labels, palette, 2, 200, 1.0).segment((0, 0), (0, 0))  # result 2 everywhere
    MixStroke(labels, palette, 3, 20, 0.2).segment((48, 32), (48, 32))  # soft result 3 on it
    mixed = render(labels, stack, palette, base=0)[..., 0]
    assert mixed.min() >= 100  # never falls back to the black base across the seam
    assert mixed[32, 48] == 250 and mixed[0, 0] == 100


def test_undo_data_and_cancel_restore_the_map():
    palette = MixPalette(3)
    labels = np.zeros((H, W), np.uint8)
    labels[:, :10] = 1
    original = labels.copy()
    stroke = MixStroke(labels, palette, 2, 8, 0.5)
    stroke.segment((5, 5), (90, 60))
    x0, y0, x1, y1 = stroke.bounds
    assert np.array_equal(stroke.before(), original[y0:y1, x0:x1])
    assert not np.array_equal(labels, original)
    stroke.restore()
    assert np.array_equal(labels, original)


def test_changing_the_base_keeps_the_strokes():
    palette = MixPalette(4)
    stack = stack_sources([solid((10, 10, 10)), solid((120, 120, 120)), solid((240, 240, 240))])
    labels = np.zeros((H, W), np.uint8)
    MixStroke(labels, palette, 3, 6, 1.0).segment((10, 10), (10, 10))
    assert render(labels, stack, palette, base=1)[50, 80, 0] == 120
    assert render(labels, stack, palette, base=0)[50, 80, 0] == 10
    assert render(labels, stack, palette, base=0)[10, 10, 0] == 240
    assert used_results(labels, palette, 1) == [1, 2]


def test_outside_the_mask_the_mix_is_the_original_bit_for_bit():
    rng = np.random.default_rng(3)
    original = Image.fromarray(rng.integers(0, 256, (H, W, 3), dtype=np.uint8), "RGB")
    results = [Image.fromarray(rng.integers(0, 256, (H, W, 3), dtype=np.uint8), "RGB") for _ in range(3)]
    mask = np.zeros((H, W), np.uint8)
    mask[16:48, 24:72] = 255
    sources = [prepare_source(original, r, mask, keep_inside_mask=True, feather=4) for r in results]
    stack = stack_sources(sources)
    palette = MixPalette(4)
    labels = np.zeros((H, W), np.uint8)
    stroke = MixStroke(labels, palette, 2, 30, 0.3)
    stroke.segment((0, 0), (95, 63))
    MixStroke(labels, palette, 3, 20, 0.6).segment((90, 5), (10, 60))
    mixed = mix_to_image(render_all(labels, stack, palette, base=0))
    got, want = np.asarray(mixed), np.asarray(original)
    assert np.array_equal(got[mask == 0], want[mask == 0])
    assert not np.array_equal(got[mask == 255], want[mask == 255])
    # Turned off: the results' own pixels outside the mask show.
    free = stack_sources([prepare_source(original, r, mask, keep_inside_mask=False) for r in results])
    loose = np.asarray(mix_to_image(render_all(labels, free, palette, base=0)))
    assert not np.array_equal(loose[mask == 0], want[mask == 0])


def test_a_result_the_job_already_composited_is_not_feathered_twice():
    original = solid((0, 0, 0))
    result = solid((200, 200, 200))
    mask = np.zeros((H, W), np.uint8)
    mask[:, W // 2:] = 255
    once = prepare_source(original, result, mask, keep_inside_mask=True, feather=8)
    again = prepare_source(original, once, mask, keep_inside_mask=True, feather=8, already_composited=True)
    assert np.array_equal(np.asarray(once), np.asarray(again))


def test_rendering_in_strips_equals_rendering_at_once_and_rgba_keeps_alpha():
    palette = MixPalette(3)
    rng = np.random.default_rng(5)
    images = [Image.fromarray(rng.integers(0, 256, (H, W, 4), dtype=np.uint8), "RGBA") for _ in range(2)]
    stack = stack_sources(images)
    assert stack.shape == (2, H, W, 4)
    labels = rng.integers(0, palette.slots + palette.levels, (H, W), dtype=np.uint8)
    assert np.array_equal(render_all(labels, stack, palette, 1), render(labels, stack, palette, 1))
    pure = np.zeros((H, W), np.uint8)
    out = mix_to_image(render_all(pure, stack, palette, 1))
    assert out.mode == "RGBA"
    assert np.array_equal(np.asarray(out)[..., 3], np.asarray(images[1])[..., 3])
