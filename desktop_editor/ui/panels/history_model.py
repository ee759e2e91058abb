"""The history list's item model: stored jobs as rows, and the words a row says about a job.

Kept apart from the panel and its delegate (as napari keeps item models beside, not inside,
its widgets): what a job cost or when it ran is worded here once, for the row, its tooltip
and the tests, without a widget in sight.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from desktop_editor.core.params import MODELS
from desktop_editor.jobs.model import EditJob, JobState
from desktop_editor.jobs.service import DEMO_SOURCE
from desktop_editor.ui.panels.job_list import JobListModel

__all__ = ["HistoryModel", "cost_line", "format_date", "is_demo", "model_label", "thumbnail_path"]


def is_demo(job: EditJob) -> bool:
    """Whether the built-in emulator ran this job (shown, never counted as spending)."""
    return job.source == DEMO_SOURCE


def cost_line(job: EditJob) -> tuple[str, str]:
    """What this attempt cost, in words, and the tone to show it in."""
    if is_demo(job):
        return "emulated, not charged", "muted"
    if job.cost is not None:
        return f"${job.cost:.3f}", "ok" if job.state is JobState.DONE else "warning"
    if job.state in (JobState.OUTCOME_UNKNOWN, JobState.UNREADABLE):
        return "may have been charged", "warning"
    if job.state is JobState.STOPPED:
        return "may still be charged", "warning"
    if job.state is JobState.FAILED and job.failure_kind == "input":
        return "nothing sent, not charged", "muted"
    if job.state.is_final:
        return "no charge reported", "muted"
    return "in progress", "muted"


def format_date(iso: str) -> str:
    """A stored ISO time in the local zone, as a row shows it (the raw text if unreadable)."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%d %b %Y, %H:%M")
    except ValueError:
        return iso


def thumbnail_path(job: EditJob) -> Path | None:
    """The first result when there is one, else the input."""
    if job.result_paths:
        return Path(job.result_paths[0])
    return Path(job.image_paths[0]) if job.image_paths else None


class HistoryModel(JobListModel):
    """Stored jobs (newest first); `JobRole` gives the EditJob."""

    def role_data(self, job: EditJob, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return job.params.prompt or model_label(job)
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [job.params.prompt or model_label(job), f"{job.state.label}. {cost_line(job)[0]}"]
            if job.error:
                lines.append(job.error)
            lines.append(f"Reference {job.client_ref}" + (f" · run {job.run_id}" if job.run_id else ""))
            return "\n".join(lines)
        return None

    def set_jobs(self, jobs: list[EditJob]) -> None:
        self.beginResetModel()
        self._jobs = list(jobs)
        self.endResetModel()

    def replace(self, job: EditJob) -> None:
        for row, old in enumerate(self._jobs):
            if old.id == job.id:
                self._jobs[row] = job
                self.dataChanged.emit(self.index(row), self.index(row))
                return


def model_label(job: EditJob) -> str:
    """The model's name as the designer knows it, for a row without a prompt."""
    spec = MODELS.get(job.params.model)
    return spec.label if spec else job.params.model
