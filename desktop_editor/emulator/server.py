"""The HTTP layer: read each request, record it, apply any injected fault, send the answer.

Faults live here because they are about the wire (dropped sockets, short bodies, error
statuses), while routes.py decides what a well-behaved server would have said. The server
knows neither the routes nor the Emulator: it takes an `ApiHandler` that classifies, records
and answers requests (the Emulator gives it one).
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import urlsplit

from .behaviour import Fault
from .exchange import Incoming, Route
from .responses import Response, fault_response
from .state import RecordedRequest
from .validation import MAX_FILE_BYTES

MAX_BODY_BYTES = 2 * MAX_FILE_BYTES  # room for a 50 MiB image as base64 JSON
_PERFORMING_FAULTS = ("slow", "drop_after_read", "truncate")  # the request is still carried out


class _BadBody(Exception):
    """A request body that cannot be read; answered with `status` and the connection closed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class ApiHandler(Protocol):
    """What the server serves requests with; read afresh for every request."""

    @property
    def verbose(self) -> bool:
        """Log each request to stderr."""
        ...

    @property
    def latency(self) -> float:
        """Seconds added before every answer."""
        ...

    def classify(self, method: str, path: str) -> Route: ...

    def take_fault(self, route: Route) -> Fault | None: ...

    def record(self, request: RecordedRequest) -> None: ...

    def answer(self, route: Route, request: Incoming) -> Response: ...


class EmulatorServer(ThreadingHTTPServer):
    """A threading server that can also cut its open keep-alive connections on stop, so
    handler threads end with the emulator instead of lingering until clients hang up."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: ApiHandler) -> None:
        super().__init__(address, RequestHandler)
        self.handler = handler
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._open_lock:
            for conn in self._open:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:  # already gone
                    pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # clients hanging up (or being hung up on) is routine here
        super().handle_error(request, client_address)


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real API
    server_version = "RunflowEmulator/1.0"
    sys_version = ""
    timeout = 60  # idle keep-alive connections are closed after this many seconds
    disable_nagle_algorithm = True  # headers and body go out in separate writes: avoid 40 ms stalls
    server: EmulatorServer

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.handler.verbose:
            super().log_message(format, *args)

    def _handle(self) -> None:
        """Classify, take a fault, read and record the request, then answer (or misbehave)."""
        api = self.server.handler
        parts = urlsplit(self.path)
        route = api.classify(self.command, parts.path)
        fault = api.take_fault(route)
        headers = self._lowercase_headers()
        if fault is not None and fault.kind == "drop_before_read":
            api.record(RecordedRequest(self.command, self.path, headers, b"", None, route.name))
            self._pause(api, fault)
            self.close_connection = True  # unread body: the peer sees a reset
            return
        try:
            body = self._read_body(headers)
        except _BadBody as exc:
            self.close_connection = True
            self._send(Response(exc.status, str(exc).encode(), "text/plain"))
            return
        api.record(RecordedRequest(self.command, self.path, headers, body, _json_or_none(body), route.name))
        self._pause(api, fault)
        if fault is not None and fault.kind not in _PERFORMING_FAULTS:
            self._send(fault_response(fault))
            return
        incoming = Incoming(self.command, parts.path, parts.query, headers, body, route.params)
        response = api.answer(route, incoming)
        if fault is not None and fault.kind == "drop_after_read":
            self.close_connection = True  # done, but the client never hears about it
            return
        self._send(response, truncate=fault is not None and fault.kind == "truncate")

    def _lowercase_headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        return headers

    def _pause(self, api: ApiHandler, fault: Fault | None) -> None:
        time.sleep(api.latency + (fault.delay if fault is not None else 0.0))

    def _read_body(self, headers: dict[str, str]) -> bytes:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return self._read_chunked()
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError:
            raise _BadBody(400, "invalid Content-Length header") from None
        if length < 0:
            raise _BadBody(400, "invalid Content-Length header")
        if length > MAX_BODY_BYTES:
            raise _BadBody(413, f"request body over {MAX_BODY_BYTES} bytes")
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes:
        chunks, total = [], 0
        while True:
            try:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
            except ValueError:
                raise _BadBody(400, "invalid chunk length") from None
            total += size
            if total > MAX_BODY_BYTES:
                raise _BadBody(413, f"request body over {MAX_BODY_BYTES} bytes")
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _send(self, response: Response, truncate: bool = False) -> None:
        """Send `response`; with `truncate`, announce the full length but send half, then hang up."""
        if response.stream is not None:
            self._send_stream(response)
            return
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(response.body[: len(response.body) // 2] if truncate else response.body)
        if truncate:
            self.close_connection = True

    def _send_stream(self, response: Response) -> None:
        """Send a body as its pieces are made; without a length, closing the connection ends it."""
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if "Content-Length" not in response.headers:
            self.close_connection = True
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        try:
            for piece in response.stream:
                self.wfile.write(piece)
                self.wfile.flush()
        except OSError:  # the client hung up (as it should on a body like these)
            self.close_connection = True


def _json_or_none(body: bytes) -> Any | None:
    try:
        return json.loads(body) if body else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
