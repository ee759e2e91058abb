"""The frozen app's entry point (PyInstaller): the same `desktop-editor` command as the pip install.

One executable serves the window, the command line (`edit`, `batch`, `jobs`) and the emulator.
`desktop-editor --self-test` (one real edit, offscreen, against the in-process emulator; see
desktop_editor/cli/commands/selftest.py) is answered here too, so every built artifact can be smoke-tested
whether or not the command line's parser lists the option yet.
"""

import multiprocessing
import sys


def main() -> int:
    # Harmless when nothing uses multiprocessing; needed on Windows/macOS if anything ever does.
    multiprocessing.freeze_support()
    args = sys.argv[1:]
    if args[:1] == ["--self-test"] and len(args) == 1:
        from desktop_editor.cli.commands.selftest import run_self_test

        return run_self_test()
    from desktop_editor.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
