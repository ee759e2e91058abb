"""A PSD stays a PSD: the designer's document, copied, with the results added on top as masked layers.

psd-tools re-writes the layer records it read (text engine data, smart-object placements,
adjustment descriptors, effects, groups) as they were, and the layers' pixels as stored; what
it re-renders on `save` is only the merged image, which is set here instead from the source's
own merged image with the new layers over it (psd-tools' renderer does not know every
adjustment or effect Photoshop applies). So nothing is flattened in the usual case.

Whether that holds for a given file is checked, not assumed: `layers_not_kept` writes the
document back in memory and compares every layer's record and pixel data with the source; a
layer that would change is named, so the designer can be asked before saving. The copy is never
written over the source.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from psd_tools import PSDImage
from psd_tools.constants import ColorMode, Resource

from desktop_editor.core.layered.psd import (
    MAX_PSD_BYTES,
    add_pixel_layer,
    check_psd_size,
    set_merged_image,
    set_resources,
    too_big_message,
    write_document,
)
from desktop_editor.core.layered.stack import Layer, LayeredFileError, LayerStack, flatten
from desktop_editor.core.layered.writing import write_atomically

DOCUMENT_DATA = "the document's embedded files and patterns"
_MODES = {ColorMode.RGB: "RGB", ColorMode.GRAYSCALE: "L"}


def open_psd(path: str | Path) -> PSDImage:
    """The document at `path`; LayeredFileError with a sentence when it cannot be read."""
    try:
        return PSDImage.open(path)
    except OSError as error:
        raise LayeredFileError(f"{Path(path).name} could not be read: {error.strerror or error}.") from error
    except Exception as error:  # psd-tools raises many kinds for a damaged file
        raise LayeredFileError(f"{Path(path).name} is not a PSD this app can read ({error}).") from error


def _fingerprints(psd: PSDImage) -> list[tuple[str, bytes]]:
    """(name, record and channel bytes) of every layer, groups included, bottom first."""
    info = psd._record._get_layer_info()
    if info is None:
        return []
    prints = []
    for record, channels in zip(info.layer_records, info.channel_image_data, strict=False):
        data = b"".join(channel.data for channel in channels)
        prints.append((record.name, record.tobytes() + data))
    return prints


def layers_not_kept(psd: PSDImage | str | Path) -> list[str]:
    """Names of the layers psd-tools would not write back exactly (empty: all kept).

    Done by writing the document's layers back in memory, as adding a layer does, and comparing
    each layer's record and pixels with what was read. Costs one in-memory copy of the file.
    """
    source = open_psd(psd) if not isinstance(psd, PSDImage) else psd
    before = _fingerprints(source)
    copy = PSDImage.open(io.BytesIO(_raw_bytes(source)))
    copy._update_record()
    buffer = io.BytesIO()
    write_document(copy, buffer)
    written = PSDImage.open(io.BytesIO(buffer.getvalue()))
    after = _fingerprints(written)
    if len(after) != len(before):
        return [name for name, _ in before]
    changed = [name for (name, old), (_new_name, new) in zip(before, after, strict=True) if old != new]
    if _document_blocks(source) != _document_blocks(written):
        changed.append(DOCUMENT_DATA)
    return changed


def _document_blocks(psd: PSDImage) -> bytes:
    """The document-wide tagged blocks (embedded smart-object files, patterns)."""
    blocks = psd._record.layer_and_mask_information.tagged_blocks
    return blocks.tobytes() if blocks is not None else b""


def _raw_bytes(psd: PSDImage) -> bytes:
    buffer = io.BytesIO()
    psd._record.write(buffer)
    return buffer.getvalue()


def document_stack(psd: PSDImage) -> LayerStack:
    """The document's colour facts as an empty LayerStack (the stack new layers must match)."""
    mode = _MODES.get(psd.color_mode)
    if mode is None or psd.depth not in (8, 16):
        raise LayeredFileError(f"Results can be added to RGB or grey PSDs at 8 or 16 bits; this one is "
                               f"{ColorMode(psd.color_mode).name.lower()} at {psd.depth} bits. Save a new layered file instead.")
    return LayerStack(psd.width, psd.height, mode, psd.depth, psd.image_resources.get_data(Resource.ICC_PROFILE))


def source_merged(psd: PSDImage, stack: LayerStack) -> np.ndarray:
    """The source's merged image at its depth (H, W, channels[+alpha]): what the document looks
    like now, with its transparency when it has some."""
    values = psd.numpy()  # the stored merged image, float 0..1, colour channels (+ alpha)
    values = values if values.ndim == 3 else values[..., None]
    peak = float(np.iinfo(stack.dtype).max)
    return np.rint(values[..., : stack.channels + 1] * peak).astype(stack.dtype)


def _with_source_alpha(merged: np.ndarray, below: np.ndarray, channels: int) -> np.ndarray:
    """`merged` with the source's alpha plane appended when the source has one and it has not."""
    merged = merged if merged.ndim == 3 else merged[..., None]
    if below.shape[2] > channels and merged.shape[2] == channels:
        return np.dstack([merged, below[..., channels]])
    return merged


def add_layers(source: str | Path, layers: Sequence[Layer], out: str | Path, *, xmp: bytes | None = None,
               merged: np.ndarray | None = None, allow_flattened: bool = False) -> Path:
    """Write a copy of the PSD `source` to `out` with `layers` added on top.

    `merged` is the flat result (the new merged image); by default the source's merged image
    with the layers over it. `xmp` (merge it with the source's first: `provenance.xmp_packet`)
    replaces resource 1060. Unless `allow_flattened`, a source with layers that would not be
    kept exactly is refused with their names (the designer is asked first).

    Raises:
        LayeredFileError: `out` is the source, the document or layers do not fit, a layer would
            change, the file is too big for a PSD, or it could not be written.
    """
    source, out = Path(source), Path(out)
    if out.absolute().resolve() == source.absolute().resolve():
        raise LayeredFileError(f"The layered copy cannot replace {source.name}; choose another name.")
    psd = open_psd(source)
    base = document_stack(psd)
    psb = out.suffix.lower() == ".psb"
    check_psd_size(psd.width, psd.height, psb=psb)
    if not allow_flattened:
        changed = layers_not_kept(psd)
        if changed:
            raise LayeredFileError("These layers would not be kept exactly: " + ", ".join(changed) + ".")
    stack = LayerStack(base.width, base.height, base.mode, base.depth, base.icc_profile, list(layers))
    stack.validate()
    below = source_merged(psd, base)
    if merged is None:
        merged = flatten(LayerStack(base.width, base.height, base.mode, base.depth, None, [Layer("below", below), *layers]))
    merged = _with_source_alpha(merged, below, base.channels)
    for layer in layers:
        add_pixel_layer(psd, layer)
    set_resources(psd, xmp=xmp)
    set_merged_image(psd, merged)
    psd._record.header.version = 2 if psb else 1
    return write_atomically(out, lambda handle: write_document(psd, handle),
                            max_bytes=None if psb else MAX_PSD_BYTES, too_big=too_big_message)


def source_xmp(psd: PSDImage) -> bytes | None:
    """The source's XMP packet (resource 1060), to merge provenance into."""
    data = psd.image_resources.get_data(Resource.XMP_METADATA)
    return bytes(data) if data else None
