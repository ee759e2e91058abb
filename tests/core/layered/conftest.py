"""Sample documents for the layered-file tests: an original, two results and their masks,
at 8 and 16 bits, RGB and grey, with an ICC profile built by LittleCMS."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from PIL import ImageCms

from desktop_editor.core.layered.build import original_layer, result_layer
from desktop_editor.core.layered.profiles import grey_srgb_profile
from desktop_editor.core.layered.stack import LayerStack, flatten

H, W = 96, 128


def profile_bytes(kind: str = "sRGB") -> bytes:
    """An ICC profile made in the test (sRGB, or a D50 Lab-based one to tell them apart)."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile(kind)).tobytes()


def grey_profile() -> bytes:
    """A grey profile (the app's own, for untagged grey documents: sRGB tone curve)."""
    return grey_srgb_profile()


def smooth_picture(depth: int, channels: int, seed: int) -> np.ndarray:
    """Gradients plus a little noise: like a photo, and every level of the depth is exercised."""
    rng = np.random.default_rng(seed)
    peak = 2**depth - 1
    y, x = np.mgrid[0:H, 0:W].astype(np.float64)
    planes = [(x / W + 0.3 * c) % 1.0 * 0.6 + (y / H) * 0.3 for c in range(channels)]
    values = np.dstack(planes) + rng.normal(0, 0.03, (H, W, channels))
    values = np.clip(values, 0, 1) * peak
    out = np.rint(values).astype(np.uint16 if depth == 16 else np.uint8)
    return out if channels > 1 else out[..., 0]


def box_mask(x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    mask = np.zeros((H, W), np.uint8)
    mask[y0:y1, x0:x1] = 255
    return mask


@dataclass
class Sample:
    """An edit of an original by two results, and the stack that holds them."""

    original: np.ndarray
    results: list[np.ndarray]
    masks: list[np.ndarray]
    stack: LayerStack
    flat: np.ndarray


def make_sample(depth: int = 8, mode: str = "RGB", icc: bytes | None = None, feather: float = 6.0) -> Sample:
    channels = 3 if mode == "RGB" else 1
    original = smooth_picture(depth, channels, 1)
    results = [smooth_picture(depth, channels, 2)[::-1].copy(), smooth_picture(depth, channels, 3)[:, ::-1].copy()]
    masks = [box_mask(10, 12, 60, 50), box_mask(70, 40, 120, 90)]
    layers = [original_layer(original)] + [
        result_layer(result, mask, f"result {index + 1} \u00e9t\u00e9 (14:0{index})", feather=feather)
        for index, (result, mask) in enumerate(zip(results, masks, strict=True))]
    profile = icc if icc is not None else (profile_bytes() if mode == "RGB" else grey_profile())
    stack = LayerStack(W, H, mode, depth, profile, layers)
    return Sample(original, results, masks, stack, flatten(stack))


@pytest.fixture(params=[(8, "RGB"), (16, "RGB"), (8, "L"), (16, "L")], ids=lambda p: f"{p[1]}{p[0]}")
def sample(request) -> Sample:
    depth, mode = request.param
    return make_sample(depth, mode)


@pytest.fixture
def sample_of():
    """The factory, for tests that need a particular depth, mode, profile or feather."""
    return make_sample
