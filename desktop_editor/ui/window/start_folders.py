"""Where the file dialogs start, and whether the bundled sample opens: never the app's own folder.

The sample lives in the app's resources; opening it at the first start must not make Open and
Save Project start there (a designer saving a project into the installed app). Dialogs start in
the last folder the designer used (an image or project opened or saved there), else the current
image's folder, else Pictures, else home. The sample opens on the very first start only.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

from desktop_editor.core.resources import is_bundled

_LAST_FOLDER = "files/last_folder"
_SAMPLE_SHOWN = "files/sample_shown"
SAMPLE = "sample.jpg"


def pictures_or_home() -> Path:
    """The user's Pictures folder when there is one, else their home."""
    for location in QStandardPaths.standardLocations(QStandardPaths.StandardLocation.PicturesLocation):
        if location and Path(location).is_dir():
            return Path(location)
    return Path.home()


class StartFolders:
    """The folder the next file dialog starts in, remembered between runs in `settings`."""

    def __init__(self, settings: QSettings):
        self._settings = settings

    def remember(self, path: str | Path) -> None:
        """A file was opened or saved at `path` (or in the folder `path`): start there next time.
        The app's own resources are never remembered."""
        path = Path(path)
        folder = path if path.is_dir() else path.parent
        if not is_bundled(folder):
            self._settings.setValue(_LAST_FOLDER, str(folder))

    def last_used(self) -> Path | None:
        value = self._settings.value(_LAST_FOLDER, "")
        folder = Path(str(value)) if value else None
        return folder if folder is not None and folder.is_dir() and not is_bundled(folder) else None

    def start(self, current_image: Path | None = None) -> Path:
        """The last folder used, else `current_image`'s folder, else Pictures (or home)."""
        last = self.last_used()
        if last is not None:
            return last
        if current_image is not None and not is_bundled(current_image) and current_image.parent.is_dir():
            return current_image.parent
        return pictures_or_home()


def first_start(settings: QSettings) -> bool:
    """True once per user: the bundled sample opens at the very first start, never again."""
    if settings.value(_SAMPLE_SHOWN, False, type=bool):
        return False
    settings.setValue(_SAMPLE_SHOWN, True)
    return True
