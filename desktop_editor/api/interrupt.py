"""Ending a blocked request at once when the caller stops waiting (Ctrl+C, window quit, Stop).

A thread blocked in a socket read only wakes when a byte arrives or the read timeout (30 s)
passes. Each thread's session records the sockets its connections open; `interrupt_on` watches
the stop signals during one call and shuts those sockets down when one is set, so the call
fails within a tick and the caller's next pause raises WaitAborted.

Only calls that are safe to lose are made interruptible: polls, uploads and downloads. A create
is never cut off mid-flight: its fate would become unknown for nothing.
"""

from __future__ import annotations

import socket
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

import requests
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

TICK = 0.1  # seconds between looks at the stop signals


class SocketRegistry:
    """The open sockets of one session's connections."""

    def __init__(self) -> None:
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._lock = threading.Lock()

    def add(self, sock: socket.socket | None) -> None:
        if sock is not None:
            with self._lock:
                self._sockets.add(sock)

    def shut_all(self) -> None:
        """Shut every recorded socket down: a read or write blocked on one returns at once."""
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:  # closed already
                pass


def _tracking(pool_class: type, registry: SocketRegistry) -> type:
    class TrackedConnection(pool_class.ConnectionCls):  # type: ignore[name-defined, misc]
        def connect(self) -> None:
            super().connect()
            registry.add(self.sock)

    class TrackedPool(pool_class):  # type: ignore[valid-type, misc]
        ConnectionCls = TrackedConnection

    return TrackedPool


def tracked_session(registry: SocketRegistry) -> requests.Session:
    """A session whose connections record their sockets in `registry`."""
    session = requests.Session()
    for prefix in ("http://", "https://"):
        adapter = HTTPAdapter()
        adapter.poolmanager.pool_classes_by_scheme = {
            "http": _tracking(HTTPConnectionPool, registry),
            "https": _tracking(HTTPSConnectionPool, registry),
        }
        session.mount(prefix, adapter)
    return session


@contextmanager
def interrupt_on(stops: tuple[threading.Event, ...], registry: SocketRegistry) -> Iterator[None]:
    """While the block runs, shut `registry`'s sockets down as soon as any of `stops` is set."""
    done = threading.Event()

    def watch() -> None:
        while not done.wait(TICK):
            if any(stop.is_set() for stop in stops):
                registry.shut_all()  # again each tick: a retry's new connection is cut off too

    watcher = threading.Thread(target=watch, name="request-watchdog", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()
