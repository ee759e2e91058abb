"""What a job is: the designer's request, where it stands, and what it produced.

One job is one paid create. Its state names the stage it is in, so that the window, the command
line and the journal all tell the same story (send, generate, receive).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path

from desktop_editor.core.params import EditParams


class JobState(str, Enum):
    PENDING = "pending"  # journaled, nothing sent yet
    OFFLINE = "offline"  # waiting for the service to be reachable before sending
    PREPARING = "preparing"
    UPLOADING = "uploading"
    SENDING = "sending"  # the create is on the wire: from here on, its fate may be unknown
    QUEUED = "queued"
    RUNNING = "running"
    DOWNLOADING = "downloading"
    DONE = "done"
    FAILED = "failed"
    OUTCOME_UNKNOWN = "outcome_unknown"
    UNREADABLE = "unreadable"  # the run finished (maybe charged) but its answer held no image we could read
    STOPPED = "stopped"  # the user stopped waiting; the service may still finish and charge
    CANCELED = "canceled"  # called off before anything was sent: nothing charged

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATES

    @property
    def label(self) -> str:
        return _LABELS[self]


class StopOutcome(str, Enum):
    """What a Stop did to a job, so the window and the command line say what it cost."""

    CANCELED = "canceled"  # never sent: called off for good in the journal, nothing charged
    STOPPED_WAITING = "stopped_waiting"  # possibly sent: no longer waited for, the service may charge it
    FINISHED = "finished"  # it had already ended; nothing to stop
    ELSEWHERE = "elsewhere"  # another live process runs it and it may have been sent: theirs to stop
    UNKNOWN = "unknown"  # no such job


def never_sent(job: EditJob) -> bool:
    """True while no create of this job can have reached the service: cancelling it is free."""
    return job.state in NEVER_SENT_STATES and not job.run_id


FINAL_STATES = frozenset(
    {JobState.DONE, JobState.FAILED, JobState.OUTCOME_UNKNOWN, JobState.UNREADABLE, JobState.STOPPED, JobState.CANCELED}
)
# Before SENDING is journaled no create has left: such jobs can always be sent after a crash,
# and called off for good (see JobStore.cancel_unsent). An OFFLINE job with a run id was sent.
NEVER_SENT_STATES = frozenset({JobState.PENDING, JobState.OFFLINE, JobState.PREPARING, JobState.UPLOADING})

# What a job called off before sending says: no error (the designer chose it; the state's label
# says so), and one sentence of advice. Any error of an earlier attempt is cleared with it.
CANCELED_ERROR: str | None = None
CANCELED_ADVICE = "Nothing was sent to the service, so nothing was charged, and it will not be sent later."

_LABELS = {
    JobState.PENDING: "Pending",
    JobState.OFFLINE: "Offline, will send when the service is reachable",
    JobState.PREPARING: "Preparing",
    JobState.UPLOADING: "Uploading",
    JobState.SENDING: "Sending",
    JobState.QUEUED: "Queued",
    JobState.RUNNING: "Running",
    JobState.DOWNLOADING: "Downloading",
    JobState.DONE: "Done",
    JobState.FAILED: "Failed",
    JobState.OUTCOME_UNKNOWN: "Outcome unknown, may have been charged",
    JobState.UNREADABLE: "Finished, but the answer held no image we could read",
    JobState.STOPPED: "Stopped waiting",
    JobState.CANCELED: "Cancelled before sending, not charged",
}


@dataclass(frozen=True)
class JobOptions:
    """How a job is sent and how its results are saved."""

    out_dir: Path = Path(".")
    keep_unmasked: bool = False  # composite results into the original through the mask
    feather: float = 0.0
    colour_match: bool = False
    style: str = "run"  # "run" (documented) or "direct" (compatibility mode)
    rescale_mask: bool = False
    region_padding: int | None = None  # None: send the whole image; else the mask's region plus this padding
    timeout: float | None = None
    # The file the designer opened (the job's input is a snapshot of it): a result shows in that
    # image's tab, and reopening the edit finds the tab again. None for images never saved.
    source_image: str | None = None
    # The first image (or its region) is sent at exactly this (width, height): an expansion picks
    # a size that obeys the model's rules. None: scaled only as far as the limits require.
    send_size: tuple[int, int] | None = None
    # Pixels added per side (left, top, right, bottom; negative: cropped) when this job expands the
    # canvas: its image is the expanded canvas, its results the canvas's size.
    expansion: tuple[int, int, int, int] | None = None
    # How a re-encoded (composited or placed) result is saved: core.export.SAVE_FORMATS.
    save_format: str = "source"
    # Say in each saved file that AI made it (XMP, IPTC Digital Source Type); the prompt only
    # when the designer allows it (prompts can be private).
    provenance: bool = True
    prompt_in_provenance: bool = False
    # Also write the results as layers over the original beside them: "psd", "ora" or None.
    layers: str | None = None


RAW_ANSWER_LIMIT = 2 * 1024 * 1024  # characters kept of an answer we could not read


def raw_answer_text(answer: object) -> str:
    """An answer as JSON text for the history, cut at RAW_ANSWER_LIMIT characters (said so)."""
    try:
        text = json.dumps(answer, ensure_ascii=False, indent=2)
    except (TypeError, ValueError):
        text = repr(answer)
    if len(text) > RAW_ANSWER_LIMIT:
        text = text[:RAW_ANSWER_LIMIT] + f"\n... (cut: the answer had {len(text):,} characters)"
    return text


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class EditJob:
    """One edit from request to saved files. Mutated only by the runner that owns it."""

    params: EditParams
    image_paths: list[Path]
    mask_path: Path | None = None
    options: JobOptions = field(default_factory=JobOptions)
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    client_ref: str = field(default_factory=lambda: f"de-{uuid.uuid4()}")
    source: str = "cli"
    state: JobState = JobState.PENDING
    run_id: str | None = None
    run_status: str | None = None
    cost: float | None = None
    error: str | None = None
    failure_kind: str | None = None  # "input" (nothing sent), "refused", "unreachable", "disk"
    advice: str | None = None
    result_paths: list[Path] = field(default_factory=list)
    sent_size: tuple[int, int] | None = None
    raw_answer: str | None = None  # the service's answer as JSON text, kept when we could not use it
    starred: bool = False
    created_at: str = field(default_factory=_now)
    updated_at: str = field(default_factory=_now)
    # Not stored: set on a job another process is running (see jobs.leases), e.g.
    # "running in another window (pid 4242)"; such a job is followed here read-only.
    elsewhere: str | None = field(default=None, compare=False)

    def snapshot(self) -> EditJob:
        """A copy safe to hand to another thread."""
        return replace(self, image_paths=list(self.image_paths), result_paths=list(self.result_paths))

    def touch(self) -> None:
        self.updated_at = _now()
