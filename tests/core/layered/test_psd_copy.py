"""Adding results to the designer's own PSD: every layer kept, the source never touched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from psd_tools import PSDImage
from psd_tools.constants import Resource

from desktop_editor.core.layered import psd_copy
from desktop_editor.core.layered.build import result_layer
from desktop_editor.core.layered.psd_copy import add_layers, document_stack, layers_not_kept, open_psd, source_xmp
from desktop_editor.core.layered.stack import LayeredFileError
from desktop_editor.core.provenance import (
    COMPOSITE_WITH_AI,
    NS_IPTC_EXT,
    NS_OURS,
    NS_XMP,
    Provenance,
    read_properties,
    xmp_packet,
)

DATA = Path(__file__).parents[2] / "data" / "psd"
FIXTURES = ["type-layer.psd", "smartobject-layer.psd", "adjustment-mask.psd"]


def _records(psd: PSDImage) -> list[bytes]:
    info = psd._record._get_layer_info()
    return [record.tobytes() + b"".join(c.data for c in channels)
            for record, channels in zip(info.layer_records, info.channel_image_data, strict=True)]


def _edit(path: Path):
    stack = document_stack(open_psd(path))
    result = np.full((stack.height, stack.width, stack.channels), 40, stack.dtype)
    mask = np.zeros((stack.height, stack.width), np.uint8)
    mask[4: stack.height // 2, 4: stack.width // 2] = 255
    return result_layer(result, mask, "AI: sky (10:30)", feather=2)


@pytest.mark.parametrize("name", FIXTURES)
def test_every_original_layer_is_kept_byte_for_byte_and_the_result_goes_on_top(name, tmp_path):
    source = DATA / name
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    before = PSDImage.open(source)
    kinds = [(layer.kind, layer.name) for layer in before.descendants()]
    layer = _edit(source)
    out = add_layers(source, [layer], tmp_path / "edited.psd", xmp=b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>")
    after = PSDImage.open(out)
    assert [(lay.kind, lay.name) for lay in after.descendants()] == [*kinds, ("pixel", "AI: sky (10:30)")]
    assert _records(after)[: len(kinds)] == _records(before)
    top = list(after)[-1]
    assert top.has_mask() and top.mask.bbox == layer.box
    assert after.image_resources.get_data(Resource.ICC_PROFILE) == before.image_resources.get_data(Resource.ICC_PROFILE)
    assert after.image_resources.get_data(Resource.XMP_METADATA).startswith(b"<x:xmpmeta")
    assert hashlib.sha256(source.read_bytes()).hexdigest() == digest  # the source is untouched


def test_the_merged_image_is_the_sources_with_the_result_through_its_mask(tmp_path):
    source = DATA / "adjustment-mask.psd"
    before = PSDImage.open(source).numpy()[..., :3] * 255
    layer = _edit(source)
    merged = PSDImage.open(add_layers(source, [layer], tmp_path / "e.psd")).numpy()[..., :3] * 255
    x0, y0, x1, y1 = layer.box
    weight = layer.mask.astype(np.float64)[..., None] / 255
    expected = before.copy()
    expected[y0:y1, x0:x1] = before[y0:y1, x0:x1] * (1 - weight) + 40 * weight
    assert np.abs(merged - expected).max() <= 1.0
    outside = np.ones(before.shape[:2], bool)
    outside[y0:y1, x0:x1] = False
    assert np.array_equal(merged[outside], before[outside])  # untouched outside the edit


def test_the_fixtures_lose_nothing_and_a_changed_layer_is_named(tmp_path, monkeypatch):
    for name in FIXTURES:
        assert layers_not_kept(DATA / name) == []
    real_write = psd_copy.write_document

    def renaming_write(psd, handle):
        psd._record._get_layer_info().layer_records[0].name = "changed"
        real_write(psd, handle)

    monkeypatch.setattr(psd_copy, "write_document", renaming_write)
    assert layers_not_kept(DATA / "type-layer.psd") == ["A"]
    with pytest.raises(LayeredFileError, match="would not be kept exactly: A"):
        add_layers(DATA / "type-layer.psd", [_edit(DATA / "type-layer.psd")], tmp_path / "x.psd")
    assert not (tmp_path / "x.psd").exists()


def test_the_copy_never_replaces_the_source(tmp_path):
    source = tmp_path / "design.psd"
    source.write_bytes((DATA / "type-layer.psd").read_bytes())
    with pytest.raises(LayeredFileError, match="cannot replace design.psd"):
        add_layers(source, [_edit(source)], tmp_path / "." / "design.psd")


def test_an_unreadable_psd_gets_a_sentence(tmp_path):
    broken = tmp_path / "broken.psd"
    broken.write_bytes((DATA / "type-layer.psd").read_bytes()[:200])
    with pytest.raises(LayeredFileError, match="broken.psd"):
        open_psd(broken)


def test_provenance_is_merged_into_the_photoshop_xmp_of_the_copy(tmp_path):
    source = DATA / "type-layer.psd"
    packet = xmp_packet(Provenance("gpt-image-2", "run-7"), existing=source_xmp(open_psd(source)))
    out = add_layers(source, [_edit(source)], tmp_path / "e.psd", xmp=packet)
    said = read_properties(PSDImage.open(out).image_resources.get_data(Resource.XMP_METADATA))
    assert said[f"{{{NS_XMP}}}CreatorTool"] == "Adobe Photoshop CC 2018 (Macintosh)"  # Photoshop's own, kept
    assert said["{http://ns.adobe.com/xap/1.0/mm/}DocumentID"].startswith("xmp.did:")
    assert said[f"{{{NS_IPTC_EXT}}}DigitalSourceType"] == COMPOSITE_WITH_AI
    assert said[f"{{{NS_OURS}}}RunId"] == "run-7"
