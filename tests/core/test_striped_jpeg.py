"""A large JPEG encoded in strips (some ahead of time) is the file one encode writes."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from desktop_editor.core.striped_jpeg import JpegStrips, encode_with_patch, start_ahead, worth_striping

ICC = b"profile bytes " * 300  # any profile: it travels in the header


def scene(width: int, height: int, seed: int = 2) -> tuple[Image.Image, Image.Image, tuple[int, int, int, int]]:
    rng = np.random.default_rng(seed)
    image = Image.fromarray(rng.integers(0, 255, (height, width, 3), dtype=np.uint8))
    patch = Image.fromarray(rng.integers(0, 255, (200, 300, 3), dtype=np.uint8))
    return image, patch, (100, 300, 400, 500)


def whole_encode(image: Image.Image, patch: Image.Image, at: tuple[int, int], quality: int, **options) -> bytes:
    full = image.copy()
    full.paste(patch, at)
    buffer = io.BytesIO()
    full.save(buffer, "JPEG", quality=quality, subsampling=0 if quality >= 90 else 2, **options)
    return buffer.getvalue()


@pytest.mark.parametrize("size", [(1000, 900), (1003, 777), (640, 512)])
@pytest.mark.parametrize("quality", [95, 80])
def test_strips_join_into_the_bytes_of_one_encode_with_restart_markers(size, quality):
    image, patch, rect = scene(*size)
    strips = JpegStrips(image.size, quality, rows=64 if quality >= 90 else 128)
    assert len(strips.bounds()) > 3
    ahead = start_ahead(image, strips, (rect[1], rect[1] + patch.height))
    assert ahead.futures and min(ahead.futures) == 0
    expected = whole_encode(image, patch, rect[:2], quality, restart_marker_rows=1, icc_profile=ICC, dpi=(300, 300))
    assert encode_with_patch(image, patch, rect, strips, icc_profile=ICC, dpi=(300, 300), ahead=ahead) == expected
    assert encode_with_patch(image, patch, rect, strips, icc_profile=ICC, dpi=(300, 300)) == expected


def test_the_file_decodes_to_the_pixels_of_a_plain_encode_and_keeps_its_metadata():
    image, patch, rect = scene(1000, 900)
    data = encode_with_patch(image, patch, rect, JpegStrips(image.size, 95, rows=64), icc_profile=ICC, dpi=(300, 300))
    plain = whole_encode(image, patch, rect[:2], 95)
    with Image.open(io.BytesIO(data)) as striped, Image.open(io.BytesIO(plain)) as reference:
        assert striped.size == (1000, 900) and striped.info["icc_profile"] == ICC
        assert striped.info["dpi"] == pytest.approx((300, 300))
        assert np.array_equal(np.asarray(striped), np.asarray(reference))


def test_scans_made_ahead_for_other_rows_are_not_used():
    image, patch, rect = scene(1000, 900)
    strips = JpegStrips(image.size, 95, rows=64)
    ahead = start_ahead(image, strips, (600, 700))  # the patch lands on rows 300-500, which it encoded
    assert not ahead.usable_for(strips, 300, 500)
    expected = whole_encode(image, patch, rect[:2], 95, restart_marker_rows=1)
    assert encode_with_patch(image, patch, rect, strips, ahead=ahead) == expected


def test_an_empty_patch_gives_the_original():
    image, _, _ = scene(640, 512)
    strips = JpegStrips(image.size, 95, rows=64)
    ahead = start_ahead(image, strips, (0, 0))
    assert len(ahead.futures) == len(strips.bounds())
    empty = Image.new("RGB", (0, 0))
    expected = whole_encode(image, empty, (0, 0), 95, restart_marker_rows=1)
    assert encode_with_patch(image, empty, (0, 0, 0, 0), strips, ahead=ahead) == expected


def test_only_large_rgb_images_are_striped():
    assert worth_striping((6000, 4000), "RGB")
    assert not worth_striping((3000, 2000), "RGB")
    assert not worth_striping((6000, 4000), "RGBA")


def test_strips_the_ahead_thread_has_not_reached_are_encoded_when_the_file_is_wanted():
    import threading

    from desktop_editor.core.parallel import submit

    image, patch, rect = scene(1000, 900)
    strips = JpegStrips(image.size, 95, rows=64)
    release = threading.Event()
    blocker = submit(release.wait, 10, ahead=True)  # the ahead thread is busy elsewhere
    try:
        ahead = start_ahead(image, strips, (rect[1], rect[1] + patch.height))
        expected = whole_encode(image, patch, rect[:2], 95, restart_marker_rows=1)
        assert encode_with_patch(image, patch, rect, strips, ahead=ahead) == expected  # without waiting for it
        assert all(future.cancelled() for future in ahead.futures.values())
    finally:
        release.set()
        blocker.result(timeout=10)
