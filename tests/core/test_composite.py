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
