"""Designers' own files through the command line and the emulator: opened, sent as sRGB, and
saved back as the same kind, profile and depth; RAW and damaged files get a sentence."""

import base64
import io

import cv2
import numpy as np
import pytest
import tifffile
from PIL import Image

from colour_images import adobe_rgb, cmyk16_tiff, cmyk_profile, display_p3, gradient, prophoto
from desktop_editor.cli import main
from desktop_editor.core import masks
from desktop_editor.core.colour import SRGB_BYTES
from desktop_editor.core.images import load_image
from desktop_editor.core.masks import MaskConvention
from desktop_editor.core.tiff_tags import ICC_PROFILE, UNDEFINED, with_tags
from desktop_editor.emulator import Behaviour, Emulator

KEY = "rf_test_kinds_key"
W, H = 96, 64


@pytest.fixture
def emulator():
    with Emulator(api_keys={KEY}, behaviour=Behaviour(run_duration=0.05)) as emu:
        yield emu


@pytest.fixture
def mask_file(tmp_path):
    m = masks.empty_mask((W, H))
    m[20:44, 30:70] = 255
    path = tmp_path / "mask.png"
    path.write_bytes(masks.encode_mask_png(m, MaskConvention.BLACK_WHITE))
    return path, m


def edit(emulator, *args):
    return main(["edit", *map(str, args), "--base-url", emulator.base_url, "--api-key", KEY, "--timeout", "20",
                 "--poll-interval", "0.05"])


def sent_image(emulator) -> Image.Image:
    create = [r for r in emulator.requests if r.method == "POST" and "/runs" in r.path][-1]
    return Image.open(io.BytesIO(base64.b64decode(create.json["input"]["image_urls"][0].split(",", 1)[1])))


def prophoto_tiff(tmp_path):
    values = gradient(bits=16)
    ok, encoded = cv2.imencode(".tiff", cv2.cvtColor(values, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_TIFF_COMPRESSION, 5])
    path = tmp_path / "lightroom.tif"
    path.write_bytes(with_tags(encoded.tobytes(), {ICC_PROFILE: (UNDEFINED, prophoto())}))
    return path, values


def test_a_16_bit_prophoto_tiff_edited_with_keep_unmasked_comes_back_a_16_bit_prophoto_tiff(
        emulator, mask_file, tmp_path, capsys):
    path, values = prophoto_tiff(tmp_path)
    out = tmp_path / "out"
    assert edit(emulator, path, "--prompt", "sky", "--mask", mask_file[0], "--keep-unmasked", "--out", out) == 0
    assert sent_image(emulator).info.get("icc_profile") == SRGB_BYTES
    (result,) = out.iterdir()
    assert result.suffix == ".tif" and capsys.readouterr().out.split() == [str(result)]
    back = load_image(result).source
    assert back.space.bits == 16 and back.space.profile == prophoto() and back.compression == "tiff_lzw"
    outside = mask_file[1] == 0
    assert np.array_equal(back.pixels[outside], values[outside])


def test_a_turned_16_bit_a98_tiff_comes_back_upright_with_its_exif_and_orientation_1(emulator, mask_file, tmp_path):
    values = gradient(bits=16)  # upright: 96 wide, 64 high
    stored = np.ascontiguousarray(np.rot90(values, 1))  # lying on its side: orientation 6 turns it back
    ok, encoded = cv2.imencode(".tiff", cv2.cvtColor(stored, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_TIFF_COMPRESSION, 8])
    exif = Image.Exif()
    exif[0x010F] = "Camera Co"
    exif.get_ifd(0x8769)[0x8827] = 200
    path = tmp_path / "turned.tif"
    path.write_bytes(with_tags(encoded.tobytes(), {ICC_PROFILE: (UNDEFINED, adobe_rgb()), 0x0112: (3, 6)},
                               exif=exif.tobytes()))
    out = tmp_path / "out"
    assert edit(emulator, path, "--prompt", "sky", "--mask", mask_file[0], "--keep-unmasked", "--out", out) == 0
    (result,) = out.iterdir()
    with Image.open(result) as saved:
        tags = saved.getexif()
        assert tags[0x0112] == 1 and tags[0x010F] == "Camera Co" and tags.get_ifd(0x8769)[0x8827] == 200
    back = load_image(result).source
    assert back.space.bits == 16 and back.space.profile == adobe_rgb()
    outside = mask_file[1] == 0
    assert np.array_equal(back.pixels[outside], values[outside])


def test_a_cmyk_jpeg_stays_a_cmyk_jpeg_with_its_profile(emulator, mask_file, tmp_path):
    path = tmp_path / "print.jpg"
    Image.fromarray(gradient(bands=4), "CMYK").save(path, quality=95, icc_profile=cmyk_profile())
    out = tmp_path / "out"
    assert edit(emulator, path, "--prompt", "ok", "--mask", mask_file[0], "--keep-unmasked", "--out", out) == 0
    (result,) = out.iterdir()
    with Image.open(result) as saved:
        assert result.suffix == ".jpg" and saved.mode == "CMYK" and saved.info["icc_profile"] == cmyk_profile()


@pytest.mark.parametrize("compression", [1, 5, 8])
@pytest.mark.parametrize("tagged", [True, False])
def test_a_16_bit_cmyk_tiff_comes_back_a_16_bit_cmyk_tiff_equal_outside_the_mask(
        emulator, mask_file, tmp_path, capsys, compression, tagged):
    values = gradient(bits=16, bands=4)
    path = tmp_path / "print.tif"
    path.write_bytes(cmyk16_tiff(values, compression, cmyk_profile() if tagged else None))
    out = tmp_path / "out"
    assert edit(emulator, path, "--prompt", "ok", "--mask", mask_file[0], "--keep-unmasked", "--out", out) == 0
    sent = sent_image(emulator)
    assert sent.mode == "RGB" and sent.info.get("icc_profile") == SRGB_BYTES
    assert ("CMYK without a colour profile" in capsys.readouterr().err) is not tagged
    (result,) = out.iterdir()
    back = load_image(result).source
    assert result.suffix == ".tif" and back.space.mode == "CMYK" and back.space.bits == 16
    assert back.space.profile == (cmyk_profile() if tagged else None)
    with tifffile.TiffFile(result) as saved:  # the source's compression kept, LZW included
        page = saved.pages.first
        assert int(page.compression) == compression and int(page.photometric) == 5
        assert 338 not in page.tags  # four inks, no extra channel
    outside = mask_file[1] == 0
    assert np.array_equal(back.pixels[outside], values[outside])
    assert not np.array_equal(back.pixels[~outside], values[~outside])  # the edit itself did arrive


def test_cmyk_without_a_profile_says_which_profile_it_was_read_with(emulator, mask_file, tmp_path, capsys):
    path = tmp_path / "print.jpg"
    Image.fromarray(gradient(bands=4), "CMYK").save(path, quality=95)
    assert edit(emulator, path, "--prompt", "ok", "--mask", mask_file[0], "--keep-unmasked",
                "--out", tmp_path / "out") == 0
    err = capsys.readouterr().err
    assert "print.jpg" in err and "CMYK without a colour profile" in err


def test_an_iphone_heic_comes_back_heic(emulator, mask_file, tmp_path):
    import pillow_heif

    pillow_heif.register_heif_opener()
    path = tmp_path / "IMG_0001.HEIC"
    Image.fromarray(gradient()).save(path, "HEIF", quality=-1, icc_profile=display_p3())
    out = tmp_path / "out"
    assert edit(emulator, path, "--prompt", "ok", "--mask", mask_file[0], "--keep-unmasked", "--out", out) == 0
    (result,) = out.iterdir()
    assert result.suffix == ".heic" and load_image(result).source.space.profile == display_p3()


def test_save_format_still_chooses_png(emulator, mask_file, tmp_path):
    path, values = prophoto_tiff(tmp_path)
    out = tmp_path / "out"
    assert edit(emulator, path, "--prompt", "ok", "--mask", mask_file[0], "--keep-unmasked", "--save-format", "png",
                "--out", out) == 0
    (result,) = out.iterdir()
    back = load_image(result).source
    assert result.suffix == ".png" and back.space.bits == 16 and back.space.profile == prophoto()


def test_a_nef_is_refused_with_what_to_export(emulator, tmp_path, capsys):
    path = tmp_path / "DSC_0001.NEF"
    Image.new("RGB", (160, 120)).save(path, "TIFF")
    assert edit(emulator, path, "--prompt", "ok", "--out", tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert "Nikon NEF" in err and "16-bit TIFF" in err
    assert not [r for r in emulator.requests if r.method == "POST" and "/runs" in r.path]


def test_mask_reports_raw_and_bombs_as_sentences(tmp_path, capsys, bad_files):
    raw = tmp_path / "DSC_0001.NEF"
    Image.new("RGB", (160, 120)).save(raw, "TIFF")
    assert main(["mask", str(raw), "--out", str(tmp_path / "m"), "--select-object", "10%,10%,50%,50%"]) == 2
    assert "Nikon NEF" in capsys.readouterr().err
    assert main(["mask", str(bad_files["bomb"]), "--out", str(tmp_path / "m"), "--select-object", "10%,10%,50%,50%",
                 "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "bomb.png" in err and "unexpected error" not in err and "ImageLoadError" not in err


def test_mask_opens_heic_and_psd(tmp_path, capsys):
    import pillow_heif
    from psd_tools import PSDImage

    pillow_heif.register_heif_opener()
    Image.fromarray(gradient()).save(tmp_path / "a.heic", "HEIF")
    PSDImage.frompil(Image.fromarray(gradient())).save(tmp_path / "b.psd")
    out = tmp_path / "m"
    assert main(["mask", str(tmp_path / "a.heic"), str(tmp_path / "b.psd"), "--out", str(out),
                 "--select-object", "10%,10%,50%,50%", "--quiet"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["a_mask.png", "b_mask.png"]


def test_batch_picks_up_the_new_kinds_and_saves_each_as_its_own_kind(emulator, mask_file, tmp_path, capsys):
    import pillow_heif
    from psd_tools import PSDImage

    pillow_heif.register_heif_opener()
    folder = tmp_path / "in"
    folder.mkdir()
    Image.fromarray(gradient()).save(folder / "phone.heic", "HEIF", icc_profile=display_p3())
    tif, _values = prophoto_tiff(tmp_path)
    (folder / "lightroom.tif").write_bytes(tif.read_bytes())
    PSDImage.frompil(Image.fromarray(gradient())).save(folder / "poster.psd")
    Image.new("RGB", (160, 120)).save(folder / "DSC_0001.NEF", "TIFF")
    out = tmp_path / "out"
    code = main(["batch", "--images", str(folder), "--prompt", "ok", "--mask", str(mask_file[0]), "--keep-unmasked",
                 "--out", str(out), "--yes", "--base-url", emulator.base_url, "--api-key", KEY,
                 "--poll-interval", "0.05"])
    captured = capsys.readouterr()
    assert "DSC_0001.NEF" in captured.err + captured.out and "Nikon NEF" in captured.err + captured.out
    assert code == 0, captured.err
    kinds = sorted(p.suffix for p in out.iterdir() if p.is_file())
    assert kinds == [".heic", ".tif", ".tif"]
