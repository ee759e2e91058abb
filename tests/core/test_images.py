import io

import numpy as np
import pytest
from PIL import Image, ImageCms

from desktop_editor.core.images import ImageLoadError, decode_pixels, load_image


@pytest.mark.parametrize("kind", ["corrupt_png", "truncated_jpeg", "empty", "text_as_png", "bomb"])
def test_bad_files_give_a_sentence(bad_files, kind):
    with pytest.raises(ImageLoadError) as info:
        load_image(bad_files[kind])
    text = str(info.value)
    assert bad_files[kind].name in text
    assert "Traceback" not in text and len(text) < 300


def test_missing_file(tmp_path):
    with pytest.raises(ImageLoadError, match="does not exist"):
        load_image(tmp_path / "nope.png")


def test_exif_rotation_is_applied(tmp_path):
    img = Image.new("RGB", (40, 20), (255, 0, 0))
    img.paste((0, 0, 255), (0, 0, 10, 20))  # blue strip on the left
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 CW to display
    path = tmp_path / "rotated.jpg"
    img.save(path, "JPEG", exif=exif.tobytes(), quality=95)
    loaded = load_image(path).image
    assert loaded.size == (20, 40)
    top = np.asarray(loaded)[2, 10]
    assert top[2] > 200 and top[0] < 60  # the left strip is now at the top


def test_cmyk_jpeg_becomes_rgb(tmp_path):
    path = tmp_path / "cmyk.jpg"
    Image.new("CMYK", (32, 32), (0, 255, 255, 0)).save(path, "JPEG", quality=95)
    loaded = load_image(path)
    assert loaded.image.mode == "RGB"
    r, g, b = np.asarray(loaded.image)[16, 16]
    assert r > 200 and g < 60 and b < 60  # cyan/magenta/yellow -> red


def test_16bit_png_scaled_not_clipped(tmp_path):
    arr = np.full((8, 8), 32768, dtype=np.uint16)
    path = tmp_path / "deep.png"
    Image.fromarray(arr).save(path)
    loaded = load_image(path).image
    assert loaded.mode == "RGB"
    assert abs(int(np.asarray(loaded)[0, 0, 0]) - 128) <= 1


def test_palette_with_transparency_keeps_alpha(tmp_path):
    img = Image.new("P", (8, 8), 1)
    img.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    img.info["transparency"] = 0
    img.putpixel((0, 0), 0)
    path = tmp_path / "pal.png"
    img.save(path, transparency=0)
    loaded = load_image(path).image
    assert loaded.mode == "RGBA"
    assert np.asarray(loaded)[0, 0, 3] == 0 and np.asarray(loaded)[4, 4, 3] == 255


def test_grayscale_and_gif_first_frame(tmp_path):
    Image.new("L", (10, 10), 77).save(tmp_path / "g.png")
    assert load_image(tmp_path / "g.png").image.mode == "RGB"
    frames = [Image.new("RGB", (10, 10), c) for c in ((255, 0, 0), (0, 255, 0))]
    frames[0].save(tmp_path / "a.gif", save_all=True, append_images=frames[1:])
    first = np.asarray(load_image(tmp_path / "a.gif").image)[5, 5]
    assert first[0] > 200 and first[1] < 50


def test_icc_and_dpi_kept(tmp_path):
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    path = tmp_path / "p.png"
    Image.new("RGB", (8, 8)).save(path, icc_profile=icc, dpi=(300, 300))
    loaded = load_image(path)
    assert loaded.icc_profile == icc
    assert loaded.dpi == pytest.approx((300, 300), abs=0.1)


def test_bytes_source():
    buf = io.BytesIO()
    Image.new("RGB", (5, 6)).save(buf, "PNG")
    assert load_image(buf.getvalue()).size == (5, 6)


def test_astronaut_photo(data_dir):
    assert load_image(data_dir / "astronaut.png").size == (512, 512)


def test_pristine_bytes_only_when_sending_them_is_safe(tmp_path):
    plain = tmp_path / "plain.jpg"
    Image.new("RGB", (16, 16), (1, 2, 3)).save(plain, quality=90)
    loaded = load_image(plain)
    assert loaded.pristine_bytes == plain.read_bytes() and loaded.mime_type == "image/jpeg"
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    tagged = tmp_path / "tagged.jpg"
    Image.new("RGB", (16, 16)).save(tagged, exif=exif.tobytes())
    assert load_image(tagged).pristine_bytes is None  # camera metadata is never sent along
    cmyk = tmp_path / "cmyk.jpg"
    Image.new("CMYK", (16, 16)).save(cmyk)
    assert load_image(cmyk).pristine_bytes is None


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_cut_off_file_is_called_incomplete_not_bytes_not_processed(tmp_path, fmt):
    buf = io.BytesIO()
    Image.new("RGB", (300, 200), (200, 30, 30)).save(buf, fmt)
    path = tmp_path / f"cut.{fmt.lower()}"
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) * 2 // 3])
    with pytest.raises(ImageLoadError) as info:
        load_image(path)
    text = str(info.value)
    assert "cut off" in text and "incomplete" in text
    assert "not processed" not in text and "truncated" not in text


def test_unchanged_file_bytes_only_while_the_file_is_as_decoded(tmp_path):
    from desktop_editor.core.images import LoadedImage, unchanged_file_bytes

    path = tmp_path / "a.jpg"
    Image.new("RGB", (32, 24), (1, 2, 3)).save(path, quality=90)
    loaded = load_image(path)
    assert unchanged_file_bytes(loaded) == path.read_bytes()
    Image.new("RGB", (32, 24), (9, 2, 3)).save(path, quality=90)
    assert unchanged_file_bytes(loaded) is None
    path.unlink()
    assert unchanged_file_bytes(loaded) is None
    assert unchanged_file_bytes(LoadedImage(image=loaded.image)) is None  # pasted: no file


@pytest.mark.parametrize(
    "mode, fmt",
    [("RGB", "JPEG"), ("L", "JPEG"), ("CMYK", "JPEG"), ("RGB", "PNG"), ("RGBA", "PNG"), ("LA", "PNG"),
     ("P", "PNG"), ("I;16", "PNG"), ("1", "PNG"), ("RGB", "WEBP")],
)
def test_decoding_into_new_memory_gives_the_pixels_a_plain_load_gives(mode, fmt):
    rng = np.random.default_rng(7)
    source = Image.fromarray(rng.integers(0, 255, (37, 53, 4), np.uint8), "RGBA")
    source = source.convert("RGB").quantize(50) if mode == "P" else source.convert(mode)
    buf = io.BytesIO()
    source.save(buf, fmt, **({"transparency": 3} if mode == "P" else {}))
    plain = Image.open(io.BytesIO(buf.getvalue()))
    plain.load()
    ours = Image.open(io.BytesIO(buf.getvalue()))
    decode_pixels(ours)
    assert (ours.mode, ours.size) == (plain.mode, plain.size)
    assert ours.tobytes() == plain.tobytes()
    assert ours.getpalette() == plain.getpalette() and ours.info == plain.info
