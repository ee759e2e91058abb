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
