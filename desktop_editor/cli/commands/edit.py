"""`desktop-editor edit IMAGE [REFERENCE ...]`: one edit, its progress on stderr, its results' paths on stdout."""

from __future__ import annotations

import argparse
import json
import sys

from desktop_editor.cli.edit_args import check_edit_args, options_for
from desktop_editor.cli.output import EditProgress, fail, job_report
from desktop_editor.cli.commands.layers import write_layers
from desktop_editor.cli.running import manager_for
from desktop_editor.cli.status_codes import EXIT_INTERRUPTED, EXIT_RESCUED, EXIT_USAGE, exit_code


def run(args: argparse.Namespace) -> int:
    """Send one edit, wait for it (Ctrl+C leaves it resumable) and save its results; the job's exit code."""
    from desktop_editor.api.errors import ConfigurationError
    from desktop_editor.jobs.model import EditJob, JobState

    params, problem = check_edit_args(args, len(args.images))
    if problem:
        return fail(problem, EXIT_USAGE)
    for path in [*args.images, *([args.mask] if args.mask else [])]:
        if not path.is_file():
            return fail(f"{path}: no such file.", EXIT_USAGE)
    try:
        manager = manager_for(args, workers=1)
    except ConfigurationError as exc:
        return fail(str(exc), EXIT_USAGE)
    job = EditJob(params=params, image_paths=list(args.images), mask_path=args.mask, options=options_for(args, args.out))
    from desktop_editor.cli.expand import expand_job, expanding

    if expanding(args):
        from desktop_editor.core.expand import ExpandError
        from desktop_editor.core.images import ImageLoadError
        from desktop_editor.core.masks import MaskError

        try:
            job, line = expand_job(args, job)
        except (ExpandError, ImageLoadError, MaskError) as exc:
            manager.shutdown()
            return fail(str(exc), EXIT_USAGE)
        if not args.json:
            print(line, file=sys.stderr)
    manager.add_listener(EditProgress(quiet=args.json))
    try:
        manager.submit(job)
        while not manager.wait_all(timeout=0.2):
            pass
    except KeyboardInterrupt:
        manager.shutdown(stop_waiting=True, wait=True)
        job = manager.store.get(job.id)
        return fail(
            f"Stopped waiting. Job {job.id} stays in the journal; `desktop-editor jobs resume` finishes it.",
            EXIT_INTERRUPTED,
        )
    job = manager.store.get(job.id)
    manager.shutdown()
    code = exit_code(job)
    if args.json:
        print(json.dumps(job_report(job)))
    elif job.state is JobState.DONE:
        for path in job.result_paths:
            print(path)
    if job.state is JobState.DONE and args.layers:
        layered = write_layers(job, quiet=args.json)
        if layered is not None and not args.json:
            print(layered)
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
        fail(line, code)
    return code
