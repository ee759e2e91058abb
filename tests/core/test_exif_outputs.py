"""EXIF in the outputs that other encoders write: 16-bit TIFF (OpenCV, tifffile), 8-bit TIFF and
16-bit PNG. A TIFF carries EXIF as camera tags in its first directory and an EXIF directory
(tag 34665), which Pillow, tifffile and GIMP (exiv2) all read; the orientation is reset to 1."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
from dataclasses import replace

import numpy as np
import pytest
import tifffile
from PIL import Image, TiffImagePlugin

from colour_images import adobe_rgb, cmyk_profile, gradient
from desktop_editor.core.colour import ColourSpace
from desktop_editor.core.document_export import encode_document
from desktop_editor.core.images import load_image
from desktop_editor.core.opencv import cv2
from desktop_editor.core.source_image import SourceImage
from desktop_editor.core.tiff_tags import ICC_PROFILE, UNDEFINED, with_tags

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
EXPOSURE, ISO, TAKEN = 0x829A, 0x8827, 0x9003


def camera_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Camera Co"
    exif[0x0110] = "Model 7"
    if orientation is not None:
        exif[0x0112] = orientation
    photo = exif.get_ifd(EXIF_IFD)
    photo[EXPOSURE] = TiffImagePlugin.IFDRational(1, 250)
    photo[ISO] = 400
    photo[TAKEN] = "2026:05:01 10:20:30"
    exif.get_ifd(GPS_IFD)[1] = "N"
    return exif


def assert_camera_tags(exif: Image.Exif) -> None:
    assert exif.get(0x0112) == 1
    assert (exif.get(0x010F), exif.get(0x0110)) == ("Camera Co", "Model 7")
    photo = exif.get_ifd(EXIF_IFD)
    assert float(photo[EXPOSURE]) == pytest.approx(1 / 250)
    assert photo[ISO] == 400 and photo[TAKEN] == "2026:05:01 10:20:30"
    assert exif.get_ifd(GPS_IFD).get(1) == "N"


@pytest.fixture
def turned_a98_tiff(tmp_path):
    """A 16-bit Adobe RGB TIFF (deflate) lying on its side: EXIF orientation 6, camera tags."""
    values = gradient(width=48, height=32, bits=16)
    ok, encoded = cv2.imencode(".tiff", cv2.cvtColor(values, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_TIFF_COMPRESSION, 8])
    assert ok
    data = with_tags(encoded.tobytes(), {ICC_PROFILE: (UNDEFINED, adobe_rgb()), 0x0112: (3, 6)},
                     exif=camera_exif().tobytes())
    path = tmp_path / "shot.tif"
    path.write_bytes(data)
    with tifffile.TiffFile(path) as tif:  # the fixture as another reader sees it
        assert tif.pages[0].tags["Orientation"].value == 6
        assert tif.pages[0].tags["ExifTag"].value["ISOSpeedRatings"] == 400
    return path, values


def test_a_turned_16_bit_a98_tiff_saves_as_a_16_bit_tiff_with_its_exif_and_orientation_1(turned_a98_tiff):
    path, values = turned_a98_tiff
    loaded = load_image(path)
    source = loaded.source
    assert source.pixels.shape == (48, 32, 3) and source.space.bits == 16  # turned upright
    data = encode_document(source.pixels, source, "tiff", dpi=(300.0, 300.0))
    with Image.open(io.BytesIO(data)) as back:
        assert_camera_tags(back.getexif())
        assert back.info["icc_profile"] == adobe_rgb() and back.info["dpi"] == pytest.approx((300, 300))
    with tifffile.TiffFile(io.BytesIO(data)) as tif:
        page = tif.pages[0]
        assert page.tags["Orientation"].value == 1 and page.tags["Make"].value == "Camera Co"
        assert page.tags["ExifTag"].value["ExposureTime"] == (1, 250)
        assert page.tags["GPSTag"].value["GPSLatitudeRef"] == "N"
        assert np.array_equal(page.asarray(), source.pixels) and page.dtype == np.uint16
    again = load_image(data).source
    assert np.array_equal(again.pixels, source.pixels) and again.exif is not None


def test_a_16_bit_png_keeps_the_exif_and_xmp(turned_a98_tiff):
    path, _values = turned_a98_tiff
    source = load_image(path).source
    packet = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
    data = encode_document(source.pixels, replace(source, xmp=packet), "png")
    with Image.open(io.BytesIO(data)) as back:
        assert_camera_tags(back.getexif())
        xmp = back.info["xmp"]
        assert packet in (xmp if isinstance(xmp, bytes) else xmp.encode())
    assert b"eXIf" in data[:data.index(b"IDAT")]
    assert cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED).dtype == np.uint16


@pytest.mark.parametrize(("space", "bands"), [(ColourSpace("CMYK", 16, None), 4), (ColourSpace("RGB", 8, None), 3)],
                         ids=["16-bit CMYK (tifffile)", "8-bit RGB (Pillow)"])
def test_every_tiff_writer_carries_the_exif_directory(space, bands):
    values = gradient(bits=space.bits, bands=bands)
    if space.mode == "CMYK":
        space = ColourSpace("CMYK", 16, cmyk_profile())
    source = SourceImage(space, "TIFF", values, "tiff_adobe_deflate", exif=camera_exif(orientation=1).tobytes())
    data = encode_document(values, source, "tiff")
    with Image.open(io.BytesIO(data)) as back:
        assert_camera_tags(back.getexif())
    with tifffile.TiffFile(io.BytesIO(data)) as tif:
        assert np.array_equal(tif.pages[0].asarray(), values)
        if space.mode == "CMYK":
            assert bytes(tif.pages[0].tags[ICC_PROFILE].value) == cmyk_profile()


def test_a_tiff_sources_exif_goes_into_a_jpeg():
    """A TIFF holds no EXIF block: its tags are read into one, so a JPEG saved from it has them."""
    buf = io.BytesIO()
    Image.fromarray(gradient()).save(buf, "TIFF", exif=camera_exif(orientation=8).tobytes())
    source = load_image(buf.getvalue()).source
    data = encode_document(np.asarray(load_image(buf.getvalue()).image), source, "jpeg")
    with Image.open(io.BytesIO(data)) as back:
        assert_camera_tags(back.getexif())


GIMP = shutil.which("gimp")


@pytest.mark.slow
@pytest.mark.skipif(GIMP is None, reason="GIMP is not installed")
def test_gimp_opens_the_16_bit_tiff_with_its_profile_and_exif(turned_a98_tiff, tmp_path):
    path, _values = turned_a98_tiff
    source = load_image(path).source
    written = tmp_path / "saved.tif"
    written.write_bytes(encode_document(source.pixels, source, "tiff"))
    report, png = tmp_path / "gimp.txt", tmp_path / "gimp.png"
    script = f"""
(let* ((image (car (gimp-file-load RUN-NONINTERACTIVE "{written}" "{written.name}")))
       (port (open-output-file "{report}")))
  (display (car (gimp-image-get-precision image)) port) (newline port)
  (display (cadr (gimp-image-get-parasite-list image)) port) (newline port)
  (display (car (gimp-image-get-metadata image)) port) (newline port)
  (close-output-port port)
  (file-png-save2 RUN-NONINTERACTIVE image (car (gimp-image-get-active-drawable image)) "{png}" "{png.name}"
                  0 9 0 0 0 0 0 0 0)
  (gimp-quit 0))"""
    env = dict(os.environ, HOME=str(tmp_path))
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        env[var] = str(tmp_path / var.lower())
    process = subprocess.Popen([GIMP, "-i", "-d", "-f", "-b", script], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail("GIMP did not finish in 120 s")
    assert report.exists() and png.exists(), f"GIMP did not open the TIFF: {output[-2000:]}"
    precision, parasites, metadata = report.read_text("utf-8").split("\n", 2)
    assert precision.strip() in ("200", "250")  # 16-bit integer (linear or gamma)
    assert "icc-profile" in parasites
    assert '<tag name="Exif.Image.Orientation">1</tag>' in metadata
    assert '<tag name="Exif.Image.Make">Camera Co</tag>' in metadata
    assert '<tag name="Exif.Photo.ExposureTime">1/250</tag>' in metadata
    assert '<tag name="Exif.Photo.ISOSpeedRatings">400</tag>' in metadata
    seen = cv2.cvtColor(cv2.imread(str(png), cv2.IMREAD_UNCHANGED), cv2.COLOR_BGR2RGB)
    assert seen.dtype == np.uint16 and np.array_equal(seen, source.pixels)
