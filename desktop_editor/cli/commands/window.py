"""`desktop-editor [FILE ...]`: start the window, or with --self-test prove the install works.

The GUI is imported only here and only when asked for, so the commands never load Qt.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from desktop_editor.cli.parser import build_app_parser


def run(argv: Sequence[str]) -> int:
    """Parse the app's own arguments and start the window (or the self-test)."""
    args = build_app_parser().parse_args(list(argv))
    if args.self_test:
        from desktop_editor.cli.commands.selftest import run_self_test

        return run_self_test()
    from desktop_editor.ui.app import run_app

    return run_app([sys.argv[0], *map(str, args.files)])
