"""The Help menu's User Guide and About box, for the window's command handlers.

The guide is the copy shipped in the package (`resources/guide/`, made from docs/guide.md), so
it is there offline and matches the installed version. One guide window is kept per main window:
asking again brings it forward instead of opening a second.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow

import desktop_editor
from desktop_editor.core.resources import resource_path
from desktop_editor.jobs import paths
from desktop_editor.ui.common.desktop import show_folder

if TYPE_CHECKING:  # loaded when asked for: the About box reads package metadata, nothing at start needs either
    from desktop_editor.ui.dialogs.about_dialog import AboutDialog
    from desktop_editor.ui.dialogs.guide_viewer import GuideViewer

GUIDE = "guide/guide.md"


def show_guide(window: QMainWindow) -> GuideViewer | None:
    """Help > User Guide: open the guide (or bring it forward); None, with a message, when this
    copy of the app was installed without it."""
    from desktop_editor.ui.dialogs.guide_viewer import GuideViewer

    viewer = window.findChild(GuideViewer)
    if viewer is not None:
        viewer.setWindowState(viewer.windowState() & ~Qt.WindowState.WindowMinimized)
        viewer.show()
        viewer.activateWindow()  # brings it forward
        return viewer
    try:
        guide = resource_path(GUIDE)
    except FileNotFoundError:
        window.feedback.error("User Guide", "The user guide is not installed with this copy of the app. "
                              "It is docs/guide.md in the app's source.")
        return None
    viewer = GuideViewer(guide, window)
    viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    viewer.show()
    return viewer


def show_about(window: QMainWindow) -> AboutDialog:
    """Help > About: version, licences, and the data and output folders (a click opens them)."""
    from desktop_editor.ui.dialogs.about_dialog import AboutDialog

    output = Path(window.preferences.output_dir).expanduser() if window.preferences.output_dir else None
    dialog = AboutDialog(desktop_editor.__version__, paths.data_dir(), output, window)
    dialog.folder_clicked.connect(lambda folder: show_folder(Path(folder), window.feedback))
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
