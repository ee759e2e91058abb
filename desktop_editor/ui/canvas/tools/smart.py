"""What the smart selection tools (magic wand, select object, refine edge) share.

- `PhotoCache`: the open photo as the algorithms take it (RGB array, colour planes), made once
  on a worker and kept for the last few documents, so a click does not convert 24 MP again.
- `prepare_change`: the new mask compared with the old one and compressed for the undo history,
  on the worker: on a 24 MP mask both would hold the GUI thread for tens of milliseconds.
- `LatestWork`: one piece of selection work at a time on a worker; a newer one stops the older
  (its `stop` check turns true) and the older's answer is dropped.

Applying is then one copy of the changed rectangle on the GUI thread (`Document.apply_mask_change`
or, for a re-thresholded click, `amend_mask_change`).
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from desktop_editor.core import mask_ops
from desktop_editor.core.mask_ops import Bounds
from desktop_editor.core.selection.common import Cancelled, photo_array
from desktop_editor.core.selection.wand import PhotoPlanes
from desktop_editor.ui.common.image_tasks import TaskRunner
from desktop_editor.ui.models.mask_history import RegionPayload

if TYPE_CHECKING:
    from desktop_editor.ui.models.document import Document

Stop = Callable[[], bool]
log = logging.getLogger(__name__)


class PhotoCache:
    """The photos of the last `keep` documents as RGB arrays (and colour planes once the wand
    asks), made on whichever worker first needs them. Thread-safe."""

    def __init__(self, keep: int = 2):
        self._keep = keep
        self._lock = threading.Lock()
        self._entries: OrderedDict[int, dict[str, Any]] = OrderedDict()

    def _entry(self, document: Document) -> dict[str, Any]:
        key = id(document)
        with self._lock:
            entry = self._entries.get(key)
            # Keyed by the values, not the Pillow copy, which may be let go and made again (only
            # on a worker, in `photo`): the window's thread never makes one.
            if entry is None or entry["key"] is not document.loaded.pixels_key:
                entry = {"key": document.loaded.pixels_key, "loaded": document.loaded, "lock": threading.Lock()}
                self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self._keep:
                self._entries.popitem(last=False)
            return entry

    def photo(self, document: Document) -> np.ndarray:
        """RGB uint8 (H, W, 3). Call on a worker: the first call converts the whole image."""
        entry = self._entry(document)
        with entry["lock"]:
            if "photo" not in entry:
                entry["photo"] = photo_array(entry["loaded"].image)
            return entry["photo"]

    def planes(self, document: Document) -> PhotoPlanes:
        """The photo split into colour planes for the magic wand (call on a worker)."""
        photo = self.photo(document)
        entry = self._entry(document)
        with entry["lock"]:
            if "planes" not in entry:
                entry["planes"] = PhotoPlanes(photo)
            return entry["planes"]

    def forget(self, document: Document) -> None:
        with self._lock:
            self._entries.pop(id(document), None)


photos = PhotoCache()


@dataclass(frozen=True)
class PreparedChange:
    """A mask change ready for the undo history: None payload when nothing changed."""

    payload: RegionPayload | None
    after: np.ndarray | None  # the new pixels of payload.bounds

    @property
    def bounds(self) -> Bounds | None:
        return self.payload.bounds if self.payload is not None else None


def prepare_change(before: np.ndarray, after: np.ndarray, cover: Bounds | None = None) -> PreparedChange:
    """Compare and compress on a worker. `cover` is a rectangle the change must include even
    where the masks agree (an earlier version of the change, which this one replaces)."""
    bounds = mask_ops.changed_bounds(before, after)
    if cover is not None:
        bounds = cover if bounds is None else _union(bounds, cover)
    if bounds is None:
        return PreparedChange(None, None)
    x0, y0, x1, y1 = bounds
    new = np.ascontiguousarray(after[y0:y1, x0:x1])
    return PreparedChange(RegionPayload.from_arrays(bounds, before[y0:y1, x0:x1], new), new)


def _union(a: Bounds, b: Bounds) -> Bounds:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


class LatestWork(QObject):
    """Selection work on a worker, newest first: submitting stops the job before (its `stop`
    check turns true between steps) and only the newest job's answer is delivered.

    Signals:
        busy_changed(bool): a job is (True) or no longer (False) running or waiting.
    """

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._runner = TaskRunner(self, max_threads=2)
        self._ids = itertools.count(1)
        self._current = 0
        self._stop: threading.Event | None = None

    def submit(self, work: Callable[[Stop], Any], on_done: Callable[[Any], None],
               on_error: Callable[[BaseException], None] | None = None) -> int:
        """Run `work(stop)` on a worker; `on_done(value)` runs on this thread if it is still
        the newest job when it ends. Returns the job's number."""
        self.cancel()
        job = next(self._ids)
        stop = threading.Event()
        self._current, self._stop = job, stop
        self._runner.submit(lambda: work(stop.is_set),
                            lambda value: self._finished(job, on_done, value),
                            lambda exc: self._failed(job, on_error, exc))
        self.busy_changed.emit(True)
        return job

    def cancel(self) -> None:
        """Stop the running job, if any; its answer will be dropped."""
        if self._stop is not None:
            self._stop.set()
            self._stop = None
            self._current = 0
            self.busy_changed.emit(False)

    def busy(self) -> bool:
        return self._stop is not None

    def wait(self, msecs: int = -1) -> bool:
        """Block until the workers are idle (closing, tests)."""
        return self._runner.wait(msecs)

    def _finished(self, job: int, on_done: Callable[[Any], None], value: Any) -> None:
        if job != self._current:
            return
        self._stop, self._current = None, 0
        self.busy_changed.emit(False)
        on_done(value)

    def _failed(self, job: int, on_error, exc: BaseException) -> None:
        if job != self._current:
            return
        self._stop, self._current = None, 0
        self.busy_changed.emit(False)
        if isinstance(exc, Cancelled):
            return
        if on_error is not None:
            on_error(exc)
        else:
            log.error("selection work failed: %s: %s", type(exc).__name__, exc)
