"""What passes between the HTTP layer and the routes: the route a request is for, and the
request once read. Neither side imports the other; both import these."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Route:
    """The route a request is for, known before its body is read (so a fault can act first)."""

    name: str  # the fault route name: "create", "get_run", ... or "unknown"
    handler: Callable[..., Any] | None  # None: no route matches
    params: dict[str, str]  # captured from the route's path pattern


@dataclass
class Incoming:
    """A request once read off the socket."""

    method: str
    path: str  # without the query string
    query: str
    headers: dict[str, str]  # lower-cased names
    body: bytes
    params: dict[str, str]  # captured from the route pattern
