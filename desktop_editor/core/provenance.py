"""Saying in the file that AI made it: an XMP packet with the IPTC Digital Source Type.

Clients, stock agencies and the EU's transparency rules (from August 2026) expect an AI-edited
image to say so in the file itself. The IPTC vocabulary has two terms for us: an edit limited
to a mask is `compositeWithTrainedAlgorithmicMedia` (a photo with AI-made parts); a frame the
model remade whole is `trainedAlgorithmicMedia`. Next to it: the software and version, the
model id and the run id (IPTC 2025.1's `AISystemUsed`; the run id in our own namespace), and the
prompt only when the designer allows it (`AIPromptInformation`; prompts can be private).

A source that already carries XMP (a photographer's rights, captions, Lightroom settings) keeps
it: our properties are added as one more `rdf:Description`, replacing only earlier values of
the same properties (an image edited twice says what the last edit was).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

import desktop_editor

DIGITAL_SOURCE_BASE = "http://cv.iptc.org/newscodes/digitalsourcetype/"
COMPOSITE_WITH_AI = DIGITAL_SOURCE_BASE + "compositeWithTrainedAlgorithmicMedia"
MADE_BY_AI = DIGITAL_SOURCE_BASE + "trainedAlgorithmicMedia"
SOFTWARE = "Desktop Editor"

NS_X = "adobe:ns:meta/"
NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NS_XMP = "http://ns.adobe.com/xap/1.0/"
NS_IPTC_EXT = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
NS_OURS = "http://ns.desktop-editor.app/provenance/1.0/"
PREFIXES = {"x": NS_X, "rdf": NS_RDF, "xmp": NS_XMP, "Iptc4xmpExt": NS_IPTC_EXT, "deprov": NS_OURS}

_PACKET_START = '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
_PACKET_END = '\n<?xpacket end="w"?>'


@dataclass(frozen=True)
class Provenance:
    """What one saved image says about how it was made.

    `whole_frame`: the model remade the whole frame (no mask limited the edit).
    `prompt` is written only with `include_prompt` (off by default).
    """

    model_id: str
    run_id: str | None = None
    whole_frame: bool = False
    prompt: str | None = None
    include_prompt: bool = False
    software: str = SOFTWARE
    # Read when a file is written: the package's version costs 70-90 ms to look up (see the package).
    version: str = field(default_factory=lambda: desktop_editor.__version__)

    @property
    def digital_source_type(self) -> str:
        """The IPTC Digital Source Type URI for this edit."""
        return MADE_BY_AI if self.whole_frame else COMPOSITE_WITH_AI

    def properties(self) -> dict[str, str]:
        """Our XMP properties as {"{namespace}name": value}, empty values left out."""
        values = {
            f"{{{NS_IPTC_EXT}}}DigitalSourceType": self.digital_source_type,
            f"{{{NS_IPTC_EXT}}}AISystemUsed": self.model_id,
            f"{{{NS_OURS}}}Software": self.software,
            f"{{{NS_OURS}}}SoftwareVersion": self.version,
            f"{{{NS_OURS}}}RunId": self.run_id or "",
            f"{{{NS_XMP}}}CreatorTool": f"{self.software} {self.version}",
        }
        if self.include_prompt and self.prompt:
            values[f"{{{NS_IPTC_EXT}}}AIPromptInformation"] = self.prompt
        return {key: value for key, value in values.items() if value}


# Properties an earlier edit of ours may have left, replaced rather than repeated.
_OURS = {f"{{{NS_IPTC_EXT}}}{name}" for name in ("DigitalSourceType", "AISystemUsed", "AIPromptInformation")} | {
    f"{{{NS_OURS}}}{name}" for name in ("Software", "SoftwareVersion", "RunId")}


def xmp_packet(provenance: Provenance, existing: bytes | str | None = None) -> bytes:
    """A complete XMP packet (UTF-8) with our properties, merged into `existing` when it parses.

    The source's own CreatorTool is kept (it says what made the picture first); ours is set only
    where there is none. An `existing` packet that is not well-formed XMP is replaced.
    """
    tree = _parse(existing)
    rdf = tree.find(f"{{{NS_RDF}}}RDF") if tree is not None else None
    if tree is None or rdf is None:
        tree = ET.Element(f"{{{NS_X}}}xmpmeta")
        rdf = ET.SubElement(tree, f"{{{NS_RDF}}}RDF")
    values = provenance.properties()
    creator = f"{{{NS_XMP}}}CreatorTool"
    for description in rdf.findall(f"{{{NS_RDF}}}Description"):
        if description.get(creator) is not None or description.find(creator) is not None:
            values.pop(creator, None)
        for key in list(description.attrib):
            if key in _OURS:
                del description.attrib[key]
        for child in list(description):
            if child.tag in _OURS:
                description.remove(child)
    ours = ET.SubElement(rdf, f"{{{NS_RDF}}}Description", {f"{{{NS_RDF}}}about": ""})
    for key, value in values.items():
        ET.SubElement(ours, key).text = value
    body = ET.tostring(tree, encoding="unicode")
    return (_PACKET_START + body + _PACKET_END).encode("utf-8")


def _parse(existing: bytes | str | None) -> ET.Element | None:
    """The x:xmpmeta (or bare rdf:RDF wrapped in one) of an existing packet; None if unusable.

    Prefixes are registered as the packet spells them, so what we write back reads the same.
    """
    if not existing:
        return None
    text = existing.decode("utf-8", "replace") if isinstance(existing, bytes) else existing
    text = text.strip("\x00 \r\n\t\ufeff")
    text = re.sub(r"<\?xpacket[^>]*\?>", "", text).strip()
    try:
        for _event, (prefix, uri) in ET.iterparse(io.StringIO(text), events=("start-ns",)):
            _register(prefix, uri)
        root = ET.fromstring(text)
    except ET.ParseError:
        return None
    if root.tag == f"{{{NS_RDF}}}RDF":
        wrapper = ET.Element(f"{{{NS_X}}}xmpmeta")
        wrapper.append(root)
        return wrapper
    return root if root.tag == f"{{{NS_X}}}xmpmeta" else None


def _register(prefix: str, uri: str) -> None:
    if not prefix or re.fullmatch(r"ns\d+", prefix):
        return
    try:
        ET.register_namespace(prefix, uri)
    except ValueError:
        pass


for _prefix, _uri in PREFIXES.items():
    _register(_prefix, _uri)


def read_properties(packet: bytes | str) -> dict[str, str]:
    """Every simple property of a packet as {"{namespace}name": value} (elements and attributes),
    the last Description winning: for checking what a saved file says."""
    tree = _parse(packet)
    found: dict[str, str] = {}
    if tree is None:
        return found
    for description in tree.iter(f"{{{NS_RDF}}}Description"):
        for key, value in description.attrib.items():
            if not key.startswith(f"{{{NS_RDF}}}"):
                found[key] = value
        for child in description:
            if child.text and child.text.strip() and len(child) == 0:
                found[child.tag] = child.text.strip()
    return found


def combined(packets: list[bytes | str | None]) -> Provenance | None:
    """One provenance for an image made of several saved results (a mix), from their packets:
    models and run ids joined, limited to masks only when every part was. None when no part
    carried a packet (provenance was off for them: the mix says nothing either)."""
    said = [read_properties(packet) for packet in packets if packet]
    said = [props for props in said if f"{{{NS_IPTC_EXT}}}DigitalSourceType" in props]
    if not said:
        return None

    def joined(key: str) -> str:
        return ", ".join(dict.fromkeys(props[key] for props in said if props.get(key)))

    whole = any(props[f"{{{NS_IPTC_EXT}}}DigitalSourceType"] == MADE_BY_AI for props in said)
    prompt = joined(f"{{{NS_IPTC_EXT}}}AIPromptInformation")
    return Provenance(joined(f"{{{NS_IPTC_EXT}}}AISystemUsed") or "unknown", joined(f"{{{NS_OURS}}}RunId") or None,
                      whole_frame=whole, prompt=prompt or None, include_prompt=bool(prompt))
