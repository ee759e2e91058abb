"""Project files: everything needed to resume mask work exactly where it was left.

A project (``*.deproj``) is a zip archive holding ``project.json`` (format version, the image's
absolute path and its path relative to the project file, the edit parameters and the view
settings) and ``mask.png``. The image itself stays where it is, so projects stay small; an
image that has no file (pasted from the clipboard) is stored in the archive as ``image.png``.

The mask is stored in the OpenAI convention (black RGBA, alpha 0 = edit) with soft edges kept
as partial alpha (alpha = 255 - mask value), so a project reopens byte for byte and the file
is still a mask any tool that reads the OpenAI convention understands.

A project may also keep a mix of the image's results (``mix.png``: the mix map as an 8-bit
greyscale PNG, and the manifest's "mix": the result files, the base and whether results are
kept inside their masks), so a mix can be reopened and painted further.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from desktop_editor.core.atomic import replacing
from desktop_editor.core.masks import MaskError, load_mask
from desktop_editor.core.mix import MixState

PROJECT_SUFFIX = ".deproj"
FORMAT_VERSION = 1
_MANIFEST = "project.json"
_MASK = "mask.png"
_IMAGE = "image.png"
_MIX_MAP = "mix.png"


class ProjectError(Exception):
    """A project that cannot be saved or opened; str() is a sentence for the designer."""


@dataclass
class Project:
    """The contents of a project file.

    `image_path` is where the image was found (None when the image is embedded, see
    `image_bytes`); `mask` is None when the project was saved before any mask was painted.
    """

    image_path: Path | None
    mask: np.ndarray | None = None
    params: dict[str, Any] = field(default_factory=dict)
    view: dict[str, Any] = field(default_factory=dict)
    image_bytes: bytes | None = None
    path: Path | None = None
    mix: MixState | None = None


def encode_soft_openai_mask(mask: np.ndarray) -> bytes:
    """OpenAI-convention PNG that keeps soft edges: black, alpha = 255 - mask value."""
    height, width = mask.shape
    rgba = np.zeros((height, width, 4), dtype=np.uint8)
    rgba[..., 3] = 255 - mask
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, "PNG", compress_level=6)
    return buf.getvalue()


def save_project(
    path: str | Path,
    *,
    image_path: str | Path | None,
    mask: np.ndarray | None,
    params: dict[str, Any] | None = None,
    view: dict[str, Any] | None = None,
    image_bytes: bytes | None = None,
    mix: MixState | None = None,
) -> None:
    """Write a project file atomically: a crash or a full disk never leaves a half-written project.

    Pass `image_bytes` (a PNG) instead of `image_path` for an image that has no file.

    Raises:
        ProjectError: nothing to point at, the parameters cannot be stored, or the write failed.
    """
    path = Path(path)
    if image_path is None and image_bytes is None:
        raise ProjectError("The project needs an image: save the image to a file first.")
    manifest: dict[str, Any] = {
        "format": "desktop-editor-project",
        "version": FORMAT_VERSION,
        "image": None,
        "mask": _MASK if mask is not None else None,
        "params": dict(params or {}),
        "view": dict(view or {}),
    }
    if mix is not None:
        manifest["mix"] = {**mix.manifest(), "map": _MIX_MAP}
    if image_path is not None:
        image_path = Path(image_path).absolute()
        try:
            relative = os.path.relpath(image_path, path.absolute().parent)
        except ValueError:  # another drive on Windows
            relative = None
        manifest["image"] = {"path": str(image_path), "relative": relative}
    else:
        manifest["image"] = {"embedded": _IMAGE}
    try:
        text = json.dumps(manifest, indent=2, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise ProjectError(f"The project settings cannot be saved ({exc}).") from exc

    directory = path.absolute().parent
    try:
        with replacing(path) as handle:
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                archive.writestr(_MANIFEST, text)
                if mask is not None:
                    # PNG is already compressed: store it rather than deflate it twice.
                    archive.writestr(_MASK, encode_soft_openai_mask(mask), compress_type=zipfile.ZIP_STORED)
                if mix is not None:
                    buf = io.BytesIO()
                    Image.fromarray(np.ascontiguousarray(mix.labels), "L").save(buf, "PNG", compress_level=6)
                    archive.writestr(_MIX_MAP, buf.getvalue(), compress_type=zipfile.ZIP_STORED)
                if image_path is None and image_bytes is not None:
                    archive.writestr(_IMAGE, image_bytes, compress_type=zipfile.ZIP_STORED)
    except OSError as exc:
        raise ProjectError(f"{path.name} could not be saved in {directory}: {exc.strerror or exc}.") from exc


def load_project(path: str | Path) -> Project:
    """Read a project file and find its image.

    The image is looked for at its absolute path first, then relative to the project file
    (a project moved together with its image, or opened on another machine).

    Raises:
        ProjectError: not a project, a newer format, damaged, or its image cannot be found.
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise ProjectError(f"{name}: the project file does not exist.")
    try:
        with zipfile.ZipFile(path) as archive:
            try:
                manifest = json.loads(archive.read(_MANIFEST).decode("utf-8"))
            except KeyError:
                raise ProjectError(f"{name} is not a Desktop Editor project (no {_MANIFEST}).") from None
            if not isinstance(manifest, dict) or manifest.get("format") != "desktop-editor-project":
                raise ProjectError(f"{name} is not a Desktop Editor project.")
            version = manifest.get("version")
            if not isinstance(version, int) or version > FORMAT_VERSION:
                raise ProjectError(
                    f"{name} was saved by a newer Desktop Editor (format {version}); update the app to open it."
                )
            mask_name = manifest.get("mask")
            mask_data = archive.read(mask_name) if mask_name else None
            image_info = manifest.get("image") or {}
            embedded = image_info.get("embedded") if isinstance(image_info, dict) else None
            image_bytes = archive.read(embedded) if embedded else None
            mix_info = manifest.get("mix")
            mix_data = archive.read(mix_info.get("map", _MIX_MAP)) if isinstance(mix_info, dict) else None
    except ProjectError:
        raise
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, json.JSONDecodeError, EOFError) as exc:
        raise ProjectError(f"{name} is damaged and cannot be opened ({exc}).") from exc
    except OSError as exc:
        raise ProjectError(f"{name} could not be read: {exc.strerror or exc}.") from exc

    image_path = None
    if image_bytes is None:
        image_path = _find_image(path, image_info if isinstance(image_info, dict) else {})
    mask = None
    if mask_data is not None:
        try:
            mask = load_mask(mask_data)
        except MaskError as exc:
            raise ProjectError(f"The mask in {name} is damaged: {exc}") from exc
    mix = None
    if mix_data is not None:
        try:
            with Image.open(io.BytesIO(mix_data)) as img:
                if img.mode != "L":
                    raise ValueError("the mix map is not an 8-bit greyscale image")
                labels = np.array(img)
            mix = MixState.from_manifest(mix_info, labels)
        except (OSError, ValueError, SyntaxError) as exc:
            raise ProjectError(f"The mix in {name} is damaged: {exc}") from exc
    params = manifest.get("params") or {}
    view = manifest.get("view") or {}
    return Project(
        image_path=image_path,
        mask=mask,
        params=params if isinstance(params, dict) else {},
        view=view if isinstance(view, dict) else {},
        image_bytes=image_bytes,
        path=path,
        mix=mix,
    )


def _find_image(project_path: Path, info: dict[str, Any]) -> Path:
    absolute = info.get("path")
    relative = info.get("relative")
    candidates: list[Path] = []
    if absolute:
        candidates.append(Path(absolute))
    if relative:
        candidates.append((project_path.absolute().parent / relative).resolve())
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    if not candidates:
        raise ProjectError(f"{project_path.name} does not say which image it belongs to.")
    raise ProjectError(
        f"The image of {project_path.name} was not found at {candidates[0]}"
        + (f" or {candidates[1]}" if len(candidates) > 1 and candidates[1] != candidates[0] else "")
        + ". Move the image back there or open it and load the mask from the project."
    )
