"""Which format a re-encoded result is saved in, and what the encoder keeps."""

import io

import pytest
from PIL import Image

from desktop_editor.core.export import SAVE_FORMATS, encode_image, save_format


@pytest.mark.parametrize(
    "choice, source, alpha, service, expected",
    [
        ("source", "JPEG", False, "png", "jpeg"),  # a camera JPEG stays a JPEG
        ("source", "MPO", False, "png", "jpeg"),
        ("source", "PNG", False, "jpeg", "png"),
        ("source", "WEBP", False, "png", "png"),  # lossless, and fast to write
        ("source", "clipboard", False, "png", "png"),
        ("source", None, False, "png", "png"),
        ("source", "JPEG", True, "png", "png"),  # transparency needs PNG
        ("png", "JPEG", False, "jpeg", "png"),
        ("jpeg", "PNG", False, "png", "jpeg"),
        ("jpeg", "PNG", True, "png", "png"),
        ("service", "JPEG", False, "webp", "webp"),  # the behaviour before the setting
        ("service", "JPEG", False, "PNG", "png"),
    ],
)
def test_save_format(choice, source, alpha, service, expected):
    assert choice in SAVE_FORMATS
    assert save_format(choice, source_format=source, has_alpha=alpha, service_format=service) == expected


def test_jpeg_keeps_profile_and_dpi_with_full_resolution_colour():
    from PIL import ImageCms, JpegImagePlugin

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode_image(Image.new("RGB", (64, 48), (200, 30, 60)), "jpeg", icc_profile=icc, dpi=(300, 300))
    img = Image.open(io.BytesIO(data))
    assert img.format == "JPEG" and img.info["icc_profile"] == icc
    assert tuple(round(v) for v in img.info["dpi"]) == (300, 300)
    assert JpegImagePlugin.get_sampling(img) == 0  # 4:4:4


def test_encoding_without_room_for_a_temporary_file_still_gives_the_image(monkeypatch):
    import io as io_module

    from PIL import Image as PILImage

    from desktop_editor.core import export

    def no_room(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    image = PILImage.new("RGB", (64, 48), (10, 200, 30))
    normal = export.encode_image(image, "png")
    monkeypatch.setattr(export.tempfile, "TemporaryFile", no_room)
    fallback = export.encode_image(image, "png")
    assert fallback == normal
    with PILImage.open(io_module.BytesIO(fallback)) as decoded:
        assert decoded.size == (64, 48) and decoded.getpixel((5, 5)) == (10, 200, 30)
