"""How the emulator plays outpainting: a mask that runs along a whole edge of the image.

The real model invents new scenery continuous with the photo. The stand-in must show the same
shape of answer, deterministically: at the seam the new area carries on the colours of the known
pixels (a push-pull fill spreads them outward), and further out it drifts toward the prompt's
colour with soft prompt-seeded waves, so a demo shows where the canvas grew and a test can check
both continuity and the prompt's effect. It knows nothing of the client's own geometry: it reads
only the image and the mask, as the service does.
"""

from __future__ import annotations

import hashlib

import numpy as np
from PIL import Image, ImageFilter

WORK_EDGE = 192  # the fill is computed this small, then scaled up: smooth by nature and cheap
FAR_BLEND = 0.65  # how far toward the prompt colour the new area drifts far from the seam


def is_outpaint(edit_area: np.ndarray) -> bool:
    """True when some whole border row or column is to be edited (the canvas grew there)."""
    return bool(edit_area[0].all() or edit_area[-1].all() or edit_area[:, 0].all() or edit_area[:, -1].all())


def _push_pull(pixels: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Fill unknown pixels with a smooth spread of the known ones (coarse-to-fine averaging)."""
    if known.all() or not known.any():
        return pixels
    weight = known.astype(np.float32)
    colour = pixels.astype(np.float32) * weight[..., None]
    h, w = known.shape
    if min(h, w) <= 1:
        mean = colour.sum(axis=(0, 1)) / max(weight.sum(), 1.0)
        return np.where(known[..., None], pixels, mean).astype(np.float32)
    hh, ww = (h + 1) // 2, (w + 1) // 2
    pad_c = np.zeros((hh * 2, ww * 2, colour.shape[2]), np.float32)
    pad_w = np.zeros((hh * 2, ww * 2), np.float32)
    pad_c[:h, :w], pad_w[:h, :w] = colour, weight
    small_c = pad_c.reshape(hh, 2, ww, 2, -1).sum(axis=(1, 3))
    small_w = pad_w.reshape(hh, 2, ww, 2).sum(axis=(1, 3))
    small_known = small_w > 0
    small = np.where(small_known[..., None], small_c / np.maximum(small_w, 1e-6)[..., None], 0)
    filled_small = _push_pull(small, small_known)
    up = np.asarray(
        Image.fromarray(np.clip(filled_small, 0, 255).astype(np.uint8), "RGB").resize((w, h), Image.Resampling.BILINEAR),
        dtype=np.float32,
    )
    return np.where(known[..., None], pixels.astype(np.float32), up)


def _waves(shape: tuple[int, int], prompt: str) -> np.ndarray:
    """Soft, prompt-seeded undulations in -1..1: the "invented" scenery."""
    digest = hashlib.sha256(prompt.encode()).digest()
    fx, fy, phase = 1 + digest[0] % 5, 1 + digest[1] % 4, digest[2] / 255 * 2 * np.pi
    h, w = shape
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    return np.sin(2 * np.pi * (fx * x / w + fy * y / h) + phase) * np.cos(2 * np.pi * fy * x / w - phase)


def outpaint(image: Image.Image, edit_area: Image.Image, colour: tuple[int, int, int], prompt: str) -> Image.Image:
    """The image with its edit area filled as an outpainting: continuous at the seam, the
    prompt's colour and pattern away from it. Pixels outside the edit area are returned as given."""
    w, h = image.size
    scale = min(1.0, WORK_EDGE / max(w, h))
    sw, sh = max(2, round(w * scale)), max(2, round(h * scale))
    small = np.asarray(image.convert("RGB").resize((sw, sh), Image.Resampling.BOX), dtype=np.float32)
    small_area = np.asarray(edit_area.resize((sw, sh), Image.Resampling.BOX)) > 127
    known = ~small_area
    filled = _push_pull(small, known) if known.any() else np.broadcast_to(np.float32(128), small.shape).copy()
    # Distance from the seam, as a soft 0..1 ramp: blurred known area, inverted.
    reach = max(2.0, min(sw, sh) / 6)
    near = np.asarray(Image.fromarray((known * 255).astype(np.uint8), "L").filter(ImageFilter.GaussianBlur(reach)),
                      dtype=np.float32) / 255.0
    far = np.clip(1.0 - near * 2.0, 0.0, 1.0)[..., None]
    tint = np.asarray(colour, dtype=np.float32)
    painted = filled * (1 - FAR_BLEND * far) + tint * (FAR_BLEND * far)
    painted += (_waves((sh, sw), prompt) * 18.0)[..., None] * far
    fill = Image.fromarray(np.clip(painted, 0, 255).astype(np.uint8), "RGB").resize((w, h), Image.Resampling.BICUBIC)
    return Image.composite(fill, image.convert("RGB"), edit_area)
