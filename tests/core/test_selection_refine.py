"""Refine edge and the guided filter: band error drops on real composites, nothing moves outside the band."""

import cv2
import numpy as np
import pytest
from selection_composites import PAIRS, band_error, make_composite, wobbled_mask

from desktop_editor.core.selection.guided import guided_filter
from desktop_editor.core.selection.refine import edge_band, refine_edge, refine_stroke


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


def _outline_stroke(truth: np.ndarray, start: int, count: int) -> list[tuple[float, float]]:
    """Points along part of the true outline, as a designer's refine brush would go."""
    contours, _ = cv2.findContours((truth >= 128).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    outline = max(contours, key=len)[:, 0, :]
    return [(float(x) + 0.5, float(y) + 0.5) for x, y in outline[start : start + count : 4]]


def test_a_refine_stroke_changes_only_under_the_brush_and_improves_the_edge_there():
    comp, rough = wobbled_mask("cat on astronaut")
    points = _outline_stroke(comp.truth, 0, 160)
    radius = 12.0
    result = refine_stroke(comp.photo, rough, points, radius, 10)
    assert result is not None
    (x0, y0, x1, y1), pixels = result
    refined = rough.copy()
    refined[y0:y1, x0:x1] = pixels
    brush = np.zeros_like(rough)
    for x, y in points:
        yy, xx = np.ogrid[: rough.shape[0], : rough.shape[1]]
        brush[(xx + 0.5 - x) ** 2 + (yy + 0.5 - y) ** 2 <= (radius + 1.5) ** 2] = 255
    # Between the sampled points the stroke is a thick line: widen the discs to cover it.
    brush = cv2.dilate(brush, np.ones((5, 5), np.uint8))
    changed = refined != rough
    assert changed.any()
    assert not (changed & (brush == 0)).any()  # nothing moves outside the brush
    under = brush > 0
    before = np.abs(rough[under].astype(float) - comp.truth[under]).mean()
    after = np.abs(refined[under].astype(float) - comp.truth[under]).mean()
    assert after < 0.8 * before


def test_a_refine_stroke_off_the_image_or_away_from_the_edge_changes_nothing():
    comp, rough = wobbled_mask("coffee on cat")
    assert refine_stroke(comp.photo, rough, [(-50.0, -50.0)], 10, 8) is None
    inside = np.argwhere(_depth(rough) > 40)[0]  # deep inside the mask, far from its edge
    (x0, y0, x1, y1), pixels = refine_stroke(comp.photo, rough, [(inside[1] + 0.5, inside[0] + 0.5)], 6, 8)
    assert np.array_equal(pixels, rough[y0:y1, x0:x1])


def _depth(mask: np.ndarray) -> np.ndarray:
    """How far each selected pixel is from the mask's edge."""
    return cv2.distanceTransform((mask >= 128).astype(np.uint8) * 255, cv2.DIST_L2, 5)
