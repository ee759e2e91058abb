"""`python -m desktop_editor`: the `desktop-editor` command from source (the window, or a subcommand)."""

import sys

from desktop_editor.cli.dispatch import main

sys.exit(main())
