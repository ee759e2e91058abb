"""Magic wand: contiguous regions, colour range, tolerance, anti-aliased edges, on synthetic and real photos."""

import numpy as np
import pytest
from selection_composites import load_photo

from desktop_editor.core import mask_ops
from desktop_editor.core.selection.wand import PhotoPlanes, WandClick, magic_wand


def two_squares():
    """Red background, two separate green squares and one blue one."""
    img = np.zeros((80, 100, 3), np.uint8)
    img[:] = (200, 30, 30)
    img[10:30, 10:30] = (20, 200, 20)
    img[50:70, 60:90] = (20, 200, 20)
    img[10:30, 60:80] = (20, 20, 200)
    return img


def full(shape, bounds, selection):
    return mask_ops.apply_selection(np.zeros(shape, np.uint8), bounds, selection, mask_ops.SelectionMode.REPLACE)


def test_contiguous_selects_only_the_clicked_square():
    img = two_squares()
    mask = full(img.shape[:2], *magic_wand(img, 15, 15, 32))
    assert (mask[10:30, 10:30] == 255).all()
    assert not mask[50:70, 60:90].any() and not mask[10:30, 60:80].any()
    assert np.count_nonzero(mask) == 400  # a hard edge between flat colours: nothing partial


def test_global_selects_every_similar_pixel():
    img = two_squares()
    mask = full(img.shape[:2], *magic_wand(img, 15, 15, 32, contiguous=False))
    assert (mask[10:30, 10:30] == 255).all() and (mask[50:70, 60:90] == 255).all()
    assert not mask[10:30, 60:80].any()
    assert np.count_nonzero(mask) == 400 + 600


def test_tolerance_widens_the_region_on_a_gradient():
    ramp = np.repeat(np.arange(256, dtype=np.uint8)[None, :], 20, axis=0)
    img = np.dstack([ramp, ramp, ramp])
    click = WandClick(img, 100, 10, sample_radius=0)
    widths = []
    for tolerance in (0, 10, 40):
        bounds, selection = click.select(tolerance, antialias=False)
        widths.append(np.count_nonzero(selection[0]))
        assert bounds[0] == 100 - tolerance and bounds[2] == 100 + tolerance + 1
    assert widths == [1, 21, 81]


def test_antialiased_edge_follows_the_photos_own_coverage():
    """A half-covered edge pixel (colour halfway between) is about half selected."""
    img = np.zeros((20, 20, 3), np.uint8)
    img[:, :10] = (240, 240, 240)
    img[:, 10] = (120, 120, 120)  # the anti-aliased column: half white, half black
    bounds, selection = magic_wand(img, 3, 3, 20)
    mask = full(img.shape[:2], bounds, selection)
    assert (mask[:, :10] == 255).all() and not mask[:, 11:].any()
    assert np.all(np.abs(mask[:, 10].astype(int) - 128) <= 3)
    hard = full(img.shape[:2], *magic_wand(img, 3, 3, 20, antialias=False))
    assert not hard[:, 10].any()


def test_clicked_pixel_is_always_selected_even_when_it_differs_from_its_neighbours():
    img = np.full((9, 9, 3), 100, np.uint8)
    img[4, 4] = (0, 0, 0)  # the sampled 3x3 mean is close to 100, far from the clicked pixel
    bounds, selection = magic_wand(img, 4, 4, 15, antialias=False)
    mask = full(img.shape[:2], bounds, selection)
    assert mask[4, 4] == 255 and np.count_nonzero(mask) == 81


def test_click_outside_the_image_is_refused():
    with pytest.raises(ValueError):
        WandClick(two_squares(), 100, 5)


def test_on_a_real_photo_the_sky_is_one_region_and_the_tolerance_preview_reuses_the_click():
    photo = load_photo("rocket.jpg")
    planes = PhotoPlanes(photo)
    click = WandClick(planes, 250, 100)  # the dark blue sky left of the rocket
    small = click.select(8)
    large = click.select(40)
    area_small = np.count_nonzero(full(photo.shape[:2], *small) >= 128)
    area_large = np.count_nonzero(full(photo.shape[:2], *large) >= 128)
    assert area_small < area_large
    sky = full(photo.shape[:2], *large)
    assert sky[100, 250] == 255 and sky[150, 400] == 255  # the sky on both sides of the rocket
    assert sky[400, 320] == 0  # the lit ground is not sky
