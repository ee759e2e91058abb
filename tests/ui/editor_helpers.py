"""Helpers for the ui tests: test pictures and opening them in the window."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from desktop_editor.ui.window.main_window import MainWindow


def make_photo(path: Path, size: tuple[int, int] = (320, 200), mode: str = "RGB", fmt: str | None = None, **save) -> Path:
    """A smooth, non-uniform test picture (gradients), saved with Pillow."""
    width, height = size
    x = np.linspace(0, 255, width, dtype=np.float32)[None, :]
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    rgb = np.stack(
        [np.broadcast_to(x, (height, width)), np.broadcast_to(y, (height, width)), (x + y) / 2 % 256], axis=-1
    ).astype(np.uint8)
    img = Image.fromarray(rgb, "RGB")
    if mode == "RGBA":
        img = img.convert("RGBA")
        alpha = np.full((height, width), 255, np.uint8)
        alpha[: height // 2, : width // 2] = 0
        img.putalpha(Image.fromarray(alpha, "L"))
    img.save(path, fmt, **save)
    return path


def open_image(qtbot, window: MainWindow, path: Path):
    """Open `path` in the window and wait until it is the current document."""
    with qtbot.waitSignal(window.document_opened, timeout=10000) as blocker:
        window.open_path(path)
    return blocker.args[0]
