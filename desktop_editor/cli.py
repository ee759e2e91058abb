"""The command-line front end: the same core, client and job runner as the window.

`desktop-editor` alone starts the app; `edit` sends one edit; `emulator` serves the offline
Runflow stand-in. Errors are one clear line on stderr and an exit code a script can act on:
0 success, 1 the service refused or the run failed, 2 bad usage or input (nothing sent),
3 service unreachable or unavailable, 4 outcome unknown (may have been charged).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Sequence

from desktop_editor import __version__

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_UNREACHABLE, EXIT_UNKNOWN = 0, 1, 2, 3, 4


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one line instead of a usage dump plus message."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"desktop-editor: {message} (see --help)\n")


def _add_edit_options(p: argparse.ArgumentParser) -> None:
    from desktop_editor.core.params import DEFAULT_MODEL, MODELS

    p.add_argument("--prompt", required=True, help="what to change, 2 to 32,000 characters")
    p.add_argument("--mask", type=Path, help="mask PNG: transparent (alpha 0) or white = area to edit")
    p.add_argument("--model", default=DEFAULT_MODEL, choices=sorted(MODELS), metavar="MODEL", help=f"default {DEFAULT_MODEL}")
    p.add_argument("--num-images", type=int, default=1, metavar="N", help="1 to 4")
    p.add_argument("--format", dest="output_format", default="png", choices=("png", "jpeg", "webp"))
    p.add_argument("--size", default="auto", metavar="S", help="auto, a preset like square_hd, or WxH (multiples of 16)")
    p.add_argument("--quality", default="high", choices=("low", "medium", "high", "auto"))
    p.add_argument("--sync", action="store_true", help="results come back inline and are not kept by the service")
    p.add_argument("--input-fidelity", choices=("low", "high"), help="gpt-image-1.5 only")
    p.add_argument("--background", choices=("auto", "transparent", "opaque"), help="gpt-image-1.5 only")
    p.add_argument("--out", type=Path, default=Path("."), metavar="DIR", help="folder for results (default: here)")
    p.add_argument("--keep-unmasked", action="store_true", help="pixels outside the mask stay exactly the original's")
    p.add_argument("--feather", type=float, default=0.0, metavar="PX", help="soft edge for --keep-unmasked")
    p.add_argument("--rescale-mask", action="store_true", help="scale a mask of another size to the image")
    p.add_argument("--style", choices=("run", "direct"), default="run", help="run (documented) or direct (compatibility)")
    p.add_argument("--timeout", type=float, default=600.0, metavar="S", help="how long to wait for the run (default 600)")
    p.add_argument("--poll-interval", type=float, default=1.5, metavar="S", help="seconds between status checks")
    p.add_argument("--base-url", help="service address (default RUNFLOW_BASE_URL or https://api.runflow.io)")
    p.add_argument("--api-key", help="API key (default RUNFLOW_API_KEY or the key stored by the app)")
    p.add_argument("--json", action="store_true", help="print one JSON object with the outcome")


COMMANDS = ("edit", "emulator")


def build_parser() -> argparse.ArgumentParser:
    """The command parser: `desktop-editor COMMAND ...`."""
    parser = _Parser(prog="desktop-editor", description="Precise, masked AI image edits with Runflow.")
    parser.add_argument("--version", action="version", version=f"desktop-editor {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, required=True)
    edit = sub.add_parser("edit", help="send one edit and save the results")
    edit.add_argument("images", nargs="+", type=Path, metavar="IMAGE", help="the image to edit, then up to 15 references")
    _add_edit_options(edit)
    emu = sub.add_parser("emulator", help="run the offline Runflow emulator on 127.0.0.1")
    emu.add_argument("--port", type=int, default=8788)
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
    parser.add_argument("files", nargs="*", type=Path, help="images or .deproj projects to open")
    return parser


def _fail(message: str, code: int) -> int:
    print(f"desktop-editor: {message}", file=sys.stderr)
    return code


def _params_from_args(args: argparse.Namespace):
    from desktop_editor.core.params import EditParams

    return EditParams(
        prompt=args.prompt,
        model=args.model,
        num_images=args.num_images,
        output_format=args.output_format,
        image_size=args.size,
        quality=args.quality,
        sync_mode=args.sync,
        input_fidelity=args.input_fidelity,
        background=args.background,
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


def cmd_edit(args: argparse.Namespace) -> int:
    from desktop_editor.api.errors import ConfigurationError
    from desktop_editor.core.params import ParamsError
    from desktop_editor.jobs.model import EditJob, JobOptions, JobState
    from desktop_editor.jobs.runner import JobRunner

    params = _params_from_args(args)
    try:
        params.check(len(args.images))
    except ParamsError as exc:
        return _fail(str(exc), EXIT_USAGE)
    if args.keep_unmasked and args.mask is None:
        return _fail("--keep-unmasked needs --mask (the area the edit may change).", EXIT_USAGE)
    for path in [*args.images, *([args.mask] if args.mask else [])]:
        if not path.is_file():
            return _fail(f"{path}: no such file.", EXIT_USAGE)
    try:
        client = _client_from_args(args)
    except ConfigurationError as exc:
        return _fail(str(exc), EXIT_USAGE)
    job = EditJob(
        params=params,
        image_paths=list(args.images),
        mask_path=args.mask,
        options=JobOptions(
            out_dir=args.out,
            keep_unmasked=args.keep_unmasked,
            feather=args.feather,
            style=args.style,
            rescale_mask=args.rescale_mask,
            timeout=args.timeout,
        ),
    )
    job = JobRunner(client, on_change=_Progress(quiet=args.json)).run(job)
    code = _exit_code(job)
    if args.json:
        print(json.dumps(_job_report(job)))
    elif job.state is JobState.DONE:
        for path in job.result_paths:
            print(path)
    if job.state is not JobState.DONE:
        line = job.error or job.state.label
        if job.state in (JobState.OUTCOME_UNKNOWN, JobState.STOPPED):
            line = f"{line} (client_ref {job.client_ref}{', run ' + job.run_id if job.run_id else ''})"
        if job.advice:
            line = f"{line} {job.advice}"
        _fail(line, code)
    return code


def _exit_code(job) -> int:
    from desktop_editor.jobs.model import JobState

    if job.state is JobState.DONE:
        return EXIT_OK
    if job.state in (JobState.OUTCOME_UNKNOWN, JobState.STOPPED):
        return EXIT_UNKNOWN
    return {"input": EXIT_USAGE, "unreachable": EXIT_UNREACHABLE}.get(job.failure_kind or "", EXIT_REFUSED)


def _job_report(job) -> dict:
    return {
        "job_id": job.id,
        "run_id": job.run_id,
        "client_ref": job.client_ref,
        "status": job.state.value,
        "run_status": job.run_status,
        "files": [str(p) for p in job.result_paths],
        "cost": job.cost,
        "error": job.error,
    }


def cmd_emulator(args: argparse.Namespace) -> int:
    from desktop_editor.emulator import serve_forever

    serve_forever(args.port)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        args = build_app_parser().parse_args(argv)
        from desktop_editor.ui.app import run_app

        return run_app([sys.argv[0], *map(str, args.files)])
    args = build_parser().parse_args(argv)
    commands = {"edit": cmd_edit, "emulator": cmd_emulator}
    try:
        return commands[args.command](args)
    except KeyboardInterrupt:
        return _fail("interrupted.", 130)
    except Exception as exc:  # a bug of ours: still one line, never a traceback
        return _fail(f"unexpected error: {type(exc).__name__}: {exc}", EXIT_REFUSED)


if __name__ == "__main__":
    sys.exit(main())
