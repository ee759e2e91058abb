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
from desktop_editor.core.filenames import safe_filename, write_new_file
from desktop_editor.core.images import ImageLoadError
from desktop_editor.core.masks import MaskError
from desktop_editor.core.params import ParamsError
from desktop_editor.jobs.model import CANCELED_ADVICE, CANCELED_ERROR, EditJob, JobState, raw_answer_text
from desktop_editor.jobs.paths import rescued_results_dir
from desktop_editor.jobs.prepare import (
    Preloaded,
    PreparedEdit,
    ResultPreview,
    finish_result,
    plan_finish,
    prepare_edit,
)
from desktop_editor.jobs.provenance_stamp import limited_to_mask, stamp_result

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
                run = self.client.get_run(job.run_id) if job.run_id else self._send(job, prepared, cancel)
                with image_work():  # while the service works, not once the result is awaited
                    plan_finish(prepared, job)
                run = self._wait(job, run, cancel)
                self._set(job, JobState.DOWNLOADING, cost=run.cost, run_status=run.status)
                results = self.client.fetch_results(run, cancel=cancel)
            self._save(job, prepared, results)
            self._set(job, JobState.DONE)
        except (ParamsError, ImageLoadError, MaskError) as exc:
            self._set(job, JobState.FAILED, error=str(exc), failure_kind="input", advice="Nothing was sent.")
        except _CalledOff:
            self._set(job, JobState.CANCELED, error=CANCELED_ERROR, advice=CANCELED_ADVICE)
        except UnreadableAnswerError as exc:
            # Never offline, never re-sent: the run is over on the service and sending it again
            # would pay twice. What it said is kept, for the designer or for Runflow's support.
            reference = f"run {job.run_id}" if job.run_id else f"reference {job.client_ref}"
            self._set(
                job,
                JobState.UNREADABLE,
                error=f"{exc} ({reference}).",
                raw_answer=raw_answer_text(exc.raw_answer),
                failure_kind="unreadable",
                advice="It may have been charged. The answer is kept with the job: copy it from the history.",
            )
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
            if cancel.is_set() and not job.run_id and isinstance(exc, ServiceUnreachableError):
                # Stopped while the service could not be reached: nothing was taken, so it is
                # called off rather than left waiting to be sent.
                self._set(job, JobState.CANCELED, error=CANCELED_ERROR, advice=CANCELED_ADVICE)
            elif job.run_id or isinstance(exc, ServiceUnreachableError):
                # Nothing was created yet, or the run exists and only the road to it is down:
                # either way the job can go on later without any risk of paying twice.
                self._set(job, JobState.OFFLINE, error=str(exc), failure_kind="unreachable",
                          advice="It will go on when the service is reachable.")
            else:
                self._set(job, JobState.FAILED, error=str(exc), failure_kind="unreachable", advice=advice_for(exc) or None)
        except RunflowError as exc:
            kind = "refused"
            self._set(job, JobState.FAILED, error=str(exc), failure_kind=kind, advice=advice_for(exc) or None)
        except OSError as exc:  # disk full, folder not writable, ...
            self._set(job, JobState.FAILED, error=f"The result could not be saved: {exc}", failure_kind="disk")
        return job

    def resume(self, job: EditJob, cancel: threading.Event | None = None) -> EditJob:
        """Pick up a journaled job whose run id is known: wait for it and download its results."""
        if not job.run_id:
            raise ValueError("only a job with a run id can be resumed")
        return self.run(job, cancel)

    def _upload(self, job: EditJob, prepared: PreparedEdit) -> dict:
        """The model input, with every image and the mask turned into URLs the model can read."""
        self._set(job, JobState.UPLOADING)
        try:
            urls = [self.client.media_url(u.data, filename=u.filename, mime_type=u.mime_type) for u in prepared.images]
            mask_url = None
            if prepared.mask_upload is not None:
                m = prepared.mask_upload
                mask_url = self.client.media_url(m.data, filename=m.filename, mime_type=m.mime_type)
        except WaitAborted as exc:  # uploads create nothing that is charged
            raise _CalledOff() from exc
        return job.params.model_input(urls, mask_url)

    def _send(self, job: EditJob, prepared: PreparedEdit, cancel: threading.Event) -> Run:
        model_input = self._upload(job, prepared)
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
        return self.client.results_from_direct(answer)

    def _save(self, job: EditJob, prepared: PreparedEdit, results: list[ResultImage]) -> None:
        stem = safe_filename(Path(job.image_paths[0]).stem, default="image")
        out_dir = Path(job.options.out_dir)
        for result in results:
            if result.index < len(job.result_paths) and Path(job.result_paths[result.index]).is_file():
                continue  # saved before an interruption; files are written whole or not at all
            on_preview = None
            if self._on_preview is not None:  # the listener must not raise (the manager's catches)
                on_preview = partial(self._on_preview, job.snapshot(), result.index)
            with image_work():
                data, ext, note = finish_result(prepared, job, result.data, on_preview=on_preview)
                limited = limited_to_mask(job, mask_used=prepared.mask is not None, region=prepared.box is not None)
                data, stamp_note = stamp_result(data, job, limited=limited, source_xmp=prepared.original.info.get("xmp"))
            note = note or stamp_note
            if note:
                job.advice = note
            if not (job.options.keep_unmasked or prepared.box):
                ext = result.file_name.rpartition(".")[2] or ext
            name = f"{stem}-edit-{result.index + 1}.{ext}"
            # A crash between writing a file and journaling it leaves the file unregistered:
            # find it again rather than saving the same paid image twice.
            path = _identical_file(out_dir, name, data)
            if path is not None:
                job.result_paths.append(path)
                self._set(job, JobState.DOWNLOADING)
                continue
            try:
                path = write_new_file(out_dir, name, data)
            except OSError as exc:  # full disk, read-only or vanished folder: keep the paid result anyway
                path = write_new_file(rescued_results_dir(), name, data)
                job.advice = f"{out_dir} could not be written ({exc.strerror or exc}); the result was kept in {path.parent}."
            job.result_paths.append(path)
            self._set(job, JobState.DOWNLOADING)


def _identical_file(folder: Path, name: str, data: bytes) -> Path | None:
    """An existing `name`, `name-2`, ... in `folder` holding exactly `data`."""
    stem, _, ext = name.rpartition(".")
    for candidate in folder.glob(f"{glob_escape(stem)}*.{glob_escape(ext)}"):
        try:
            if candidate.stat().st_size == len(data) and candidate.read_bytes() == data:
                return candidate
        except OSError:
            continue
    return None


def _cost(answer: dict) -> float | None:
    value = answer.get("cost")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

