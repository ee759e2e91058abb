"""Refine edge and the guided filter: band error drops on real composites, nothing moves outside the band."""

import numpy as np
import pytest
from selection_composites import PAIRS, band_error, make_composite, wobbled_mask

from desktop_editor.core.selection.guided import guided_filter
from desktop_editor.core.selection.refine import edge_band, refine_edge


@pytest.mark.parametrize("name", list(PAIRS))
def test_refine_edge_lowers_the_band_error_on_real_composites(name):
    comp, rough = wobbled_mask(name)
    refined = refine_edge(comp.photo, rough, 10)
    before, after = band_error(rough, comp.truth, 6), band_error(refined, comp.truth, 6)
    assert after < 0.6 * before


def test_nothing_changes_outside_the_band():
    comp, rough = wobbled_mask("cat on astronaut")
    refined = refine_edge(comp.photo, rough, 4)
    band = edge_band(rough, 4)
    assert np.array_equal(refined[band == 0], rough[band == 0])
    assert not np.array_equal(refined, rough)


def test_region_limits_the_change_to_a_brush_stroke():
    comp, rough = wobbled_mask("astronaut on rocket")
    region = np.zeros_like(rough)
    region[:, : rough.shape[1] // 2] = 255  # the left half only
    refined = refine_edge(comp.photo, rough, 8, region=region)
    right = slice(rough.shape[1] // 2, None)
    assert np.array_equal(refined[:, right], rough[:, right])
    assert not np.array_equal(refined, rough)


def test_empty_and_full_masks_come_back_unchanged():
    photo = make_composite("coffee on cat").photo
    for value in (0, 255):
        mask = np.full(photo.shape[:2], value, np.uint8)
        assert np.array_equal(refine_edge(photo, mask, 8), mask)


def test_guided_filter_snaps_a_shifted_step_to_the_photos_edge():
    """Synthetic: the photo's edge is at x=50, the mask's at x=46; inside the band the mask's
    50% line moves towards the photo's edge, and beyond it the mask stays fully selected."""
    photo = np.zeros((40, 100, 3), np.uint8)
    photo[:, 50:] = (220, 180, 60)
    mask = np.zeros((40, 100), np.uint8)
    mask[:, 46:] = 255
    weight = np.zeros_like(mask)
    weight[:, 36:64] = 255
    out = guided_filter(photo, mask, weight, radius=8, eps=1e-4, gain=2.0)
    row = out[20].astype(int)
    crossing = int(np.argmax(row >= 128))
    assert 48 <= crossing <= 50
    assert row[44] < 30 and (row[50:60] > 200).all()
    assert np.array_equal(out[:, :36], mask[:, :36]) and np.array_equal(out[:, 64:], mask[:, 64:])


def test_refined_large_mask_matches_at_a_reduced_fit():
    """On a 2K composite the coefficients are fitted on a reduced copy; the gain still holds."""
    comp, rough = wobbled_mask("coffee on cat", scale=4.0)
    refined = refine_edge(comp.photo, rough, 40)
    assert band_error(refined, comp.truth, 24) < 0.6 * band_error(rough, comp.truth, 24)
