"""Running many jobs at once on worker threads, journaled, with listeners for the UI and CLI.

Qt-free on purpose: the window adapts the listener to a Qt signal, the command line prints. Each
change is written to the store before listeners hear of it, so nothing a listener shows can be
lost by a crash a moment later.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np
from PIL import Image

from desktop_editor.core import masks
from desktop_editor.core.cpu import image_work
from desktop_editor.core.file_metadata import with_metadata
from desktop_editor.core.filenames import replace_file, safe_filename
from desktop_editor.core.images import encode_png
from desktop_editor.jobs import paths
from desktop_editor.jobs.model import NEVER_SENT_STATES, EditJob, JobState
from desktop_editor.jobs.runner import JobRunner
from desktop_editor.jobs.store import JobStore

if TYPE_CHECKING:  # the client (and requests) loads when a service is connected, not at start
    from desktop_editor.api.client import RunflowClient

log = logging.getLogger(__name__)

Listener = Callable[[EditJob], None]


@dataclass
class Snapshot:
    """The image and mask as they were when the designer pressed Generate.

    The image may be the document's own (it is never modified in place; the manager copies it on
    the worker); the mask must be a copy, since painting changes it in place.
    """

    image: Image.Image
    mask: np.ndarray | None
    name: str = "image"
    references: tuple[Path, ...] = ()
    # The opened file's colour profile and resolution: the snapshot keeps them, so every result
    # made from it (auto-saved, composited or not) carries them too.
    icc_profile: bytes | None = None
    dpi: tuple[float, float] | None = None


class JobManager:
    """Owns the worker pool. Thread-safe."""

    def __init__(
        self,
        client: RunflowClient,
        store: JobStore | None = None,
        *,
        max_workers: int = 4,
        offline_retry: float | None = None,
    ):
        """`offline_retry`: seconds between attempts for a job that found the service unreachable;
        None gives up at once (scripts), a number keeps it waiting as "offline" (the window)."""
        self.client = client
        self.store = store
        self._runner = JobRunner(client, on_change=self._changed)
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="job")
        self._listeners: list[Listener] = []
        self._cancels: dict[str, threading.Event] = {}
        self._futures: dict[str, Future] = {}
        self._lock = threading.Lock()
        self._closing = False
        self.offline_retry = offline_retry
        self._timers: dict[str, threading.Timer] = {}

    # ----- listening ------------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _changed(self, job: EditJob) -> None:
        if self._closing and job.state is JobState.STOPPED and job.run_id:
            return  # the app is closing: keep the journal's in-flight state so the next start resumes it
        if self.store is not None:
            self.store.save(job)
        for listener in list(self._listeners):
            try:
                listener(job)
            except Exception:  # a broken listener must not break a paid job
                log.exception("job listener failed")

    # ----- submitting -----------------------------------------------------------------------

    def submit(self, job: EditJob, snapshot: Snapshot | None = None) -> EditJob:
        """Journal the job, then run it on a worker. With a snapshot, its files are written first
        (on the worker) into the job's own folder, so a resumed job has its inputs."""
        job.state = JobState.PENDING
        self._changed(job.snapshot())
        cancel = threading.Event()
        with self._lock:
            self._cancels[job.id] = cancel
            self._futures[job.id] = self._pool.submit(self._work, job, snapshot, cancel)
        return job.snapshot()

    def _work(self, job: EditJob, snapshot: Snapshot | None, cancel: threading.Event) -> EditJob:
        try:
            if snapshot is not None:
                with image_work():
                    self._write_snapshot(job, snapshot)
            job = self._runner.run(job, cancel)
            if job.state is JobState.OFFLINE:
                self._offline(job)
            return job
        except Exception as exc:  # the runner handles service trouble; this is a bug of ours
            log.exception("job %s crashed", job.id)
            job.state, job.error = JobState.FAILED, f"Internal error: {type(exc).__name__}: {exc}"
            self._changed(job.snapshot())
            return job
        finally:
            with self._lock:
                self._cancels.pop(job.id, None)

    def _offline(self, job: EditJob) -> None:
        """Wait for the service and try again, or give up now when nobody is there to wait."""
        if self.offline_retry is None or self._closing:
            if not job.run_id:
                self._finish(job, JobState.FAILED, job.error or "The service could not be reached.")
            return  # with a run id the job stays resumable
        timer = threading.Timer(self.offline_retry, self.send_now, args=(job.id,))
        timer.daemon = True
        with self._lock:
            self._timers[job.id] = timer
        timer.start()

    def send_now(self, job_id: str) -> bool:
        """Try an offline job again at once (the user clicked, or its timer fired)."""
        with self._lock:
            timer = self._timers.pop(job_id, None)
            if timer is not None:
                timer.cancel()
            if self._closing or (job_id in self._futures and not self._futures[job_id].done()):
                return False
        job = self.store.get(job_id) if self.store else None
        if job is None or job.state is not JobState.OFFLINE:
            return False
        cancel = threading.Event()
        with self._lock:
            self._cancels[job.id] = cancel
            self._futures[job.id] = self._pool.submit(self._work, job, None, cancel)
        return True

    @staticmethod
    def _write_snapshot(job: EditJob, snapshot: Snapshot) -> None:
        folder = paths.job_dir(job.id)
        name = safe_filename(Path(snapshot.name).stem, default="image")  # results are named after it
        # Copied here, on the worker: the window hands over its own image (no stall on Generate),
        # and Pillow keeps per-save state on an image, so concurrent jobs each encode their own copy.
        data = with_metadata(encode_png(snapshot.image.copy()), icc_profile=snapshot.icc_profile, dpi=snapshot.dpi)
        image_path = replace_file(folder / f"{name}.png", data)
        job.image_paths = [image_path, *snapshot.references]
        if snapshot.mask is not None and not masks.is_empty(snapshot.mask):
            job.mask_path = replace_file(folder / "mask.png", masks.encode_mask_png(snapshot.mask))

    def resend(self, job_id: str) -> EditJob:
        """Send a stored job again on purpose, as a new job with a new client_ref (a new charge)."""
        old = self._require_store().get(job_id)
        if old is None:
            raise KeyError(job_id)
        fresh = EditJob(params=old.params, image_paths=list(old.image_paths), mask_path=old.mask_path,
                        options=old.options, source=old.source)
        return self.submit(fresh)

    # ----- after a crash --------------------------------------------------------------------

    def resume_unfinished(self, sources: set[str] | None = None) -> list[EditJob]:
        """Pick up every job a crash or a closed app left unfinished.

        Jobs with a run id are waited for and downloaded; jobs never sent are sent now; jobs that
        were being sent when the app died have an unknown outcome and are only marked so.
        Returns every job it touched: those resumed, and those it could only mark final.
        `sources` limits it to jobs of those origins (EditJob.source).
        """
        resumed = []
        for job in self._require_store().unfinished():
            if sources is not None and job.source not in sources:
                continue  # e.g. real jobs while in Demo mode: they wait, journaled, for a key
            with self._lock:
                if job.id in self._futures and not self._futures[job.id].done():
                    continue
            if job.run_id or (job.state in NEVER_SENT_STATES and job.image_paths):
                cancel = threading.Event()
                with self._lock:
                    self._cancels[job.id] = cancel
                    self._futures[job.id] = self._pool.submit(self._work, job, None, cancel)
                resumed.append(job.snapshot())
            elif job.state in NEVER_SENT_STATES:
                self._finish(job, JobState.FAILED, "The app stopped before this edit's inputs were saved; nothing was sent.")
                resumed.append(job.snapshot())
            else:
                self._finish(
                    job,
                    JobState.OUTCOME_UNKNOWN,
                    "The app stopped while this edit was being sent; it may have been accepted and charged. "
                    f"It was not sent again. Reference: {job.client_ref}.",
                )
                resumed.append(job.snapshot())
        return resumed

    def _finish(self, job: EditJob, state: JobState, error: str) -> None:
        job.state, job.error = state, error
        job.touch()
        self._changed(job.snapshot())

    def cancel_pending(self) -> list[EditJob]:
        """Call off every job that has not started: nothing of theirs was sent or charged."""
        canceled = []
        with self._lock:
            items = list(self._futures.items())
        for job_id, future in items:
            if future.cancel():
                job = self.store.get(job_id) if self.store else None
                if job is not None:
                    self._finish(job, JobState.CANCELED, "Not sent: stopped before this edit started.")
                    canceled.append(job)
        return canceled

    def _require_store(self) -> JobStore:
        if self.store is None:
            raise RuntimeError("this manager keeps no history")
        return self.store

    # ----- stopping -------------------------------------------------------------------------

    def stop_waiting(self, job_id: str) -> bool:
        """Stop waiting for a job on our side. The service may still finish and charge it."""
        with self._lock:
            cancel = self._cancels.get(job_id)
        if cancel is None:
            return False
        cancel.set()
        return True

    def running(self) -> list[str]:
        with self._lock:
            return [job_id for job_id, f in self._futures.items() if not f.done()]

    def wait_all(self, timeout: float | None = None) -> bool:
        """Block until every submitted job is final (for the CLI and tests, never the GUI thread)."""
        with self._lock:
            futures = list(self._futures.values())
        _done, pending = futures_wait(futures, timeout=timeout)
        return not pending

    def shutdown(self, *, stop_waiting: bool = True, wait: bool = True) -> None:
        """Stop taking work; with `stop_waiting`, running jobs stop waiting (they stay resumable)."""
        self._closing = True
        with self._lock:
            for timer in self._timers.values():
                timer.cancel()
        if stop_waiting:
            with self._lock:
                for cancel in self._cancels.values():
                    cancel.set()
        self._pool.shutdown(wait=wait, cancel_futures=True)
