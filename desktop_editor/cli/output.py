"""What every command prints: one error line, progress on stderr, summaries and JSON reports.

Errors are one clear line on stderr; progress goes to stderr too, so a script's stdout holds
only result paths or JSON.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path
from typing import TextIO

from desktop_editor.cli.status_codes import rescued_files, worst_exit_code
from desktop_editor.jobs.model import EditJob, JobState


def fail(message: str, code: int) -> int:
    """Print `message` as the one error line on stderr; return `code` to exit with."""
    print(f"desktop-editor: {message}", file=sys.stderr)
    return code


class EditProgress:
    """One line per stage on stderr, so a script's stdout stays clean."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.started = time.monotonic()
        self.last: tuple | None = None

    def __call__(self, job) -> None:
        key = (job.state, job.run_status, len(job.result_paths))
        if self.quiet or key == self.last:
            return
        self.last = key
        elapsed = time.monotonic() - self.started
        detail = f" run {job.run_id}" if job.run_id and job.state.value in ("queued", "running") else ""
        if job.result_paths and job.state.value == "downloading":
            detail = f" saved {job.result_paths[-1]}"
        print(f"[{elapsed:5.1f}s] {job.state.label}{detail}", file=sys.stderr)


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


def _described_cost(job: EditJob) -> str:
    shown = cost_column(job)
    if shown == "not charged":
        return "not charged (emulated in Demo mode)" if job.cost is not None else shown
    return "unknown" if shown == "-" else shown


def describe(job: EditJob) -> str:
    lines = [
        f"job {job.id} ({job.source}) {job.state.label}",
        f"  created {job.created_at}, updated {job.updated_at}",
        f"  model {job.params.model}; prompt: {job.params.prompt!r}",
        *([f"  options: {', '.join(f'{k}={v}' for k, v in job.params.options.items())}"] if job.params.options else []),
        f"  images: {', '.join(str(p) for p in job.image_paths) or '-'}",
        f"  mask: {job.mask_path or '-'}",
        f"  run id: {job.run_id or '-'}; client_ref: {job.client_ref}",
        f"  cost: {_described_cost(job)}",
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


def cost_column(job: EditJob) -> str:
    """What a job cost, as the window says it: emulated (Demo mode) and cancelled-before-sending
    jobs are "not charged", whatever price the emulator reported; "-" while unknown."""
    from desktop_editor.jobs.model import JobState
    from desktop_editor.jobs.service import DEMO_SOURCE

    if job.source == DEMO_SOURCE or job.state is JobState.CANCELED:
        return "not charged"
    return f"${job.cost:.3f}" if job.cost is not None else "-"


def list_line(job: EditJob) -> str:
    prompt = job.params.prompt if len(job.params.prompt) <= 40 else job.params.prompt[:39] + "…"
    line = f"{job.id}  {job.created_at[:19]}  {job.source:5}  {job.state.value:15}  {cost_column(job):>11}  {prompt}"
    return f"{line}  [{job.elsewhere}]" if job.elsewhere and not job.state.is_final else line
