"""`desktop-editor`'s main: which command runs, and the last word on what escapes it."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from desktop_editor.cli.parser import COMMANDS, build_parser
from desktop_editor.cli.status_codes import EXIT_INTERRUPTED, EXIT_REFUSED


def main(argv: Sequence[str] | None = None) -> int:
    """Run `desktop-editor` with `argv` (default: the process's arguments); the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        from desktop_editor.cli.commands import window

        return window.run(argv)
    if argv[0] == "emulator":
        from desktop_editor.cli.commands import emulator

        return emulator.run(argv[1:])
    args = build_parser().parse_args(argv)
    from desktop_editor.cli.commands import batch, edit, jobs, layers, mask
    from desktop_editor.cli.output import fail
    from desktop_editor.core.image_memory import keep_freed_image_memory

    keep_freed_image_memory()  # a catalogue's photos reuse each other's memory

    commands = {"edit": edit.run, "batch": batch.run, "mask": mask.run, "jobs": jobs.run, "layers": layers.run}
    try:
        return commands[args.command](args)
    except KeyboardInterrupt:
        return fail("interrupted.", EXIT_INTERRUPTED)
    except Exception as exc:  # a bug of ours: still one line, never a traceback
        return fail(f"unexpected error: {type(exc).__name__}: {exc}", EXIT_REFUSED)
