"""The edit flow's plain parts: what the session keeps of sent edits, and how an ending reads."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from desktop_editor.core.params import EditParams
from desktop_editor.jobs.model import EditJob, JobState
from desktop_editor.ui.flow.job_endings import ending_message
from desktop_editor.ui.flow.sent_jobs import SentJobs


def _job(state: JobState, **fields) -> EditJob:
    return EditJob(params=EditParams(prompt="make it dusk"), image_paths=[Path("/x/a.png")], state=state, **fields)


def test_a_job_never_sent_leaves_nothing_behind():
    sent, image, other = SentJobs(), object(), object()
    for job_id, document in (("a", image), ("b", other)):
        sent.documents[job_id] = document
        sent.masks[job_id] = np.zeros((2, 2), np.uint8)
        sent.sent_at[job_id] = 1.0
        sent.input_thumbnails[job_id] = object()
    sent.forget("a")
    assert list(sent.documents) == list(sent.masks) == list(sent.sent_at) == list(sent.input_thumbnails) == ["b"]


def test_a_closed_image_lets_go_of_its_jobs_only():
    sent, image, other = SentJobs(), object(), object()
    sent.documents.update({"a": image, "b": other, "c": image})
    sent.sent_at.update({"a": 1.0, "c": 2.0})
    sent.forget_document(image)
    assert sent.documents == {"b": other}
    assert sent.sent_at == {"a": 1.0, "c": 2.0}  # still timed: their results arrive unattached


def test_an_ending_says_what_it_may_have_cost():
    assert ending_message(_job(JobState.FAILED, error="bad mask")) == "Edit failed: bad mask"
    assert ending_message(_job(JobState.FAILED)) == "Edit failed: no reason given"
    assert "may have been accepted and charged" in ending_message(_job(JobState.OUTCOME_UNKNOWN))
    assert "may still finish and charge it" in ending_message(_job(JobState.STOPPED))
    unreadable = ending_message(_job(JobState.UNREADABLE, run_id="run-7"))
    assert "run run-7" in unreadable and "Copy answer" in unreadable
