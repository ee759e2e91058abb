"""16-bit CMYK TIFF opens with its own ink values, with every compression a 16-bit TIFF can have."""

import io

import numpy as np
import pytest
import tifffile
from PIL import Image

from colour_images import cmyk16_tiff, cmyk_profile, eight, gradient, srgb_of
from desktop_editor.core.cmyk_tiff import decode_cmyk16
from desktop_editor.core.colour import standard_cmyk_profile
from desktop_editor.core.images import ImageLoadError, load_image
from desktop_editor.core.source_image import apply_orientation

COMPRESSIONS = {1: "raw", 5: "tiff_lzw", 8: "tiff_adobe_deflate"}


def test_the_test_files_are_real_16_bit_cmyk_tiffs():
    values = gradient(bits=16, bands=4)
    for compression in COMPRESSIONS:
        data = cmyk16_tiff(values, compression)
        with tifffile.TiffFile(io.BytesIO(data)) as tif:
            page = tif.pages.first
            assert page.photometric == tifffile.PHOTOMETRIC.SEPARATED and page.compression == compression
            assert page.bitspersample == 16 and page.samplesperpixel == 4 and not page.extrasamples
            if compression != 5:  # tifffile decodes LZW only with imagecodecs
                assert np.array_equal(page.asarray(), values)
        with Image.open(io.BytesIO(data)) as img:  # Pillow reads them too, rounded down to 8 bits
            assert img.mode == "CMYK" and np.array_equal(np.asarray(img), (values >> 8).astype(np.uint8))


@pytest.mark.parametrize("compression", list(COMPRESSIONS))
@pytest.mark.parametrize("tagged", [True, False])
def test_a_16_bit_cmyk_tiff_opens_with_its_own_values_in_every_compression(tmp_path, compression, tagged):
    values = gradient(bits=16, bands=4)
    path = tmp_path / "print.tif"
    path.write_bytes(cmyk16_tiff(values, compression, cmyk_profile() if tagged else None))
    loaded = load_image(path)
    source = loaded.source
    assert source.kind == "TIFF" and source.compression == COMPRESSIONS[compression]
    assert source.space.mode == "CMYK" and source.space.bits == 16
    assert np.array_equal(source.pixels, values)
    profile = cmyk_profile() if tagged else standard_cmyk_profile()
    assert source.space.profile == (cmyk_profile() if tagged else None)
    assert loaded.image.mode == "RGB"
    assert np.abs(np.asarray(loaded.image).astype(int) - srgb_of(eight(values), profile, "CMYK")).max() <= 1
    if tagged:
        assert loaded.note is None
    else:
        assert "print.tif" in loaded.note and "CMYK without a colour profile" in loaded.note


def test_per_channel_pixel_order_and_orientation(tmp_path):
    values = gradient(bits=16, bands=4)
    for planar in ("contig", "separate"):
        buf = io.BytesIO()
        stored = values if planar == "contig" else np.ascontiguousarray(np.moveaxis(values, -1, 0))
        tifffile.imwrite(buf, stored, photometric="separated", planarconfig=planar, compression="zlib",
                         extratags=[(274, "H", 1, 6, True)])  # turn clockwise
        assert np.array_equal(decode_cmyk16(buf.getvalue()), apply_orientation(values, 6)), planar


def test_a_per_channel_lzw_file_says_what_to_save_it_as(tmp_path):
    values = gradient(bits=16, bands=4)
    buf = io.BytesIO()  # tifffile cannot write LZW: a per-channel file re-tagged LZW stands for one
    tifffile.imwrite(buf, np.ascontiguousarray(np.moveaxis(values, -1, 0)), photometric="separated",
                     planarconfig="separate")
    with tifffile.TiffFile(io.BytesIO(buf.getvalue())) as tif:
        offset = tif.pages.first.tags[259].valueoffset
    raw = bytearray(buf.getvalue())
    raw[offset:offset + 2] = (5).to_bytes(2, "little")
    path = tmp_path / "planes.tif"
    path.write_bytes(bytes(raw))
    with pytest.raises(ImageLoadError) as info:
        load_image(path)
    text = str(info.value)
    assert "planes.tif" in text and "per-channel" in text and "ZIP" in text


def test_a_cut_off_16_bit_cmyk_tiff_is_called_incomplete(tmp_path):
    data = cmyk16_tiff(gradient(300, 200, bits=16, bands=4), 5)
    path = tmp_path / "cut.tif"
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(ImageLoadError) as info:
        load_image(path)
    assert "cut.tif" in str(info.value) and "cut off" in str(info.value)
