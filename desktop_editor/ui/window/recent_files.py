"""The File > Open Recent menu, remembered in QSettings between runs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from desktop_editor.core.recent import add_recent, existing_recent

SETTINGS_ORGANIZATION = "DesktopEditor"
SETTINGS_APPLICATION = "Desktop Editor"
_KEY = "recent_files"


def app_settings() -> QSettings:
    """The app's settings store (per user, native format)."""
    return QSettings(SETTINGS_ORGANIZATION, SETTINGS_APPLICATION)


class RecentFiles(QObject):
    """Recently opened images and projects, most recent first.

    Signals:
        open_requested(str): the designer picked a path from the menu.
    """

    open_requested = Signal(str)

    def __init__(self, settings: QSettings, parent: QObject | None = None):
        super().__init__(parent)
        self._settings = settings

    def paths(self) -> list[str]:
        value = self._settings.value(_KEY, [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def add(self, path: str | Path) -> None:
        self._settings.setValue(_KEY, add_recent(self.paths(), path))

    def clear(self) -> None:
        self._settings.setValue(_KEY, [])

    def build_menu(self, parent: QWidget, title: str = "Open &Recent") -> QMenu:
        """A menu that lists the recent files each time it opens (missing files are left out)."""
        menu = QMenu(title, parent)
        menu.aboutToShow.connect(lambda: self._fill(menu))
        self._fill(menu)
        return menu

    def _fill(self, menu: QMenu) -> None:
        menu.clear()
        paths = existing_recent(self.paths())
        for number, path in enumerate(paths, start=1):
            label = f"&{number}  {Path(path).name}" if number < 10 else Path(path).name
            action = QAction(label, menu)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_requested.emit(p))
            menu.addAction(action)
        if not paths:
            empty = menu.addAction("No recent files")
            empty.setEnabled(False)
        menu.addSeparator()
        clear = menu.addAction("Clear Recent Files")
        clear.setEnabled(bool(paths))
        clear.triggered.connect(self._on_clear)

    @Slot()
    def _on_clear(self) -> None:
        self.clear()
