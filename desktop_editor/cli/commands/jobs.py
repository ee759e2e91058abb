"""`desktop-editor jobs list|show|cancel|resume|resend`: the journaled jobs of the app and the command line."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from desktop_editor.cli.output import BatchProgress, describe, fail, list_line, print_summary
from desktop_editor.cli.running import manager_for, open_store, wait_for
from desktop_editor.cli.status_codes import EXIT_OK, EXIT_UNKNOWN, EXIT_USAGE, worst_exit_code

if TYPE_CHECKING:
    from desktop_editor.jobs.store import JobStore


def run(args: argparse.Namespace) -> int:
    """list, show, resume (finish what a crash left) or resend (a new charge) journaled jobs."""
    from desktop_editor.api.errors import ConfigurationError

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
            return fail(f"no job {args.id} (see `desktop-editor jobs list`).", EXIT_USAGE)
        print(describe(job))
        return EXIT_OK
    if args.jobs_command == "cancel":
        return cancel(store, args.id)
    try:
        manager = manager_for(args, workers=args.concurrency)
    except ConfigurationError as exc:
        return fail(str(exc), EXIT_USAGE)
    if args.jobs_command == "resend":
        old = store.get(args.id)
        if old is None:
            return fail(f"no job {args.id} (see `desktop-editor jobs list`).", EXIT_USAGE)
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


def cancel(store: JobStore, job_id: str) -> int:
    """Call off a job none of whose creates can have left, for good, wherever it waits (a window
    offline, a later start). The journal decides atomically against the job's runner: a job
    whose create may have left is not cancelled (exit 4: it may be charged)."""
    from desktop_editor.jobs.model import CANCELED_ADVICE, CANCELED_ERROR, JobState

    found = store.get(job_id)
    if found is None:
        return fail(f"no job {job_id} (see `desktop-editor jobs list`).", EXIT_USAGE)
    job, canceled = store.cancel_unsent(found.id, error=CANCELED_ERROR, advice=CANCELED_ADVICE)
    if canceled or job.state is JobState.CANCELED:
        print(f"Job {job.id}: {JobState.CANCELED.label}. It will not be sent.", file=sys.stderr)
        return EXIT_OK
    if job.state.is_final:
        return fail(f"job {job.id} already ended ({job.state.label}); there is nothing to cancel.", EXIT_USAGE)
    print(f"Job {job.id} cannot be cancelled: it may already have been sent ({job.state.label}), so the service "
          "may still finish and charge it. Stop waiting for it where it runs.", file=sys.stderr)
    return EXIT_UNKNOWN
