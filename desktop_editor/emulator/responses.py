"""Response values and the error bodies the API and its object storage send.

Routes return a complete `Response` instead of writing to the socket, so a fault can still
decide afterwards to drop or truncate what would have been sent.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .behaviour import Fault

_FAULT_CODES = {
    "429": (429, "RATE_LIMITED", "Too many requests. Slow down and retry later."),
    "500": (500, "INTERNAL_ERROR", "Internal server error."),
    "502": (502, "BAD_GATEWAY", "Bad gateway."),
    "503": (503, "MODEL_UNAVAILABLE", "The model is temporarily unavailable."),
    "504": (504, "GATEWAY_TIMEOUT", "Gateway timeout."),
}


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    # A body sent piece by piece as it is made (slow or endless), in place of `body`. Without a
    # Content-Length in `headers` the connection is closed to end it.
    stream: Iterable[bytes] | None = None


class ApiError(Exception):
    """Raised by routes to answer with an error; carries the finished response."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def json_response(status: int, payload: Any) -> Response:
    return Response(status, json.dumps(payload).encode())


def api_error(status: int, code: str, message: str, errors: list[dict] | None = None) -> ApiError:
    """The documented error body: {"code", "message", "errors"}."""
    return ApiError(json_response(status, {"code": code, "message": message, "errors": errors or []}))


def storage_error(status: int, code: str, message: str) -> ApiError:
    """An S3-style XML error, as presigned upload and download URLs answer."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    )
    return ApiError(Response(status, body.encode(), "application/xml"))


def expired_error() -> ApiError:
    return storage_error(403, "AccessDenied", "Request has expired")


def fault_response(fault: Fault) -> Response:
    """What an answering fault sends in place of the real response."""
    if fault.kind == "malformed_json":
        return Response(200, b'{"id": "run_', "application/json")
    if fault.kind == "expired":
        return expired_error().response
    status, code, message = _FAULT_CODES[fault.kind]
    response = api_error(status, code, message).response
    if status in (429, 503) and fault.retry_after is not None:
        response.headers["Retry-After"] = str(math.ceil(fault.retry_after))
    return response
