"""Everything the emulator remembers: the request log, runs and uploaded assets.

One lock guards the containers because handler threads and the test thread touch them at
the same time; per-run work (rendering) happens outside it, under each run's own lock.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from typing import Any

from .runs import RunRecord


@dataclass
class RecordedRequest:
    """One request as received, so tests can assert on what the client really sent."""

    method: str
    path: str  # with the query string
    headers: dict[str, str]  # lower-cased names
    body: bytes
    json: Any | None  # the parsed body, when it was JSON
    route: str = ""  # the fault route it matched ("create", "download", ...; "unknown" if none)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Asset:
    """A three-step upload: declared, then (maybe) uploaded, then (maybe) confirmed."""

    id: str
    filename: str
    mime_type: str
    size_bytes: int
    created_at: str
    data: bytes | None = None
    confirmed: bool = False


class State:
    """Thread-safe store of requests, runs and assets."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._runs: dict[str, RunRecord] = {}
        self._assets: dict[str, Asset] = {}
        self.secret = secrets.token_bytes(16)  # signs result and upload URLs

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def add_run(self, record: RunRecord) -> None:
        with self._lock:
            self._runs[record.run["id"]] = record

    def run(self, run_id: str) -> RunRecord | None:
        with self._lock:
            return self._runs.get(run_id)

    def runs(self) -> list[RunRecord]:
        with self._lock:
            return list(self._runs.values())

    def add_asset(self, asset: Asset) -> None:
        with self._lock:
            self._assets[asset.id] = asset

    def asset(self, asset_id: str) -> Asset | None:
        with self._lock:
            return self._assets.get(asset_id)

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()
            self._runs.clear()
            self._assets.clear()
