"""One budget for heavy image work in the whole process, so the window's thread keeps a core.

Four 4K edits finishing together each composite and PNG-encode their result; meanwhile the
shown result is decoded, thumbnails are made and, in Demo mode, the emulator renders. Run all
at once on a 2-core laptop and the window's thread waits both for a core and for the GIL, which
these threads take and release thousands of times a second: measured as 50-120 ms freezes.

So heavy image steps on workers take a slot first:
- background work (the jobs' prepare and finish, thumbnails, the emulator's renders) shares
  cores - 1 slots, on threads whose CPU priority is lowered (Linux);
- work the designer is waiting for (decoding the result to show, opening an image, compare
  views, saving) has one slot of its own, one task at a time, and background work yields to
  it: no new background step starts while it runs or waits. A finished edit is then on screen
  in a few hundred milliseconds, not after every queued job step.
The GUI thread never takes a slot.

While the designer paints (a brush stroke or any drag on the canvas), worker image work holds
back: no background step starts, and long steps that work in strips (packing a full-size photo
for display, the loader's second part) wait between strips (`wait_while_painting`). Measured on
a 45 MP photo painted right after it appeared: the window's thread waited 5-9 ms per mouse move
for the GIL beyond its own 2 ms of work, because those Python loops on a worker hold the GIL
until the interpreter's 5 ms switch interval forces them to hand it over. A stroke lasts
seconds; the full-size image and the sent copy are not needed during it at fit.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

SLOTS = max(1, (os.cpu_count() or 2) - 1)
BACKGROUND_NICE = 10  # added to a background thread's nice value: the window's thread wins a busy core
PAINTING_HOLD_LIMIT_S = 10.0  # from the press: longer strokes let held work go on

class _Budget:
    """The slots: `background` steps running, `urgent` steps running or waiting."""

    def __init__(self, slots: int):
        self.slots = slots
        self.background = 0
        self.urgent = 0
        self.urgent_running = False
        self.changed = threading.Condition()

    def acquire(self, urgent: bool) -> None:
        with self.changed:
            if urgent:
                self.urgent += 1
                self.changed.wait_for(lambda: not self.urgent_running)
                self.urgent_running = True
            else:
                self.changed.wait_for(lambda: self.urgent == 0 and self.background < self.slots)
                self.background += 1

    def release(self, urgent: bool) -> None:
        with self.changed:
            if urgent:
                self.urgent -= 1
                self.urgent_running = False
            else:
                self.background -= 1
            self.changed.notify_all()


_budget = _Budget(SLOTS)
_held = threading.local()  # per thread: how deeply nested, and whether its priority was lowered
_not_painting = threading.Event()
_not_painting.set()
_painting_since = [0.0]  # time.monotonic() of the press


def painting_started() -> None:
    """The designer pressed on the canvas and is painting: worker image work holds back."""
    _painting_since[0] = time.monotonic()
    _not_painting.clear()


def painting_ended() -> None:
    """The stroke (or drag) ended: held-back work goes on."""
    _not_painting.set()


def is_painting() -> bool:
    return not _not_painting.is_set()


def wait_while_painting() -> None:
    """On a worker thread: wait until the designer's stroke ends. For long image steps, between
    their strips, so the window's thread has the GIL to itself while a stroke goes on.

    A no-op on the main (window's) thread, the one painting. Work is held back at most
    `PAINTING_HOLD_LIMIT_S` from the press, so a stroke whose end is never reported (a release
    lost to a grab) cannot stop it for good."""
    if threading.current_thread() is threading.main_thread() or _not_painting.is_set():
        return
    remaining = _painting_since[0] + PAINTING_HOLD_LIMIT_S - time.monotonic()
    if remaining > 0:
        _not_painting.wait(remaining)


@contextmanager
def image_work(*, urgent: bool = False) -> Iterator[None]:
    """Hold a slot for the block: a background one, or with `urgent` the designer's own.

    Nested use on one thread holds the slot it already has (no deadlock when a step calls
    another step).
    """
    depth = getattr(_held, "depth", 0)
    if depth == 0:
        if not urgent:
            wait_while_painting()  # no background step starts under a stroke
        _budget.acquire(urgent)
        if not urgent:
            _lower_priority()
    _held.depth = depth + 1
    try:
        yield
    finally:
        _held.depth = depth
        if depth == 0:
            _budget.release(urgent)


def lower_thread_priority() -> None:
    """Run the calling thread at a background step's CPU priority from now on: the process's
    own plus BACKGROUND_NICE, whatever the thread that started it ran at (a thread starts at
    its creator's priority: one started by a background step would otherwise end at the very
    lowest, and wait behind every other program). For helper threads that do a background
    step's pieces, see `core.parallel`. Linux only, as `_lower_priority`."""
    if getattr(_held, "lowered", False) or not sys.platform.startswith("linux"):
        return
    _held.lowered = True
    try:
        wanted = min(19, os.getpriority(os.PRIO_PROCESS, os.getpid()) + BACKGROUND_NICE)
        thread = threading.get_native_id()
        if os.getpriority(os.PRIO_PROCESS, thread) != wanted:
            os.setpriority(os.PRIO_PROCESS, thread, wanted)
    except (AttributeError, OSError):  # raising it back needs a privilege: it stays where it is
        pass


def _lower_priority() -> None:
    """Run this thread at a lower CPU priority from now on.

    Linux only: there `setpriority` with a thread id applies to that thread. Elsewhere the id
    could name another process, so nothing is done.
    """
    if getattr(_held, "lowered", False) or not sys.platform.startswith("linux"):
        return
    _held.lowered = True
    try:
        thread = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, thread, min(19, os.getpriority(os.PRIO_PROCESS, thread) + BACKGROUND_NICE))
    except (AttributeError, OSError):
        pass
