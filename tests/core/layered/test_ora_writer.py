"""OpenRaster files read back with zipfile, their stack.xml and the PNGs (OpenCV, Pillow)."""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree as ET

import cv2
import numpy as np
import pytest
from PIL import Image, ImageCms

from desktop_editor.core.layered.ora import MIMETYPE, write_ora
from desktop_editor.core.layered.profiles import default_profile
from desktop_editor.core.layered.stack import LayerStack
from desktop_editor.core.provenance import NS_IPTC_EXT, read_properties


def _png(archive: zipfile.ZipFile, name: str) -> np.ndarray:
    """RGBA at the PNG's own depth (grey spread to RGB by OpenCV's reader)."""
    decoded = cv2.imdecode(np.frombuffer(archive.read(name), np.uint8), cv2.IMREAD_UNCHANGED)
    return cv2.cvtColor(decoded, cv2.COLOR_BGRA2RGBA)


def _is_grey_png(data: bytes) -> bool:
    return data[25] == 4  # IHDR colour type: grey + alpha


def _over(layers: list[tuple[np.ndarray, int, int]], width: int, height: int, peak: int) -> np.ndarray:
    """An independent "normal" compositing of RGBA layers at their offsets (straight alpha)."""
    colour = np.zeros((height, width, 3))
    alpha = np.zeros((height, width, 1))
    for rgba, x, y in layers:
        h, w = rgba.shape[:2]
        a = rgba[..., 3:4] / peak
        region = (slice(y, y + h), slice(x, x + w))
        colour[region] = rgba[..., :3] / peak * a + colour[region] * (1 - a)
        alpha[region] = a + alpha[region] * (1 - a)
    return colour * peak


def test_the_archive_is_laid_out_as_openraster_says(sample, tmp_path):
    path = write_ora(sample.stack, tmp_path / "edit.ora")
    with zipfile.ZipFile(path) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == MIMETYPE
        names = set(archive.namelist())
        assert {"stack.xml", "mergedimage.png", "Thumbnails/thumbnail.png"} <= names
        thumb = Image.open(io.BytesIO(archive.read("Thumbnails/thumbnail.png")))
        assert max(thumb.size) <= 256


def test_layers_order_names_offsets_depth_profile_and_masks_in_alpha(sample, tmp_path):
    stack: LayerStack = sample.stack
    with zipfile.ZipFile(write_ora(stack, tmp_path / "edit.ora")) as archive:
        root = ET.fromstring(archive.read("stack.xml"))
        assert (root.get("w"), root.get("h")) == (str(stack.width), str(stack.height))
        entries = root.find("stack").findall("layer")
        assert [e.get("name") for e in entries] == [layer.name for layer in reversed(stack.layers)]  # top first
        peak = 2**stack.depth - 1
        read = []
        for entry, layer in zip(entries, reversed(stack.layers), strict=True):
            assert (int(entry.get("x")), int(entry.get("y"))) == layer.offset
            rgba = _png(archive, entry.get("src"))
            assert rgba.dtype == stack.dtype and rgba.shape[:2] == layer.pixels.shape[:2]
            data = archive.read(entry.get("src"))
            assert Image.open(io.BytesIO(data)).info["icc_profile"] == stack.icc_profile
            assert _is_grey_png(data) == (stack.mode == "L")  # a grey profile belongs in a grey PNG
            colour = layer.pixels if layer.pixels.ndim == 3 else np.repeat(layer.pixels[..., None], 3, axis=2)
            assert np.array_equal(rgba[..., :3], colour)
            expected_alpha = peak if layer.mask is None else np.rint(layer.mask.astype(np.float64) * peak / 255)
            assert np.array_equal(rgba[..., 3], np.broadcast_to(expected_alpha, rgba.shape[:2]))
            read.append((rgba, *layer.offset))
        shown = _over(list(reversed(read)), stack.width, stack.height, peak)
        flat = sample.flat if sample.flat.ndim == 3 else np.repeat(sample.flat[..., None], 3, axis=2)
        assert np.abs(shown - flat).max() <= 2 ** (stack.depth - 8)  # within one 8-bit level
        merged = _png(archive, "mergedimage.png")
        assert np.array_equal(merged[..., :3], flat) and (merged[..., 3] == peak).all()


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_an_untagged_16_bit_document_gets_what_untagged_means_in_every_layer(sample_of, tmp_path, mode):
    stack = sample_of(16, mode).stack
    stack.icc_profile = None
    with zipfile.ZipFile(write_ora(stack, tmp_path / "edit.ora")) as archive:
        for name in archive.namelist():
            if name.startswith("data/"):
                assert Image.open(io.BytesIO(archive.read(name))).info["icc_profile"] == default_profile(mode)


def test_the_merged_image_carries_the_xmp(sample_of, tmp_path):
    packet = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
              b'<rdf:Description xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
              b'Iptc4xmpExt:AISystemUsed="m1"/></rdf:RDF></x:xmpmeta>')
    with zipfile.ZipFile(write_ora(sample_of(8, "RGB").stack, tmp_path / "e.ora", xmp=packet)) as archive:
        merged = Image.open(io.BytesIO(archive.read("mergedimage.png")))
        assert read_properties(merged.info["xmp"])[f"{{{NS_IPTC_EXT}}}AISystemUsed"] == "m1"


def test_the_grey_profile_for_untagged_grey_reads_as_srgb_greys():
    grey = ImageCms.ImageCmsProfile(io.BytesIO(default_profile("L")))
    to_srgb = ImageCms.buildTransform(grey, ImageCms.createProfile("sRGB"), "L", "RGB")
    ramp = Image.fromarray(np.arange(256, dtype=np.uint8).reshape(16, 16), "L")
    shown = np.asarray(ImageCms.applyTransform(ramp, to_srgb))
    assert np.abs(shown.astype(int) - np.asarray(ramp)[..., None]).max() <= 1
