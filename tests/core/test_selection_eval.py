"""Select object, click-to-select and select subject on the 50-case evaluation set.

The set (tests/selection_eval.py) is generated with fixed seeds from real photos; parameters
were chosen on its development half only. The floors below are the whole set's, as measured
when these methods shipped (benchmarks/bench_selection.py prints them with the halves and per
kind). Issue 29 asks for more than they reach -- select object mean 0.96 / worst 0.90, click
worst 0.85, select subject mean 0.93 -- and the gap is stated where each floor is: a change
that raises a figure raises its floor here, one that lowers it fails.
"""

from __future__ import annotations

import numpy as np
import pytest
from selection_eval import COMPOSITES, PRODUCTS, evaluation_set, iou

from desktop_editor.core.selection.common import SelectionError
from desktop_editor.core.selection.select_object import ObjectHints, select_object
from desktop_editor.core.selection.subject import NoSubject, find_subject_box, select_at, select_subject


def _scores(method) -> dict[str, float]:
    scores = {}
    for case in evaluation_set():
        try:
            mask = method(case)
        except NoSubject:
            mask = np.zeros_like(case.truth)
        scores[case.name] = iou(mask, case.truth)
    return scores


@pytest.fixture(scope="module")
def box_scores():
    return _scores(lambda c: select_object(c.photo, ObjectHints(box=c.box)))


@pytest.fixture(scope="module")
def click_scores():
    return _scores(lambda c: select_at(c.photo, *c.click))


@pytest.fixture(scope="module")
def subject_scores():
    return _scores(lambda c: select_subject(c.photo))


def test_the_set_is_what_it_says():
    cases = evaluation_set()
    assert len(cases) == COMPOSITES + PRODUCTS == 50
    composites = [c for c in cases if c.group == "composite"]
    assert len({c.material for c in composites}) >= 8  # at least 8 different real photos
    assert {c.kind for c in composites} == {"hard", "soft", "thin", "arms", "low contrast"}
    assert {c.kind for c in cases if c.group == "product"} == {"plain", "gradient", "busy"}
    assert sum(c.development for c in cases) == 25
    for case in cases:
        x, y, w, h = case.box
        ys, xs = np.nonzero(case.truth >= 128)
        # The box is the object's bounds give or take 5% + 4% margin; the click is on the object.
        assert x - 0.1 * w <= xs.min() and xs.max() < x + w + 0.1 * w
        assert y - 0.1 * h <= ys.min() and ys.max() < y + h + 0.1 * h
        assert case.truth[case.click[1], case.click[0]] >= 128
    again = evaluation_set.__wrapped__()  # generated afresh: the same pixels (fixed seeds)
    assert all(np.array_equal(a.photo, b.photo) and np.array_equal(a.truth, b.truth) for a, b in zip(cases, again))


# Measured: mean 0.951, worst 0.425 (a grey horse on an astronaut's black collar, 0.449 before
# the candidates of core/selection/candidates.py); plain GrabCut 0.902 / 0.043, the histograms
# alone 0.938 / 0.449, the previous two-pass pipeline 0.914 / 0.251. Issue: 0.96 / 0.90.
BOX_MEAN, BOX_WORST = 0.945, 0.42


def test_select_object_with_the_box_alone(box_scores):
    values = list(box_scores.values())
    assert np.mean(values) >= BOX_MEAN
    assert min(values) >= BOX_WORST


# Measured: mean 0.852, worst 0.053 (a click cuts its box one way, as before select object's
# candidates). Issue: worst 0.85. Where a click lands on a coin of a patch of coins, the coin is
# what comes out (a reading of the click the set does not share: without the five coin-patch
# composites the mean is 0.897, the worst 0.076); where the background photo around the click
# has the object's colours, too much does.
CLICK_MEAN, CLICK_WORST = 0.845, 0.05


def test_a_click_inside_an_object_selects_it(click_scores):
    values = list(click_scores.values())
    assert np.mean(values) >= CLICK_MEAN
    assert min(values) >= CLICK_WORST


# Measured on the 38 cases with one clear subject (`Case.clear_subject`): mean 0.905 (0.896
# before select object's candidates); on all 50, as first judged, 0.833 (0.816); on the
# product-style photos 0.98. Issue: 0.93. The misses are patches of coins on a dark tray over
# gravel, bricks or coins, whose tray the border prior takes for background.
SUBJECT_MEAN, SUBJECT_CLEAR_MEAN, SUBJECT_PRODUCTS = 0.83, 0.90, 0.96


def test_select_subject_finds_the_placed_object(subject_scores):
    assert np.mean(list(subject_scores.values())) >= SUBJECT_MEAN
    clear = [subject_scores[c.name] for c in evaluation_set() if c.clear_subject]
    assert len(clear) == 38 and np.mean(clear) >= SUBJECT_CLEAR_MEAN
    products = [v for name, v in subject_scores.items() if name.startswith("p")]
    assert np.mean(products) >= SUBJECT_PRODUCTS


def test_a_photo_with_no_subject_is_refused_with_a_sentence():
    rng = np.random.default_rng(3)
    wall = np.clip(rng.normal(128, 3, (300, 400, 3)), 0, 255).astype(np.uint8)  # a plain wall
    with pytest.raises(NoSubject, match="No clear subject"):
        select_subject(wall)
    with pytest.raises(NoSubject, match="under the click"):
        select_at(wall, 200, 150)


def test_a_click_outside_the_photo_is_refused():
    photo = evaluation_set()[0].photo
    with pytest.raises(SelectionError, match="outside"):
        select_at(photo, photo.shape[1] + 5, 10)


def test_the_subject_box_lies_inside_the_photo():
    case = evaluation_set()[40]  # a product-style photo
    x, y, w, h = find_subject_box(case.photo)
    height, width = case.truth.shape
    assert 0 <= x and 0 <= y and x + w <= width and y + h <= height
    ys, xs = np.nonzero(case.truth >= 128)
    assert x <= xs.min() and xs.max() < x + w and y <= ys.min() and ys.max() < y + h
