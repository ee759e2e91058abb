"""Running one job through its stages: prepare, upload, create, wait, download, save.

The runner is the single path every edit takes (window, `edit`, `batch`), with no Qt in it. It
reports each change through `on_change` synchronously, before the next step, so a journal
listening there has the job on disk before a create is sent and the run id the moment it is known.
"""

from __future__ import annotations

import logging
import threading
from functools import partial
from glob import escape as glob_escape
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from desktop_editor.api.errors import (
    BadResultError,
    DownloadError,
    OutcomeUnknownError,
    RateLimitedError,
    RunflowError,
    RunTimeoutError,
    ServiceUnavailableError,
    ServiceUnreachableError,
    UnreadableAnswerError,
    WaitAborted,
    advice_for,
)
from desktop_editor.api.runs import Run
from desktop_editor.core.cpu import image_work
from desktop_editor.core.filenames import safe_filename, write_numbered_file
from desktop_editor.core.images import ImageLoadError
from desktop_editor.core.masks import MaskError
from desktop_editor.core.params import ParamsError
from desktop_editor.jobs.model import CANCELED_ADVICE, CANCELED_ERROR, EditJob, JobState, raw_answer_text
from desktop_editor.jobs.paths import job_dir, rescued_results_dir
from desktop_editor.jobs.prepare import (
    Preloaded,
    PreparedEdit,
    ResultPreview,
    finish_result,
    plan_finish,
    prepare_edit,
)
from desktop_editor.jobs.provenance_stamp import limited_to_mask, stamp_result, with_encoded_provenance

if TYPE_CHECKING:  # the client (and requests) loads when a service is connected, not at start
    from desktop_editor.api.client import ResultImage, RunflowClient

log = logging.getLogger(__name__)

ChangeListener = Callable[[EditJob], None]
# A result composited in memory, before its file is written: the job, the result's index, the image.
PreviewListener = Callable[[EditJob, int, ResultPreview], None]


_UNREACHABLE = (ServiceUnreachableError, ServiceUnavailableError, RateLimitedError)
_RUN_STATES = {"queued": JobState.QUEUED, "dispatching": JobState.QUEUED, "running": JobState.RUNNING}


class _CalledOff(Exception):
    """The designer stopped the job before its create left: nothing sent, nothing charged."""


class JobRunner:
    """Carries jobs through their stages with one client. Safe to use from several threads at once."""

    def __init__(self, client: RunflowClient, on_change: ChangeListener | None = None,
                 on_preview: PreviewListener | None = None):
        self.client = client
        self._on_change = on_change
        self._on_preview = on_preview

    def _set(self, job: EditJob, state: JobState, **fields) -> None:
        job.state = state
        for name, value in fields.items():
            setattr(job, name, value)
        job.touch()
        if self._on_change is not None:
            self._on_change(job.snapshot())

    def run(self, job: EditJob, cancel: threading.Event | None = None, preloaded: Preloaded | None = None) -> EditJob:
        """Carry `job` to a final state and return it. Never raises for service or input trouble:
        the outcome is in `job.state`, `job.error` and `job.advice`. `preloaded`: the job's inputs
        already decoded (see `prepare_edit`)."""
        cancel = cancel or threading.Event()
        prepared: PreparedEdit | None = None
        try:
            if cancel.is_set() and not job.run_id:
                raise _CalledOff()
            self._set(job, JobState.PREPARING)
            job.params.check(len(job.image_paths))
            with image_work():
                prepared = prepare_edit(job, preloaded)
            job.sent_size = prepared.sent_size
            if job.options.style == "direct":
                results = self._send_direct(job, prepared)
            else:
                run = self.client.get_run(job.run_id, cancel=cancel) if job.run_id else self._send(job, prepared, cancel)
                with image_work():  # while the service works, not once the result is awaited
                    plan_finish(prepared, job, copy_frame=True)
                run = self._wait(job, run, cancel)
                self._set(job, JobState.DOWNLOADING, cost=run.cost, run_status=run.status)
                results = self.client.fetch_results(run, cancel=cancel, folder=job_dir(job.id))
            self._save(job, prepared, results)
            self._set(job, JobState.DONE)
        except BadResultError as exc:
            # The results that passed the check are saved like any other; then the job ends
            # like an unreadable answer (over on the service, never sent again).
            self._save_passed(job, prepared, exc)
            self._unreadable(job, exc, kept=[r.kept for r in exc.rejected if r.kept is not None])
        except UnreadableAnswerError as exc:
            self._unreadable(job, exc, kept=[])
        except (ParamsError, ImageLoadError, MaskError) as exc:
            if job.state is JobState.DOWNLOADING:  # a result the check let through that compositing could not read
                self._unreadable(job, UnreadableAnswerError(str(exc), run_id=job.run_id, raw_answer=None), kept=[])
            elif self._sent(job):
                self._set(job, JobState.FAILED, error=f"{exc} {_created(job)}", failure_kind="refused")
            else:
                self._set(job, JobState.FAILED, error=str(exc), failure_kind="input", advice="Nothing was sent.")
        except _CalledOff:
            self._set(job, JobState.CANCELED, error=CANCELED_ERROR, advice=CANCELED_ADVICE)
        except OutcomeUnknownError as exc:
            self._set(
                job,
                JobState.OUTCOME_UNKNOWN,
                error=str(exc),
                raw_answer=raw_answer_text(exc.raw_answer) if exc.raw_answer is not None else job.raw_answer,
                advice="Check your Runflow account before sending it again on purpose.",
            )
        except (WaitAborted, RunTimeoutError) as exc:
            # Said once: the state is "Stopped waiting", the advice says what that means; a
            # timeout adds how long it waited, a stop by the designer adds nothing.
            error = str(exc) if isinstance(exc, RunTimeoutError) else None
            self._set(job, JobState.STOPPED, error=error, advice="The service may still finish and charge this edit.")
        except (*_UNREACHABLE, DownloadError) as exc:
            if job.run_id:
                # The run exists and only the road to its result is down (or too slow): the job
                # goes on later without any risk of paying twice.
                self._set(job, JobState.OFFLINE, error=f"{exc} {_created(job)}", failure_kind="unreachable",
                          advice="It will go on when the service is reachable (`desktop-editor jobs resume`).")
            elif self._sent(job):  # a direct-style answer whose images could not be fetched
                self._set(job, JobState.FAILED, error=f"{exc} {_created(job)}", failure_kind="unreachable")
            elif cancel.is_set() and isinstance(exc, ServiceUnreachableError):
                # Stopped while the service could not be reached: nothing was taken, so it is
                # called off rather than left waiting to be sent.
                self._set(job, JobState.CANCELED, error=CANCELED_ERROR, advice=CANCELED_ADVICE)
            elif isinstance(exc, ServiceUnreachableError):
                self._set(job, JobState.OFFLINE, error=str(exc), failure_kind="unreachable",
                          advice="It will go on when the service is reachable.")
            else:
                self._set(job, JobState.FAILED, error=str(exc), failure_kind="unreachable", advice=advice_for(exc) or None)
        except RunflowError as exc:
            error = f"{exc} {_created(job)}" if self._sent(job) else str(exc)
            self._set(job, JobState.FAILED, error=error, failure_kind="refused", advice=advice_for(exc) or None)
        except OSError as exc:  # disk full, folder not writable, ...
            error = f"The result could not be saved: {exc}"
            self._set(job, JobState.FAILED, error=f"{error} {_created(job)}" if self._sent(job) else error, failure_kind="disk")
        finally:
            if prepared is not None:
                prepared.drop_ahead()
        return job

    @staticmethod
    def _sent(job: EditJob) -> bool:
        """Whether the service took the create: a run id is known, or a direct answer came
        (downloading). A create refused (4xx) or of unknown fate is not this: see those branches."""
        return bool(job.run_id) or job.state is JobState.DOWNLOADING

    def _unreadable(self, job: EditJob, exc: UnreadableAnswerError, *, kept: list[Path]) -> None:
        """Final and honest: the run is over on the service (maybe charged), no readable image
        came of it, and sending it again would pay twice. What it said is kept with the job."""
        reference = f"run {job.run_id}" if job.run_id else f"reference {job.client_ref}"
        advice = "It may have been charged. The answer is kept with the job: copy it from the history."
        if kept:
            advice = f"{advice} The bytes it sent are kept in {kept[0].parent}."
        raw = raw_answer_text(exc.raw_answer) if exc.raw_answer is not None else job.raw_answer
        self._set(job, JobState.UNREADABLE, error=f"{exc} (The run was created: {reference}.)",
                  raw_answer=raw, failure_kind="unreadable", advice=advice)

    def _save_passed(self, job: EditJob, prepared: PreparedEdit, exc: BadResultError) -> None:
        """Save the results of a run that did pass the check, so no good paid image is lost."""
        if not exc.results:
            return
        try:
            self._save(job, prepared, exc.results)
        except (OSError, ImageLoadError):  # the job still ends unreadable; what was saved is listed
            log.warning("could not save the usable results of job %s", job.id, exc_info=True)

    def resume(self, job: EditJob, cancel: threading.Event | None = None) -> EditJob:
        """Pick up a journaled job whose run id is known: wait for it and download its results."""
        if not job.run_id:
            raise ValueError("only a job with a run id can be resumed")
        return self.run(job, cancel)

    def _upload(self, job: EditJob, prepared: PreparedEdit, cancel: threading.Event | None = None) -> dict:
        """The model input, with every image and the mask turned into URLs the model can read."""
        self._set(job, JobState.UPLOADING)
        try:
            urls = [self.client.media_url(u.data, filename=u.filename, mime_type=u.mime_type, cancel=cancel)
                    for u in prepared.images]
            mask_url = None
            if prepared.mask_upload is not None:
                m = prepared.mask_upload
                mask_url = self.client.media_url(m.data, filename=m.filename, mime_type=m.mime_type, cancel=cancel)
        except WaitAborted as exc:  # uploads create nothing that is charged
            raise _CalledOff() from exc
        return job.params.model_input(urls, mask_url)

    def _send(self, job: EditJob, prepared: PreparedEdit, cancel: threading.Event) -> Run:
        model_input = self._upload(job, prepared, cancel)
        if cancel.is_set():
            raise _CalledOff()
        self._set(job, JobState.SENDING)  # journaled before the paid request leaves
        try:
            run = self.client.create_run(
                job.params.model, model_input, client_ref=job.client_ref, metadata={"app": "desktop-editor"}, cancel=cancel
            )
        except WaitAborted as exc:  # stopped between retries of a create the service did not take
            raise _CalledOff() from exc
        self._set(job, _RUN_STATES.get(run.status, JobState.QUEUED), run_id=run.id, run_status=run.status or None)
        return run

    def _wait(self, job: EditJob, run: Run, cancel: threading.Event) -> Run:
        if run.is_terminal:
            return self.client.check_terminal(run)

        def on_update(update: Run) -> None:
            if update.is_terminal or not update.status:
                return
            # A status no source names is shown as the service says it, while polling goes on.
            state = _RUN_STATES.get(update.status, JobState.RUNNING)
            if state is not job.state or update.status != job.run_status:
                self._set(job, state, run_status=update.status)

        return self.client.wait_for_run(run.id, timeout=job.options.timeout, on_update=on_update, cancel=cancel)

    def _send_direct(self, job: EditJob, prepared: PreparedEdit) -> list[ResultImage]:
        model_input = self._upload(job, prepared)
        self._set(job, JobState.RUNNING)
        answer = self.client.run_direct(job.params.model, model_input, client_ref=job.client_ref)
        fields = answer if isinstance(answer, dict) else {}
        request_id = fields.get("request_id") if isinstance(fields.get("request_id"), str) else None
        self._set(job, JobState.DOWNLOADING, run_id=request_id, cost=_cost(fields))
        return self.client.results_from_direct(answer, folder=job_dir(job.id))

    def _save(self, job: EditJob, prepared: PreparedEdit, results: list[ResultImage]) -> None:
        stem = safe_filename(Path(job.image_paths[0]).stem, default="image")
        out_dir = Path(job.options.out_dir)
        limited = limited_to_mask(job, mask_used=prepared.mask is not None, region=prepared.box is not None)
        source = prepared.original.source
        source_xmp = (source.xmp if source is not None else None) or prepared.original.info.get("xmp")
        prepared.original.source = with_encoded_provenance(source, job, limited=limited)
        for result in results:
            if result.index < len(job.result_paths) and Path(job.result_paths[result.index]).is_file():
                continue  # saved before an interruption; files are written whole or not at all
            on_preview = None
            if self._on_preview is not None:  # the listener must not raise (the manager's catches)
                on_preview = partial(self._on_preview, job.snapshot(), result.index)
            with image_work():
                data, ext, note = finish_result(prepared, job, result.data, on_preview=on_preview, pixels=result.pixels)
                data, stamp_note = stamp_result(data, job, limited=limited, source_xmp=source_xmp)
            note = note or stamp_note
            if note:
                job.advice = note
            if not (job.options.keep_unmasked or prepared.box):
                ext = result.file_name.rpartition(".")[2] or ext
            # One numbering per image, whatever the format: cat-edit-1.jpg, cat-edit-2.png, ...
            name = f"{stem}-edit"
            # A crash between writing a file and journaling it leaves the file unregistered:
            # find it again rather than saving the same paid image twice.
            path = _identical_file(out_dir, name, ext, data, exclude=job.result_paths)
            if path is not None:
                job.result_paths.append(path)
                self._set(job, JobState.DOWNLOADING)
                continue
            try:
                path = write_numbered_file(out_dir, name, ext, data)
            except OSError as exc:  # full disk, read-only or vanished folder: keep the paid result anyway
                path = write_numbered_file(rescued_results_dir(), name, ext, data)
                job.advice = f"{out_dir} could not be written ({exc.strerror or exc}); the result was kept in {path.parent}."
            job.result_paths.append(path)
            self._set(job, JobState.DOWNLOADING)


def _identical_file(folder: Path, stem: str, ext: str, data: bytes, exclude: list[Path]) -> Path | None:
    """An existing `stem-N.ext` in `folder` holding exactly `data`, other than those in `exclude`."""
    taken = {Path(p) for p in exclude}
    for candidate in folder.glob(f"{glob_escape(stem)}-*.{glob_escape(ext)}"):
        if candidate in taken:
            continue
        try:
            if candidate.stat().st_size == len(data) and candidate.read_bytes() == data:
                return candidate
        except OSError:
            continue
    return None


def _created(job: EditJob) -> str:
    """The sentence every failure after an accepted create carries."""
    reference = f"run {job.run_id}" if job.run_id else f"reference {job.client_ref}"
    return f"The run was created and may be charged ({reference})."


def _cost(answer: dict) -> float | None:
    value = answer.get("cost")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

