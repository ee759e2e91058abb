import numpy as np
import pytest
from PIL import Image

from desktop_editor.core.composite import blend_weights, composite


def scene():
    rng = np.random.default_rng(1)
    original = Image.fromarray(rng.integers(0, 255, (60, 80, 3), dtype=np.uint8), "RGB")
    result = Image.fromarray(rng.integers(0, 255, (30, 40, 3), dtype=np.uint8), "RGB")  # model answered smaller
    mask = np.zeros((60, 80), np.uint8)
    mask[20:40, 20:60] = 255
    return original, result, mask


@pytest.mark.parametrize("feather", [0, 4, 12])
def test_outside_mask_is_exactly_original(feather):
    original, result, mask = scene()
    out = np.asarray(composite(original, result, mask, feather=feather))
    assert out.shape == (60, 80, 3)
    assert np.array_equal(out[mask == 0], np.asarray(original)[mask == 0])


def test_hard_edge_inside_is_result():
    original, result, mask = scene()
    out = np.asarray(composite(original, result, mask, feather=0))
    resized = np.asarray(result.resize((80, 60), Image.Resampling.LANCZOS))
    assert np.array_equal(out[mask > 0], resized[mask > 0])


def test_feather_ramps_inside_the_mask():
    mask = np.zeros((50, 50), np.uint8)
    mask[10:40, 10:40] = 255
    w = blend_weights(mask, 8)
    assert w[25, 25] == pytest.approx(1.0, abs=1e-3)
    assert 0 < w[25, 11] < w[25, 14] < 1
    assert (w[mask == 0] == 0).all()


def test_colour_match_moves_towards_surroundings():
    original = Image.new("RGB", (40, 40), (100, 100, 100))
    result = Image.new("RGB", (40, 40), (140, 140, 140))
    mask = np.zeros((40, 40), np.uint8)
    mask[10:30, 10:30] = 255
    out = np.asarray(composite(original, result, mask, colour_match=True))
    assert abs(int(out[20, 20, 0]) - 100) <= 1


def test_alpha_original_keeps_alpha():
    original = Image.new("RGBA", (20, 20), (1, 2, 3, 0))
    result = Image.new("RGB", (20, 20), (200, 0, 0))
    mask = np.zeros((20, 20), np.uint8)
    mask[5:10, 5:10] = 255
    out = composite(original, result, mask)
    assert out.mode == "RGBA" and out.getpixel((0, 0)) == (1, 2, 3, 0)


# ----- composite_region: the same picture, working only around the mask ----------------------

from desktop_editor.core.composite import composite_region, region_margin  # noqa: E402


def camera_scene(seed=3, size=(300, 200)):
    rng = np.random.default_rng(seed)
    width, height = size
    original = Image.fromarray(rng.integers(0, 255, (height, width, 3), dtype=np.uint8), "RGB")
    result = Image.fromarray(rng.integers(0, 255, (128, 192, 3), dtype=np.uint8), "RGB")  # another size
    mask = np.zeros((height, width), np.uint8)
    mask[60:120, 150:240] = 255
    mask[90:100, 235:250] = 120  # a soft brush edge
    return original, result, mask


@pytest.mark.parametrize("feather", [0, 3, 8, 21])
@pytest.mark.parametrize("colour_match", [False, True])
def test_region_composite_keeps_outside_exact_and_agrees_with_whole_frame(feather, colour_match):
    original, result, mask = camera_scene()
    whole = np.asarray(composite(original, result, mask, feather=feather, colour_match=colour_match)).astype(int)
    region = np.asarray(composite_region(original, result, mask, feather=feather, colour_match=colour_match))
    assert region.shape == whole.shape
    assert np.array_equal(region[mask == 0], np.asarray(original)[mask == 0])
    # Inside, only the resampling of a box of the result instead of the whole may round differently.
    assert np.abs(region.astype(int) - whole).max() <= 1
    assert (np.abs(region.astype(int) - whole) > 0).mean() < 0.01


def test_region_composite_at_the_frame_edge_and_with_alpha():
    rng = np.random.default_rng(5)
    original = Image.fromarray(rng.integers(0, 255, (100, 120, 4), dtype=np.uint8), "RGBA")
    result = Image.fromarray(rng.integers(0, 255, (50, 60, 3), dtype=np.uint8), "RGB")
    mask = np.zeros((100, 120), np.uint8)
    mask[0:30, 90:120] = 255  # touches two edges: the margin is clipped there
    out = composite_region(original, result, mask, feather=8)
    assert out.mode == "RGBA"
    whole = np.asarray(composite(original, result, mask, feather=8)).astype(int)
    assert np.array_equal(np.asarray(out)[mask == 0], np.asarray(original)[mask == 0])
    assert np.abs(np.asarray(out).astype(int) - whole).max() <= 1


def test_region_composite_of_a_sent_region_shows_the_original_outside_it():
    original, _, mask = camera_scene()
    patch = Image.new("RGB", (64, 64), (250, 0, 0))
    place = (140, 50, 268, 178)  # the region that was sent, 128x128, answered at 64x64
    out = np.asarray(composite_region(original, patch, mask, place=place, feather=0))
    assert np.array_equal(out[mask == 0], np.asarray(original)[mask == 0])
    inside_place = np.zeros(mask.shape, bool)
    inside_place[50:178, 140:268] = True
    assert (out[(mask == 255) & inside_place] == (250, 0, 0)).all()
    # Where the mask reaches beyond the region that was sent, the original stays.
    mask2 = mask.copy()
    mask2[60:70, 280:290] = 255
    out2 = np.asarray(composite_region(original, patch, mask2, place=place, feather=0))
    assert np.array_equal(out2[60:70, 280:290], np.asarray(original)[60:70, 280:290])


def test_region_composite_of_an_empty_mask_is_a_copy_of_the_original():
    original, result, mask = camera_scene()
    out = composite_region(original, result, np.zeros_like(mask), feather=8)
    assert out is not original and np.array_equal(np.asarray(out), np.asarray(original))


def test_region_margin_covers_the_blur_and_the_colour_ring():
    assert region_margin(0) >= 2
    assert region_margin(8) >= 3 * 4
    assert region_margin(0, colour_match=True) > 8


# ----- planned ahead: the weights made while the service works, only the patch at the end -------

from desktop_editor.core.composite import composite_patch, paste_patch, plan_composite  # noqa: E402


def test_a_planned_composite_is_the_same_picture_and_only_its_patch_differs():
    rng = np.random.default_rng(16)
    original = Image.fromarray(rng.integers(0, 256, (90, 120, 3), dtype=np.uint8))
    result = Image.fromarray(rng.integers(0, 256, (45, 60, 3), dtype=np.uint8))  # the model's smaller size
    mask = np.zeros((90, 120), np.uint8)
    mask[30:50, 40:70] = 255
    plan = plan_composite(original, mask, feather=6)
    patch = composite_patch(plan, result)
    whole = np.asarray(paste_patch(original, patch, plan.rect))
    assert np.array_equal(whole, np.asarray(composite_region(original, result, mask, feather=6)))
    left, top, right, bottom = plan.rect
    outside = np.ones((90, 120), bool)
    outside[top:bottom, left:right] = False
    assert np.array_equal(whole[outside], np.asarray(original)[outside])  # bit for bit
    assert plan_composite(original, np.zeros_like(mask)) is None


# ----- the result's box resampled in its own two passes ------------------------------------------

from desktop_editor.core import composite as composite_module  # noqa: E402
from desktop_editor.core.composite import result_in  # noqa: E402


@pytest.mark.parametrize("rect", [(140, 315, 1260, 367), (58, 95, 201, 98), (630, 105, 700, 945), (0, 0, 1400, 210),
                                  (1390, 828, 1400, 832), (100, 500, 1300, 1050)])
def test_a_box_of_the_result_is_where_the_whole_resized_result_puts_it(rect):
    # Wide, short boxes are where one `resize(box=...)` call misplaced the pixels (off by up to 50).
    rng = np.random.default_rng(1)
    result = Image.fromarray(rng.integers(0, 255, (300, 400, 3), dtype=np.uint8))
    whole = np.asarray(result.resize((1400, 1050), Image.Resampling.LANCZOS)).astype(int)
    left, top, right, bottom = rect
    part = np.asarray(result_in(result, (0, 0, 1400, 1050), rect)).astype(int)
    difference = np.abs(part - whole[top:bottom, left:right])
    assert difference.max() <= 2 and (difference > 0).mean() < 0.01  # rounding, never a shift


def test_a_mask_band_is_composited_where_it_lies():
    original, _, _ = camera_scene(size=(1400, 1050))
    result = Image.fromarray(np.random.default_rng(9).integers(0, 255, (300, 400, 3), dtype=np.uint8))
    mask = np.zeros((1050, 1400), np.uint8)
    mask[315:367, 140:1260] = 255
    whole = np.asarray(composite(original, result, mask, feather=4)).astype(int)
    region = np.asarray(composite_region(original, result, mask, feather=4)).astype(int)
    assert np.abs(region - whole).max() <= 2 and (np.abs(region - whole) > 0).mean() < 0.01


def test_a_large_patch_made_in_bands_on_several_threads_is_the_same_picture(monkeypatch):
    rng = np.random.default_rng(4)
    original = Image.fromarray(rng.integers(0, 256, (600, 800, 3), dtype=np.uint8))
    result = Image.fromarray(rng.integers(0, 256, (300, 400, 3), dtype=np.uint8))
    mask = np.zeros((600, 800), np.uint8)
    mask[100:500, 150:700] = 255
    mask[200:260, 690:720] = 90  # a soft edge
    plan = plan_composite(original, mask, feather=8)
    one_piece = np.asarray(composite_patch(plan, result)).astype(int)
    monkeypatch.setattr(composite_module, "PARALLEL_BAND_PIXELS", 1000)
    assert len(composite_module._bands(plan)) > 2
    banded = composite_patch(plan, result)
    assert banded.size == plan.base.size and banded.mode == plan.mode
    difference = np.abs(np.asarray(banded).astype(int) - one_piece)
    assert difference.max() <= 1 and (difference > 0).mean() < 0.01
    whole = np.asarray(paste_patch(original, banded, plan.rect))
    weights = np.zeros((600, 800), np.uint8)
    left, top, right, bottom = plan.rect
    weights[top:bottom, left:right] = np.asarray(plan.weights)
    assert np.array_equal(whole[weights == 0], np.asarray(original)[weights == 0])  # bit for bit
