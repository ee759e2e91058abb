"""The exit codes every command shares, and the code a finished job asks for.

0 success, 1 the service refused or the run failed, 2 bad usage or input (nothing sent),
3 service unreachable or unavailable, 4 outcome unknown (may have been charged), 5 done, but
some results could not be written to the output folder and were kept in the rescue folder.
A script acts on these, so they are defined once, here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop_editor.jobs.model import EditJob

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_UNREACHABLE, EXIT_UNKNOWN, EXIT_RESCUED = 0, 1, 2, 3, 4, 5
EXIT_INTERRUPTED = 130  # Ctrl+C, as a shell reports it


def rescued_files(job: EditJob) -> list[Path]:
    """Results of `job` that are not in its output folder: kept in the app's rescue folder
    because the output folder was full, read-only or gone."""
    from desktop_editor.core.filenames import inside

    out_dir = Path(job.options.out_dir)
    return [Path(p) for p in job.result_paths if not inside(out_dir, Path(p))]


def exit_code(job: EditJob) -> int:
    """The exit code one job asks for: 0 done, 5 done with results in the rescue folder, ..."""
    from desktop_editor.jobs.model import JobState

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
