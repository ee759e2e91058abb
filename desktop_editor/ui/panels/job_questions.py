"""What the jobs panel asks before Stop, and what its Stop button is called, by what Stop will do.

A job none of whose requests can have reached the service is cancelled for good and costs
nothing, so its question must not warn of a charge; a job that may have been sent can only be
no longer waited for, and its question says the service may still finish and charge it.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_editor.jobs.model import EditJob, never_sent


@dataclass(frozen=True)
class Question:
    """A confirmation's parts, in `job_list.confirm`'s order."""

    title: str
    text: str
    informative: str
    accept: str
    reject: str

    def parts(self) -> tuple[str, str, str, str, str]:
        return self.title, self.text, self.informative, self.accept, self.reject


CANCEL_LABEL = "Cancel edit"
STOP_LABEL = "Stop waiting"


def stop_label(job: EditJob | None) -> str:
    """The Stop button's text for the selected job: "Cancel edit" while it was never sent."""
    return CANCEL_LABEL if job is not None and never_sent(job) else STOP_LABEL


def stop_tooltip(job: EditJob | None) -> str:
    if job is not None and never_sent(job):
        return "Cancel the selected edit: it has not been sent, so nothing is charged, and it will not be sent later"
    return "Stop waiting for the selected edit (the service may still finish and charge it)"


def stop_question(job: EditJob) -> Question:
    """The question before Stop: free and final for a never-sent job, a warning otherwise."""
    if never_sent(job):
        return Question(
            "Cancel edit?",
            "Cancel this edit?",
            "It has not been sent to the Runflow service, so nothing is charged. It will not be sent "
            "later, also not when the service is reachable again.",
            CANCEL_LABEL,
            "Keep it",
        )
    return Question(
        "Stop waiting?",
        "Stop waiting for this edit?",
        "The app will stop waiting and will not download the result. The Runflow service may still "
        "finish this edit and charge your account for it: a request cannot be cancelled on the service.",
        STOP_LABEL,
        "Keep waiting",
    )
