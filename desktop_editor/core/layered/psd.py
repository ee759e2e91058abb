"""Writing a layer stack as a Photoshop document (PSD) with psd-tools.

Photoshop, Krita, GIMP, Affinity and Photopea all open a PSD with its layers and layer masks,
at 8 or 16 bits, with the ICC profile in image resource 1039. The merged image (what viewers
without layer support show, and what Photoshop shows before it has read the layers) is written
from `stack.flatten`, the same arithmetic as the app's composite, not from psd-tools' own
renderer: that one is slow at camera sizes and knows nothing of the designer's intent.

psd-tools' public API builds the layers; two private attributes of its document (`_record` and
its image data) are used to store the merged image and write the file without re-rendering.
They are exercised by the tests, which read every file back.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

import numpy as np
from PIL import Image
from psd_tools import PSDImage
from psd_tools.constants import ColorMode, Compression, Resource
from psd_tools.psd.image_resources import ImageResource

from desktop_editor.core.layered.stack import Layer, LayeredFileError, LayerStack, flatten
from desktop_editor.core.layered.writing import write_atomically

MAX_PSD_SIDE = 30_000  # beyond this a PSD must be a PSB (Large Document Format)
MAX_PSD_BYTES = 2**31 - 1  # PSD section lengths are 32-bit; beyond 2 GB only PSB works


def check_psd_size(width: int, height: int, *, psb: bool = False) -> None:
    """Raise LayeredFileError when a document this size cannot be a PSD."""
    if not psb and max(width, height) > MAX_PSD_SIDE:
        raise LayeredFileError(
            f"The image is {width}x{height} px; a PSD holds at most {MAX_PSD_SIDE:,} px a side. "
            "Save it as .psb (Photoshop's Large Document Format) or as .ora instead.")


def psd_mode(stack: LayerStack) -> str:
    """The PSD colour mode for the stack ("RGB", "RGBA", "L", "LA")."""
    return stack.mode + ("A" if stack.has_alpha else "")


def mask_image(mask: np.ndarray) -> Image.Image:
    """A layer mask as the 8-bit grey image psd-tools stores (at the document's depth)."""
    return Image.fromarray(np.ascontiguousarray(mask, np.uint8), "L")


def build_document(stack: LayerStack, *, xmp: bytes | None = None, merged: np.ndarray | None = None,
                   psb: bool = False) -> PSDImage:
    """A psd-tools document of the stack, with profile, XMP and merged image, not yet written."""
    stack.validate()
    check_psd_size(stack.width, stack.height, psb=psb)
    psd = PSDImage.new(psd_mode(stack), (stack.width, stack.height), depth=stack.depth)
    for layer in stack.layers:
        add_pixel_layer(psd, layer)
    set_resources(psd, icc_profile=stack.icc_profile, xmp=xmp)
    set_merged_image(psd, flatten(stack) if merged is None else merged)
    if psb:
        psd._record.header.version = 2
    return psd


def add_pixel_layer(psd: PSDImage, layer: Layer) -> None:
    """Add `layer` on top of `psd`, with its mask, named in Unicode too.

    Setting the name again stores the Unicode name block ("luni") beside the MacRoman one:
    without it Krita shows a non-ASCII prompt with replacement characters.
    """
    left, top = layer.offset
    added = psd.create_pixel_layer_from_array(layer.pixels, name=layer.name[:255], top=top, left=left)
    added.name = layer.name[:255]
    if layer.mask is not None:
        added.create_mask(mask_image(layer.mask))


def set_resources(psd: PSDImage, *, icc_profile: bytes | None = None, xmp: bytes | None = None) -> None:
    """Store the colour profile (1039) and the XMP packet (1060) as image resources."""
    resources = psd.image_resources
    if icc_profile:
        resources[Resource.ICC_PROFILE] = ImageResource(key=Resource.ICC_PROFILE, data=bytes(icc_profile))
    if xmp:
        resources[Resource.XMP_METADATA] = ImageResource(key=Resource.XMP_METADATA, data=bytes(xmp))


def set_merged_image(psd: PSDImage, merged: np.ndarray) -> None:
    """Store `merged` (H, W[, channels]) as the document's merged image, RLE-compressed.

    The planes are packed at the header's depth (big-endian for 16 bits) in header channel
    order; a document with fewer channels than `merged` keeps the first ones. With
    transparency, the colour is stored composited over white, as Photoshop stores it and
    every reader (psd-tools, Krita, GIMP) expects.
    """
    header = psd._record.header
    planes = merged if merged.ndim == 3 else merged[..., None]
    if planes.shape[:2] != (header.height, header.width):
        raise LayeredFileError("The merged image does not match the document's size.")
    if planes.shape[2] < header.channels:
        raise LayeredFileError("The merged image has fewer channels than the document.")
    big_endian = ">u2" if header.depth == 16 else "u1"
    colours = 1 if header.color_mode == ColorMode.GRAYSCALE else 3
    data = []
    for index in range(header.channels):
        plane = planes[..., index]
        if index < colours and header.channels > colours:
            plane = matted_over_white(plane, planes[..., colours])
        data.append(np.ascontiguousarray(plane).astype(big_endian).tobytes())
    if header.channels > colours:
        # A negative layer count says the merged image's first extra channel is its transparency.
        info = psd._record._get_layer_info()
        if info is not None:
            info.layer_count = -abs(info.layer_count)
    image_data = psd._record.image_data
    image_data.compression = Compression.RLE
    image_data.set_data(data, header)


def matted_over_white(colour: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """`colour` (straight) composited over white through `alpha`, in the same integer type."""
    peak = int(np.iinfo(colour.dtype).max)
    wide = np.int64 if peak > 255 else np.int32
    ink = (peak - colour.astype(wide)) * alpha.astype(wide)
    return (peak - (ink + peak // 2) // peak).astype(colour.dtype)


def write_document(psd: PSDImage, handle: IO[bytes]) -> None:
    """Write the document as built, keeping the merged image set above (`PSDImage.save` would
    re-render it with psd-tools' compositor whenever a layer was added)."""
    psd._record.write(handle)


def write_psd(stack: LayerStack, path: str | Path, *, xmp: bytes | None = None,
              merged: np.ndarray | None = None) -> Path:
    """Write the stack to `path` (.psd, or .psb for the Large Document Format), atomically.

    Raises:
        LayeredFileError: the stack cannot be a PSD (size, mode), with a sentence for the designer.
        OSError: the folder cannot be written (disk full, read-only); nothing is left behind.
    """
    path = Path(path)
    psb = path.suffix.lower() == ".psb"
    psd = build_document(stack, xmp=xmp, merged=merged, psb=psb)
    return write_atomically(path, lambda handle: write_document(psd, handle),
                            max_bytes=None if psb else MAX_PSD_BYTES, too_big=too_big_message)


def too_big_message(size: int) -> str:
    """The sentence for a PSD over 2 GB."""
    return (f"The layered file would be {size / 2**30:.1f} GB; a PSD holds at most 2 GB. "
            "Save it as .psb (Photoshop's Large Document Format) or as .ora instead.")
