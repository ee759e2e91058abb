import numpy as np

from desktop_editor.core.region import MIN_REGION_EDGE, region_box


def test_region_is_mask_bounds_plus_padding_within_the_image():
    mask = np.zeros((2000, 3000), np.uint8)
    mask[900:1000, 1400:1700] = 255
    left, top, right, bottom = region_box(mask, 50)
    assert (left, right) == (1350, 1750)
    assert (top, bottom) == (822, 1078)  # 200 px tall, widened around its centre to the minimum
    assert bottom - top == MIN_REGION_EDGE


def test_region_grows_to_minimum_and_keeps_aspect_within_3_to_1():
    mask = np.zeros((2000, 4000), np.uint8)
    mask[500:502, 100:3900] = 255
    left, top, right, bottom = region_box(mask, 0)
    assert (right - left) / (bottom - top) <= 3.0
    small = np.zeros((100, 100), np.uint8)
    small[10:12, 10:12] = 255
    assert region_box(small, 0) == (0, 0, 100, 100)  # clamped to the image


def test_empty_mask_has_no_region():
    assert region_box(np.zeros((10, 10), np.uint8), 5) is None
