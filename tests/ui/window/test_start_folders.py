"""File dialogs start where the designer works, never in the app's own resources folder; the
bundled sample opens at the very first start only."""

from __future__ import annotations

from pathlib import Path

from editor_helpers import make_photo, open_image
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog

from desktop_editor.core.project import PROJECT_SUFFIX
from desktop_editor.core.resources import is_bundled, resource_path
from desktop_editor.ui.window.start_folders import StartFolders, first_start, pictures_or_home


def asked_folders(monkeypatch) -> list[str]:
    """Where each Open / Save file dialog started (none is shown; each is cancelled)."""
    starts: list[str] = []

    def open_one(_parent, _title, start, *_args, **_kwargs):
        starts.append(start)
        return "", ""

    def open_many(_parent, _title, start, *_args, **_kwargs):
        starts.append(start)
        return [], ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", open_one)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", open_many)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", open_one)
    return starts


def test_dialogs_after_the_sample_start_in_pictures_not_in_the_apps_folder(qtbot, window, monkeypatch):
    sample = resource_path("sample.jpg")
    assert is_bundled(sample) and not is_bundled(Path.home())
    open_image(qtbot, window, sample)
    starts = asked_folders(monkeypatch)
    window.actions["file.open"].trigger()
    window.actions["file.open_project"].trigger()
    window.saver.save_project_as()
    assert len(starts) == 3
    assert Path(starts[0]) == pictures_or_home() and Path(starts[1]) == pictures_or_home()
    assert Path(starts[2]) == pictures_or_home() / f"sample{PROJECT_SUFFIX}"
    assert not any(is_bundled(start) for start in starts)


def test_dialogs_start_in_the_last_folder_used_also_after_a_restart(qtbot, window, settings, monkeypatch, tmp_path):
    work = tmp_path / "shoot"
    work.mkdir()
    open_image(qtbot, window, make_photo(work / "cat.png"))
    open_image(qtbot, window, resource_path("sample.jpg"))  # the current image is the sample again
    starts = asked_folders(monkeypatch)
    window.actions["file.open"].trigger()
    assert Path(starts[-1]) == work
    assert StartFolders(QSettings(settings.fileName(), QSettings.Format.IniFormat)).start() == work


def test_the_sample_opens_at_the_first_start_only(tmp_path):
    settings = QSettings(str(tmp_path / "first.ini"), QSettings.Format.IniFormat)
    assert first_start(settings)
    assert not first_start(settings)
    settings.sync()
    assert not first_start(QSettings(str(tmp_path / "first.ini"), QSettings.Format.IniFormat))
