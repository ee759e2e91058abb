"""Running many jobs at once on worker threads, journaled, with listeners for the UI and CLI.

Qt-free on purpose: the window adapts the listener to a Qt signal, the command line prints. Each
change is written to the store before listeners hear of it, so nothing a listener shows can be
lost by a crash a moment later.

Several processes may share the store (two windows, a window and `batch`, two `jobs resume`).
A manager works only on jobs whose lease it holds (see `jobs.leases`); jobs another live process
holds are followed read-only, reported to the listeners with `EditJob.elsewhere` set as their
owner writes them, and taken over when that owner goes away.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from concurrent.futures import Future
from concurrent.futures import wait as futures_wait
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np
from PIL import Image

from desktop_editor.core import masks
from desktop_editor.core.atomic import sweep_folders
from desktop_editor.core.cpu import image_work
from desktop_editor.core.file_metadata import with_metadata
from desktop_editor.core.filenames import replace_file, safe_filename
from desktop_editor.core.images import LoadedImage, encode_png, unchanged_file_bytes
from desktop_editor.jobs import paths
from desktop_editor.jobs.leases import Heartbeat
from desktop_editor.jobs.model import (
    CANCELED_ADVICE,
    CANCELED_ERROR,
    NEVER_SENT_STATES,
    EditJob,
    JobState,
    StopOutcome,
)
from desktop_editor.jobs.prepare import Preloaded, ResultPreview
from desktop_editor.jobs.runner import JobRunner, PreviewListener
from desktop_editor.jobs.store import JobConflict, JobStore, JobTaken
from desktop_editor.core.daemon_pool import DaemonPool

if TYPE_CHECKING:  # the client (and requests) loads when a service is connected, not at start
    from desktop_editor.api.client import RunflowClient

log = logging.getLogger(__name__)

JOURNAL_DRAIN_S = 5.0  # at most this long, a quit waits for edits submitted a moment before

Listener = Callable[[EditJob], None]


@dataclass
class Snapshot:
    """The image and mask as they were when the designer pressed Generate.

    The image may be the document's own (it is never modified in place; the manager copies it on
    the worker), or None for the document's own taken on the worker (`source.image`: an open
    photo whose pixels the window holds only in its display copy is unpacked there, not on the
    window's thread); the mask must be a copy, since painting changes it in place.
    """

    image: Image.Image | None
    mask: np.ndarray | None
    name: str = "image"
    references: tuple[Path, ...] = ()
    # The opened file's colour profile and resolution: the snapshot keeps them, so every result
    # made from it (auto-saved, composited or not) carries them too.
    icc_profile: bytes | None = None
    dpi: tuple[float, float] | None = None
    # A canvas expansion (jobs.expansion.ExpansionPlan): the image is expanded and masked on the
    # worker, the mask above (the designer's, on the original) united with the expansion's.
    expansion: object | None = None
    # The document as opened: when its file is unchanged on disk, the snapshot is a copy of that
    # file (milliseconds) rather than the pixels encoded again as PNG (seconds at 24 MP), and the
    # result keeps the file's format, colour profile and resolution.
    source: LoadedImage | None = None

    def picture(self) -> Image.Image:
        """The image (the source's own made on the calling thread when none was given)."""
        if self.image is not None:
            return self.image
        if self.source is None:
            raise ValueError("a snapshot needs an image or a source")
        return self.source.image

    def is_source(self) -> bool:
        """Whether the image is the source's own display copy (told without making it)."""
        return self.source is not None and (self.image is None or self.source.holds(self.image))


class JobManager:
    """Owns the worker pool. Thread-safe."""

    def __init__(
        self,
        client: RunflowClient,
        store: JobStore | None = None,
        *,
        max_workers: int = 4,
        offline_retry: float | None = None,
        follow_interval: float = 0.5,
    ):
        """`offline_retry`: seconds between attempts for a job that found the service unreachable;
        None gives up at once (scripts), a number keeps it waiting as "offline" (the window).
        `follow_interval`: how often jobs of other processes are looked at in the store."""
        self.client = client
        self.store = store
        self._runner = JobRunner(client, on_change=self._changed, on_preview=self._previewed)
        self._pool = DaemonPool(max_workers, thread_name_prefix="job")
        self._journal = DaemonPool(1, thread_name_prefix="journal")  # see submit_soon
        self._listeners: list[Listener] = []
        self._preview_listeners: list[PreviewListener] = []
        self._cancels: dict[str, threading.Event] = {}
        self._futures: dict[str, Future] = {}
        self._lock = threading.Lock()
        self._closing = False
        self.offline_retry = offline_retry
        self._timers: dict[str, threading.Timer] = {}
        self.follow_interval = follow_interval
        self._followed: dict[str, EditJob] = {}  # jobs another process runs, as last reported
        self._follower: threading.Thread | None = None
        self._stopped = threading.Event()
        self._heartbeat = Heartbeat(store.renew_leases, store.lease_seconds / 6).start() if store is not None else None

    # ----- listening ------------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def add_preview_listener(self, listener: PreviewListener) -> None:
        """Also hear of each composited result while it is still in memory, before its file is
        written (`listener(job, index, preview)`, on the job's worker): a viewer can show it at
        once. The file and the job's `result_paths` follow through the ordinary listeners."""
        self._preview_listeners.append(listener)

    def _previewed(self, job: EditJob, index: int, preview: ResultPreview) -> None:
        if self._closing:
            return
        for listener in list(self._preview_listeners):
            try:
                listener(job, index, preview)
            except Exception:  # a viewer's trouble must not cost a paid result
                log.exception("preview listener failed")

    def _changed(self, job: EditJob) -> None:
        """Journal a change of a job this manager runs, then tell the listeners.

        Raises JobConflict when the job turned out to be another process's (the runner stops).
        """
        if self._closing:
            left = _as_left_at_quit(job)
            if left is None:
                return  # the journal keeps its in-flight state: the next start resumes it
            job = left
        if self.store is not None:
            try:
                self.store.save(job)
            except JobConflict as exc:
                self._lost(job, exc)
                raise
            except sqlite3.ProgrammingError:  # the store was closed under a worker left at quit
                if self._closing:
                    return
                raise
        self._notify(job)

    def _notify(self, job: EditJob) -> None:
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
        self._changed(job.snapshot())  # journaled with this process's lease on it
        self._start(job, snapshot)
        return job.snapshot()

    def submit_soon(self, job: EditJob, snapshot: Snapshot | None = None) -> Future:
        """`submit` on the journal's own thread, in order, so the caller (the window) never
        waits for the journal's durable write: usually milliseconds, but 98 ms was measured on
        the window's thread while the disk was busy writing a photo.

        Nothing is sent before the job is journaled, as with `submit`. The future holds the
        journaled job, or the exception when it could not be journaled (nothing was sent).
        """
        return self._journal.submit(self.submit, job, snapshot)

    def _work(self, job: EditJob, snapshot: Snapshot | None, cancel: threading.Event) -> EditJob:
        try:
            preloaded = None
            if snapshot is not None:
                with image_work():
                    self._write_snapshot(job, snapshot)
                preloaded = self._preloaded(job, snapshot)
            job = self._runner.run(job, cancel, preloaded)
            if job.state is JobState.OFFLINE:
                self._offline(job)
            return job
        except JobConflict:  # another process runs it now; reported and followed by _lost
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
        """Wait for the service and try again, or give up now when nobody is there to wait.

        When the app is closing the job stays "offline" in the journal: never sent, it is sent
        at the next start (or by `jobs resume`), as the quit dialog promised."""
        if self._closing:
            return
        if self.offline_retry is None:
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
        if self.store is None:
            return False
        job, mine = self.store.claim(job_id)
        if job is not None and job.state.is_final:
            self._notify(job)  # called off (or ended) by another process meanwhile: show how
            return False
        if job is None or job.state is not JobState.OFFLINE:
            return False
        if not mine:
            self._follow([job])
            return False
        self._start(job)
        return True

    def _start(self, job: EditJob, snapshot: Snapshot | None = None) -> None:
        cancel = threading.Event()
        with self._lock:
            if self._closing:
                return  # journaled; the next start (or `jobs resume`) goes on with it
            self._cancels[job.id] = cancel
            self._futures[job.id] = self._pool.submit(self._work, job, snapshot, cancel)

    @staticmethod
    def _write_snapshot(job: EditJob, snapshot: Snapshot) -> None:
        folder = paths.job_dir(job.id)
        name = safe_filename(Path(snapshot.name).stem, default="image")  # results are named after it
        # Copied here, on the worker: the window hands over its own image (no stall on Generate),
        # and Pillow keeps per-save state on an image, so concurrent jobs each encode their own copy.
        if snapshot.expansion is not None:
            from desktop_editor.jobs.expansion import write_snapshot

            write_snapshot(job, snapshot, folder, name)
            return
        original = unchanged_file_bytes(snapshot.source) if snapshot.source is not None else None
        if original is not None and snapshot.is_source():
            suffix = snapshot.source.path.suffix.lower() or ".img"
            image_path = replace_file(folder / f"{name}{suffix}", original)
        else:
            data = with_metadata(encode_png(snapshot.picture().copy()), icc_profile=snapshot.icc_profile, dpi=snapshot.dpi)
            image_path = replace_file(folder / f"{name}.png", data)
        job.image_paths = [image_path, *snapshot.references]
        if snapshot.mask is not None and not masks.is_empty(snapshot.mask):
            # Kept grey (white = edit, soft edges as painted): a 24 MP mask is written in 0.1 s,
            # where the service's RGBA form took 0.7 s and read back four times slower.
            mask_png = masks.encode_mask_png(snapshot.mask, masks.MaskConvention.BLACK_WHITE)
            job.mask_path = replace_file(folder / "mask.png", mask_png)

    @staticmethod
    def _preloaded(job: EditJob, snapshot: Snapshot) -> Preloaded | None:
        """The snapshot as the job's first input, so it is not decoded again from its folder;
        None for an expansion, whose input is the expanded canvas written from it."""
        if snapshot.expansion is not None or not job.image_paths:
            return None
        source = snapshot.source
        if snapshot.is_source():
            # The document as opened (copied as it is, or its display copy encoded as PNG when the
            # file has changed since): its own values, kind, profile and depth are what results
            # are composited into and saved as, a 16-bit PNG's too.
            original = source
        else:  # encoded as PNG by `_write_snapshot`, with these
            original = LoadedImage(image=snapshot.picture(), path=Path(job.image_paths[0]), source_format="PNG",
                                   icc_profile=snapshot.icc_profile, dpi=snapshot.dpi)
        return Preloaded(original, snapshot.mask if job.mask_path is not None else None)

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
        """Pick up every job a crash or a closed app left unfinished, and follow those another
        live process is running.

        Jobs with a run id are waited for and downloaded; jobs never sent are sent now; jobs that
        were being sent when the app died have an unknown outcome and are only marked so. Only
        jobs whose lease is free, expired or held by a process that is gone are claimed; the
        others are followed read-only (and taken over if their owner goes away).
        Returns every job it touched: those resumed, those it could only mark final, and those
        followed (with `elsewhere` set). `sources` limits it to jobs of those origins.
        Partial files killed writers left in the folders of these jobs are swept first.
        """
        store = self._require_store()
        self.sweep_leftovers()
        claims = store.claim_unfinished(sources)
        touched = [self._pick_up(job) for job in claims.taken]
        for job in claims.elsewhere:
            self._notify(job)
        self._follow(claims.elsewhere)
        return [job for job in touched if job is not None] + [job.snapshot() for job in claims.elsewhere]

    def _pick_up(self, job: EditJob) -> EditJob | None:
        """Go on with a claimed job; None when this manager is running it already."""
        with self._lock:
            if job.id in self._futures and not self._futures[job.id].done():
                return None
        if job.run_id or (job.state in NEVER_SENT_STATES and job.image_paths):
            self._start(job)
        elif job.state in NEVER_SENT_STATES:
            self._finish(job, JobState.FAILED, "The app stopped before this edit's inputs were saved; nothing was sent.")
        else:
            self._finish(
                job,
                JobState.OUTCOME_UNKNOWN,
                "The app stopped while this edit was being sent; it may have been accepted and charged. "
                f"It was not sent again. Reference: {job.client_ref}.",
            )
        return job.snapshot()

    def sweep_leftovers(self, folders: list[Path] | None = None) -> int:
        """Remove hidden partial files of killed writers from the app's data folders, the folders
        of recent jobs' results and `folders`; how many. Never touches a finished file."""
        store = self._require_store()
        candidates = set(Path(f) for f in folders or ())
        data = paths.data_dir()
        candidates.update({data, data / "rescued-results", data / "recovery"})
        for job in store.unfinished() + store.jobs(limit=100):
            candidates.add(Path(job.options.out_dir))
            candidates.update(Path(p).parent for p in job.result_paths)
            if not job.state.is_final:
                candidates.add(data / "jobs" / job.id)
        try:
            return sweep_folders(candidates)
        except OSError:
            return 0

    # ----- jobs of other processes ------------------------------------------------------------

    def _lost(self, job: EditJob, conflict: JobConflict) -> None:
        """A save found the job taken by another process (this one was frozen past its lease) or
        already final: stop here and follow it. A run id only this process knows is kept."""
        log.warning("job %s: %s; following it instead", job.id, conflict)
        store = self._require_store()
        if job.run_id and isinstance(conflict, JobTaken):
            store.note_run_id(job.id, job.run_id)
        store.forget_written(job.id)
        stored = store.get(job.id)
        if stored is not None and not stored.state.is_final:
            holder = store.held_elsewhere(job.id)
            stored.elsewhere = holder.describe() if holder else None
            self._follow([stored])
        if stored is not None:
            self._notify(stored)

    def _follow(self, jobs: list[EditJob]) -> None:
        if not jobs or self.store is None:
            return
        with self._lock:
            for job in jobs:
                self._followed[job.id] = job
            if self._follower is None and not self._closing:
                self._follower = threading.Thread(target=self._follow_loop, name="job-follower", daemon=True)
                self._follower.start()

    def followed(self) -> list[str]:
        """Ids of the jobs another process is running that this manager follows."""
        with self._lock:
            return list(self._followed)

    def _follow_loop(self) -> None:
        while not self._stopped.wait(self.follow_interval):
            with self._lock:
                items = list(self._followed.items())
            for job_id, seen in items:
                try:
                    self._look_at(job_id, seen)
                except Exception:  # a locked or closing store: look again next time
                    log.debug("could not look at followed job %s", job_id, exc_info=True)

    def _look_at(self, job_id: str, seen: EditJob) -> None:
        """Report what the owner wrote; take the job over when its owner is gone."""
        store = self._require_store()
        stored = store.get(job_id)
        holder = store.held_elsewhere(job_id) if stored is not None and not stored.state.is_final else None
        if stored is None or stored.state.is_final:
            with self._lock:
                self._followed.pop(job_id, None)
            if stored is not None:
                self._notify(stored)
            return
        if holder is None:
            claimed, mine = store.claim(job_id)
            if mine and claimed is not None and not self._closing:
                log.info("job %s: its owner is gone; taking it over", job_id)
                self._pick_up(claimed)  # running here (or final) before it stops being followed
            with self._lock:
                if mine or claimed is None or claimed.state.is_final:
                    self._followed.pop(job_id, None)
                else:
                    self._followed[job_id] = claimed  # someone else was quicker: follow them
            return
        stored.elsewhere = holder.describe()
        news = (stored.state, stored.run_status, len(stored.result_paths), stored.elsewhere)
        if news != (seen.state, seen.run_status, len(seen.result_paths), seen.elsewhere):
            with self._lock:
                if job_id in self._followed:
                    self._followed[job_id] = stored
            self._notify(stored)

    def _finish(self, job: EditJob, state: JobState, error: str | None) -> None:
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
                    job.advice = CANCELED_ADVICE
                    self._finish(job, JobState.CANCELED, CANCELED_ERROR)
                    canceled.append(job)
        return canceled

    def _require_store(self) -> JobStore:
        if self.store is None:
            raise RuntimeError("this manager keeps no history")
        return self.store

    # ----- stopping -------------------------------------------------------------------------

    def stop(self, job_id: str) -> StopOutcome:
        """The designer's Stop: call a never-sent job off for good, else stop waiting for it.

        A job none of whose creates can have left (pending, offline, preparing, uploading) is
        cancelled in the journal, atomically against its worker journaling SENDING (see
        `JobStore.cancel_unsent`): it is never sent afterwards, here, at a later start or by
        another process, and nothing is charged. A job that may have been sent is only no longer
        waited for: its worker stops polling (the service may still finish and charge it), or,
        when it was idle here waiting for the service to come back, it is journaled as stopped.
        """
        with self._lock:
            timer = self._timers.pop(job_id, None)
            cancel = self._cancels.get(job_id)
        if timer is not None:
            timer.cancel()
        if self.store is None:
            return StopOutcome.STOPPED_WAITING if self.stop_waiting(job_id) else StopOutcome.UNKNOWN
        job, canceled = self.store.cancel_unsent(job_id, error=CANCELED_ERROR, advice=CANCELED_ADVICE)
        if job is None:
            return StopOutcome.UNKNOWN
        if canceled:
            if cancel is not None:
                cancel.set()  # its worker stops uploading; its next journal write is refused anyway
            self._notify(job)
            return StopOutcome.CANCELED
        if job.state.is_final:
            self._notify(job)  # it ended meanwhile (perhaps in another process): show how
            return StopOutcome.FINISHED
        if cancel is not None:
            cancel.set()  # the runner journals "stopped waiting" when its wait ends
            return StopOutcome.STOPPED_WAITING
        claimed, mine = self.store.claim(job_id)
        if claimed is None or claimed.state.is_final:
            return StopOutcome.FINISHED
        if not mine:
            return StopOutcome.ELSEWHERE
        with self._lock:
            running = job_id in self._futures and not self._futures[job_id].done()
            cancel = self._cancels.get(job_id)
        if running and cancel is not None:  # its timer fired just now
            cancel.set()
            return StopOutcome.STOPPED_WAITING
        claimed.advice = "The service may still finish and charge this edit."
        self._finish(claimed, JobState.STOPPED, claimed.error or "Stopped waiting for the service to be reachable.")
        return StopOutcome.STOPPED_WAITING

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
        """Block until every submitted job is final (for the CLI and tests, never the GUI thread).

        Jobs followed for another process are not waited for (see `followed`); a followed job
        whose owner went away is taken over, and then waited for like the others."""
        with self._lock:
            futures = list(self._futures.values())
        _done, pending = futures_wait(futures, timeout=timeout)
        return not pending

    def shutdown(self, *, stop_waiting: bool = True, wait: bool = True, timeout: float | None = None) -> bool:
        """Stop taking work; with `stop_waiting`, running jobs stop waiting at once (retries and
        polls included) and stay resumable: never-sent ones as pending, sent ones in flight.

        With `wait`, waits up to `timeout` for the workers; a worker still blocked in a socket
        after that is left behind (its job is journaled; see `core.daemon_pool`). The leases of jobs
        no longer running here are released, so another process may go on with them at once.
        Returns True when every worker has ended."""
        self._closing = True
        self._stopped.set()
        # Edits just submitted are journaled (not started) before the journal can close.
        self._journal.shutdown(wait=True, timeout=JOURNAL_DRAIN_S)
        if self._heartbeat is not None:
            self._heartbeat.stop()
        with self._lock:
            for timer in self._timers.values():
                timer.cancel()
            self._timers.clear()
        if stop_waiting:
            with self._lock:
                for cancel in self._cancels.values():
                    cancel.set()
            abort = getattr(self.client, "abort", None)
            if abort is not None:
                abort()
        ended = self._pool.shutdown(wait=wait, cancel_futures=True, timeout=timeout)
        if self.store is not None:
            still_running = set(self.running())
            try:
                if still_running:
                    with self._lock:
                        idle = [job_id for job_id in self._futures if job_id not in still_running]
                    self.store.release(idle)
                else:
                    self.store.release()
            except sqlite3.Error:  # a closed store: the leases end with this process anyway
                log.debug("could not release leases", exc_info=True)
        return ended



def _as_left_at_quit(job: EditJob) -> EditJob | None:
    """What to journal of a change a worker reports while the app closes, or None for nothing.

    Closing stops every wait: a job stopped that way did not end, so it must stay resumable.
    With a run id the journal keeps its in-flight state (the next start waits for the run); a
    job stopped before its create was taken goes back to pending (the next start sends it).
    Every other change (a run id learnt, a result saved, a real failure) is journaled as usual.
    """
    if job.state not in (JobState.STOPPED, JobState.CANCELED):
        return job
    if job.run_id:
        return None
    return replace(job, state=JobState.PENDING, error=None, advice=None, failure_kind=None,
                   image_paths=list(job.image_paths), result_paths=list(job.result_paths))
