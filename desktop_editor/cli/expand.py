"""`--expand` / `--aspect` for `edit` and `batch`: outpainting from the command line.

`desktop-editor edit shot.jpg --aspect 9:16 --anchor bottom --overlap 48` or
`--expand 0,200,0,200`; `batch --images catalogue/ --aspect 1:1` squares a whole catalogue. The
size rules are met here (the plan line says what is sent), and a ratio the model refuses is
refused before anything is written, naming the nearest allowed one.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop_editor.core import expand

CROP_ONLY = "A crop alone adds nothing to generate (and would still be charged): expand a side, or give --mask."


def add_expand_options(p: argparse.ArgumentParser) -> None:
    group = p.add_argument_group("expand the canvas (outpainting)")
    group.add_argument("--expand", metavar="L,T,R,B",
                       help="pixels to add on each side (negative crops; then write --expand=-20,0,200,0), e.g. 0,200,0,200")
    group.add_argument("--aspect", metavar="W:H",
                       help=f"expand to this aspect ratio, nothing cropped (presets {', '.join(expand.PRESETS)}, or any within 1:3 to 3:1)")
    group.add_argument("--anchor", default="center", metavar="WHERE",
                       help="where the original stays with --aspect: " + ", ".join(expand.ANCHORS) + " (default center)")
    group.add_argument("--overlap", type=int, default=expand.DEFAULT_OVERLAP, metavar="PX",
                       help=f"band of the original redone and blended at the seam (default {expand.DEFAULT_OVERLAP})")


def expanding(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "expand", None) or getattr(args, "aspect", None))


def check_expand_args(args: argparse.Namespace, spec) -> str | None:
    """An error line for malformed or conflicting options (exit 2), or None."""
    if not expanding(args):
        return None
    if args.expand and args.aspect:
        return "give --expand or --aspect, not both."
    if not spec.takes_mask:
        return f"--expand and --aspect need a model that takes a mask; {spec.label} does not."
    if args.overlap < 0:
        return "--overlap must be 0 or more pixels."
    try:
        if args.expand:
            expand.parse_sides(args.expand)
        else:
            problem = expand.aspect_problem(expand.parse_aspect(args.aspect))
            if problem:
                return problem
        expand.parse_anchor(args.anchor)
    except expand.ExpandError as exc:
        return str(exc)
    return None


def plan_for(args: argparse.Namespace, size: tuple[int, int]):
    """The ExpansionPlan of one image of `size`; ExpandError names what would work."""
    from desktop_editor.jobs.expansion import expansion_for, plan_expansion

    sides = expand.parse_sides(args.expand) if args.expand else None
    aspect = expand.parse_aspect(args.aspect) if args.aspect else None
    exp = expansion_for(*size, sides=sides, aspect=aspect, anchor=args.anchor)
    return plan_expansion(*size, exp, args.overlap)


def expand_job(args: argparse.Namespace, job, folder: Path | None = None):
    """The job that edits `job`'s first image expanded; (job, plan line). ExpandError,
    ImageLoadError or MaskError when it cannot be (nothing is sent then)."""
    from desktop_editor.core.images import load_image
    from desktop_editor.jobs.expansion import write_inputs
    from desktop_editor.jobs.paths import job_dir

    size = load_image(job.image_paths[0]).size
    plan = plan_for(args, size)
    if plan.expansion.is_identity:
        raise expand.ExpandError(f"The image is {size[0]}x{size[1]}, already that shape: nothing to expand.")
    if not plan.expansion.grows and job.mask_path is None:
        raise expand.ExpandError(CROP_ONLY)
    new_job = write_inputs(job, plan, folder if folder is not None else job_dir(job.id))
    name = Path(job.image_paths[0]).name
    line = f"{name}: {size[0]}x{size[1]} expanded to {plan.canvas_size[0]}x{plan.canvas_size[1]}, {plan.text}."
    return new_job, line


def _image_size(path: Path) -> tuple[int, int]:
    from desktop_editor.jobs.batch import image_size

    return image_size(path)  # from the header: a catalogue of hundreds plans fast


def plan_items(args: argparse.Namespace, items: list, lines: list[str]) -> str | None:
    """Plan every batch item's expansion: its sent size becomes the canvas's, and one line per
    image says what is sent (added to `lines`). An error line naming the image when one cannot be."""
    for item in list(items):
        path = item.image
        try:
            plan = plan_for(args, item.size or _image_size(path))
        except expand.ExpandError as exc:
            return f"{path.name}: {exc}"
        except (OSError, ValueError) as exc:
            return f"{path.name}: not a readable image ({exc})."
        if plan.expansion.is_identity:
            item.problem = "already that shape: nothing to expand"  # skipped, as the plan line says
            continue
        if not plan.expansion.grows and item.mask is None:
            return f"{path.name}: {CROP_ONLY}"
        item.sent_size = plan.sent_size
        lines.append(f"  {path.name}: {plan.source_size[0]}x{plan.source_size[1]} -> "
                     f"{plan.canvas_size[0]}x{plan.canvas_size[1]}, {plan.text}")
    return None


def expand_jobs(args: argparse.Namespace, jobs: list, out) -> tuple[list, str | None]:
    """Every batch job made to edit its image expanded; (jobs, None) or ([], error line)."""
    from desktop_editor.core.images import ImageLoadError
    from desktop_editor.core.masks import MaskError

    done = []
    for job in jobs:
        try:
            new_job, _line = expand_job(args, job)
        except (expand.ExpandError, ImageLoadError, MaskError) as exc:
            return [], f"{Path(job.image_paths[0]).name}: {exc}"
        done.append(new_job)
    return done, None
