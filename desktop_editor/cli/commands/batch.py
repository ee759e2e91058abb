"""`desktop-editor batch --images DIR_OR_GLOB ...`: many edits, planned and priced first, journaled and resumable."""

from __future__ import annotations

import argparse
import json
import sys

from desktop_editor.cli.edit_args import check_edit_args, options_for
from desktop_editor.cli.output import BatchProgress, fail, job_report, print_summary, write_report
from desktop_editor.cli.commands.layers import write_layers
from desktop_editor.cli.running import manager_for, run_jobs
from desktop_editor.cli.status_codes import EXIT_OK, EXIT_USAGE, worst_exit_code


def run(args: argparse.Namespace) -> int:
    """Plan and price the batch, ask (or --yes), then send it N at a time; the worst job's exit code."""
    from desktop_editor.api.errors import ConfigurationError
    from desktop_editor.jobs.batch import find_images, plan_batch
    from desktop_editor.jobs.model import EditJob

    params, problem = check_edit_args(args, 1)
    if problem:
        return fail(problem, EXIT_USAGE)
    if args.masks is not None and not args.masks.is_dir():
        return fail(f"{args.masks}: no such folder of masks.", EXIT_USAGE)
    if args.mask is not None and not args.mask.is_file():
        return fail(f"{args.mask}: no such file.", EXIT_USAGE)
    if args.concurrency < 1 or args.concurrency > 16:
        return fail("--concurrency must be 1 to 16.", EXIT_USAGE)
    if args.auto_mask and (args.masks is not None or args.mask is not None):
        return fail("--auto-mask derives every mask: leave out --masks and --mask.", EXIT_USAGE)
    if args.masks_preview and not args.auto_mask:
        return fail("--masks-preview shows the masks --auto-mask derives; give --auto-mask too.", EXIT_USAGE)
    images = find_images(args.images)
    if not images:
        return fail(f"no images found in {args.images}.", EXIT_USAGE)
    out = sys.stderr
    derived = None
    if args.auto_mask:
        from desktop_editor.cli.commands.mask import MaskInputError, auto_masks

        try:
            derived = auto_masks(args, images, out)
        except MaskInputError as exc:
            return fail(str(exc), EXIT_USAGE)
    from desktop_editor.cli.expand import expanding

    plan = plan_batch(images, params, masks_dir=args.masks, shared_mask=args.mask, derived_masks=derived,
                      masks_optional=expanding(args))
    from desktop_editor.cli.expand import plan_items

    expansion_lines: list[str] = []
    if expanding(args):  # each image's sent size becomes its expanded canvas's
        problem = plan_items(args, plan.to_send, expansion_lines)
        if problem:
            return fail(problem, EXIT_USAGE)
    cost = plan.estimated_cost()
    sizes = {}
    for item in plan.to_send:
        sizes[item.sent_size] = sizes.get(item.sent_size, 0) + 1
    size_text = ", ".join(f"{n} at {w}x{h}" for (w, h), n in sorted(sizes.items(), key=lambda kv: -kv[1]))
    print(f"Plan: {len(plan.to_send)} of {len(plan.items)} images will be sent to {params.model}"
          f" ({size_text or 'none'}).", file=out)
    for item in plan.skipped:
        print(f"  skipped {item.image.name}: {item.problem}", file=out)
    print(f"Estimated cost: {'$%.2f' % cost if cost is not None else 'unknown for this model'}"
          f" ({params.num_images if params.spec.has_num_images else 1} image(s) each).", file=out)
    if not plan.to_send:
        return fail("nothing to send.", EXIT_USAGE)
    for line in expansion_lines:
        print(line, file=out)
    if not args.yes:
        if not sys.stdin.isatty():
            return fail("confirm with --yes (no terminal to ask on).", EXIT_USAGE)
        answer = input(f"Send {len(plan.to_send)} edits? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            print("Nothing sent.", file=out)
            return EXIT_OK
    try:
        manager = manager_for(args, workers=args.concurrency)
    except ConfigurationError as exc:
        return fail(str(exc), EXIT_USAGE)
    jobs = [
        EditJob(params=params, image_paths=[item.image], mask_path=item.mask, options=options_for(args, args.out), source="batch")
        for item in plan.to_send
    ]
    manager.sweep_leftovers([jobs[0].options.out_dir])  # hidden partials of an earlier, killed run
    from desktop_editor.cli.expand import expand_jobs, expanding

    if expanding(args):
        jobs, problem = expand_jobs(args, jobs, out)
        if problem:
            manager.shutdown()
            return fail(problem, EXIT_USAGE)
    progress = BatchProgress(len(jobs), out, quiet=args.json)
    finished = run_jobs(manager, jobs, progress=progress, stream=out)
    manager.shutdown(stop_waiting=True, wait=False)
    print_summary(finished, out)
    if args.report:
        write_report(args.report, finished)
    if args.json:
        print(json.dumps({"jobs": [job_report(j) for j in finished]}))
    else:  # every result's path on stdout, rescued ones included, as `edit` and `jobs resume` do
        for job in finished:
            for path in job.result_paths:
                print(path)
    if args.layers:
        from desktop_editor.jobs.model import JobState

        for job in finished:
            layered = write_layers(job, quiet=args.json) if job.state is JobState.DONE else None
            if layered is not None and not args.json:
                print(layered)
    return worst_exit_code(finished)
