"""A mask made by a chain of steps, as `desktop-editor mask` and `batch --auto-mask` spell it.

The steps always run in this order, whatever the order of the options: the selections (select
subject, select object in a box, magic wand at a point; more than one means their union), refine edge, grow,
shrink, feather, invert. Boxes and points may be percentages, so one recipe fits a whole
catalogue of photos of different sizes; `check_fits` refuses a recipe that does not fit an image
before any pixel is computed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from desktop_editor.core import mask_ops
from desktop_editor.core.selection.boxes import parse_box, parse_point
from desktop_editor.core.selection.common import SelectionError, StopCheck, check
from desktop_editor.core.selection.refine import refine_edge
from desktop_editor.core.selection.select_object import ObjectHints, select_object
from desktop_editor.core.selection.subject import NoSubject, select_subject
from desktop_editor.core.selection.wand import DEFAULT_TOLERANCE, magic_wand


@dataclass(frozen=True)
class MaskRecipe:
    subject: bool = False  # the photo's main subject, found with no box
    object_box: str | None = None  # X,Y,W,H in pixels or percentages
    wand_point: str | None = None  # X,Y in pixels or percentages
    tolerance: int = DEFAULT_TOLERANCE
    wand_global: bool = False
    refine_px: float = 0.0
    grow_px: int = 0
    shrink_px: int = 0
    feather_px: float = 0.0
    invert: bool = False

    def problems(self) -> list[str]:
        """What is wrong with the recipe itself, whatever the image (empty when usable)."""
        found = []
        if not self.subject and not self.object_box and not self.wand_point:
            found.append("say what to select: --select-subject, --select-object X,Y,W,H and/or --wand X,Y.")
        if not 0 <= self.tolerance <= 255:
            found.append(f"--tolerance must be 0 to 255, not {self.tolerance}.")
        for name, value in (("--refine-edge", self.refine_px), ("--grow", self.grow_px),
                            ("--shrink", self.shrink_px), ("--feather", self.feather_px)):
            if value < 0 or value > 500:
                found.append(f"{name} must be 0 to 500 pixels, not {value:g}.")
        return found

    def check_fits(self, size: tuple[int, int]) -> None:
        """Raise SelectionError when a box or point does not fit an image of `size` (W, H)."""
        if self.object_box:
            parse_box(self.object_box, size, what="--select-object")
        if self.wand_point:
            parse_point(self.wand_point, size, what="--wand")

    def make(self, photo: np.ndarray, *, stop: StopCheck = None) -> np.ndarray:
        """The mask (uint8 (H, W), 255 = edit) for a photo (RGB uint8 (H, W, 3)).

        Raises:
            SelectionError: the recipe does not fit the photo (see `check_fits`).
            NoSubject: select subject found nothing that stands out (a SelectionError too).
        """
        height, width = photo.shape[:2]
        mask = np.zeros((height, width), np.uint8)
        if self.subject:
            mask = select_subject(photo, stop=stop)
        if self.object_box:
            box = parse_box(self.object_box, (width, height), what="--select-object")
            mask = np.maximum(mask, select_object(photo, ObjectHints(box=box), stop=stop))
        if self.wand_point:
            x, y = parse_point(self.wand_point, (width, height), what="--wand")
            bounds, selection = magic_wand(photo, x, y, self.tolerance, contiguous=not self.wand_global)
            mask = mask_ops.apply_selection(mask, bounds, selection, mask_ops.SelectionMode.ADD)
        check(stop)
        if self.refine_px:
            mask = refine_edge(photo, mask, self.refine_px, stop=stop)
        if self.grow_px:
            mask = mask_ops.grow(mask, self.grow_px)
        if self.shrink_px:
            mask = mask_ops.shrink(mask, self.shrink_px)
        if self.feather_px:
            mask = mask_ops.feather(mask, self.feather_px)
        if self.invert:
            mask = mask_ops.invert(mask)
        return mask

    def describe(self) -> str:
        """One line for the plan: what will be selected and how it is shaped."""
        steps = []
        if self.subject:
            steps.append("the main subject")
        if self.object_box:
            steps.append(f"object in {self.object_box}")
        if self.wand_point:
            steps.append(f"{'colour range' if self.wand_global else 'wand'} at {self.wand_point} "
                         f"(tolerance {self.tolerance})")
        for label, value in (("refine edge", self.refine_px), ("grow", self.grow_px),
                             ("shrink", self.shrink_px), ("feather", self.feather_px)):
            if value:
                steps.append(f"{label} {value:g} px")
        if self.invert:
            steps.append("inverted")
        return ", ".join(steps)


def parse_auto_mask(spec: str) -> MaskRecipe:
    """`subject` or `object:BOX` (the batch option) -> a recipe.

    Raises:
        SelectionError: another kind, or an object with no box.
    """
    kind, _, value = spec.partition(":")
    if kind.strip().lower() == "subject" and not value.strip():
        return MaskRecipe(subject=True)
    if kind.strip().lower() != "object" or not value.strip():
        raise SelectionError(
            f"--auto-mask {spec!r}: use subject, or object:X,Y,W,H (pixels or percentages, "
            "e.g. object:10%,10%,80%,80%).")
    return MaskRecipe(object_box=value.strip())


__all__ = ["MaskRecipe", "NoSubject", "SelectionError", "parse_auto_mask"]
