"""Who is working on a job: leases, so that two processes never run (and pay for) the same job.

Every process that runs jobs (a window, a `batch`, a `jobs resume`) is an `Owner`. It holds a
`Lease` on each job it works on, taken and checked inside one SQLite write transaction by the
store, and renewed by a `Heartbeat` while the process lives. Another process may take a job over
only when its lease is free, expired, or held by a process on this machine that is gone; until
then it follows the job read-only.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from desktop_editor.core.atomic import pid_alive

log = logging.getLogger(__name__)

# A lease not renewed for this long is free: the heartbeat renews it six times as often, so only
# a process that is gone or frozen (a stopped debugger, a suspended machine) loses its jobs.
LEASE_SECONDS = 30.0

WINDOW, COMMAND = "window", "command"


def this_host() -> str:
    return socket.gethostname()


@dataclass(frozen=True)
class Owner:
    """One process's identity in the store. `kind` is "window" or "command" (for messages)."""

    id: str
    pid: int
    host: str
    kind: str

    @classmethod
    def for_this_process(cls, kind: str = COMMAND) -> Owner:
        return cls(id=uuid.uuid4().hex, pid=os.getpid(), host=this_host(), kind=kind)


@dataclass(frozen=True)
class Lease:
    """A job's lease as stored: its holder and until when it is valid (epoch seconds)."""

    job_id: str
    owner: str
    pid: int
    host: str
    kind: str
    heartbeat: float
    expires: float

    def is_live(self, now: float | None = None) -> bool:
        """Held by a process that is still working: not expired, and not a dead pid of this host."""
        if self.expires <= (time.time() if now is None else now):
            return False
        return self.host != this_host() or pid_alive(self.pid)

    def describe(self) -> str:
        """"running in another window (pid 4242)", as the jobs panel and the command line say it."""
        where = f"pid {self.pid}" if self.host == this_host() else f"pid {self.pid} on {self.host}"
        return f"running in another {self.kind} ({where})"


class Heartbeat:
    """Calls `renew` every `interval` seconds on a daemon thread until stopped.

    Renewing is one small UPDATE of this process's leases; a failure (a locked or vanished
    database) is logged and tried again at the next beat, the leases are long enough for that.
    """

    def __init__(self, renew: Callable[[], object], interval: float):
        self._renew = renew
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lease-heartbeat", daemon=True)

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._renew()
            except Exception:  # noqa: BLE001 - a missed beat is retried; the lease has slack
                log.warning("could not renew job leases", exc_info=True)
