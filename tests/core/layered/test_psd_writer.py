"""PSD files read back with psd-tools: layers, masks, offsets, depth, profile, merged image."""

from __future__ import annotations

import errno
import os

import numpy as np
import pytest
from psd_tools import PSDImage
from psd_tools.composite import composite
from psd_tools.constants import Resource

from desktop_editor.core.layered import psd as psd_module
from desktop_editor.core.layered.build import original_layer
from desktop_editor.core.layered.psd import write_psd
from desktop_editor.core.layered.stack import LayeredFileError, LayerStack


def _levels(values: np.ndarray, depth: int) -> np.ndarray:
    return values.astype(np.float64) * (2**depth - 1)


def test_layers_masks_offsets_depth_and_profile_read_back(sample, tmp_path):
    path = write_psd(sample.stack, tmp_path / "edit.psd", xmp=b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>")
    psd = PSDImage.open(path)
    assert psd.depth == sample.stack.depth and psd.size == (sample.stack.width, sample.stack.height)
    assert psd.image_resources.get_data(Resource.ICC_PROFILE) == sample.stack.icc_profile
    assert psd.image_resources.get_data(Resource.XMP_METADATA).startswith(b"<x:xmpmeta")
    layers = list(psd)
    assert [layer.name for layer in layers] == ["Original", "result 1 \u00e9t\u00e9 (14:00)", "result 2 \u00e9t\u00e9 (14:01)"]
    assert not layers[0].has_mask() and layers[0].offset == (0, 0)
    peak = 2**sample.stack.depth - 1
    for read, written in zip(layers, sample.stack.layers, strict=True):
        assert read.offset == written.offset and read.size == written.size
        pixels = np.rint(read.numpy(channel="color") * peak)
        assert np.array_equal(pixels.reshape(written.pixels.shape), written.pixels)
        if written.mask is not None:
            assert read.mask.bbox == written.box
            assert np.array_equal(np.asarray(read.mask.topil()), written.mask)


def test_the_merged_image_is_the_flat_result_and_the_layers_composite_to_it(sample, tmp_path):
    psd = PSDImage.open(write_psd(sample.stack, tmp_path / "edit.psd"))
    depth = sample.stack.depth
    flat = sample.flat if sample.flat.ndim == 3 else sample.flat[..., None]
    merged = _levels(psd.numpy(), depth)
    assert np.abs(merged[..., : flat.shape[2]] - flat).max() <= 0.5  # stored exactly
    color, _shape, _alpha = composite(psd, force=True)  # psd-tools renders the layers and masks itself
    one_level = 2 ** (depth - 8)
    assert np.abs(_levels(color, depth)[..., : flat.shape[2]] - flat).max() <= one_level


def test_a_side_over_30000_px_needs_a_psb_and_says_so(tmp_path):
    wide = LayerStack(30_001, 1, "RGB", 8, None, [original_layer(np.zeros((1, 30_001, 3), np.uint8))])
    with pytest.raises(LayeredFileError, match=r"30,000 px.*\.psb"):
        write_psd(wide, tmp_path / "wide.psd")
    assert list(tmp_path.iterdir()) == []
    psb = PSDImage.open(write_psd(wide, tmp_path / "wide.psb"))
    assert psb.version == 2 and psb.size == (30_001, 1)


def test_a_file_over_the_psd_limit_is_refused_and_leaves_nothing(sample, tmp_path, monkeypatch):
    monkeypatch.setattr(psd_module, "MAX_PSD_BYTES", 1000)
    with pytest.raises(LayeredFileError, match="2 GB.*psb"):
        write_psd(sample.stack, tmp_path / "big.psd")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("code", "words"), [(errno.ENOSPC, "disk is full"), (errno.EROFS, "cannot be written")])
def test_a_failed_write_says_why_and_keeps_what_was_there(sample, tmp_path, monkeypatch, code, words):
    flat = tmp_path / "result.png"
    flat.write_bytes(b"the flat result")
    target = tmp_path / "edit.psd"
    target.write_bytes(b"an older layered file")

    def fail(_psd, handle):
        handle.write(b"half")
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(psd_module, "write_document", fail)
    with pytest.raises(LayeredFileError, match=words):
        write_psd(sample.stack, target)
    assert flat.read_bytes() == b"the flat result" and target.read_bytes() == b"an older layered file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["edit.psd", "result.png"]  # no partial file left


def test_a_missing_folder_is_a_sentence_not_a_traceback(sample, tmp_path):
    with pytest.raises(LayeredFileError, match="does not exist"):
        write_psd(sample.stack, tmp_path / "gone" / "edit.psd")


@pytest.mark.parametrize("depth", [8, 16])
def test_a_transparent_merged_image_is_stored_over_white_as_photoshop_does(tmp_path, depth):
    peak = 2**depth - 1
    dtype = np.uint16 if depth == 16 else np.uint8
    pixels = np.zeros((8, 8, 4), dtype)
    pixels[..., 0] = peak  # red
    pixels[..., 3] = peak * 3 // 4
    pixels[:4, :, 3] = 0  # and fully transparent above
    stack = LayerStack(8, 8, "RGB", depth, None, [original_layer(pixels)])
    psd = PSDImage.open(write_psd(stack, tmp_path / "clear.psd"))
    header = psd._record.header
    assert header.channels == 4
    merged = _levels(psd.numpy(), depth)  # psd-tools takes the white out again on reading
    assert np.abs(merged[6, 6] - [peak, 0, 0, peak * 3 // 4]).max() <= 1
    assert np.abs(merged[1, 1, 3]) == 0
