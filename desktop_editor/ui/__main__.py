"""`python -m desktop_editor.ui [IMAGE ...]` starts the editor."""

import sys

from desktop_editor.ui.app import run_app

if __name__ == "__main__":
    sys.exit(run_app(sys.argv))
