"""`desktop-editor batch` and `desktop-editor jobs`: many edits on the same journaled job system.

A batch is journaled whole before the first create leaves, so a crash, a kill or a closed laptop
loses nothing: `jobs resume` waits for what was in flight and sends what never left. Ctrl+C
once stops sending; twice stops waiting (the runs stay resumable).
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TextIO

from desktop_editor.jobs.manager import JobManager
from desktop_editor.jobs.model import EditJob, JobOptions, JobState
from desktop_editor.jobs.store import JobStore

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_UNREACHABLE, EXIT_UNKNOWN, EXIT_RESCUED = 0, 1, 2, 3, 4, 5


class BatchProgress:
    """A live bar on a terminal (tqdm), plain lines otherwise, e.g. in CI logs or pipes."""

    def __init__(self, total: int, stream: TextIO = sys.stderr, *, quiet: bool = False):
        self.total = total
        self.stream = stream
        self.quiet = quiet
        self.started = time.monotonic()
        self.states: dict[str, JobState] = {}
        self.costs: dict[str, float] = {}
        self._lock = threading.Lock()
        self._bar = None
        if not quiet and stream.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, file=stream, unit="image", dynamic_ncols=True, smoothing=0.1)

    def counts(self) -> tuple[int, int, int]:
        done = sum(1 for s in self.states.values() if s is JobState.DONE)
        failed = sum(1 for s in self.states.values() if s.is_final and s is not JobState.DONE)
        running = sum(1 for s in self.states.values() if not s.is_final and s is not JobState.PENDING)
        return done, failed, running

    @property
    def spent(self) -> float:
        return sum(self.costs.values())

    def __call__(self, job: EditJob) -> None:
        with self._lock:
            before = self.states.get(job.id)
            self.states[job.id] = job.state
            if job.cost is not None:
                self.costs[job.id] = job.cost
            if self.quiet or before is job.state:
                return
            done, failed, running = self.counts()
            if self._bar is not None:
                finished = done + failed
                self._bar.update(finished - self._bar.n)
                self._bar.set_postfix_str(f"done {done} · failed {failed} · running {running} · ${self.spent:.2f}")
            elif job.state.is_final or job.state in (JobState.QUEUED,):
                elapsed = time.monotonic() - self.started
                finished = done + failed
                eta = ""
                if finished and finished < self.total:
                    eta = f" · about {elapsed / finished * (self.total - finished):.0f}s left"
                name = job.image_paths[0].name if job.image_paths else job.id
                print(
                    f"[{elapsed:6.1f}s] {finished}/{self.total} {name}: {job.state.label}"
                    f" (done {done}, failed {failed}, running {running}, spent ${self.spent:.2f}{eta})",
                    file=self.stream,
                    flush=True,
                )

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def rescued_files(job: EditJob) -> list[Path]:
    """Results of `job` that are not in its output folder: kept in the app's rescue folder
    because the output folder was full, read-only or gone."""
    from desktop_editor.core.filenames import inside

    out_dir = Path(job.options.out_dir)
    return [Path(p) for p in job.result_paths if not inside(out_dir, Path(p))]


def job_report(job: EditJob) -> dict:
    return {
        "job_id": job.id,
        "image": str(job.image_paths[0]) if job.image_paths else None,
        "status": job.state.value,
        "run_id": job.run_id,
        "client_ref": job.client_ref,
        "run_status": job.run_status,
        "cost": job.cost,
        "files": [str(p) for p in job.result_paths],
        "out_dir": str(job.options.out_dir),
        "rescued": [str(p) for p in rescued_files(job)],
        "running_elsewhere": job.elsewhere if not job.state.is_final else None,
        "error": job.error,
    }


def exit_code(job: EditJob) -> int:
    """The exit code one job asks for: 0 done, 5 done with results in the rescue folder, ..."""
    if job.state is JobState.DONE:
        return EXIT_RESCUED if rescued_files(job) else EXIT_OK
    if job.elsewhere and not job.state.is_final:
        return EXIT_OK  # another window or command is running it; nothing went wrong here
    if job.state in (JobState.OUTCOME_UNKNOWN, JobState.STOPPED, JobState.UNREADABLE):
        return EXIT_UNKNOWN  # may have been charged: a script must not simply send it again
    return {"input": EXIT_USAGE, "unreachable": EXIT_UNREACHABLE}.get(job.failure_kind or "", EXIT_REFUSED)


def worst_exit_code(jobs: list[EditJob]) -> int:
    """Unknown outcomes matter most (money), then unreachable, refused, bad input, and then
    results that are not where they were asked for (rescued)."""
    codes = {exit_code(j) for j in jobs}
    for code in (EXIT_UNKNOWN, EXIT_UNREACHABLE, EXIT_REFUSED, EXIT_USAGE, EXIT_RESCUED):
        if code in codes:
            return code
    return EXIT_OK


class _Interrupts:
    """Counts Ctrl+C presses. The handler only counts: it runs between any two bytecodes of the
    main thread, possibly while that thread holds a lock, so the acting is left to the wait loop."""

    def __init__(self):
        self.count = 0
        self._previous = None

    def __enter__(self) -> _Interrupts:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _on_sigint(self, _signum, _frame) -> None:
        self.count += 1


def run_jobs(manager: JobManager, jobs: list[EditJob], *, progress: BatchProgress, stream: TextIO) -> list[EditJob]:
    """Submit (journaled at once), then wait. First Ctrl+C: stop sending new edits, keep waiting for
    those already paid for. Second: stop waiting (the runs stay resumable)."""
    manager.add_listener(progress)
    handled = 0
    with _Interrupts() as interrupts:
        for job in jobs:
            manager.submit(job)
        while not manager.wait_all(timeout=0.2):
            if interrupts.count > handled == 0:
                handled = 1
                canceled = manager.cancel_pending()
                print(
                    f"\nStopping: {len(canceled)} edits not sent. Waiting for the edits already paid for; "
                    "press Ctrl+C again to stop waiting (`desktop-editor jobs resume` picks them up later).",
                    file=stream,
                    flush=True,
                )
            elif interrupts.count > handled:
                running = manager.running()
                print(
                    f"\nStopped waiting for {len(running)} edits still running on the service; "
                    "`desktop-editor jobs resume` downloads their results later.",
                    file=stream,
                    flush=True,
                )
                manager.shutdown(stop_waiting=True, wait=True)
                break
    progress.close()
    store = manager.store
    return [store.get(j.id) or j for j in jobs] if store else jobs


def _state_text(job: EditJob) -> str:
    return job.elsewhere if job.elsewhere and not job.state.is_final else job.state.label


def print_summary(jobs: list[EditJob], stream: TextIO) -> None:
    """Counts by state, money spent, a line per job that did not finish here, and where every
    result that is not in its output folder went (with a warning line a script can grep)."""
    by_state: dict[str, int] = {}
    for job in jobs:
        text = _state_text(job)
        by_state[text] = by_state.get(text, 0) + 1
    spent = sum(j.cost or 0 for j in jobs)
    parts = ", ".join(f"{n} {label.lower()}" for label, n in sorted(by_state.items()))
    print(f"{len(jobs)} images: {parts}. Spent ${spent:.2f}.", file=stream)
    for job in jobs:
        if job.state is not JobState.DONE:
            name = job.image_paths[0].name if job.image_paths else job.id
            ref = f" [run {job.run_id}]" if job.run_id else f" [client_ref {job.client_ref}]"
            print(f"  {name}: {_state_text(job)}: {job.error or ''}{ref}", file=stream)
    rescued = [(job, path) for job in jobs for path in rescued_files(job)]
    if rescued:
        folders = sorted({str(path.parent) for _job, path in rescued})
        asked = sorted({str(job.options.out_dir) for job, _path in rescued})
        print(
            f"desktop-editor: warning: {len(rescued)} result{'s' if len(rescued) != 1 else ''} could not be written to "
            f"{', '.join(asked)} and {'were' if len(rescued) != 1 else 'was'} kept in {', '.join(folders)}:",
            file=stream,
        )
        for _job, path in rescued:
            print(f"  {path}", file=stream)


def write_report(path: Path, jobs: list[EditJob]) -> None:
    from desktop_editor.core.filenames import replace_file

    rescued = [str(p) for j in jobs for p in rescued_files(j)]
    report = {
        "jobs": [job_report(j) for j in jobs],
        "spent": round(sum(j.cost or 0 for j in jobs), 4),
        "rescued": rescued,  # results kept in the rescue folder, not in the output folder asked for
        "exit_code": worst_exit_code(jobs),
    }
    replace_file(path, json.dumps(report, indent=2).encode())


def describe(job: EditJob) -> str:
    lines = [
        f"job {job.id} ({job.source}) {job.state.label}",
        f"  created {job.created_at}, updated {job.updated_at}",
        f"  model {job.params.model}; prompt: {job.params.prompt!r}",
        *([f"  options: {', '.join(f'{k}={v}' for k, v in job.params.options.items())}"] if job.params.options else []),
        f"  images: {', '.join(str(p) for p in job.image_paths) or '-'}",
        f"  mask: {job.mask_path or '-'}",
        f"  run id: {job.run_id or '-'}; client_ref: {job.client_ref}",
        f"  cost: {'$%.3f' % job.cost if job.cost is not None else 'unknown'}",
    ]
    rescued = set(rescued_files(job))
    lines += [f"  file: {p}{' (rescued: the output folder could not be written)' if Path(p) in rescued else ''}"
              for p in job.result_paths]
    if job.error:
        lines.append(f"  error: {job.error}")
    if job.advice:
        lines.append(f"  note: {job.advice}")
    if job.raw_answer:
        lines.append("  the service's answer, as received:")
        lines += [f"    {line}" for line in job.raw_answer.splitlines()]
    return "\n".join(lines)


def list_line(job: EditJob) -> str:
    prompt = job.params.prompt if len(job.params.prompt) <= 40 else job.params.prompt[:39] + "…"
    cost = f"${job.cost:.3f}" if job.cost is not None else "-"
    line = f"{job.id}  {job.created_at[:19]}  {job.source:5}  {job.state.value:15}  {cost:>7}  {prompt}"
    return f"{line}  [{job.elsewhere}]" if job.elsewhere and not job.state.is_final else line


def options_for(args, out_dir: Path) -> JobOptions:
    """Job options from the command line; the output folder is made absolute, so that a job
    resumed from another working folder still saves where it was asked to."""
    return JobOptions(
        out_dir=Path(out_dir).expanduser().absolute(),
        keep_unmasked=args.keep_unmasked,
        feather=args.feather,
        style=args.style,
        rescale_mask=args.rescale_mask,
        timeout=args.timeout,
        save_format=save_format_for(args),
    )


def save_format_for(args) -> str:
    """--save-format, else like the source; a --format of jpeg or webp asked for is kept."""
    if getattr(args, "save_format", None):
        return args.save_format
    return "service" if getattr(args, "output_format", "png") in ("jpeg", "webp") else "source"


def open_store() -> JobStore:
    from desktop_editor.jobs.leases import COMMAND
    from desktop_editor.jobs.paths import history_path

    return JobStore(history_path(), owner_kind=COMMAND)


def wait_for(manager: JobManager, *, follow: bool) -> None:
    """Until every job this command runs is final and, with `follow`, every job it follows for
    another process is final or taken over and final (`jobs resume` after the owner died)."""
    while True:
        while not manager.wait_all(timeout=0.2):
            pass
        if not (follow and manager.followed()):
            return
        while follow and manager.followed():
            time.sleep(0.2)
        # A job taken over from a gone owner is registered here before it stops being followed:
        # the next round waits for it.
