"""`python -m desktop_editor.cli`: the `desktop-editor` command from source."""

import sys

from desktop_editor.cli.dispatch import main

sys.exit(main())
