"""From the edit options to what the job system takes: EditParams and JobOptions.

Every problem is found here, before anything is sent, as one line for exit code 2.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop_editor.jobs.model import JobOptions


def params_from_args(args: argparse.Namespace):
    """EditParams from the options; ValueError for a malformed --option."""
    from desktop_editor.core.params import EditParams, parse_options

    options = parse_options(args.option)
    for name in ("input_fidelity", "background"):
        if getattr(args, name) is not None:
            options.setdefault(name, getattr(args, name))
    return EditParams(
        prompt=args.prompt,
        model=args.model,
        num_images=args.num_images,
        output_format=args.output_format,
        image_size=args.size,
        quality=args.quality,
        sync_mode=args.sync,
        options=options,
    )


def check_edit_args(args: argparse.Namespace, image_count: int):
    """EditParams from the options, or an error line (exit 2, nothing sent)."""
    from desktop_editor.cli.expand import check_expand_args, expanding
    from desktop_editor.core.params import ParamsError

    if expanding(args) and not args.prompt.strip():
        from desktop_editor.jobs.expansion import DEFAULT_PROMPT

        args.prompt = DEFAULT_PROMPT
    try:
        params = params_from_args(args)
        params.check(image_count)
    except (ParamsError, ValueError) as exc:
        return None, str(exc)
    spec = params.spec
    problem = check_expand_args(args, spec)
    if problem:
        return None, problem
    if expanding(args):
        return params, None  # the expansion makes its own mask and always keeps the original
    if args.keep_unmasked and not spec.uses_mask:
        return None, f"--keep-unmasked cannot apply to {spec.label}: it recomposes the whole frame (no mask is used)."
    if args.keep_unmasked and args.mask is None and not getattr(args, "masks", None) \
            and not getattr(args, "auto_mask", None):
        return None, "--keep-unmasked needs a mask (the area the edit may change)."
    return params, None


def options_for(args, out_dir: Path) -> JobOptions:
    """Job options from the command line; the output folder is made absolute, so that a job
    resumed from another working folder still saves where it was asked to."""
    return JobOptions(
        out_dir=Path(out_dir).expanduser().absolute(),
        keep_unmasked=args.keep_unmasked,
        feather=args.feather,
        style=args.style,
        rescale_mask=args.rescale_mask,
        timeout=args.timeout,
        save_format=save_format_for(args),
        provenance=not getattr(args, "no_provenance", False),
        prompt_in_provenance=getattr(args, "provenance_prompt", False),
        layers=getattr(args, "layers", None),
    )


def save_format_for(args) -> str:
    """--save-format, else like the source; a --format of jpeg or webp asked for is kept."""
    if getattr(args, "save_format", None):
        return args.save_format
    return "service" if getattr(args, "output_format", "png") in ("jpeg", "webp") else "source"
