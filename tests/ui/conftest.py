"""Fixtures for driving the real editor widgets with synthetic input."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from desktop_editor.ui.window.main_window import MainWindow

@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def messages(monkeypatch) -> list[tuple[str, str, str]]:
    """Every message box the window shows, as (kind, title, text); none of them blocks."""
    shown: list[tuple[str, str, str]] = []

    def fake(kind, answer):
        def show(parent, title, text, *args, **kwargs):
            shown.append((kind, title, text))
            return answer

        return show

    monkeypatch.setattr(QMessageBox, "critical", fake("critical", QMessageBox.StandardButton.Ok))
    monkeypatch.setattr(QMessageBox, "warning", fake("warning", QMessageBox.StandardButton.Discard))
    monkeypatch.setattr(QMessageBox, "question", fake("question", QMessageBox.StandardButton.Yes))
    return shown


@pytest.fixture
def window(qtbot, settings, messages) -> MainWindow:
    win = MainWindow(settings=settings)
    qtbot.addWidget(win)
    win.resize(1000, 700)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    yield win
    win.opener.wait(5000)
    # Close while message boxes are still patched: an unsaved mask would otherwise ask.
    win.close()
