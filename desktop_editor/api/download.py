"""Fetching one result URL into a file: bounded in size, in time and in memory, and stoppable.

A result URL is not the API: it may answer slowly, endlessly or not at all. So a download
- is refused before reading when its Content-Length is over the size limit, and stopped as soon
  as more than that has arrived (an endless body costs one limit's worth of bytes, once);
- has an overall time limit that grows with its size (`DownloadLimits.allowed_seconds`): a big
  result arriving slowly but steadily finishes, one dripping a byte a second is cut off;
- goes to a file chunk by chunk, so memory holds one chunk whatever the size;
- ends within a fraction of a second when the caller stops waiting: a watchdog thread closes
  the socket under a read that would otherwise block until the next byte (or the read timeout).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from desktop_editor.api.errors import DownloadError, WaitAborted

CHUNK = 64 * 1024
WATCH_TICK = 0.1  # how often the watchdog looks at the stop signals and the clock


class ExpiredLinkError(DownloadError):
    """403/404/410 on a result URL: presigned URLs expire; fetching the run again gives fresh ones."""


class RefusedLinkError(DownloadError):
    """Another 4xx on a result URL: a definite answer that asking again will not change."""


class TooLargeError(DownloadError):
    """The result is bigger than any image should be: asking again would only cost as much again."""


class TooSlowError(DownloadError):
    """The download outlasted its overall time limit; the run stays, a later resume may do better."""


@dataclass(frozen=True)
class DownloadLimits:
    """How big and how slow a result may be.

    `min_rate` is what a download must average after `grace` seconds: 64 KiB/s (0.5 Mbit/s) is
    far below any connection that can use the app, so a 25 MB PNG gets 60 + 390 s; a body
    dripping a byte a second is cut off after `grace` seconds plus a few.
    """

    max_bytes: int = 256 * 1024 * 1024
    min_rate: float = 64 * 1024
    grace: float = 60.0

    def allowed_seconds(self, size: int) -> float:
        """Overall time allowed for a body of `size` bytes (the announced size, or what came so far)."""
        return self.grace + size / self.min_rate


class _Watchdog:
    """Closes a response's socket when a stop signal is set or its time limit passes."""

    def __init__(self, response: requests.Response, stops: tuple[threading.Event, ...], started: float,
                 limits: DownloadLimits, announced: int | None):
        self._response = response
        self._stops = stops
        self._started = started
        self._limits = limits
        self._announced = announced
        self.received = 0
        self.reason: str | None = None  # "stopped" or "slow" once it acted
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="download-watchdog", daemon=True)

    def __enter__(self) -> _Watchdog:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()

    def over_time(self) -> bool:
        size = max(self._announced or 0, self.received)
        return time.monotonic() - self._started > self._limits.allowed_seconds(size)

    def _watch(self) -> None:
        while not self._done.wait(WATCH_TICK):
            if any(stop.is_set() for stop in self._stops):
                self.reason = "stopped"
            elif self.over_time():
                self.reason = "slow"
            else:
                continue
            _close_socket(self._response)
            return


def _close_socket(response: requests.Response) -> None:
    """Shut the socket under `response` down: a read blocked on it returns at once."""
    raw = response.raw
    candidates = [getattr(getattr(raw, "_connection", None), "sock", None)]
    fp = getattr(getattr(raw, "_fp", None), "fp", None)
    candidates.append(getattr(getattr(fp, "raw", None), "_sock", None))
    for sock in candidates:
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return


def stream_to_file(
    session: requests.Session,
    url: str,
    dest: Path,
    *,
    timeouts: tuple[float, float],
    limits: DownloadLimits,
    stops: tuple[threading.Event, ...],
    run_id: str | None = None,
) -> str | None:
    """Write the body of `url` to `dest` (replacing it); returns the header's content type.

    Raises ExpiredLinkError, RefusedLinkError, TooLargeError, TooSlowError, DownloadError (a
    broken transfer, worth another try), requests.RequestException, or WaitAborted when a stop
    signal was set.
    """
    started = time.monotonic()
    with session.get(
        url,
        headers={"Accept": "image/*"},  # deliberately no Authorization: presigned URLs need none
        timeout=timeouts,
        stream=True,
        allow_redirects=True,
    ) as response:
        status = response.status_code
        if status in (403, 404, 410):
            raise ExpiredLinkError(f"The result URL answered HTTP {status} (expired?).")
        if 400 <= status < 500 and status not in (408, 429):
            raise RefusedLinkError(f"The result URL answered HTTP {status}.")
        if status >= 400:
            raise DownloadError(f"The result URL answered HTTP {status}.")
        announced = _announced_length(response)
        if announced is not None and announced > limits.max_bytes:
            raise TooLargeError(_too_large(limits.max_bytes, f"announced as {announced / 2**20:.0f} MiB"))
        with _Watchdog(response, stops, started, limits, announced) as watchdog, open(dest, "wb") as out:
            try:
                for chunk in response.iter_content(CHUNK):
                    watchdog.received += len(chunk)
                    if watchdog.received > limits.max_bytes:
                        raise TooLargeError(_too_large(limits.max_bytes, "it did not end there"))
                    out.write(chunk)
                    if watchdog.reason is not None:
                        break
            except (requests.RequestException, OSError) as exc:
                if watchdog.reason is None:
                    raise DownloadError(f"The download broke off after {watchdog.received} bytes ({exc}).") from exc
            if watchdog.reason == "stopped":
                raise WaitAborted("Stopped downloading. The result stays on the service for a while; "
                                  "resume the job to fetch it.", run_id=run_id)
            if watchdog.reason == "slow":
                seconds = time.monotonic() - started
                allowed = limits.allowed_seconds(max(announced or 0, watchdog.received))
                raise TooSlowError(f"The result came too slowly: still unfinished after {seconds:.0f} s "
                                   f"({allowed:.0f} s allowed for its size).")
        if announced is not None and announced != watchdog.received:
            raise DownloadError(f"The download broke off after {watchdog.received} of {announced} bytes.")
        if not watchdog.received:
            raise DownloadError("The result was empty.")
        return response.headers.get("Content-Type")


def _announced_length(response: requests.Response) -> int | None:
    value = response.headers.get("Content-Length", "")
    if response.headers.get("Content-Encoding") or not value.strip().isdigit():
        return None  # a compressed body's length says nothing about what it inflates to
    return int(value)


def _too_large(limit: int, detail: str) -> str:
    return f"The result is larger than any image should be (over {limit / 2**20:.0f} MiB; {detail}); it was not downloaded."
