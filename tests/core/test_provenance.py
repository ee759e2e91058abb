"""Provenance XMP: what it says, how it merges with a source's XMP, and that every saved kind carries it."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from PIL import Image
from psd_tools import PSDImage
from psd_tools.constants import Resource

from desktop_editor.core.layered.build import original_layer, result_layer
from desktop_editor.core.layered.ora import write_ora
from desktop_editor.core.layered.psd import write_psd
from desktop_editor.core.layered.stack import LayerStack
from desktop_editor.core.provenance import (
    COMPOSITE_WITH_AI,
    MADE_BY_AI,
    NS_IPTC_EXT,
    NS_OURS,
    NS_XMP,
    Provenance,
    read_properties,
    xmp_packet,
)
from desktop_editor.core.xmp_embed import XmpError, embed, heif_options

pillow_heif = pytest.importorskip("pillow_heif")  # HEIC is written where pillow-heif is installed
tifffile = pytest.importorskip("tifffile")

DST = f"{{{NS_IPTC_EXT}}}DigitalSourceType"
MODEL = f"{{{NS_IPTC_EXT}}}AISystemUsed"
PROMPT = f"{{{NS_IPTC_EXT}}}AIPromptInformation"
RUN = f"{{{NS_OURS}}}RunId"

SOURCE_XMP = b"""<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
 xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" xmp:CreatorTool="Adobe Lightroom"
 Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture">
<dc:rights><rdf:Alt><rdf:li xml:lang="x-default">(c) A. Photographer</rdf:li></rdf:Alt></dc:rights>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"""


def test_a_masked_edit_and_a_remade_frame_say_different_things():
    masked = read_properties(xmp_packet(Provenance("gpt-image-2", "run-1")))
    assert masked[DST] == COMPOSITE_WITH_AI and masked[MODEL] == "gpt-image-2" and masked[RUN] == "run-1"
    assert masked[f"{{{NS_OURS}}}Software"] == "Desktop Editor" and masked[f"{{{NS_OURS}}}SoftwareVersion"]
    assert masked[f"{{{NS_XMP}}}CreatorTool"].startswith("Desktop Editor ")
    assert read_properties(xmp_packet(Provenance("m", whole_frame=True)))[DST] == MADE_BY_AI


def test_the_prompt_is_left_out_unless_allowed():
    private = xmp_packet(Provenance("m", "r", prompt="my client's secret launch"))
    assert b"secret" not in private and PROMPT not in read_properties(private)
    shared = read_properties(xmp_packet(Provenance("m", "r", prompt="a red kite", include_prompt=True)))
    assert shared[PROMPT] == "a red kite"


def test_a_sources_xmp_is_kept_and_only_our_properties_replaced():
    merged = xmp_packet(Provenance("m", "r"), existing=SOURCE_XMP)
    said = read_properties(merged)
    assert b"(c) A. Photographer" in merged and b"dc:rights" in merged  # the prefix as the source spelled it
    assert said[f"{{{NS_XMP}}}CreatorTool"] == "Adobe Lightroom"
    assert said[DST] == COMPOSITE_WITH_AI and b"digitalCapture" not in merged  # the earlier type replaced
    again = xmp_packet(Provenance("m2", "r2"), existing=merged)  # an image edited twice
    assert again.count(b"<Iptc4xmpExt:AISystemUsed>") == 1 and read_properties(again)[MODEL] == "m2"


def test_a_broken_source_packet_is_replaced_not_fatal():
    assert read_properties(xmp_packet(Provenance("m", "r"), existing=b"<x:xmpmeta><oops"))[MODEL] == "m"


PACKET = xmp_packet(Provenance("gpt-image-2", "run-42"))


def _picture() -> Image.Image:
    y, x = np.mgrid[0:48, 0:64]
    return Image.fromarray(np.dstack([x * 4, y * 5, (x + y) * 2]).astype(np.uint8), "RGB")


def _check(properties: dict[str, str]) -> None:
    assert properties[DST] == COMPOSITE_WITH_AI
    assert properties[MODEL] == "gpt-image-2" and properties[RUN] == "run-42"


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "TIFF"])
def test_png_jpeg_webp_and_tiff_carry_it_and_their_pixels_are_unchanged(fmt):
    buffer = io.BytesIO()
    _picture().save(buffer, fmt)
    plain = buffer.getvalue()
    tagged = embed(plain, PACKET)
    with Image.open(io.BytesIO(tagged)) as img:
        img.load()
        packet = img.info.get("xmp") or (img.tag_v2.get(700) if fmt == "TIFF" else None)
        assert np.array_equal(np.asarray(img), np.asarray(Image.open(io.BytesIO(plain))))
    _check(read_properties(packet))
    twice = embed(tagged, xmp_packet(Provenance("other", "run-43")))
    assert twice.count(b"<Iptc4xmpExt:AISystemUsed>") == 1 and b"run-42" not in twice  # replaced, not repeated
    assert len(twice) < len(tagged) + 200  # no growth by orphaned packets
    with Image.open(io.BytesIO(twice)) as img:
        assert np.array_equal(np.asarray(img), np.asarray(Image.open(io.BytesIO(plain))))
    if fmt == "TIFF":
        with tifffile.TiffFile(io.BytesIO(tagged)) as tif:  # an independent reader agrees
            _check(read_properties(bytes(tif.pages[0].tags[700].value)))


def test_a_jpeg_keeps_its_exif_before_the_xmp():
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6
    _picture().save(buffer, "JPEG", exif=exif)
    tagged = embed(buffer.getvalue(), PACKET)
    with Image.open(io.BytesIO(tagged)) as img:
        assert img.getexif()[0x0112] == 6
        _check(read_properties(img.info["xmp"]))
    assert tagged.index(b"Exif\x00\x00") < tagged.index(b"http://ns.adobe.com/xap/1.0/")


@pytest.mark.parametrize("fmt", ["HEIF", "AVIF"])
def test_heic_and_avif_carry_it_when_encoded(fmt):
    pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    _picture().save(buffer, fmt, **heif_options(PACKET))
    with Image.open(io.BytesIO(buffer.getvalue())) as img:
        _check(read_properties(img.info["xmp"]))
    with pytest.raises(XmpError, match="HEIC and AVIF"):
        embed(buffer.getvalue(), PACKET)


def test_layered_files_carry_it(tmp_path):
    pixels = np.asarray(_picture())
    mask = np.zeros(pixels.shape[:2], np.uint8)
    mask[10:30, 10:40] = 255
    stack = LayerStack(64, 48, "RGB", 8, None, [original_layer(pixels), result_layer(pixels[::-1].copy(), mask, "r")])
    psd = PSDImage.open(write_psd(stack, tmp_path / "e.psd", xmp=PACKET))
    _check(read_properties(psd.image_resources.get_data(Resource.XMP_METADATA)))
    with zipfile.ZipFile(write_ora(stack, tmp_path / "e.ora", xmp=PACKET)) as archive:
        _check(read_properties(Image.open(io.BytesIO(archive.read("mergedimage.png"))).info["xmp"]))


def test_a_copy_of_a_result_and_a_mix_keep_saying_it(tmp_path):
    from desktop_editor.core.result_export import file_xmp, mix_xmp, save_new, save_to

    first, second = tmp_path / "a.png", tmp_path / "b.png"
    for path, run, whole in ((first, "run-1", False), (second, "run-2", True)):
        buffer = io.BytesIO()
        _picture().save(buffer, "PNG")
        path.write_bytes(embed(buffer.getvalue(), xmp_packet(Provenance("gpt-image-2", run, whole_frame=whole))))
    copy = save_to(_picture(), tmp_path / "copy.jpg", xmp=file_xmp(first))
    _check_run = read_properties(file_xmp(copy))
    assert _check_run[DST] == COMPOSITE_WITH_AI and _check_run[RUN] == "run-1"
    mixed = read_properties(file_xmp(save_new(_picture(), tmp_path, "mix", "webp", xmp=mix_xmp([first, second]))))
    assert mixed[RUN] == "run-1, run-2" and mixed[MODEL] == "gpt-image-2" and mixed[DST] == MADE_BY_AI
    plain = tmp_path / "plain.png"
    _picture().save(plain)
    assert mix_xmp([plain]) is None  # parts saved without provenance: the mix says nothing either
