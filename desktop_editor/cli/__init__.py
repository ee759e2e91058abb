"""The command-line front end: the same core, client and job runner as the window.

`desktop-editor` alone starts the app; `edit` sends one edit, `batch` many, `mask` derives masks
from photos offline, `jobs` lists and resumes journaled jobs, `emulator` serves the offline
Runflow stand-in. Errors are one clear line on stderr and an exit code a script can act on
(status_codes.py): 0 success, 1 the service refused or the run failed, 2 bad usage or input
(nothing sent), 3 service unreachable or unavailable, 4 outcome unknown (may have been charged),
5 done, but some results could not be written to the output folder and were kept in the rescue
folder (a warning line names it and every such file).

Shaped like pip's: what commands share sits here (parser.py: the parser and each common option
once; status_codes.py; output.py: error lines, progress, reports; edit_args.py; running.py;
expand.py: --expand/--aspect of edit and batch), and commands/ holds one module per command,
each with `run`. Commands import what they need when they run, so `--help` and starting the
window stay quick.
"""

from desktop_editor.cli.dispatch import main

__all__ = ["main"]
