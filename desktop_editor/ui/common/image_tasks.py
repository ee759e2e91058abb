"""Running slow image work the designer waits for (decoding results, pyramids, difference
maps, encoding, saving) off the GUI thread, in the urgent image-work slot (see core.cpu).

The pattern follows superqt's thread worker: a QRunnable does the work on a QThreadPool and
reports through a separate QObject whose signals are delivered, queued, to a receiver living
in the GUI thread. The runner keeps a strong reference to every task until its answer has been
delivered, so neither Python nor Qt collects a signal object while a worker still emits on it.
Workers only compute and return data (QImage, PIL images, dataclasses); they never touch widgets.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from desktop_editor.core.cpu import image_work

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class _TaskSignals(QObject):
    """What a task reports. Created in the GUI thread, emitted from the worker.

    Signals:
        succeeded(int, object): task id and the function's return value.
        failed(int, object): task id and the exception it raised.
    """

    succeeded = Signal(int, object)
    failed = Signal(int, object)


class _Task(QRunnable):
    def __init__(self, task_id: int, fn: Callable[[], Any], signals: _TaskSignals):
        super().__init__()
        self.task_id = task_id
        self.fn = fn
        self.signals = signals

    def run(self) -> None:  # worker thread
        try:
            with image_work(urgent=True):  # image work the designer is waiting to see (core.cpu)
                value = self.fn()
        except Exception as exc:  # reported to the GUI thread, which decides what the user sees
            self.signals.failed.emit(self.task_id, exc)
        else:
            self.signals.succeeded.emit(self.task_id, value)


class TaskRunner(QObject):
    """Runs callables on its own thread pool; callbacks run later on the GUI thread.

    A private pool (not the global one) so that closing a view waits only for its own work and
    a burst of thumbnails never queues behind someone else's long job.
    """

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 2):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[_Task, _TaskSignals, Done | None, Failed | None]] = {}

    def submit(self, fn: Callable[[], Any], on_done: Done | None = None, on_error: Failed | None = None) -> int:
        """Run `fn()` on a worker; `on_done(value)` or `on_error(exc)` is then called on this thread."""
        task_id = next(self._ids)
        signals = _TaskSignals()
        signals.succeeded.connect(self._on_task_succeeded)
        signals.failed.connect(self._on_task_failed)
        task = _Task(task_id, fn, signals)
        task.setAutoDelete(False)  # Python owns it (kept in _pending) until the answer is delivered
        self._pending[task_id] = (task, signals, on_done, on_error)
        self._pool.start(task)
        return task_id

    def busy(self) -> bool:
        """Whether some task has not delivered its answer yet."""
        return bool(self._pending)

    def wait(self, msecs: int = -1) -> bool:
        """Block until every running task has finished (for closing and tests, not for normal use)."""
        return self._pool.waitForDone(msecs)

    @Slot(int, object)
    def _on_task_succeeded(self, task_id: int, value: Any) -> None:
        entry = self._pending.pop(task_id, None)
        if entry is not None and entry[2] is not None:
            entry[2](value)

    @Slot(int, object)
    def _on_task_failed(self, task_id: int, exc: BaseException) -> None:
        entry = self._pending.pop(task_id, None)
        if entry is None:
            return
        if entry[3] is not None:
            entry[3](exc)
        else:
            log.error("background task failed: %s: %s", type(exc).__name__, exc)
