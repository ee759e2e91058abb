"""`desktop-editor emulator ...`: the offline Runflow emulator, with its own parser and options."""

from __future__ import annotations

from collections.abc import Sequence


def run(argv: Sequence[str]) -> int:
    """Hand the arguments after `emulator` to the emulator's command line."""
    from desktop_editor.emulator import main as emulator_main

    return emulator_main(list(argv))
