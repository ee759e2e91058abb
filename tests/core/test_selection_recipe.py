"""Boxes and points in pixels or percentages, and mask recipes (the `mask` command's steps)."""

import numpy as np
import pytest
from selection_composites import iou, make_composite

from desktop_editor.core.selection.boxes import parse_box, parse_point
from desktop_editor.core.selection.common import SelectionError
from desktop_editor.core.selection.recipe import MaskRecipe, parse_auto_mask


def test_boxes_in_pixels_and_percentages():
    assert parse_box("10,20,30,40", (100, 100)) == (10, 20, 30, 40)
    assert parse_box("10%,10%,80%,80%", (600, 400)) == (60, 40, 480, 320)
    assert parse_box("0,50%,100%,50%", (200, 100)) == (0, 50, 200, 50)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("10,10,0,20", "zero size"),
        ("10,10,20,-5", "zero size"),
        ("90,10,20,20", "outside the 100x100 image"),
        ("-5,10,20,20", "outside"),
        ("10%,10%,95%,80%", "outside"),
        ("10,10,20", "X,Y,W,H"),
        ("a,10,20,20", "not a number"),
    ],
)
def test_bad_boxes_are_refused_with_a_reason(spec, message):
    with pytest.raises(SelectionError, match=message):
        parse_box(spec, (100, 100))


def test_points():
    assert parse_point("50%,25%", (200, 100)) == (100, 25)
    with pytest.raises(SelectionError, match="outside"):
        parse_point("200,5", (200, 100))


def test_recipe_runs_its_steps_in_order():
    comp = make_composite("cat on astronaut")
    x, y, w, h = comp.box
    recipe = MaskRecipe(object_box=f"{x},{y},{w},{h}")
    base = recipe.make(comp.photo)
    assert iou(base, comp.truth) >= 0.95
    grown = MaskRecipe(object_box=recipe.object_box, grow_px=5).make(comp.photo)
    assert np.count_nonzero(grown) > np.count_nonzero(base)
    inverted = MaskRecipe(object_box=recipe.object_box, invert=True).make(comp.photo)
    assert np.array_equal(inverted, 255 - base)
    feathered = MaskRecipe(object_box=recipe.object_box, feather_px=4).make(comp.photo)
    assert np.count_nonzero((feathered > 0) & (feathered < 255)) > np.count_nonzero((base > 0) & (base < 255))


def test_recipe_wand_and_object_are_combined():
    img = np.zeros((60, 80, 3), np.uint8)
    img[:, 40:] = (0, 200, 0)
    wand = MaskRecipe(wand_point="70,30").make(img)
    assert (wand[:, 41:] == 255).all() and not wand[:, :39].any()
    both = MaskRecipe(wand_point="70,30", object_box="5,5,20,20").make(img)
    assert np.count_nonzero(both) >= np.count_nonzero(wand)


def test_recipe_problems_and_fit():
    assert MaskRecipe().problems()
    assert MaskRecipe(object_box="1,1,5,5", tolerance=300).problems()
    assert not MaskRecipe(object_box="1,1,5,5").problems()
    with pytest.raises(SelectionError, match="outside"):
        MaskRecipe(object_box="10,10,50,50").check_fits((40, 40))
    assert parse_auto_mask("object:10%,10%,80%,80%").object_box == "10%,10%,80%,80%"
    with pytest.raises(SelectionError):
        parse_auto_mask("wand:1,2")
    assert "object in 10%,10%,80%,80%" in MaskRecipe(object_box="10%,10%,80%,80%", refine_px=4).describe()
