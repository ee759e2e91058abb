"""The one way to find bundled files (icons, sample image, styles): from source, installed or frozen."""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

_PACKAGE = "desktop_editor.resources"


def resource_path(name: str) -> Path:
    """Filesystem path of a bundled resource such as 'sample.jpg' or 'icons/app.svg'.

    Raises:
        FileNotFoundError: the resource is not bundled.
    """
    ref = files(_PACKAGE).joinpath(name)
    if not ref.is_file():
        raise FileNotFoundError(f"bundled resource {name!r} is missing")
    with as_file(ref) as path:  # a real file for every loader we ship with (source, wheel, PyInstaller)
        return Path(path)


def is_bundled(path: str | Path | None) -> bool:
    """True for a file or folder inside the app's own resources (the sample image, icons): a
    place to read from, never one to propose for saving or to start a file dialog in."""
    if path is None:
        return False
    try:
        with as_file(files(_PACKAGE)) as folder:
            return Path(path).resolve().is_relative_to(Path(folder).resolve())
    except OSError:
        return False
