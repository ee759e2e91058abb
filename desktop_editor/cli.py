"""The command-line front end: the same core, client and job runner as the window.

`desktop-editor` alone starts the app; `edit` sends one edit, `batch` many, `mask` derives masks
from photos offline, `jobs` lists and resumes journaled jobs, `emulator` serves the offline
Runflow stand-in. Errors are one clear line on stderr and an exit code a script can act on:
0 success, 1 the service refused or the run failed, 2 bad usage or input (nothing sent),
3 service unreachable or unavailable, 4 outcome unknown (may have been charged), 5 done, but
some results could not be written to the output folder and were kept in the rescue folder
(a warning line names it and every such file).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Sequence

from desktop_editor import __version__

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_UNREACHABLE, EXIT_UNKNOWN, EXIT_RESCUED = 0, 1, 2, 3, 4, 5


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one line instead of a usage dump plus message."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"desktop-editor: {message} (see --help)\n")


def _add_edit_options(p: argparse.ArgumentParser) -> None:
    from desktop_editor.core.params import DEFAULT_MODEL, MODELS

    p.add_argument("--prompt", default="", help="what to change, 2 to 32,000 characters (not needed for tag removal or product isolation)")
    p.add_argument("--model", default=DEFAULT_MODEL, choices=sorted(MODELS), metavar="MODEL", help=f"default {DEFAULT_MODEL}")
    p.add_argument("--num-images", type=int, default=1, metavar="N", help="1 to 4")
    p.add_argument("--format", dest="output_format", default="png", choices=("png", "jpeg", "webp"))
    p.add_argument("--size", default="auto", metavar="S", help="auto, a preset like square_hd, or WxH (multiples of 16)")
    p.add_argument("--quality", default="high", choices=("low", "medium", "high", "auto"))
    p.add_argument("--sync", action="store_true", help="results come back inline and are not kept by the service")
    p.add_argument(
        "--option", action="append", default=[], metavar="KEY=VALUE",
        help="a model's own input, repeatable: " + _options_help(MODELS),
    )
    p.add_argument("--input-fidelity", choices=("low", "high"), help="gpt-image-1.5 only (= --option input_fidelity=...)")
    p.add_argument("--background", choices=("auto", "transparent", "opaque"), help="gpt-image-1.5 only (= --option background=...)")
    p.add_argument("--out", type=Path, default=Path("."), metavar="DIR", help="folder for results (default: here)")
    p.add_argument("--keep-unmasked", action="store_true", help="pixels outside the mask stay the original's (bit for bit in a PNG; a JPEG is encoded again: see --save-format)")
    p.add_argument("--feather", type=float, default=0.0, metavar="PX", help="soft edge for --keep-unmasked")
    p.add_argument(
        "--save-format", choices=("source", "service", "png", "jpeg"), default=None,
        help="how a composited result is saved: like the original (a JPEG stays a JPEG, quality 95, "
             "4:4:4; PNG keeps every pixel outside the mask exact), the --format asked of the model, "
             "png or jpeg (default: source, or the --format given when it is jpeg or webp)",
    )
    p.add_argument("--rescale-mask", action="store_true", help="scale a mask of another size to the image")
    p.add_argument("--style", choices=("run", "direct"), default="run", help="run (documented) or direct (compatibility)")
    from desktop_editor.cli_expand import add_expand_options

    add_expand_options(p)
    _add_service_options(p)


def _options_help(models) -> str:
    """'runflow/product-isolation: aspect_ratio (1:1, ...), resolution (...); ...' from the catalogue."""
    parts = []
    for spec in models.values():
        if spec.options:
            fields = ", ".join(f"{f.name} ({'/'.join(f.choices)})" for f in spec.options)
            parts.append(f"{spec.id}: {fields}")
    return "; ".join(parts).replace("%", "%%")


COMMANDS = ("edit", "batch", "mask", "jobs", "emulator")


def _add_service_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--timeout", type=float, default=600.0, metavar="S", help="how long to wait for a run (default 600)")
    p.add_argument("--poll-interval", type=float, default=1.5, metavar="S", help="seconds between status checks")
    p.add_argument("--base-url", help="service address (default RUNFLOW_BASE_URL or https://api.runflow.io)")
    p.add_argument("--api-key", help="API key (default RUNFLOW_API_KEY or the key stored by the app)")


def build_parser() -> argparse.ArgumentParser:
    """The command parser: `desktop-editor COMMAND ...`."""
    parser = _Parser(prog="desktop-editor", description="Precise, masked AI image edits with Runflow.")
    parser.add_argument("--version", action="version", version=f"desktop-editor {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, required=True)
    edit = sub.add_parser("edit", help="send one edit and save the results")
    edit.add_argument("images", nargs="+", type=Path, metavar="IMAGE", help="the image to edit, then up to 15 references")
    _add_edit_options(edit)
    edit.add_argument("--mask", type=Path, help="mask PNG: transparent (alpha 0) or white = area to edit")
    edit.add_argument("--json", action="store_true", help="print one JSON object with the outcome")

    batch = sub.add_parser("batch", help="edit many images, N at a time, journaled and resumable")
    batch.add_argument("--images", required=True, metavar="DIR_OR_GLOB", help="a folder of images or a glob pattern")
    batch.add_argument("--masks", type=Path, metavar="DIR", help="masks matched by file stem (shoe.png, shoe_mask.png)")
    batch.add_argument("--mask", type=Path, metavar="FILE", help="one mask for every image without its own")
    batch.add_argument("--auto-mask", metavar="object:BOX",
                       help="derive each image's mask: the object in BOX (X,Y,W,H, pixels or percentages)")
    batch.add_argument("--masks-preview", type=Path, metavar="SHEET.png",
                       help="with --auto-mask: write a contact sheet of the masks before asking to send")
    _add_edit_options(batch)
    batch.add_argument("--concurrency", type=int, default=4, metavar="N", help="edits running at once (default 4)")
    batch.add_argument("--yes", action="store_true", help="send without asking")
    batch.add_argument("--report", type=Path, metavar="FILE", help="write a JSON report: per image status, run, cost, files")
    batch.add_argument("--json", action="store_true", help="print the report as JSON on stdout")

    from desktop_editor.cli_mask import add_recipe_options

    mask = sub.add_parser("mask", help="derive masks from photos offline (select object, magic wand)")
    mask.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    mask.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for the masks (IMAGE_mask.png)")
    add_recipe_options(mask)
    mask.add_argument("--convention", choices=("openai", "bw"), default="openai",
                      help="openai: transparent = edit (default); bw: white = edit, soft edges kept")
    mask.add_argument("--quiet", action="store_true", help="no progress on stderr")

    jobs = sub.add_parser("jobs", help="journaled jobs of the app and the command line")
    jobs_sub = jobs.add_subparsers(dest="jobs_command", parser_class=_Parser, required=True)
    listing = jobs_sub.add_parser("list", help="recent jobs with their state")
    listing.add_argument("--limit", type=int, default=50)
    show = jobs_sub.add_parser("show", help="one job: run id, client_ref, cost, files")
    show.add_argument("id")
    resume = jobs_sub.add_parser("resume", help="finish every job a crash or kill left unfinished")
    resend = jobs_sub.add_parser("resend", help="send a job again on purpose (a new charge)")
    resend.add_argument("id")
    for p in (resume, resend):
        _add_service_options(p)
        p.add_argument("--concurrency", type=int, default=4, metavar="N")
    resume.add_argument(
        "--no-follow",
        action="store_true",
        help="do not wait for edits another window or command is running (default: follow them, "
        "and finish them if that window or command goes away)",
    )

    # Listed for --help only: main() hands `emulator ...` to the emulator's own parser.
    sub.add_parser("emulator", help="run the offline Runflow emulator on 127.0.0.1 (see emulator --help)", add_help=False)
    return parser


def build_app_parser() -> argparse.ArgumentParser:
    """`desktop-editor [FILE ...]`: start the window (argparse cannot mix these files with commands)."""
    parser = _Parser(
        prog="desktop-editor",
        description="Start the app, optionally opening images. Commands: "
        + ", ".join(COMMANDS)
        + " (desktop-editor COMMAND --help).",
    )
    parser.add_argument("--version", action="version", version=f"desktop-editor {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="start offscreen, run one edit against the built-in emulator, check it and exit (0 = passed)",
    )
    parser.add_argument("files", nargs="*", type=Path, help="images or .deproj projects to open")
    return parser


def _fail(message: str, code: int) -> int:
    print(f"desktop-editor: {message}", file=sys.stderr)
    return code


def _params_from_args(args: argparse.Namespace):
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


def _client_from_args(args: argparse.Namespace):
    from desktop_editor.api import ClientConfig, RunflowClient
    from desktop_editor.jobs.credentials import load_api_key

    config = ClientConfig.from_env(
        api_key=args.api_key or load_api_key(),
        base_url=args.base_url,
        wait_timeout=args.timeout,
        poll_interval=args.poll_interval,
    )
    return RunflowClient(config)


class _Progress:
    """One line per stage on stderr, so a script's stdout stays clean."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.started = time.monotonic()
        self.last: tuple | None = None

    def __call__(self, job) -> None:
        key = (job.state, job.run_status, len(job.result_paths))
        if self.quiet or key == self.last:
            return
        self.last = key
        elapsed = time.monotonic() - self.started
        detail = f" run {job.run_id}" if job.run_id and job.state.value in ("queued", "running") else ""
        if job.result_paths and job.state.value == "downloading":
            detail = f" saved {job.result_paths[-1]}"
        print(f"[{elapsed:5.1f}s] {job.state.label}{detail}", file=sys.stderr)


def _check_edit_args(args: argparse.Namespace, image_count: int):
    """EditParams from the options, or an error line (exit 2, nothing sent)."""
    from desktop_editor.cli_expand import expanding
    from desktop_editor.core.params import ParamsError

    if expanding(args) and not args.prompt.strip():
        from desktop_editor.jobs.expansion import DEFAULT_PROMPT

        args.prompt = DEFAULT_PROMPT
    try:
        params = _params_from_args(args)
        params.check(image_count)
    except (ParamsError, ValueError) as exc:
        return None, str(exc)
    spec = params.spec
    from desktop_editor.cli_expand import check_expand_args

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


def _manager(args: argparse.Namespace, workers: int):
    from desktop_editor.cli_batch import open_store
    from desktop_editor.jobs.manager import JobManager

    return JobManager(_client_from_args(args), open_store(), max_workers=workers)


def cmd_edit(args: argparse.Namespace) -> int:
    from desktop_editor.api.errors import ConfigurationError
    from desktop_editor.cli_batch import exit_code, job_report, options_for
    from desktop_editor.jobs.model import EditJob, JobState

    params, problem = _check_edit_args(args, len(args.images))
    if problem:
        return _fail(problem, EXIT_USAGE)
    for path in [*args.images, *([args.mask] if args.mask else [])]:
        if not path.is_file():
            return _fail(f"{path}: no such file.", EXIT_USAGE)
    try:
        manager = _manager(args, workers=1)
    except ConfigurationError as exc:
        return _fail(str(exc), EXIT_USAGE)
    job = EditJob(params=params, image_paths=list(args.images), mask_path=args.mask, options=options_for(args, args.out))
    from desktop_editor.cli_expand import expand_job, expanding

    if expanding(args):
        from desktop_editor.core.expand import ExpandError
        from desktop_editor.core.images import ImageLoadError
        from desktop_editor.core.masks import MaskError

        try:
            job, line = expand_job(args, job)
        except (ExpandError, ImageLoadError, MaskError) as exc:
            manager.shutdown()
            return _fail(str(exc), EXIT_USAGE)
        if not args.json:
            print(line, file=sys.stderr)
    manager.add_listener(_Progress(quiet=args.json))
    try:
        manager.submit(job)
        while not manager.wait_all(timeout=0.2):
            pass
    except KeyboardInterrupt:
        manager.shutdown(stop_waiting=True, wait=True)
        job = manager.store.get(job.id)
        return _fail(
            f"Stopped waiting. Job {job.id} stays in the journal; `desktop-editor jobs resume` finishes it.",
            130,
        )
    job = manager.store.get(job.id)
    manager.shutdown()
    code = exit_code(job)
    if args.json:
        print(json.dumps(job_report(job)))
    elif job.state is JobState.DONE:
        for path in job.result_paths:
            print(path)
    if job.state is JobState.DONE and code == EXIT_RESCUED:
        print(f"desktop-editor: warning: {job.advice or 'some results were kept in the rescue folder.'}", file=sys.stderr)
    elif job.advice and job.state is JobState.DONE:
        print(f"desktop-editor: note: {job.advice}", file=sys.stderr)
    if job.state is not JobState.DONE:
        line = job.error or job.state.label
        if job.state in (JobState.OUTCOME_UNKNOWN, JobState.STOPPED):
            line = f"{line} (client_ref {job.client_ref}{', run ' + job.run_id if job.run_id else ''})"
        if job.advice:
            line = f"{line} {job.advice}"
        _fail(line, code)
    return code


def cmd_batch(args: argparse.Namespace) -> int:
    from desktop_editor.api.errors import ConfigurationError
    from desktop_editor.cli_batch import (
        BatchProgress,
        options_for,
        print_summary,
        run_jobs,
        worst_exit_code,
        write_report,
    )
    from desktop_editor.jobs.batch import find_images, plan_batch
    from desktop_editor.jobs.model import EditJob

    params, problem = _check_edit_args(args, 1)
    if problem:
        return _fail(problem, EXIT_USAGE)
    if args.masks is not None and not args.masks.is_dir():
        return _fail(f"{args.masks}: no such folder of masks.", EXIT_USAGE)
    if args.mask is not None and not args.mask.is_file():
        return _fail(f"{args.mask}: no such file.", EXIT_USAGE)
    if args.concurrency < 1 or args.concurrency > 16:
        return _fail("--concurrency must be 1 to 16.", EXIT_USAGE)
    if args.auto_mask and (args.masks is not None or args.mask is not None):
        return _fail("--auto-mask derives every mask: leave out --masks and --mask.", EXIT_USAGE)
    if args.masks_preview and not args.auto_mask:
        return _fail("--masks-preview shows the masks --auto-mask derives; give --auto-mask too.", EXIT_USAGE)
    images = find_images(args.images)
    if not images:
        return _fail(f"no images found in {args.images}.", EXIT_USAGE)
    out = sys.stderr
    derived = None
    if args.auto_mask:
        from desktop_editor.cli_mask import MaskInputError, auto_masks

        try:
            derived = auto_masks(args, images, out)
        except MaskInputError as exc:
            return _fail(str(exc), EXIT_USAGE)
    from desktop_editor.cli_expand import expanding

    plan = plan_batch(images, params, masks_dir=args.masks, shared_mask=args.mask, derived_masks=derived,
                      masks_optional=expanding(args))
    from desktop_editor.cli_expand import plan_items

    expansion_lines: list[str] = []
    if expanding(args):  # each image's sent size becomes its expanded canvas's
        problem = plan_items(args, plan.to_send, expansion_lines)
        if problem:
            return _fail(problem, EXIT_USAGE)
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
        return _fail("nothing to send.", EXIT_USAGE)
    for line in expansion_lines:
        print(line, file=out)
    if not args.yes:
        if not sys.stdin.isatty():
            return _fail("confirm with --yes (no terminal to ask on).", EXIT_USAGE)
        answer = input(f"Send {len(plan.to_send)} edits? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            print("Nothing sent.", file=out)
            return EXIT_OK
    try:
        manager = _manager(args, workers=args.concurrency)
    except ConfigurationError as exc:
        return _fail(str(exc), EXIT_USAGE)
    jobs = [
        EditJob(params=params, image_paths=[item.image], mask_path=item.mask, options=options_for(args, args.out), source="batch")
        for item in plan.to_send
    ]
    manager.sweep_leftovers([jobs[0].options.out_dir])  # hidden partials of an earlier, killed run
    from desktop_editor.cli_expand import expand_jobs, expanding

    if expanding(args):
        jobs, problem = expand_jobs(args, jobs, out)
        if problem:
            manager.shutdown()
            return _fail(problem, EXIT_USAGE)
    progress = BatchProgress(len(jobs), out, quiet=args.json)
    finished = run_jobs(manager, jobs, progress=progress, stream=out)
    manager.shutdown(stop_waiting=True, wait=False)
    print_summary(finished, out)
    if args.report:
        write_report(args.report, finished)
    if args.json:
        from desktop_editor.cli_batch import job_report

        print(json.dumps({"jobs": [job_report(j) for j in finished]}))
    else:  # every result's path on stdout, rescued ones included, as `edit` and `jobs resume` do
        for job in finished:
            for path in job.result_paths:
                print(path)
    return worst_exit_code(finished)


def cmd_jobs(args: argparse.Namespace) -> int:
    from desktop_editor.api.errors import ConfigurationError
    from desktop_editor.cli_batch import (
        BatchProgress,
        describe,
        list_line,
        open_store,
        print_summary,
        wait_for,
        worst_exit_code,
    )

    store = open_store()
    if args.jobs_command == "list":
        jobs = store.jobs(limit=args.limit)
        for job in jobs:
            holder = None if job.state.is_final else store.held_elsewhere(job.id)
            job.elsewhere = holder.describe() if holder else None
            print(list_line(job))
        if not jobs:
            print("No jobs yet.", file=sys.stderr)
        return EXIT_OK
    if args.jobs_command == "show":
        job = store.get(args.id)
        if job is None:
            return _fail(f"no job {args.id} (see `desktop-editor jobs list`).", EXIT_USAGE)
        print(describe(job))
        return EXIT_OK
    try:
        manager = _manager(args, workers=args.concurrency)
    except ConfigurationError as exc:
        return _fail(str(exc), EXIT_USAGE)
    if args.jobs_command == "resend":
        old = store.get(args.id)
        if old is None:
            return _fail(f"no job {args.id} (see `desktop-editor jobs list`).", EXIT_USAGE)
        fresh = manager.resend(old.id)
        print(f"Sending job {old.id} again as job {fresh.id} (a new charge).", file=sys.stderr)
        jobs = [fresh]
        progress = BatchProgress(1, sys.stderr)
        manager.add_listener(progress)
        while not manager.wait_all(timeout=0.2):
            pass
        progress.close()
        finished = [manager.store.get(fresh.id)]
    else:  # resume
        resumed = manager.resume_unfinished()
        if not resumed:
            print("Nothing to resume.", file=sys.stderr)
            manager.shutdown()
            return EXIT_OK
        elsewhere = [j for j in resumed if j.elsewhere]
        waiting = sum(1 for j in resumed if not j.state.is_final and not j.elsewhere)
        marked = len(resumed) - waiting - len(elsewhere)
        print(f"Resuming {waiting} edits; {marked} could only be marked.", file=sys.stderr)
        if elsewhere:
            follow = "not waited for (--no-follow)" if args.no_follow else "followed until they finish"
            print(f"{len(elsewhere)} edits are running in another window or command, {follow}; "
                  "nothing of theirs is sent again:", file=sys.stderr)
            for job in elsewhere:
                name = job.image_paths[0].name if job.image_paths else job.id
                print(f"  {name}: {job.elsewhere}", file=sys.stderr)
        progress = BatchProgress(len(resumed), sys.stderr)
        manager.add_listener(progress)
        wait_for(manager, follow=not args.no_follow)
        progress.close()
        still_elsewhere = set(manager.followed())
        finished = []
        for j in resumed:
            job = manager.store.get(j.id) or j
            if job.id in still_elsewhere:
                holder = manager.store.held_elsewhere(job.id)
                job.elsewhere = holder.describe() if holder else j.elsewhere
            finished.append(job)
    manager.shutdown()
    print_summary(finished, sys.stderr)
    for job in finished:
        for path in job.result_paths:
            print(path)
    return worst_exit_code(finished)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        args = build_app_parser().parse_args(argv)
        if args.self_test:
            from desktop_editor.selftest import run_self_test

            return run_self_test()
        from desktop_editor.ui.app import run_app

        return run_app([sys.argv[0], *map(str, args.files)])
    if argv[0] == "emulator":
        from desktop_editor.emulator import main as emulator_main

        return emulator_main(argv[1:])
    args = build_parser().parse_args(argv)
    from desktop_editor.cli_mask import cmd_mask
    from desktop_editor.core.image_memory import keep_freed_image_memory

    keep_freed_image_memory()  # a catalogue's photos reuse each other's memory

    commands = {"edit": cmd_edit, "batch": cmd_batch, "mask": cmd_mask, "jobs": cmd_jobs}
    try:
        return commands[args.command](args)
    except KeyboardInterrupt:
        return _fail("interrupted.", 130)
    except Exception as exc:  # a bug of ours: still one line, never a traceback
        return _fail(f"unexpected error: {type(exc).__name__}: {exc}", EXIT_REFUSED)


if __name__ == "__main__":
    sys.exit(main())
