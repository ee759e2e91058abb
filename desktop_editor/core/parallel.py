"""The independent pieces of one heavy image step, run on every core at once.

A 100 MP result is composited and JPEG-encoded by libraries that use one core per call; split
into strips of rows, the pieces run side by side (Pillow's resize, composite and JPEG encoder
release the GIL while they work, so the window's thread is not kept waiting). The threads run
at a background step's lower CPU priority (`core.cpu`), so the window's thread wins a busy core,
and are daemons: a quit never waits for them (their caller does).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import TypeVar

from desktop_editor.core.cpu import lower_thread_priority
from desktop_editor.core.daemon_pool import DaemonPool

T = TypeVar("T")
R = TypeVar("R")

WORKERS = max(1, os.cpu_count() or 1)

_pools: dict[bool, DaemonPool] = {}
_pool_lock = threading.Lock()


def submit(fn: Callable[..., R], *args: object, ahead: bool = False) -> Future:
    """Run `fn(*args)` on one of the image threads; its future.

    `ahead`: work done before anyone waits for it (while the service works) runs on one thread
    of its own, so it takes one core at most and never queues before the pieces of a step
    someone is waiting for; a piece not started yet can be cancelled and done now instead.
    """
    with _pool_lock:
        pool = _pools.get(ahead)
        if pool is None:
            pool = _pools[ahead] = DaemonPool(1 if ahead else WORKERS, initializer=lower_thread_priority,
                                              thread_name_prefix="image-ahead" if ahead else "image-piece")
    return pool.submit(fn, *args)


def map_pieces(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """`[fn(item) for item in items]`, the calls spread over the image threads; the first
    exception a piece raised is raised here, once every piece has ended."""
    futures = [submit(fn, item) for item in items]
    results: list[R] = []
    error: BaseException | None = None
    for future in futures:
        try:
            results.append(future.result())
        except BaseException as exc:  # noqa: BLE001 - raised below, after the other pieces ended
            error = error or exc
    if error is not None:
        raise error
    return results
