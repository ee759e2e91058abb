"""Colour spaces: which profiles count as sRGB, what is set aside with a note, and the conversions."""

import io

import numpy as np
import pytest
from PIL import Image, ImageCms

from colour_images import adobe_rgb, cmyk_profile, display_p3, ghostscript_profile, gradient, prophoto, srgb_of
from desktop_editor.core import colour
from desktop_editor.core.colour import ColourSpace, checked_profile, from_srgb8, is_srgb, to_srgb8
from desktop_editor.core.images import load_image


def test_srgb_is_recognised_by_what_it_does_not_by_name():
    assert is_srgb(None) and is_srgb(colour.SRGB_BYTES)
    assert is_srgb(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    for wide in (adobe_rgb(), prophoto(), display_p3()):
        assert not is_srgb(wide)


def test_a_damaged_profile_or_one_for_another_colour_model_is_set_aside_with_a_note():
    assert checked_profile(b"not a profile at all", "RGB") == (None, checked_profile(b"x", "RGB")[1])
    assert "sRGB" in checked_profile(b"not a profile", "RGB")[1]
    profile, note = checked_profile(adobe_rgb(), "CMYK")
    assert profile is None and "CMYK" in note and "RGB" in note
    assert checked_profile(adobe_rgb(), "RGBA") == (adobe_rgb(), None)


def test_a_jpeg_with_a_broken_profile_opens_as_srgb_and_says_so(tmp_path):
    path = tmp_path / "broken.jpg"
    values = gradient()
    Image.fromarray(values).save(path, quality=95, icc_profile=b"\0" * 200)
    loaded = load_image(path)
    assert loaded.note and "sRGB" in loaded.note
    assert loaded.source.space.profile is None and not loaded.source.converted
    assert np.array_equal(np.asarray(loaded.image), np.asarray(Image.open(path).convert("RGB")))


@pytest.mark.parametrize("profile", [adobe_rgb, prophoto, display_p3])
def test_to_srgb8_is_imagecms_relative_colorimetric_with_black_point_compensation(profile):
    values = gradient()
    shown = np.asarray(to_srgb8(values, ColourSpace("RGB", 8, profile())))
    assert np.abs(shown.astype(int) - srgb_of(values, profile())).max() <= 1


def test_sixteen_bit_values_are_rounded_to_eight_bits_before_the_conversion():
    values = gradient(bits=16)
    shown = np.asarray(to_srgb8(values, ColourSpace("RGB", 16, prophoto())))
    eight = np.clip(np.rint(values / 257.0), 0, 255).astype(np.uint8)
    assert np.abs(shown.astype(int) - srgb_of(eight, prophoto())).max() <= 1


def test_alpha_passes_through_untouched():
    values = gradient(bands=4)
    values[..., 3] = np.arange(values.shape[1], dtype=np.uint8)[None, :]
    shown = np.asarray(to_srgb8(values, ColourSpace("RGBA", 8, adobe_rgb())))
    assert shown.shape[2] == 4 and np.array_equal(shown[..., 3], values[..., 3])


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "LA", "CMYK"])
@pytest.mark.parametrize("bits", [8, 16])
def test_a_large_image_converted_in_strips_on_threads_equals_the_whole_conversion(monkeypatch, mode, bits):
    monkeypatch.setattr(colour, "PARALLEL_FROM", 0)
    monkeypatch.setattr(colour, "STRIP_PIXELS", 96 * 7)  # 7-row strips: 10 of them, the last one short
    monkeypatch.setattr(colour.os, "cpu_count", lambda: 2)
    bands = {"RGB": 3, "RGBA": 4, "L": 1, "LA": 2, "CMYK": 4}[mode]
    values = gradient(bits=bits, bands=4)[..., :bands]
    values = np.ascontiguousarray(values[..., 0] if bands == 1 else values)
    profile = cmyk_profile() if mode == "CMYK" else ghostscript_profile("sgray.icc") if mode in ("L", "LA") \
        else prophoto()
    shown = np.asarray(to_srgb8(values, ColourSpace(mode, bits, profile)))
    colour_mode = {"RGBA": "RGB", "LA": "L"}.get(mode, mode)
    colour_values = values if bands in (1, 3) or mode == "CMYK" else values[..., :-1]
    eight = colour_values if bits == 8 else np.clip(np.rint(colour_values / 257.0), 0, 255).astype(np.uint8)
    eight = np.ascontiguousarray(eight[..., 0] if colour_mode == "L" and eight.ndim == 3 else eight)
    expected = srgb_of(eight, profile, colour_mode)
    assert np.abs(shown[..., :3].astype(int) - expected).max() <= 1
    if mode in ("RGBA", "LA"):
        alpha = values[..., -1] if bits == 8 else np.clip(np.rint(values[..., -1] / 257.0), 0, 255)
        assert np.array_equal(shown[..., 3], alpha.astype(np.uint8))


def test_from_srgb8_gives_the_documents_mode_and_depth():
    srgb = Image.fromarray(gradient())
    assert from_srgb8(srgb, ColourSpace("RGB", 16, prophoto())).dtype == np.uint16
    cmyk = from_srgb8(srgb, ColourSpace("CMYK", 8, cmyk_profile()))
    assert cmyk.shape == (64, 96, 4) and cmyk.dtype == np.uint8
    grey = from_srgb8(srgb, ColourSpace("L", 8, None))
    assert grey.shape == (64, 96)
    # there and back through 8-bit Adobe RGB (which holds all of sRGB): close on average; deep
    # shadows lose a few levels to the 8-bit steps of a gamma-2.2 space
    back = to_srgb8(from_srgb8(srgb, ColourSpace("RGB", 8, adobe_rgb())), ColourSpace("RGB", 8, adobe_rgb()))
    error = np.abs(np.asarray(back).astype(int) - np.asarray(srgb))
    assert error.mean() < 1.0 and error.max() <= 16


def test_cmyk_without_a_profile_uses_the_standard_one_and_says_so(tmp_path):
    path = tmp_path / "print.jpg"
    Image.new("CMYK", (16, 16), (0, 255, 255, 0)).save(path, quality=95)
    loaded = load_image(path)
    assert loaded.source.space.mode == "CMYK" and loaded.source.space.profile is None
    assert loaded.note and "CMYK" in loaded.note and "profile" in loaded.note
    r, g, b = np.asarray(loaded.image)[8, 8]
    assert r > 180 and g < 90 and b < 90


def test_the_display_profile_is_srgb_while_the_screen_does_not_say():
    assert colour.display_profile() is None


def test_profile_name():
    assert colour.profile_name(None) == "sRGB"
    assert "Display P3" in colour.profile_name(display_p3())
    assert colour.profile_name(b"junk") == "an unreadable profile"


def test_imagecms_reads_the_made_display_p3_profile():
    profile = ImageCms.ImageCmsProfile(io.BytesIO(display_p3()))
    assert profile.profile.xcolor_space == "RGB "
