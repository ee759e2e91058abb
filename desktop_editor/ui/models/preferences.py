"""The designer's settings (service, output folder, defaults) as the window holds them.

One object, owned by the window and handed to whoever reads the settings, so a change made in
the Settings dialog reaches every reader through `changed` instead of by reassigning a field
on the window.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from desktop_editor.jobs.settings import AppSettings, load_settings


class Preferences(QObject):
    """The current AppSettings and the file they are read from and saved to.

    Signals:
        changed(object, object): the new and the old AppSettings.
    """

    changed = Signal(object, object)

    def __init__(self, value: AppSettings | None = None, settings_file: Path | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.settings_file = settings_file
        self._value = value if value is not None else load_settings(settings_file)

    @property
    def value(self) -> AppSettings:
        return self._value

    def set(self, value: AppSettings) -> None:
        old, self._value = self._value, value
        if old != value:
            self.changed.emit(value, old)
