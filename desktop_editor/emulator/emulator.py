"""The `Emulator` object tests hold: start/stop a local Runflow server and look inside it."""

from __future__ import annotations

import ipaddress
import re
import threading
import time
from types import TracebackType

from .behaviour import Behaviour, Fault, FaultQueue
from .exchange import Incoming, Route
from .responses import Response
from .routes import answer, classify
from .runs import LinkMaker, RunRecord, refresh
from .server import EmulatorServer
from .state import RecordedRequest, State
from .urls import own_asset_id, result_url

KEY_PATTERN = re.compile(r"rf_(live|svc|test)_[A-Za-z0-9_]+")


class Emulator:
    """A Runflow-compatible HTTP server on 127.0.0.1, for tests, demos and offline work.

    `api_keys=None` accepts any well-formed key (rf_live_/rf_svc_/rf_test_...); a set accepts
    only those keys. `behaviour` may be changed at any time; faults are queued with `inject`.
    """

    def __init__(
        self,
        port: int = 0,
        api_keys: set[str] | None = None,
        behaviour: Behaviour | None = None,
        *,
        host: str = "127.0.0.1",
        verbose: bool = False,
    ) -> None:
        self.host = _loopback(host)
        self.port = port
        self.api_keys = None if api_keys is None else set(api_keys)
        self.behaviour = behaviour or Behaviour()
        self.verbose = verbose  # log each request to stderr
        self.state = State()
        self.faults = FaultQueue()
        self._server: EmulatorServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        if self.port == 0:
            raise RuntimeError("the emulator picks its port when started; call start() first")
        return f"http://{self.host}:{self.port}"

    def start(self) -> Emulator:
        """Bind and serve in a background daemon thread."""
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        self._server = EmulatorServer((self.host, self.port), _RouteHandler(self))
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name=f"runflow-emulator:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, hang up on open connections and release the port."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        thread.join()
        self._server = self._thread = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def inject(self, fault: Fault) -> None:
        """Queue a fault for the next `fault.count` requests to its route."""
        self.faults.push(fault)

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received so far, in order."""
        return self.state.requests()

    @property
    def runs(self) -> dict[str, dict]:
        """Run id -> Run object, brought up to date as a GET would."""
        return {record.run["id"]: self.current_run(record) for record in self.state.runs()}

    @property
    def runs_created(self) -> int:
        """Runs created, in either request style (each one would be billed on success)."""
        return len(self.state.runs())

    @property
    def runs_charged(self) -> int:
        """Runs that reached succeeded or partial_succeeded, whether or not anyone polled."""
        now = time.time()
        return sum(record.charged_at(now) for record in self.state.runs())

    def run_by_client_ref(self, client_ref: str) -> list[dict]:
        """Every run created with this client_ref, so tests can spot duplicate creations."""
        return [
            self.current_run(record) for record in self.state.runs() if record.run["client_ref"] == client_ref
        ]

    def reset(self) -> None:
        """Forget runs, requests, assets and queued faults (the behaviour stays)."""
        self.state.clear()
        self.faults.clear()

    # Used by the routes.

    def accepts_key(self, key: str) -> bool:
        if self.api_keys is None:
            return KEY_PATTERN.fullmatch(key) is not None
        return key in self.api_keys

    def asset_bytes(self, url: str) -> bytes | None:
        """The bytes behind one of this emulator's confirmed asset URLs, else None."""
        asset_id = own_asset_id(url, self.base_url)
        asset = self.state.asset(asset_id) if asset_id else None
        return asset.data if asset is not None and asset.confirmed else None

    def result_link(self, now: float) -> LinkMaker:
        """Signs result URLs that expire `behaviour.url_ttl` seconds from `now`."""
        expires = now + self.behaviour.url_ttl
        return lambda run_id, name: result_url(self.base_url, self.state.secret, run_id, name, expires)

    def current_run(self, record: RunRecord) -> dict:
        now = time.time()
        return refresh(record, self.behaviour, self.result_link(now), now)


class _RouteHandler:
    """The server's handler for one emulator: its routes, fault queue, request log and latency,
    read afresh on every request (tests change the behaviour live)."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    @property
    def verbose(self) -> bool:
        return self.emulator.verbose

    @property
    def latency(self) -> float:
        return self.emulator.behaviour.latency

    def classify(self, method: str, path: str) -> Route:
        return classify(method, path)

    def take_fault(self, route: Route) -> Fault | None:
        return self.emulator.faults.take(route.name)

    def record(self, request: RecordedRequest) -> None:
        self.emulator.state.record(request)

    def answer(self, route: Route, request: Incoming) -> Response:
        return answer(self.emulator, route.handler, request)


def _loopback(host: str) -> str:
    """Only IPv4 loopback addresses: the emulator has no real security and must not be reachable."""
    address = "127.0.0.1" if host == "localhost" else host
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        parsed = None
    if parsed is None or parsed.version != 4 or not parsed.is_loopback:
        raise ValueError(f"the emulator only binds IPv4 loopback addresses, not {host!r}")
    return address
