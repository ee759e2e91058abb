"""The window shows designers' files colour-managed: canvas and thumbnails from the file's profile,
a 16-bit or CMYK file's own form named on opening, an unusable profile said so."""

from __future__ import annotations

import cv2
import numpy as np
from editor_helpers import open_image
from PIL import Image

from colour_images import adobe_rgb, gradient, prophoto, srgb_of
from desktop_editor.core.tiff_tags import ICC_PROFILE, UNDEFINED, with_tags
from desktop_editor.ui.common.conversions import pil_from_qimage
from desktop_editor.ui.common.job_bridge import load_thumbnail


def canvas_pixels(document) -> np.ndarray:
    return np.asarray(pil_from_qimage(document.image).convert("RGB"))


def test_a_16_bit_prophoto_tiff_is_shown_converted_and_named_on_opening(qtbot, window, tmp_path):
    values = gradient(bits=16)
    ok, encoded = cv2.imencode(".tiff", cv2.cvtColor(values, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_TIFF_COMPRESSION, 5])
    path = tmp_path / "lightroom.tif"
    path.write_bytes(with_tags(encoded.tobytes(), {ICC_PROFILE: (UNDEFINED, prophoto())}))
    document = open_image(qtbot, window, path)
    eight = np.clip(np.rint(values / 257.0), 0, 255).astype(np.uint8)
    assert np.abs(canvas_pixels(document).astype(int) - srgb_of(eight, prophoto())).max() <= 1
    assert document.loaded.source.space.bits == 16  # the document keeps its own values
    status = window.feedback.texts("status")[-1]
    assert "16-bit RGB" in status and "ROMM" in status
    size_line = window.status.image_size_label.text()  # and stays in view while the file is open
    assert size_line.startswith(f"{document.width} × {document.height} px, 16-bit RGB") and "ROMM" in size_line


def test_an_unusable_profile_opens_as_srgb_with_a_visible_note(qtbot, window, tmp_path):
    path = tmp_path / "broken.jpg"
    Image.fromarray(gradient()).save(path, quality=95, icc_profile=b"\0" * 300)
    open_image(qtbot, window, path)
    status = window.feedback.texts("status")[-1]
    assert "broken.jpg" in status and "opened as sRGB" in status


def test_thumbnails_are_converted_like_the_canvas(tmp_path):
    values = gradient()
    path = tmp_path / "adobe.png"
    Image.fromarray(values).save(path, icc_profile=adobe_rgb())
    thumb = np.asarray(pil_from_qimage(load_thumbnail(str(path), 200)).convert("RGB"))
    assert np.abs(thumb.astype(int) - srgb_of(values, adobe_rgb())).max() <= 1
