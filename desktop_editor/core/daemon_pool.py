"""Worker threads like ThreadPoolExecutor's, but a quit never waits for them.

ThreadPoolExecutor joins its threads when the interpreter exits, so a worker blocked in a
socket (a create on a dead connection, a download that hangs) keeps a closed window's process
alive for as long as the socket takes. Job workers need no such courtesy: every step they take
is journaled before it happens and every file is written atomically, so a worker abandoned at
exit leaves a resumable job and, at worst, a hidden partial file that the next start sweeps.
These threads are daemons; `shutdown(wait=False)` returns at once. The same holds for the
pieces of an image step run on several cores (`core.parallel`): their caller waits for them,
nobody else needs to.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

_STOP = object()


class DaemonPool:
    """Runs submitted calls on up to `max_workers` daemon threads, started as needed."""

    _numbers = itertools.count(1)

    def __init__(self, max_workers: int, thread_name_prefix: str = "worker",
                 initializer: Callable[[], None] | None = None):
        self._max = max(1, max_workers)
        self._prefix = thread_name_prefix
        self._initializer = initializer  # called first on each new thread
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._lock = threading.Lock()
        self._shutdown = False

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        future: Future = Future()
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot submit after shutdown")
            self._queue.put((future, fn, args))
            if len(self._threads) < self._max and self._queue.qsize() > self._idle:
                thread = threading.Thread(target=self._work, name=f"{self._prefix}-{next(self._numbers)}", daemon=True)
                self._threads.append(thread)
                thread.start()
        return future

    def _work(self) -> None:
        if self._initializer is not None:
            self._initializer()
        while True:
            with self._lock:
                self._idle += 1
            item = self._queue.get()
            with self._lock:
                self._idle -= 1
            if item is _STOP:
                return
            future, fn, args = item
            if future.set_running_or_notify_cancel():
                try:
                    result = fn(*args)
                except BaseException as exc:  # noqa: BLE001 - handed to whoever waits on the future
                    future.set_exception(exc)
                else:
                    future.set_result(result)
            del item, future, fn, args

    def shutdown(self, *, wait: bool = True, cancel_futures: bool = False, timeout: float | None = None) -> bool:
        """Take no more work; cancel what has not started when asked; with `wait`, wait for the
        running calls (up to `timeout` seconds). True when every thread has ended."""
        with self._lock:
            self._shutdown = True
            threads = list(self._threads)
        if cancel_futures:
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is not _STOP:
                    item[0].cancel()
        for _ in threads:
            self._queue.put(_STOP)
        if wait:
            deadline = None if timeout is None else time.monotonic() + timeout
            for thread in threads:
                thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in threads)
