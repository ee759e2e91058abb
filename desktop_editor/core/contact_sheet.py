"""A contact sheet of masks over their photos: one PNG to look at before a batch is paid for.

Each cell is the photo's thumbnail with the edit area tinted and outlined, and the file name
and the share of the image the edit covers under it. Pure Pillow and numpy; no Qt.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from desktop_editor.core.masks import coverage

CELL = 240  # thumbnail box, pixels
LABEL = 18  # label strip under each thumbnail
GAP = 8
TINT = np.array([230, 40, 60], np.float32)  # the edit area, as the canvas shows it


def mask_overlay(photo: Image.Image, mask: np.ndarray, size: int = CELL) -> Image.Image:
    """The photo reduced to fit `size` with the mask's edit area tinted at half strength."""
    thumb = photo.convert("RGB")
    thumb.thumbnail((size, size), Image.Resampling.BILINEAR)
    small = np.asarray(Image.fromarray(mask, "L").resize(thumb.size, Image.Resampling.BILINEAR), np.float32)
    a = (small / 255.0 * 0.5)[..., None]
    tinted = np.asarray(thumb, np.float32) * (1 - a) + TINT * a
    outline = np.asarray(
        Image.fromarray((small >= 128).astype(np.uint8) * 255, "L").filter(ImageFilter.FIND_EDGES), np.uint8) > 0
    tinted[outline] = TINT
    return Image.fromarray(tinted.astype(np.uint8), "RGB")


def contact_sheet(entries: Sequence[tuple[str, Image.Image, np.ndarray]], columns: int | None = None) -> Image.Image:
    """A grid of (label, photo, mask) cells, labelled with the name and the edit's coverage."""
    count = len(entries)
    columns = columns or max(1, min(6, int(np.ceil(np.sqrt(count)))))
    rows = max(1, -(-count // columns))
    sheet = Image.new("RGB", (GAP + columns * (CELL + GAP), GAP + rows * (CELL + LABEL + GAP)), (32, 32, 36))
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default()
    for i, (name, photo, mask) in enumerate(entries):
        x = GAP + (i % columns) * (CELL + GAP)
        y = GAP + (i // columns) * (CELL + LABEL + GAP)
        cell = mask_overlay(photo, mask)
        sheet.paste(cell, (x + (CELL - cell.width) // 2, y + (CELL - cell.height) // 2))
        label = f"{name}  {coverage(mask) * 100:.0f}%"
        while len(label) > 8 and draw.textlength(label, font=font) > CELL:
            name = name[:-2]
            label = f"{name}…  {coverage(mask) * 100:.0f}%"
        draw.text((x, y + CELL + 3), label, fill=(230, 230, 230), font=font)
    return sheet


def write_contact_sheet(path: Path, entries: Sequence[tuple[str, Image.Image, np.ndarray]]) -> Path:
    """Write the sheet as PNG, atomically (a file a viewer has open is replaced whole)."""
    from desktop_editor.core.filenames import replace_file

    buffer = io.BytesIO()
    contact_sheet(entries).save(buffer, "PNG", compress_level=6)
    return replace_file(Path(path), buffer.getvalue())
