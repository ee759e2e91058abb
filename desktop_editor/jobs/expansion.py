"""Turning an expansion request into an ordinary masked edit job.

The expanded canvas (original pixels exact, the new area filled from its edges) and its mask (new
area plus the ramped overlap band, united with any mask the designer painted) are written into
the job's own input folder, so a resumed job has them. The job then runs like any other: it is
sent at the valid size chosen here, only a band around the new area when the canvas is too large
to send whole, and composited back through the mask, which keeps every original pixel outside
the band exactly and makes the result the expanded canvas's size.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PIL import Image

from desktop_editor.core import expand, masks
from desktop_editor.core.export import encode_image
from desktop_editor.core.filenames import replace_file
from desktop_editor.core.images import load_image
from desktop_editor.core.params import EditParams
from desktop_editor.core.region import Box
from desktop_editor.jobs.model import EditJob, JobOptions

DEFAULT_PROMPT = "Extend the scene naturally beyond its edges, matching its light, perspective and style."
COMPOSITE_FEATHER = 0.5  # the mask's own ramp does the blending; a wider feather would soften it further


@dataclass(frozen=True)
class ExpansionPlan:
    """What will be sent for one image, and the sentence that says so."""

    source_size: tuple[int, int]
    expansion: expand.Expansion
    overlap: int
    canvas_size: tuple[int, int]
    box: Box | None  # the band sent when the canvas is too large to send whole; None = whole canvas
    context: int  # px of the original around the new area inside the band
    sent_size: tuple[int, int]

    @property
    def text(self) -> str:
        line = expand.plan_text(self.canvas_size, self.sent_size)
        if self.box is not None:
            bw, bh = self.box[2] - self.box[0], self.box[3] - self.box[1]
            line = (
                f"only the {bw}x{bh} band around the new area is sent, as {self.sent_size[0]}x{self.sent_size[1]}; "
                f"the result is {self.canvas_size[0]}x{self.canvas_size[1]}"
            )
        return line


def plan_expansion(width: int, height: int, expansion: expand.Expansion, overlap: int) -> ExpansionPlan:
    """The plan for an image of width x height.

    Raises:
        ExpandError: the canvas cannot be made or sent (the message names what would work).
    """
    problem = expand.canvas_problem(width, height, expansion)
    if problem:
        raise expand.ExpandError(problem)
    overlap = expand.clamp_overlap(width, height, expansion, overlap)
    canvas = expansion.canvas_size(width, height)
    grown = max([v for v in expansion.sides if v > 0], default=0)
    context = max(256, overlap * 4, grown // 2)
    box = expand.band_box(width, height, expansion, overlap, context) if expansion.grows else None
    region = canvas if box is None else (box[2] - box[0], box[3] - box[1])
    return ExpansionPlan((width, height), expansion, overlap, canvas, box, context, expand.sent_size(*region))


def expansion_for(width: int, height: int, *, sides: expand.Expansion | None = None,
                  aspect: tuple[int, int] | None = None, anchor: str = "center") -> expand.Expansion:
    """Pixels per side, or the smallest expansion to `aspect` at `anchor` (one of them given)."""
    if sides is not None:
        return sides
    if aspect is None:
        raise expand.ExpandError("Give the pixels per side or a target aspect ratio.")
    return expand.for_aspect(width, height, aspect, anchor)


def canvas_and_mask(image: Image.Image, plan: ExpansionPlan, designer_mask: np.ndarray | None = None
                    ) -> tuple[Image.Image, np.ndarray]:
    """The expanded canvas and its mask; a mask painted on the original is moved (and cropped)
    onto the canvas and united with the expansion's."""
    exp = plan.expansion
    canvas = expand.expand_canvas(image, exp)
    mask = expand.expansion_mask(image.width, image.height, exp, plan.overlap)
    if designer_mask is not None:
        left, top, right, bottom = exp.original_box(image.width, image.height)
        sx, sy = max(0, -exp.left), max(0, -exp.top)
        part = designer_mask[sy : sy + bottom - top, sx : sx + right - left]
        np.maximum(mask[top:bottom, left:right], part, out=mask[top:bottom, left:right])
    return canvas, mask


def expansion_params(params: EditParams, plan: ExpansionPlan) -> EditParams:
    """The parameters for an expansion: a prompt when none was given, and the output asked at
    the planned size (a size the model accepts) where the model takes explicit sizes."""
    if not params.prompt.strip():
        params = params.with_changes(prompt=DEFAULT_PROMPT)
    if params.spec.explicit_sizes and params.image_size == "auto":
        params = params.with_changes(image_size=f"{plan.sent_size[0]}x{plan.sent_size[1]}")
    return params


def expansion_options(options: JobOptions, plan: ExpansionPlan) -> JobOptions:
    """Result options for an expansion: always composited back through the expansion's mask,
    sent at the planned size, only the band around the new area when the canvas is too large."""
    return replace(
        options,
        keep_unmasked=True,
        feather=max(options.feather, COMPOSITE_FEATHER),
        rescale_mask=False,
        send_size=plan.sent_size,
        expansion=plan.expansion.sides,
        region_padding=plan.context if plan.box is not None else None,
    )


def write_canvas(folder: Path, stem: str, canvas: Image.Image, mask: np.ndarray,
                 icc_profile: bytes | None = None, dpi: tuple[float, float] | None = None) -> tuple[Path, Path]:
    """Write the canvas (lossless, with the original's colour profile and DPI) and its mask
    (white = edit, the band's ramp kept) atomically; their paths."""
    canvas_path = replace_file(folder / f"{stem}.png", encode_image(canvas, "png", icc_profile=icc_profile, dpi=dpi))
    mask_path = replace_file(folder / f"{stem}-expand-mask.png",
                             masks.encode_mask_png(mask, masks.MaskConvention.BLACK_WHITE))
    return canvas_path, mask_path


def write_inputs(job: EditJob, plan: ExpansionPlan, folder: Path) -> EditJob:
    """Write the canvas and mask of `job`'s first image into `folder` and return the job that
    edits them: composited back, sent at the planned size, its prompt defaulted when empty."""
    loaded = load_image(job.image_paths[0])
    designer = None
    if job.mask_path is not None:
        designer = masks.fit_mask(masks.load_mask(job.mask_path), loaded.size, rescale=job.options.rescale_mask)
    canvas, mask = canvas_and_mask(loaded.image, plan, designer)
    stem = Path(job.image_paths[0]).stem or "image"
    canvas_path, mask_path = write_canvas(folder, stem, canvas, mask, loaded.icc_profile, loaded.dpi)
    return replace(job, params=expansion_params(job.params, plan), image_paths=[canvas_path, *job.image_paths[1:]],
                   mask_path=mask_path, options=expansion_options(job.options, plan))


def write_snapshot(job: EditJob, snapshot, folder: Path, name: str) -> None:
    """The window's Generate with a frame pending: expand the snapshot's image on the job's
    worker and point the job at the canvas and its mask (its parameters and options were set
    from the plan when it was made)."""
    plan: ExpansionPlan = snapshot.expansion
    image = snapshot.picture()
    canvas, mask = canvas_and_mask(image.copy(), plan, snapshot.mask)
    icc = getattr(snapshot, "icc_profile", None) or image.info.get("icc_profile")
    canvas_path, mask_path = write_canvas(folder, name, canvas, mask, icc, getattr(snapshot, "dpi", None))
    job.image_paths = [canvas_path, *snapshot.references]
    job.mask_path = mask_path


def describe_frame(width: int, height: int, expansion: expand.Expansion | None, overlap: int) -> tuple[str, bool]:
    """One line for the panel and the canvas: what Generate will send for this frame, and
    whether it can be sent ("Canvas 1440x2560: sent as 1008x1792, result scaled to 1440x2560")."""
    if expansion is None or expansion.is_identity:
        return "", True
    try:
        plan = plan_expansion(width, height, expansion, overlap)
    except expand.ExpandError as exc:
        return str(exc), False
    cw, ch = plan.canvas_size
    return f"Canvas {cw}x{ch}: {plan.text}.", True
