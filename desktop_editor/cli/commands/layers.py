"""`desktop-editor layers RESULT... --original IMAGE --out FILE.psd`, and `edit`/`batch --layers`.

Results already on disk become masked layers over their original; the history says which job
made each result, so its mask (and feather) limit its layer. The flat results are never changed:
a layered file that cannot be written is one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_editor.cli.output import fail
from desktop_editor.cli.running import open_store
from desktop_editor.cli.status_codes import EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from desktop_editor.jobs.model import EditJob

HISTORY_DEPTH = 5000  # jobs searched for a result's mask


def run(args: argparse.Namespace) -> int:
    """Write the layered file; 0, or 2 with a sentence when it cannot be made."""
    from desktop_editor.core.layered.stack import LayeredFileError
    from desktop_editor.jobs.layered_results import build_layered_file

    for path in [*args.results, args.original]:
        if not path.is_file():
            return fail(f"{path}: no such file.", EXIT_USAGE)
    out = args.out
    if out.exists() and not args.force:
        return fail(f"{out} exists; choose another name or add --force to replace it.", EXIT_USAGE)
    if out.resolve() in {p.resolve() for p in [*args.results, args.original]}:
        return fail(f"{out} is one of the inputs; choose another name.", EXIT_USAGE)
    store = open_store()
    try:
        jobs = store.jobs(limit=HISTORY_DEPTH)
    finally:
        store.close()
    try:
        written, notes = build_layered_file(list(args.results), args.original, out, jobs,
                                            provenance=not args.no_provenance, include_prompt=args.provenance_prompt,
                                            allow_flattened=args.force)
    except LayeredFileError as exc:
        return fail(str(exc), EXIT_USAGE)
    for note in notes:
        print(f"desktop-editor: note: {note}", file=sys.stderr)
    print(written)
    return EXIT_OK


def write_layers(job: EditJob, *, quiet: bool = False) -> Path | None:
    """`--layers`: the job's layered file beside its results; a failure is a warning (the
    results themselves are saved and stay as they are)."""
    from desktop_editor.core.layered.stack import LayeredFileError
    from desktop_editor.jobs.layered_results import write_job_layers

    try:
        written, notes = write_job_layers(job, job.options.layers or "psd")
    except LayeredFileError as exc:
        print(f"desktop-editor: warning: no layered file for {Path(job.image_paths[0]).name}: {exc}", file=sys.stderr)
        return None
    if not quiet:
        for note in notes:
            print(f"desktop-editor: note: {note}", file=sys.stderr)
    return written
