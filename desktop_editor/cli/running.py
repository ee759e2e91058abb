"""Running jobs from a command: the client and journal it uses, submitting and waiting.

A batch is journaled whole before the first create leaves, so a crash, a kill or a closed laptop
loses nothing: `jobs resume` waits for what was in flight and sends what never left. Ctrl+C
once stops sending; twice stops waiting (the runs stay resumable).
"""

from __future__ import annotations

import argparse
import signal
import threading
import time
from typing import TextIO

from desktop_editor.cli.output import BatchProgress
from desktop_editor.jobs.manager import JobManager
from desktop_editor.jobs.model import EditJob
from desktop_editor.jobs.store import JobStore


def client_from_args(args: argparse.Namespace):
    """The service client the --base-url, --api-key, --timeout and --poll-interval options ask for."""
    import sys

    from desktop_editor.api import ClientConfig, RunflowClient
    from desktop_editor.api.config import is_cleartext_remote
    from desktop_editor.jobs.credentials import load_api_key

    config = ClientConfig.from_env(
        api_key=args.api_key or load_api_key(),
        base_url=args.base_url,
        wait_timeout=args.timeout,
        poll_interval=args.poll_interval,
        allow_cleartext=True if getattr(args, "allow_http", False) else None,
    )
    if is_cleartext_remote(config.base_url) and config.allow_cleartext:
        print(f"desktop-editor: warning: the API key goes unencrypted to {config.base_url} (plain http allowed).",
              file=sys.stderr)
    return RunflowClient(config)


def manager_for(args: argparse.Namespace, workers: int) -> JobManager:
    """A job manager on the shared journal; ConfigurationError when no key is set."""
    return JobManager(client_from_args(args), open_store(), max_workers=workers)


def open_store() -> JobStore:
    """The journal the app and every command share, opened as a command (for leases)."""
    from desktop_editor.jobs.leases import COMMAND
    from desktop_editor.jobs.paths import history_path

    return JobStore(history_path(), owner_kind=COMMAND)


class _Interrupts:
    """Counts Ctrl+C presses. The handler only counts: it runs between any two bytecodes of the
    main thread, possibly while that thread holds a lock, so the acting is left to the wait loop."""

    def __init__(self):
        self.count = 0
        self._previous = None

    def __enter__(self) -> _Interrupts:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _on_sigint(self, _signum, _frame) -> None:
        self.count += 1


def run_jobs(manager: JobManager, jobs: list[EditJob], *, progress: BatchProgress, stream: TextIO) -> list[EditJob]:
    """Submit (journaled at once), then wait. First Ctrl+C: stop sending new edits, keep waiting for
    those already paid for. Second: stop waiting (the runs stay resumable)."""
    manager.add_listener(progress)
    handled = 0
    with _Interrupts() as interrupts:
        for job in jobs:
            manager.submit(job)
        while not manager.wait_all(timeout=0.2):
            if interrupts.count > handled == 0:
                handled = 1
                canceled = manager.cancel_pending()
                print(
                    f"\nStopping: {len(canceled)} edits not sent. Waiting for the edits already paid for; "
                    "press Ctrl+C again to stop waiting (`desktop-editor jobs resume` picks them up later).",
                    file=stream,
                    flush=True,
                )
            elif interrupts.count > handled:
                running = manager.running()
                print(
                    f"\nStopped waiting for {len(running)} edits still running on the service; "
                    "`desktop-editor jobs resume` downloads their results later.",
                    file=stream,
                    flush=True,
                )
                manager.shutdown(stop_waiting=True, wait=True)
                break
    progress.close()
    store = manager.store
    return [store.get(j.id) or j for j in jobs] if store else jobs


def wait_for(manager: JobManager, *, follow: bool) -> None:
    """Until every job this command runs is final and, with `follow`, every job it follows for
    another process is final or taken over and final (`jobs resume` after the owner died)."""
    while True:
        while not manager.wait_all(timeout=0.2):
            pass
        if not (follow and manager.followed()):
            return
        while follow and manager.followed():
            time.sleep(0.2)
        # A job taken over from a gone owner is registered here before it stops being followed:
        # the next round waits for it.
