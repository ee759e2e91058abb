"""Asking where to save a result and, for JPEG and WebP, at what quality.

The questions are modal dialogs, kept apart from the strip so its commands read as what they
do (save here, on a worker) and so tests can answer the dialogs in one place.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QWidget

__all__ = ["ask_save_target"]

_SAVE_FILTERS = "PNG image (*.png);;JPEG image (*.jpg *.jpeg);;WebP image (*.webp)"
_FILTER_EXTENSIONS = {"PNG": ".png", "JPEG": ".jpg", "WebP": ".webp"}


def ask_save_target(parent: QWidget, suggested: Path, last_quality: int) -> tuple[Path, int] | None:
    """The file the designer chose (the chosen filter's extension added when the name has none
    we write) and the quality to encode at (asked for JPEG and WebP, starting from
    `last_quality`; 95 for PNG, where it is unused), or None when they cancelled either question."""
    path, chosen_filter = QFileDialog.getSaveFileName(parent, "Save result as", str(suggested), _SAVE_FILTERS)
    if not path:
        return None
    target = Path(path)
    if target.suffix.lower() not in (".png", ".jpg", ".jpeg", ".webp"):
        extension = next((ext for name, ext in _FILTER_EXTENSIONS.items() if chosen_filter.startswith(name)), ".png")
        target = target.with_name(target.name + extension)
    quality = 95
    if target.suffix.lower() in (".jpg", ".jpeg", ".webp"):
        kind = "WebP (100 = lossless)" if target.suffix.lower() == ".webp" else "JPEG"
        quality, ok = QInputDialog.getInt(parent, "Save result as", f"{kind} quality:", last_quality, 1, 100, 1)
        if not ok:
            return None
    return target, quality
