"""Choosing what the app talks to: the real Runflow service, or the built-in emulator (Demo mode).

A first start with no API key must still let a designer try the whole flow, so without a key an
in-process `Emulator` is started on 127.0.0.1 and every job goes there; the window says clearly
that results are emulated. With a key, the configured base URL is used. Either way the same
client, runner and history store do the work, so the demo exercises the real code.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop_editor.api.config import DEFAULT_BASE_URL, ClientConfig
from desktop_editor.jobs import credentials, paths
from desktop_editor.jobs.leases import WINDOW
from desktop_editor.jobs.manager import JobManager
from desktop_editor.jobs.model import EditJob, JobState
from desktop_editor.jobs.settings import AppSettings
from desktop_editor.jobs.store import JobStore

if TYPE_CHECKING:
    from desktop_editor.api.client import RunflowClient
    from desktop_editor.emulator import Emulator

log = logging.getLogger(__name__)

DEMO_API_KEY = "rf_test_demo"
DEMO_SOURCE = "demo"  # EditJob.source of emulated jobs: shown as such, never counted as spending
APP_SOURCE = "app"
# Long enough that the queued/running stages are visible, short enough not to bore.
DEMO_RUN_DURATION = 3.0


@dataclass(frozen=True)
class Connection:
    """What jobs are sent with right now.

    `demo` is True when the client talks to the in-process emulator: nothing is charged and
    results are emulated. `base_url` is safe to show (it never contains the key).
    """

    client: RunflowClient
    manager: JobManager
    store: JobStore
    demo: bool
    base_url: str

    @property
    def job_source(self) -> str:
        """The `EditJob.source` to give jobs sent on this connection."""
        return DEMO_SOURCE if self.demo else APP_SOURCE


class ServiceConnection:
    """Owns the history store, the job manager and (in Demo mode) the emulator.

    `connect` may be called again after the key or the base URL changed: the previous manager
    stops waiting (its jobs stay resumable in the journal) and the emulator is stopped when it
    is no longer needed. Blocking calls here are local only (starting a loopback server, opening
    SQLite); no network request is made.
    """

    def __init__(
        self,
        store: JobStore | None = None,
        *,
        demo_run_duration: float = DEMO_RUN_DURATION,
        offline_retry: float | None = None,
    ):
        """`offline_retry`: seconds between attempts for a job that found the service unreachable
        (see `JobManager`); the window passes a number so such jobs wait as "offline" instead of
        failing, scripts keep None."""
        self.store = store if store is not None else JobStore(paths.history_path(), owner_kind=WINDOW)
        self.demo_run_duration = demo_run_duration
        self.offline_retry = offline_retry
        self._emulator: Emulator | None = None
        self._connection: Connection | None = None
        self._client_overrides: dict = {}

    @property
    def connection(self) -> Connection | None:
        return self._connection

    @property
    def emulator(self) -> Emulator | None:
        return self._emulator

    def connect(self, settings: AppSettings, **client_overrides) -> Connection:
        """Build the client and job manager for `settings`: the real service when an API key is
        available (RUNFLOW_API_KEY or the keyring), else Demo mode on the built-in emulator.

        `client_overrides` go to ClientConfig (tests use a fast `poll_interval`); they are kept
        for `reconnect`. Emulated jobs a previous emulator left unfinished are closed here: their
        runs died with it (see `_close_lost_demo_jobs`).
        """
        self._client_overrides = dict(client_overrides)
        self._close_manager()
        key = credentials.load_api_key()
        if key or self._emulator is None:
            self._stop_emulator()
            self._close_lost_demo_jobs()  # no emulator that ran them survives this connection
        if key:
            base_url = (os.environ.get("RUNFLOW_BASE_URL") or settings.base_url or DEFAULT_BASE_URL).strip()
            config = ClientConfig(
                api_key=key,
                base_url=base_url.rstrip("/"),
                organization_id=settings.organization_id.strip() or None,
                allow_cleartext=settings.allow_cleartext,
                **client_overrides,
            )
            demo = False
        else:
            emulator = self._start_emulator()
            config = ClientConfig(api_key=DEMO_API_KEY, base_url=emulator.base_url, **client_overrides)
            demo = True
        from desktop_editor.api.client import (
            RunflowClient,  # requests loads here, after the window is up
        )

        client = RunflowClient(config)
        manager = JobManager(
            client, self.store, max_workers=max(1, settings.max_concurrent), offline_retry=self.offline_retry
        )
        self._connection = Connection(client, manager, self.store, demo, config.base_url)
        log.info("connected to %s%s", config.base_url, " (demo mode, emulated results)" if demo else "")
        return self._connection

    def reconnect(self, settings: AppSettings) -> Connection:
        """`connect` again with the client overrides of the last `connect` (settings changed)."""
        return self.connect(settings, **self._client_overrides)

    def _close_lost_demo_jobs(self) -> list[EditJob]:
        """Mark emulated jobs left in flight by an emulator that is gone as failed, and return them.

        Each emulator keeps its runs in memory only, so a Demo-mode job journaled as in flight
        can never be picked up again: resuming it would ask a new emulator (or the real service)
        for a run it never saw. Called only when no emulator is running; emulated jobs are never
        charged, and the designer may send them again. Emulated jobs another running window holds
        are its own emulator's, and are left to it.
        """
        closed = []
        for job in self.store.claim_unfinished({DEMO_SOURCE}).taken:
            job.state = JobState.FAILED
            job.error = "This emulated edit stopped when the app (and its built-in emulator) closed."
            job.advice = "Nothing was charged. Send it again to try once more."
            job.touch()
            self.store.save(job)
            closed.append(job)
        if closed:
            log.info("closed %d emulated job(s) left by an earlier session", len(closed))
        return closed

    def close(self, *, timeout: float | None = None) -> None:
        """Stop waiting for running jobs (they stay resumable), stop the emulator, close the store.

        `timeout` bounds the wait for job workers (the window quits within it; see
        `JobManager.shutdown`); None waits until they have all stopped."""
        self._close_manager(timeout=timeout)
        self._stop_emulator()
        self.store.close()

    # ----- internals ---------------------------------------------------------------------------

    def _start_emulator(self) -> Emulator:
        # Imported here: the emulator (an HTTP server and the image work it plays) is only
        # needed in Demo mode, and importing it would slow every start of the window.
        from desktop_editor.emulator import Behaviour, Emulator

        if self._emulator is None:
            behaviour = Behaviour(run_duration=self.demo_run_duration)
            self._emulator = Emulator(port=0, api_keys={DEMO_API_KEY}, behaviour=behaviour, host="127.0.0.1").start()
        return self._emulator

    def _stop_emulator(self) -> None:
        if self._emulator is not None:
            self._emulator.stop()
            self._emulator = None

    def _close_manager(self, timeout: float | None = None) -> None:
        if self._connection is not None:
            self._connection.manager.shutdown(stop_waiting=True, timeout=timeout)
            self._connection.client.close()
            self._connection = None
