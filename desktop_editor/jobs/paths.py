"""Where the app keeps its data: the platform's folders, via platformdirs."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "desktop-editor"


def data_dir() -> Path:
    """History store, journaled job inputs, and results that could not go to the output folder."""
    path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def history_path() -> Path:
    return data_dir() / "history.sqlite3"


def job_dir(job_id: str) -> Path:
    """The folder holding one job's input snapshot (image, mask) while it is remembered."""
    path = data_dir() / "jobs" / job_id
    path.mkdir(parents=True, exist_ok=True)
    return path


def rescued_results_dir() -> Path:
    """Results kept here when the chosen output folder cannot be written (full disk, no permission)."""
    path = data_dir() / "rescued-results"
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_output_dir() -> Path:
    return Path(platformdirs.user_pictures_dir()) / "Desktop Editor"
