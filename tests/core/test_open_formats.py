"""Every file kind a designer brings opens with its own values, profile and kind; others say what to do."""

import io

import cv2
import tifffile
import numpy as np
import pytest
from PIL import Image, ImageOps

from colour_images import adobe_rgb, cmyk_profile, display_p3, gradient, prophoto, srgb_of
from desktop_editor.core.image_limits import ImageTooLargeError, check_size
from desktop_editor.core.images import ImageLoadError, load_image
from desktop_editor.core.source_image import apply_orientation


def cv2_tiff(path, values, compression=5):
    """A 16-bit TIFF as OpenCV writes it (RGB values given, BGR stored)."""
    bgr = values if values.ndim == 2 else cv2.cvtColor(values, cv2.COLOR_RGBA2BGRA if values.shape[2] == 4 else cv2.COLOR_RGB2BGR)
    ok, encoded = cv2.imencode(".tiff", bgr, [cv2.IMWRITE_TIFF_COMPRESSION, compression])
    assert ok
    path.write_bytes(encoded.tobytes())
    return path


def tagged_tiff16(path, values, profile, compression=5):
    from desktop_editor.core.tiff_tags import ICC_PROFILE, UNDEFINED, with_tags

    cv2_tiff(path, values, compression)
    path.write_bytes(with_tags(path.read_bytes(), {ICC_PROFILE: (UNDEFINED, profile)}))
    return path


@pytest.mark.parametrize("compression", [1, 5, 8])
def test_a_16_bit_prophoto_tiff_keeps_its_16_bits_profile_and_compression(tmp_path, compression):
    values = gradient(bits=16)
    loaded = load_image(tagged_tiff16(tmp_path / "lr.tif", values, prophoto(), compression))
    source = loaded.source
    assert source.kind == "TIFF" and source.space.bits == 16 and source.space.mode == "RGB"
    assert source.space.profile == prophoto()
    assert source.compression == {1: "raw", 5: "tiff_lzw", 8: "tiff_adobe_deflate"}[compression]
    assert np.array_equal(source.pixels, values)
    eight = np.clip(np.rint(values / 257.0), 0, 255).astype(np.uint8)
    assert np.abs(np.asarray(loaded.image).astype(int) - srgb_of(eight, prophoto())).max() <= 1


def test_16_bit_png_rgb_rgba_and_grey_keep_their_16_bits(tmp_path):
    rgb = gradient(bits=16)
    rgba = gradient(bits=16, bands=4)
    for name, values in (("rgb.png", rgb), ("rgba.png", rgba)):
        bgr = cv2.cvtColor(values, cv2.COLOR_RGBA2BGRA if values.shape[2] == 4 else cv2.COLOR_RGB2BGR)
        cv2.imwrite(str(tmp_path / name), bgr)
        loaded = load_image(tmp_path / name)
        assert loaded.source.space.bits == 16 and np.array_equal(loaded.source.pixels, values)
    assert load_image(tmp_path / "rgba.png").image.mode == "RGBA"
    grey = rgb[..., 0].copy()
    Image.fromarray(grey).save(tmp_path / "grey.png")
    loaded = load_image(tmp_path / "grey.png")
    assert loaded.source.space.mode == "L" and loaded.source.space.bits == 16
    assert np.array_equal(loaded.source.pixels, grey) and loaded.image.mode == "RGB"


@pytest.mark.parametrize("compression", ["raw", "tiff_lzw", "tiff_adobe_deflate", "jpeg"])
@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "CMYK"])
def test_8_bit_tiff_in_every_mode_and_compression(tmp_path, mode, compression):
    if compression == "jpeg" and mode == "RGBA":
        pytest.skip("libtiff writes no JPEG-compressed RGBA")
    bands = {"RGB": 3, "RGBA": 4, "L": 1, "CMYK": 4}[mode]
    values = gradient(bands=max(3, bands))[..., :bands] if bands > 1 else gradient()[..., 0]
    if mode == "RGBA":
        values = values.copy()
        values[..., 3] = 200
    path = tmp_path / "page.tif"
    Image.fromarray(np.ascontiguousarray(values), mode).save(path, compression=compression)
    loaded = load_image(path)
    assert loaded.source.kind == "TIFF" and loaded.source.compression == compression
    assert loaded.source.space.mode == mode
    if compression != "jpeg":
        held = loaded.source.pixels if loaded.source.pixels is not None else np.asarray(loaded.image)
        assert np.array_equal(held, values)


def test_the_first_page_of_a_multi_page_tiff(tmp_path):
    pages = [Image.new("RGB", (20, 10), c) for c in ((200, 0, 0), (0, 200, 0))]
    pages[0].save(tmp_path / "pages.tif", save_all=True, append_images=pages[1:])
    assert tuple(np.asarray(load_image(tmp_path / "pages.tif").image)[5, 5]) == (200, 0, 0)


def test_an_iphone_style_heic_in_display_p3(tmp_path):
    import pillow_heif

    pillow_heif.register_heif_opener()
    values = gradient()
    path = tmp_path / "IMG_0001.HEIC"
    Image.fromarray(values).save(path, "HEIF", quality=-1, icc_profile=display_p3())
    loaded = load_image(path)
    assert loaded.source.kind == "HEIF" and loaded.source.space.profile == display_p3()
    assert loaded.source.save_kind == "heif"
    decoded = np.asarray(Image.open(path))
    assert np.array_equal(loaded.source.pixels, decoded)
    assert np.abs(np.asarray(loaded.image).astype(int) - srgb_of(decoded, display_p3())).max() <= 1


def test_avif_keeps_its_profile(tmp_path):
    path = tmp_path / "web.avif"
    Image.fromarray(gradient()).save(path, "AVIF", quality=90, icc_profile=adobe_rgb())
    loaded = load_image(path)
    assert loaded.source.kind == "AVIF" and loaded.source.space.profile == adobe_rgb()
    assert loaded.source.converted


def psd_bytes(image: Image.Image, layered: bool) -> bytes:
    from psd_tools import PSDImage

    psd = PSDImage.frompil(image)
    if layered:
        psd.create_pixel_layer(Image.new(image.mode, (8, 8), (0,) * len(image.mode)), name="patch", top=2, left=2)
    buf = io.BytesIO()
    psd.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("layered", [False, True])
def test_a_psd_opens_as_its_composite_with_or_without_layers(tmp_path, layered):
    flat = Image.fromarray(gradient())
    path = tmp_path / "poster.psd"
    path.write_bytes(psd_bytes(flat, layered))
    loaded = load_image(path)
    assert loaded.source.kind == "PSD" and loaded.size == flat.size
    assert loaded.source.save_kind == "tiff"
    if not layered:
        assert np.array_equal(np.asarray(loaded.image), np.asarray(flat))


def test_bmp_webp_and_gif_open(tmp_path):
    values = gradient()
    for name in ("a.bmp", "a.webp"):
        Image.fromarray(values).save(tmp_path / name, lossless=True) if name.endswith("webp") else \
            Image.fromarray(values).save(tmp_path / name)
        assert np.array_equal(np.asarray(load_image(tmp_path / name).image), values)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_orientation_of_arrays_matches_pillow(orientation):
    values = gradient(12, 7)
    img = Image.fromarray(values)
    exif = Image.Exif()
    exif[0x0112] = orientation
    img.info["exif"] = exif.tobytes()
    buf = io.BytesIO()
    img.save(buf, "PNG", exif=exif.tobytes())
    expected = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(buf.getvalue()))))
    assert np.array_equal(apply_orientation(values, orientation), expected)


def test_orientation_is_applied_to_a_16_bit_tiff(tmp_path):
    values = gradient(bits=16)
    path = tmp_path / "turned.tif"
    tifffile.imwrite(path, values, photometric="rgb", extratags=[(274, "H", 1, 6, True)])  # turn clockwise
    loaded = load_image(path)
    assert loaded.source.pixels.shape[:2] == (96, 64)
    assert np.array_equal(loaded.source.pixels, np.rot90(values, 3))


@pytest.mark.parametrize("suffix,label", [(".NEF", "Nikon NEF"), (".cr2", "Canon CR2"), (".dng", "DNG"),
                                          (".ARW", "Sony ARW"), (".rw2", "Panasonic RW2")])
def test_camera_raw_is_refused_by_name_never_opened_as_its_thumbnail(tmp_path, suffix, label):
    path = tmp_path / f"DSC_0001{suffix}"
    Image.new("RGB", (160, 120)).save(path, "TIFF")  # a RAW file's embedded preview is a TIFF/JPEG
    with pytest.raises(ImageLoadError) as info:
        load_image(path)
    text = str(info.value)
    assert path.name in text and label in text and "TIFF" in text and "export" in text.lower()


def test_an_unknown_kind_names_what_opens(tmp_path):
    path = tmp_path / "drawing.svg"
    path.write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    with pytest.raises(ImageLoadError) as info:
        load_image(path)
    text = str(info.value)
    assert "drawing.svg" in text and "SVG files" in text and "TIFF" in text and "HEIC" in text and "PSD" in text


def _cut(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    return path


@pytest.mark.parametrize("kind", ["heic", "tif16", "tif8", "psd", "avif"])
def test_a_cut_off_file_of_any_kind_is_called_incomplete(tmp_path, kind):
    values = gradient(300, 200)
    path = tmp_path / f"cut.{kind}"
    if kind == "heic":
        import pillow_heif

        pillow_heif.register_heif_opener()
        Image.fromarray(values).save(path, "HEIF")
    elif kind == "avif":
        Image.fromarray(values).save(path, "AVIF")
    elif kind == "tif16":
        cv2_tiff(path, gradient(300, 200, bits=16))
    elif kind == "tif8":
        Image.fromarray(values).save(path, "TIFF")
    else:
        path.write_bytes(psd_bytes(Image.fromarray(values), layered=True))
    with pytest.raises(ImageLoadError) as info:
        load_image(_cut(path))
    text = str(info.value)
    assert path.name in text and "cut off" in text and "incomplete" in text


def test_a_100_megapixel_camera_jpeg_opens(tmp_path):
    path = tmp_path / "gfx100.jpg"
    Image.new("RGB", (11648, 8736), (90, 120, 150)).save(path, quality=80)
    loaded = load_image(path)
    assert loaded.size == (11648, 8736)


def test_the_size_limit_names_the_size_and_the_memory_it_needs():
    with pytest.raises(ImageTooLargeError) as info:
        check_size("stitch.tif", 60000, 40000, 3_000_000_000, memory=16 * 1024**3)
    text = str(info.value)
    assert "60000x40000" in text and "2,400 megapixels" in text and "GB" in text and "16.0 GB" in text
    check_size("gfx100.jpg", 11648, 8736, 30_000_000, memory=16 * 1024**3)  # fits


def test_the_limit_is_reported_by_load_image_as_a_sentence(tmp_path):
    path = tmp_path / "big.png"
    Image.new("RGB", (4000, 3000)).save(path)
    with pytest.raises(ImageLoadError, match="big.png is 4000x3000 .* memory"):
        load_image(path, memory=64 * 1024**2)


def test_a_real_bomb_is_refused_whatever_the_memory(bad_files):
    with pytest.raises(ImageLoadError, match="claims to be 30000x30000"):
        load_image(bad_files["bomb"], memory=1024**4)


def test_cmyk_jpeg_with_profile_keeps_its_values_and_profile(tmp_path):
    values = gradient(bands=4)
    path = tmp_path / "print.jpg"
    Image.fromarray(values, "CMYK").save(path, quality=95, icc_profile=cmyk_profile())
    loaded = load_image(path)
    assert loaded.source.space.mode == "CMYK" and loaded.source.space.profile == cmyk_profile()
    assert np.array_equal(loaded.source.pixels, np.asarray(Image.open(path)))
    assert np.abs(np.asarray(loaded.image).astype(int)
                  - srgb_of(np.asarray(Image.open(path)), cmyk_profile(), "CMYK")).max() <= 1


def test_running_out_of_memory_while_opening_is_a_sentence(tmp_path, monkeypatch):
    from desktop_editor.core import images

    path = tmp_path / "adobe.jpg"
    Image.fromarray(gradient()).save(path, icc_profile=adobe_rgb())

    def no_memory(*_args, **_kwargs):
        raise MemoryError

    monkeypatch.setattr(images, "to_srgb8", no_memory)
    with pytest.raises(ImageLoadError, match="adobe.jpg is too large to open with the memory available"):
        load_image(path)
