"""Thumbnails are colour-managed like the canvas, and read every kind the loader reads."""

import io

import cv2
import numpy as np
from PIL import Image

from colour_images import adobe_rgb, gradient, prophoto, srgb_of
from desktop_editor.core.images import load_image
from desktop_editor.core.result_export import encode_loaded, save_file_to
from desktop_editor.core.thumbnails import thumbnail
from desktop_editor.core.tiff_tags import ICC_PROFILE, UNDEFINED, with_tags


def test_an_adobe_rgb_thumbnail_is_converted_like_the_canvas(tmp_path):
    values = gradient()
    path = tmp_path / "adobe.png"
    Image.fromarray(values).save(path, icc_profile=adobe_rgb())
    small = thumbnail(path, 200)  # no reduction needed: the same pixels as the canvas
    assert small.size == (96, 64)
    assert np.abs(np.asarray(small).astype(int) - srgb_of(values, adobe_rgb())).max() <= 1
    assert np.array_equal(np.asarray(small), np.asarray(load_image(path).image))


def test_a_16_bit_tiff_and_a_layered_psd_get_thumbnails(tmp_path):
    from psd_tools import PSDImage

    ok, encoded = cv2.imencode(".tiff", gradient(bits=16))
    tif = tmp_path / "deep.tif"
    tif.write_bytes(with_tags(encoded.tobytes(), {ICC_PROFILE: (UNDEFINED, prophoto())}))
    assert thumbnail(tif, 48).size == (48, 32)
    psd = PSDImage.frompil(Image.fromarray(gradient()))
    psd.create_pixel_layer(Image.new("RGB", (8, 8)), name="patch", top=2, left=2)
    buf = io.BytesIO()
    psd.save(buf)
    (tmp_path / "a.psd").write_bytes(buf.getvalue())
    assert thumbnail(tmp_path / "a.psd", 48).mode == "RGB"


def test_save_as_of_a_result_file_keeps_its_own_profile_and_values(tmp_path):
    values = gradient(bits=16)
    ok, encoded = cv2.imencode(".png", cv2.cvtColor(values, cv2.COLOR_RGB2BGR))
    from desktop_editor.core.file_metadata import with_metadata

    result = tmp_path / "result.png"
    result.write_bytes(with_metadata(encoded.tobytes(), icc_profile=prophoto()))
    saved = load_image(save_file_to(result, tmp_path / "copy.png"))
    assert saved.source.space.profile == prophoto() and np.array_equal(saved.source.pixels, values)
    jpeg = Image.open(io.BytesIO(encode_loaded(load_image(result), "jpeg")))
    assert jpeg.info["icc_profile"] == prophoto()
