"""Layered files from files on disk keep the document's own depth and profile (16 bits)."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import ImageCms
from psd_tools import PSDImage
from psd_tools.constants import Resource

from desktop_editor.core.file_metadata import with_metadata
from desktop_editor.core.images import load_image
from desktop_editor.core.layered.from_results import ResultPiece, stack_from_results, write_layered


def _png16(path, values: np.ndarray, icc: bytes) -> None:
    ok, data = cv2.imencode(".png", cv2.cvtColor(values, cv2.COLOR_RGB2BGR))
    assert ok
    path.write_bytes(with_metadata(data.tobytes(), icc_profile=icc))


def test_a_16_bit_original_and_result_are_layered_at_16_bits_with_the_profile(tmp_path):
    y, x = np.mgrid[0:60, 0:80]
    original = np.dstack([x * 800, y * 1000, (x + y) * 400]).astype(np.uint16)
    result = (65535 - original).astype(np.uint16)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    _png16(tmp_path / "photo.png", original, icc)
    _png16(tmp_path / "result.png", result, icc)
    mask = np.zeros((60, 80), np.uint8)
    mask[10:40, 20:60] = 255
    piece = ResultPiece(load_image(tmp_path / "result.png"), mask, "r", 4.0)
    stack, note = stack_from_results(load_image(tmp_path / "photo.png"), [piece])
    assert note is None and stack.depth == 16 and stack.icc_profile == icc
    psd = PSDImage.open(write_layered(stack, tmp_path / "l.psd"))
    assert psd.depth == 16 and psd.image_resources.get_data(Resource.ICC_PROFILE) == icc
    assert np.array_equal(np.rint(list(psd)[0].numpy()[..., :3] * 65535).astype(np.uint16), original)
    top = list(psd)[1]
    assert top.offset == (20, 10)
    assert np.array_equal(np.rint(top.numpy()[..., :3] * 65535).astype(np.uint16), result[10:40, 20:60])
