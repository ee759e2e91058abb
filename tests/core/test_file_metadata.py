"""Profile and resolution added to a result's bytes without touching its pixels."""

import io

import numpy as np
import pytest
from PIL import Image, ImageCms

from desktop_editor.core.file_metadata import with_metadata

ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _image(mode: str = "RGB") -> Image.Image:
    rng = np.random.default_rng(3)
    channels = len(mode)
    return Image.fromarray(rng.integers(0, 255, (40, 60, channels), dtype=np.uint8).squeeze(), mode)


def _exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    return exif.tobytes()


def _encode(img: Image.Image, fmt: str, **options) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **options)
    return buf.getvalue()


@pytest.mark.parametrize("fmt,options", [("PNG", {}), ("JPEG", {"quality": 90}), ("JPEG", {"quality": 90, "exif": _exif()})])
def test_profile_and_dpi_added_pixels_unchanged(fmt, options):
    original = _encode(_image(), fmt, **options)
    out = with_metadata(original, icc_profile=ICC, dpi=(300.0, 300.0))
    with Image.open(io.BytesIO(out)) as a, Image.open(io.BytesIO(original)) as b:
        assert a.info.get("icc_profile") == ICC
        assert tuple(round(v) for v in a.info["dpi"]) == (300, 300)
        assert np.array_equal(np.asarray(a), np.asarray(b))


def test_jpeg_with_jfif_aspect_only_gets_resolution():
    original = _encode(_image(), "JPEG", quality=90)  # Pillow writes JFIF with units 0 (no dpi)
    assert "dpi" not in Image.open(io.BytesIO(original)).info or Image.open(io.BytesIO(original)).info["dpi"] == (1, 1)
    out = with_metadata(original, dpi=(240.0, 240.0))
    assert tuple(round(v) for v in Image.open(io.BytesIO(out)).info["dpi"]) == (240, 240)


def test_what_the_file_says_is_kept():
    other = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    png = _encode(_image(), "PNG", icc_profile=other, dpi=(72, 72))
    out = with_metadata(png, icc_profile=ICC, dpi=(300.0, 300.0))
    info = Image.open(io.BytesIO(out)).info
    assert info["icc_profile"] == other and round(info["dpi"][0]) == 72


@pytest.mark.parametrize("mode,options", [("RGB", {"quality": 80}), ("RGBA", {"lossless": True}), ("RGB", {"quality": 80, "icc_profile": b""})])
def test_webp_gets_the_profile(mode, options):
    original = _encode(_image(mode), "WEBP", **options)
    out = with_metadata(original, icc_profile=ICC, dpi=(300.0, 300.0))
    with Image.open(io.BytesIO(out)) as a, Image.open(io.BytesIO(original)) as b:
        assert a.info.get("icc_profile") == ICC
        assert a.size == b.size and a.mode == b.mode
        assert np.array_equal(np.asarray(a), np.asarray(b))


def test_unknown_or_damaged_bytes_come_back_unchanged():
    assert with_metadata(b"GIF89a....", icc_profile=ICC) == b"GIF89a...."
    broken = b"\x89PNG\r\n\x1a\n\x00\x00"
    assert with_metadata(broken, icc_profile=ICC, dpi=(300, 300)) == broken
