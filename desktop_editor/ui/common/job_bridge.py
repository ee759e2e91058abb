"""Between worker threads and the GUI thread: jobs, one-off blocking calls, and thumbnails.

The jobs layer reports from its own worker threads and knows nothing of Qt. Everything here turns
those reports into Qt signals delivered on the GUI thread, following superqt's worker pattern:
a `QRunnable` does the work, a separate `QObject` carries its signals, running workers are held
by strong references until they finish, and workers emit data (dataclasses, `QImage`), never
touch widgets.

A worker's signal object is parented to a GUI-thread QObject and deleted with `deleteLater`
once its `finished` signal arrived, so it is never destroyed on a pool thread (where the
runnable itself may be freed).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    Signal,
    Slot,
)
from PySide6.QtGui import QImage

from desktop_editor.core.cpu import image_work
from desktop_editor.core.images import ImageLoadError
from desktop_editor.core.params import EditParams
from desktop_editor.core.thumbnails import thumbnail
from desktop_editor.jobs.model import EditJob, JobOptions, StopOutcome
from desktop_editor.ui.common.conversions import qimage_from_pil

if TYPE_CHECKING:  # the manager is made with the service connection, after the first paint
    from desktop_editor.jobs.manager import JobManager, Snapshot

log = logging.getLogger(__name__)


# ----- one-off work on a pool thread ------------------------------------------------------------


class WorkerSignals(QObject):
    """What a worker reports. Lives on the GUI thread, so connected callables run there.

    Signals:
        returned(object): the function's return value.
        errored(object): the exception it raised.
        finished(): after returned or errored, always.
    """

    returned = Signal(object)
    errored = Signal(object)
    finished = Signal()

    # Strong references to running workers, keyed by their signals (GUI thread only).
    _running: dict[WorkerSignals, Worker] = {}

    @Slot()
    def _on_finished(self) -> None:
        WorkerSignals._running.pop(self, None)
        self.deleteLater()


class Worker(QRunnable):
    """Runs `fn(*args, **kwargs)` on a QThreadPool thread and reports through `signals`.

    Create and start it with `start_worker`, which keeps it alive until it finished.
    """

    def __init__(self, fn: Callable[..., Any], *args: Any, owner: QObject | None = None, **kwargs: Any):
        super().__init__()
        self._fn, self._args, self._kwargs = fn, args, kwargs
        # Parented, so the C++ object is owned by the GUI-thread parent and never freed on the
        # pool thread when the runnable's Python wrapper goes away there.
        self.signals = WorkerSignals(owner or QCoreApplication.instance())

    def run(self) -> None:
        signals = self.signals
        try:
            result = self._fn(*self._args, **self._kwargs)
        except Exception as exc:  # reported, never raised into Qt's thread
            _emit(signals.errored, exc)
        else:
            _emit(signals.returned, result)
        finally:
            self._fn = self._args = self._kwargs = None  # drop references on this thread promptly
            _emit(signals.finished)


def _emit(signal: Any, *args: Any) -> None:
    try:
        signal.emit(*args)
    except RuntimeError:  # the owner (and with it the signals object) was deleted meanwhile
        log.debug("worker result dropped: its receiver is gone")


def start_worker(
    fn: Callable[..., Any],
    *args: Any,
    on_returned: Callable[[Any], None] | None = None,
    on_errored: Callable[[Exception], None] | None = None,
    owner: QObject | None = None,
    pool: QThreadPool | None = None,
    **kwargs: Any,
) -> Worker:
    """Run `fn` off the GUI thread; the callbacks run on the GUI thread. Call from the GUI thread.

    `owner` is the QObject whose lifetime bounds the callbacks: when it is deleted before the
    work finished, the result is dropped. Pass bound `@Slot` methods of `owner` as callbacks.
    """
    worker = Worker(fn, *args, owner=owner, **kwargs)
    if on_returned is not None:
        worker.signals.returned.connect(on_returned)
    if on_errored is not None:
        worker.signals.errored.connect(on_errored)
    worker.signals.finished.connect(worker.signals._on_finished)
    WorkerSignals._running[worker.signals] = worker
    (pool or QThreadPool.globalInstance()).start(worker)
    return worker


# ----- thumbnails -------------------------------------------------------------------------------


def load_thumbnail(path: str, edge: int) -> QImage:
    """A QImage of `path` scaled to fit `edge` px, EXIF-rotated and converted from the file's
    colour profile to the screen like the canvas; a null image when unreadable.

    Decoded and scaled by Pillow (JPEGs are decoded at a reduced size via `draft`), which
    releases the GIL: results and job inputs are 4K PNGs, and Qt's reader and smooth scaling
    would hold the GIL for their whole decode and freeze the window. HEIC, PSD and 16-bit files
    go through the full loader (`core.thumbnails`). Safe on any thread.
    """
    try:
        return qimage_from_pil(thumbnail(path, edge))
    except (ImageLoadError, OSError, ValueError):
        return QImage()


def _thumbnail_as_image_work(path: str, edge: int) -> QImage:
    with image_work():  # decoding a 4K PNG to make its thumbnail is heavy work (see core.cpu)
        return load_thumbnail(path, edge)


class ThumbnailCache(QObject):
    """Scaled thumbnails of image files, loaded lazily on a small private pool and cached.

    `get(path)` answers at once from the cache, or returns None and starts loading; when the
    image is ready `thumbnail_ready(path)` is emitted and the next `get` returns it. Paint code
    calls `get` for visible rows only, so a list of hundreds of jobs loads what is on screen.

    Signals:
        thumbnail_ready(str): the thumbnail of this path is now cached (or known unreadable).
    """

    thumbnail_ready = Signal(str)

    def __init__(self, edge: int = 128, *, capacity: int = 400, parent: QObject | None = None):
        super().__init__(parent)
        self.edge = edge
        self.capacity = capacity
        self._images: OrderedDict[str, QImage] = OrderedDict()
        self._pending: set[str] = set()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)

    def get(self, path: str | Path | None) -> QImage | None:
        """The cached thumbnail (a null QImage when unreadable), or None while it loads."""
        if not path:
            return None
        key = str(path)
        image = self._images.get(key)
        if image is not None:
            self._images.move_to_end(key)
            return image
        if key not in self._pending:
            self._pending.add(key)
            start_worker(
                _thumbnail_as_image_work, key, self.edge, owner=self, pool=self._pool,
                on_returned=lambda image, key=key: self._store(key, image),
                on_errored=lambda _exc, key=key: self._store(key, QImage()),
            )
        return None

    def _store(self, key: str, image: QImage) -> None:
        self._pending.discard(key)
        self._images[key] = image
        while len(self._images) > self.capacity:
            self._images.popitem(last=False)
        self.thumbnail_ready.emit(key)

    def put(self, path: str | Path, image: QImage) -> None:
        """Cache a thumbnail the caller already has (a job's input, from the open image's small
        display level): a 45 MP input is then not decoded again just after Generate, while
        the job is uploading it (150 ms of a worker's CPU, measured as a 84 ms window stall)."""
        key = str(path)
        if key in self._images or key in self._pending or image.isNull():
            return
        if max(image.width(), image.height()) > self.edge:
            image = image.scaled(self.edge, self.edge, Qt.AspectRatioMode.KeepAspectRatio,
                                 Qt.TransformationMode.SmoothTransformation)
        self._store(key, image)

    def forget(self, path: str | Path) -> None:
        """Drop a cached thumbnail (the file changed)."""
        self._images.pop(str(path), None)

    def wait(self, msecs: int = 5000) -> bool:
        """Wait for loads in progress (tests, shutdown)."""
        return self._pool.waitForDone(msecs)


# ----- jobs -------------------------------------------------------------------------------------


class JobsController(QObject):
    """A JobManager as seen from the GUI thread.

    The manager calls its listeners on worker threads; here each report is re-emitted through
    a queued connection, so every signal below is delivered on the GUI thread, in order.

    Signals:
        job_changed(object): an EditJob snapshot after any change of state or results.
        job_finished(object): an EditJob snapshot that reached a final state.
        active_count_changed(int): how many jobs are in flight now (for the status bar).
        result_previewed(object, int, object): a result composited in memory before its file is
            written: the EditJob snapshot, the result's index and a jobs.prepare.ResultPreview.
        submit_failed(str, str): a job from `generate` could not be journaled, so it was never
            sent: its id and why.
    """

    job_changed = Signal(object)
    job_finished = Signal(object)
    active_count_changed = Signal(int)
    result_previewed = Signal(object, int, object)
    submit_failed = Signal(str, str)
    _job_reported = Signal(object)  # emitted on worker threads, received on the GUI thread
    _preview_reported = Signal(object, int, object)
    _refusal_reported = Signal(str, str)

    def __init__(self, manager: JobManager, *, source: str = "app", parent: QObject | None = None):
        super().__init__(parent)
        self.manager = manager
        self.source = source
        self._active: set[str] = set()
        self._closed = False
        self._job_reported.connect(self._on_job_reported, Qt.ConnectionType.QueuedConnection)
        self._preview_reported.connect(self.result_previewed, Qt.ConnectionType.QueuedConnection)
        self._refusal_reported.connect(self.submit_failed, Qt.ConnectionType.QueuedConnection)
        manager.add_listener(self._listen)
        manager.add_preview_listener(self._listen_preview)

    def _listen(self, job: EditJob) -> None:
        """Called by the manager, usually on a worker thread: forward, touch nothing else."""
        if not self._closed:
            _emit(self._job_reported, job)

    def _listen_preview(self, job: EditJob, index: int, preview: object) -> None:
        """Called by the manager on a worker thread: forward only."""
        if not self._closed:
            _emit(self._preview_reported, job, index, preview)

    @Slot(object)
    def _on_job_reported(self, job: EditJob) -> None:
        was = len(self._active)
        if job.state.is_final or job.elsewhere:
            self._active.discard(job.id)  # another window or command runs it: not ours to wait for
        else:
            self._active.add(job.id)
        self.job_changed.emit(job)
        if job.state.is_final:
            self.job_finished.emit(job)
        if len(self._active) != was:
            self.active_count_changed.emit(len(self._active))

    # ----- actions -----------------------------------------------------------------------------

    def generate(self, snapshot: Snapshot, params: EditParams, options: JobOptions) -> str:
        """Send one edit of the snapshot's image; returns the new job's id at once.

        The job is journaled on the manager's journal thread (the window never waits for the
        disk), then its files are written and the request sent on a worker; progress arrives
        through `job_changed`, and a journal that cannot be written through `submit_failed`.
        """
        # No image paths yet: the manager writes the snapshot into the job's folder on its worker and
        # fills them in; a job journaled without them is known never to have been sent.
        job = EditJob(params=params, image_paths=[], options=options, source=self.source)
        journaled = self.manager.submit_soon(job, snapshot)
        journaled.add_done_callback(lambda future, job_id=job.id: self._journaled(job_id, future))
        return job.id

    def _journaled(self, job_id: str, future: Future) -> None:
        """On the journal thread: report a job that could not be journaled (never sent)."""
        if future.cancelled():
            error: BaseException | None = RuntimeError("the app was closing")
        else:
            error = future.exception()
        if error is not None and not self._closed:
            log.error("could not journal job %s: %s", job_id, error)
            _emit(self._refusal_reported, job_id, str(error) or type(error).__name__)

    def stop(self, job_id: str) -> StopOutcome:
        """The designer's Stop: a never-sent job is cancelled for good (nothing charged), any
        other is no longer waited for (the service may still finish and charge it). Returns
        which it was; the journal decides, so a job sent meanwhile is only stopped waiting.
        A local SQLite write, like `generate`'s journal: no network."""
        return self.manager.stop(job_id)

    def resend(self, job_id: str) -> str:
        """Send a stored job again on purpose (a new, separately charged request); the new id."""
        return self.manager.resend(job_id).id

    def resume_unfinished(self) -> tuple[int, int]:
        """Pick up the jobs a previous session left in flight: how many are being waited for
        here, and how many another window or command is running (followed read-only).

        Jobs whose create may or may not have reached the service are only marked
        "outcome unknown" (and reported through `job_changed`), never resent.
        """
        touched = self.manager.resume_unfinished()
        elsewhere = sum(1 for job in touched if job.elsewhere)
        return sum(1 for job in touched if not job.state.is_final and not job.elsewhere), elsewhere

    def active_count(self) -> int:
        return len(self._active)

    def close(self) -> None:
        """Stop forwarding reports (the window is closing; the manager may outlive us briefly)."""
        self._closed = True
