"""The copy of a large open image a composited result is shown in, made while the result comes."""

from __future__ import annotations

import numpy as np
from PIL import Image

from desktop_editor.ui.common.conversions import qimage_from_pil
from desktop_editor.ui.compare.image_levels import ImageLevels
from desktop_editor.ui.flow import spare_frames as spare_module
from desktop_editor.ui.flow.spare_frames import SpareFrames, spare_frame


def _image(seed: int = 3) -> Image.Image:
    return Image.fromarray(np.random.default_rng(seed).integers(0, 256, (300, 400, 3), dtype=np.uint8), "RGB")


def test_a_spare_frame_is_a_copy_of_the_image_and_its_levels_given_out_once(monkeypatch):
    monkeypatch.setattr(spare_module, "SPARE_FRAME_PIXELS", 100)
    shown = qimage_from_pil(_image())
    levels = ImageLevels.build(shown)
    spares = SpareFrames()
    spares.start("job", shown, levels)
    made = spare_frame(spares.claim("job", shown))
    assert made is not None
    frame, level_copies = made
    assert frame.cacheKey() != shown.cacheKey() and frame.constBits().tobytes() == shown.constBits().tobytes()
    assert level_copies is not None and len(level_copies) == len(levels.levels) - 1
    for copy, level in zip(level_copies, levels.levels[1:]):
        assert copy.cacheKey() != level.cacheKey() and copy.constBits().tobytes() == level.constBits().tobytes()
    assert spares.claim("job", shown) is None  # once


def test_no_spare_for_another_image_a_small_one_or_a_dropped_job(monkeypatch):
    shown = qimage_from_pil(_image())
    spares = SpareFrames()
    spares.start("small", shown, None)  # 0.1 MP: the preview copies it itself
    assert spares.claim("small", shown) is None
    monkeypatch.setattr(spare_module, "SPARE_FRAME_PIXELS", 100)
    spares.start("job", shown, None)
    assert spares.claim("job", qimage_from_pil(_image(4))) is None  # the image shown now is another
    spares.start("ended", shown, None)
    spares.drop("ended")
    assert spares.claim("ended", shown) is None
    assert spare_frame(None) is None
