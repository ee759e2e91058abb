"""Reading each file kind a designer brings into its own values and colour space.

Pillow reads JPEG, PNG, WebP, 8-bit TIFF, BMP, GIF and (through pillow-heif's opener) HEIC and
AVIF. Pillow has no 16-bit RGB or CMYK mode, so 16-bit RGB(A) PNG and TIFF are decoded by
OpenCV (its libtiff reads none, LZW and ZIP compression; measured against tifffile, which needs
imagecodecs, 80 MB more, for LZW), and 16-bit CMYK TIFF by OpenCV too (`cmyk_tiff`). psd-tools
reads Photoshop's PSD/PSB composite, including files with layers that Pillow reports as cut
off. Camera RAW files are refused by name: they carry a small embedded JPEG that would otherwise
be edited in its place.

Nothing here converts colours (see `colour`): `decode` gives the pixels and what they mean.
"""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image

from desktop_editor.core.cmyk_tiff import CmykTiffError, decode_cmyk16
from desktop_editor.core.colour import ColourSpace, checked_profile, is_srgb
from desktop_editor.core.image_limits import bytes_per_pixel, check_size
from desktop_editor.core.opencv import cv2
from desktop_editor.core.pixels import to_array
from desktop_editor.core.source_image import apply_orientation, file_xmp, upright, upright_exif

# Camera RAW: maker, extension. Developing RAW is a RAW converter's job.
RAW_FORMATS = {
    ".cr2": "Canon CR2", ".cr3": "Canon CR3", ".crw": "Canon CRW", ".nef": "Nikon NEF", ".nrw": "Nikon NRW",
    ".arw": "Sony ARW", ".srf": "Sony SRF", ".sr2": "Sony SR2", ".dng": "DNG", ".raf": "Fujifilm RAF",
    ".orf": "Olympus ORF", ".rw2": "Panasonic RW2", ".pef": "Pentax PEF", ".srw": "Samsung SRW",
    ".x3f": "Sigma X3F", ".3fr": "Hasselblad 3FR", ".iiq": "Phase One IIQ", ".rwl": "Leica RWL",
}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}
_TIFF_COMPRESSIONS = {1: "raw", 5: "tiff_lzw", 8: "tiff_adobe_deflate", 32946: "tiff_deflate", 7: "jpeg", 6: "jpeg",
                      32773: "packbits"}


class UnsupportedFileError(ValueError):
    """A file kind we do not open; str() names it and says what to export it as."""


class CutOffError(ValueError):
    """The file ends before the data its header announces."""


@dataclass
class Decoded:
    """A decoded file: either `plain` (a Pillow image whose values are 8-bit sRGB-compatible and
    need no conversion) or `pixels` (the document's own values in `space`)."""

    space: ColourSpace
    kind: str
    plain: Image.Image | None = None
    pixels: np.ndarray | None = None
    compression: str | None = None
    dpi: tuple[float, float] | None = None
    exif: bytes | None = None
    xmp: bytes | None = None
    mode_before: str | None = None  # Pillow's mode of the file, before orientation and expansion
    orientation: int = 1


def sniff(data: bytes) -> str | None:
    """The file kind from its first bytes, for the kinds that need a reader other than Pillow's
    default, or a message of their own."""
    if data[:4] == b"8BPS":
        return "PSD"
    if data[4:8] == b"ftyp":
        brands = {data[8:12]} | {data[i:i + 4] for i in range(16, min(len(data), 64), 4)}
        if brands & _AVIF_BRANDS:
            return "AVIF"
        if data[8:12] == b"crx ":
            return "CR3"
        if brands & _HEIF_BRANDS:
            return "HEIF"
    if data[:15] == b"FUJIFILMCCD-RAW":
        return "RAF"
    if data[:4] in (b"IIRO", b"IIRS", b"IIU\x00") or (data[:4] == b"II*\x00" and data[8:10] == b"CR"):
        return "RAW"
    return None


def refuse_unsupported(name: str, suffix: str, data: bytes) -> None:
    """Raise `UnsupportedFileError` for camera RAW, by extension or by signature."""
    kind = sniff(data)
    label = RAW_FORMATS.get(suffix.lower())
    if label is None and kind in ("CR3", "RAF", "RAW"):
        label = {"CR3": "Canon CR3", "RAF": "Fujifilm RAF"}.get(kind, "camera RAW")
    if label is not None:
        raise UnsupportedFileError(
            f"{name} is a {label} camera RAW file, which Desktop Editor does not develop. Export it from your "
            "RAW converter (Lightroom, Capture One, darktable) as a 16-bit TIFF, or a JPEG, and open that."
        )


def looks_cut_off(kind: str | None, data: bytes) -> bool:
    """Whether the file's own structure runs past its end (a copy or download that stopped)."""
    try:
        if kind in ("HEIF", "AVIF"):
            pos = 0
            while pos + 8 <= len(data):
                size = struct.unpack(">I", data[pos:pos + 4])[0]
                if size == 1:
                    size = struct.unpack(">Q", data[pos + 8:pos + 16])[0]
                if size == 0:
                    return False
                if pos + size > len(data):
                    return True
                pos += size
            return pos != len(data)
        if kind == "PSD":
            return _psd_cut_off(data)
        if data[:4] in (b"II*\x00", b"MM\x00*"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a cut-off file makes Pillow warn about its tags
                tags = Image.open(io.BytesIO(data)).tag_v2
                offsets, counts = tags.get(273) or tags.get(324), tags.get(279) or tags.get(325)
                if offsets and counts:
                    return max(o + c for o, c in zip(offsets, counts)) > len(data)
    except (struct.error, OSError, ValueError, TypeError):
        return True
    return False


def _psd_cut_off(data: bytes) -> bool:
    """Whether a PSD/PSB ends before its composite image data does (raw or RLE; a ZIP-compressed
    composite cannot be measured without decoding, and is left to the reader)."""
    big = data[4:6] == b"\x00\x02"  # PSB: larger length fields
    channels, height, width, depth = struct.unpack(">HIIH", data[12:24])
    pos = 26
    for section in range(3):
        wide = big and section == 2
        length = struct.unpack(">Q" if wide else ">I", data[pos:pos + (8 if wide else 4)])[0]
        pos += (8 if wide else 4) + length
    if pos + 2 > len(data):
        return True
    compression = struct.unpack(">H", data[pos:pos + 2])[0]
    pos += 2
    if compression == 0:
        return pos + channels * height * width * max(1, depth // 8) > len(data)
    if compression == 1:
        rows = channels * height
        size = 4 if big else 2
        table = data[pos:pos + rows * size]
        if len(table) < rows * size:
            return True
        counts = np.frombuffer(table, dtype=">u4" if big else ">u2")
        return pos + rows * size + int(counts.sum()) > len(data)
    return False


def _space(mode: str, bits: int, icc: bytes | None) -> ColourSpace:
    profile, note = checked_profile(icc, mode)
    return ColourSpace(mode=mode, bits=bits, profile=profile, note=note)


def _png_bits(data: bytes) -> tuple[int, int]:
    """(bit depth, colour type) from a PNG's header."""
    return data[24], data[25]


def _tiff_bits(img: Image.Image) -> int:
    bits = img.tag_v2.get(258) or (8,)
    return int(bits[0] if isinstance(bits, tuple) else bits)


def _decode_deep(data: bytes, bands_hint: str) -> np.ndarray:
    """16-bit RGB(A) or CMYK values, in RGB(A)/CMYK band order, orientation applied (see `cmyk_tiff`)."""
    if bands_hint == "CMYK":
        try:
            return decode_cmyk16(data)
        except CmykTiffError as exc:
            raise UnsupportedFileError(str(exc)) from exc
    arr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if arr is None:
        raise OSError("image file is truncated")
    if arr.ndim == 3:  # in place: a new 270 MB array for a 45 MP photo took 3x as long to fill
        arr = cv2.cvtColor(arr, cv2.COLOR_BGRA2RGBA if arr.shape[2] == 4 else cv2.COLOR_BGR2RGB, dst=arr)
    return arr


def _psd(name: str, data: bytes, memory: int | None) -> Decoded:
    from psd_tools import PSDImage
    from psd_tools.constants import Resource

    psd = PSDImage.open(io.BytesIO(data))
    check_size(name, psd.width, psd.height, len(data), per_pixel=bytes_per_pixel(psd.depth, 4, True),
               memory=memory)
    icc = psd.image_resources.get_data(Resource.ICC_PROFILE)
    icc = bytes(icc) if icc else None
    resolution = psd.image_resources.get_data(Resource.RESOLUTION_INFO)
    dpi = (float(resolution.horizontal), float(resolution.vertical)) if resolution is not None else None
    if psd.depth == 16:
        values = np.clip(np.rint(psd.numpy() * 65535.0), 0, 65535).astype(np.uint16)
        mode = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA" if psd.color_mode != 4 else "CMYK", 5: "CMYK"}[values.shape[-1]]
        values = values[..., 0] if mode == "L" else values
        return Decoded(_space(mode, 16, icc), "PSD", pixels=values, dpi=dpi, mode_before=mode)
    if psd.depth != 8:
        raise UnsupportedFileError(f"is a {psd.depth}-bit Photoshop file; save it as 8 or 16 bits per channel")
    img = psd.topil()
    if img is None:
        raise OSError("image file is truncated")
    mode = img.mode if img.mode in ("RGB", "RGBA", "L", "LA", "CMYK") else "RGB"
    img = img if img.mode == mode else img.convert(mode)
    return _from_pillow_image(img, "PSD", icc, dpi=dpi)


def _from_pillow_image(img: Image.Image, kind: str, icc: bytes | None, *, dpi=None, compression=None,
                       exif=None, xmp=None, mode_before=None, orientation=1) -> Decoded:
    """Classify a decoded, upright Pillow image: plain when it is 8-bit sRGB-compatible RGB(A),
    else the document's values as an array."""
    mode = img.mode
    extra = dict(dpi=dpi, compression=compression, exif=exif, xmp=xmp, mode_before=mode_before or mode,
                 orientation=orientation)
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        arr = np.asarray(img)
        if mode == "I" and arr.max(initial=0) <= 255:
            return Decoded(_space("L", 8, icc), kind, pixels=arr.astype(np.uint8), **extra)
        return Decoded(_space("L", 16, icc), kind, pixels=np.clip(arr, 0, 65535).astype(np.uint16), **extra)
    if mode == "F":
        arr = np.asarray(img, dtype=np.float32)
        scaled = np.clip(arr * (255.0 if arr.max(initial=0) <= 1 else 1), 0, 255).astype(np.uint8)
        return Decoded(_space("L", 8, icc), kind, pixels=scaled, **extra)
    if mode in ("L", "LA", "CMYK"):
        return Decoded(_space(mode, 8, icc), kind, pixels=to_array(img), **extra)
    if mode == "La":
        img, mode = img.convert("LA"), "LA"
        return Decoded(_space(mode, 8, icc), kind, pixels=to_array(img), **extra)
    rgb_mode = "RGBA" if mode in ("RGBA", "RGBa", "PA", "LA") or (mode == "P" and "transparency" in img.info) else "RGB"
    space = _space(rgb_mode, 8, icc)
    if space.profile is None or is_srgb(space.profile):
        return Decoded(space, kind, plain=img, **extra)
    converted = img if img.mode == rgb_mode else img.convert(rgb_mode)
    return Decoded(space, kind, pixels=to_array(converted), **extra)


def _deep_heif(data: bytes, mode: str, space: ColourSpace, dpi, exif, xmp) -> Decoded:
    """A 10- or 12-bit HEIC (HDR iPhone photos, some cameras) at 16 bits, not rounded to 8."""
    import pillow_heif

    heif = pillow_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=False)
    values = np.asarray(heif)
    if values.dtype != np.uint16:
        values = values.astype(np.uint16) * np.uint16(257)
    return Decoded(space, "HEIF", pixels=np.ascontiguousarray(values), dpi=dpi, exif=exif, xmp=xmp, mode_before=mode)


def decode(name: str, suffix: str, data: bytes, *, decode_pixels, memory: int | None = None) -> Decoded:
    """Decode `data` (named `name`, with extension `suffix`) into its own values.

    `decode_pixels` loads a Pillow image (the caller's GIL-friendly loader); `memory` sizes the
    limit (`image_limits.check_size`), the machine's own by default.

    Raises:
        UnsupportedFileError: camera RAW, or a variant we do not read (the sentence says which).
        ImageTooLargeError: too large for this machine, or a bomb.
        OSError, ValueError, EOFError, SyntaxError: the decoder gave up (damaged or cut off).
    """
    refuse_unsupported(name, suffix, data)
    kind = sniff(data)
    if kind == "PSD":
        if looks_cut_off(kind, data):  # psd-tools reads on into zeros without a word
            raise EOFError("cut off")
        return _psd(name, data, memory)
    if kind == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    img = Image.open(io.BytesIO(data))
    fmt = img.format or kind or "image"
    deep_png = fmt == "PNG" and _png_bits(data)[0] == 16 and _png_bits(data)[1] in (2, 4, 6)
    deep_tiff = fmt == "TIFF" and _tiff_bits(img) == 16 and img.mode in ("RGB", "RGBA", "CMYK", "RGBX")
    deep = deep_png or deep_tiff
    bands = 4 if img.mode in ("RGBA", "CMYK") else 3
    check_size(name, img.width, img.height, len(data), per_pixel=bytes_per_pixel(16 if deep else 8, bands, True),
               memory=memory)
    icc = img.info.get("icc_profile")
    dpi = img.info.get("dpi")
    dpi = tuple(float(v) for v in dpi) if dpi else None
    compression = _TIFF_COMPRESSIONS.get(img.tag_v2.get(259, 1)) if fmt == "TIFF" else None
    if fmt == "PNG":
        # Pillow finds a PNG's EXIF only by loading the image (its eXIf chunk may follow the
        # pixels); loaded here, its memory comes zeroed without the GIL held, not from Pillow's
        # own zero-fill under the GIL (20 ms for a 4K RGBA mask once Pillow's cache held a block).
        decode_pixels(img)
    orientation = img.getexif().get(0x0112, 1) or 1
    exif, xmp = upright_exif(img), file_xmp(img)
    if deep:
        hint = "CMYK" if img.mode == "CMYK" else "RGB"
        values = _decode_deep(data, hint)
        if fmt != "TIFF":  # the TIFF readers turn the image themselves
            values = apply_orientation(values, orientation)
        if values.ndim == 2:
            mode = "L"
        elif values.shape[2] == 2:
            mode = "LA"
        elif values.shape[2] == 4:
            mode = "CMYK" if hint == "CMYK" else "RGBA"
        else:
            mode = "RGB"
        return Decoded(_space(mode, 16, icc), fmt, pixels=values.astype(np.uint16, copy=False), compression=compression,
                       dpi=dpi, exif=exif, xmp=xmp, mode_before=img.mode, orientation=orientation)
    if fmt == "HEIF" and (img.info.get("bit_depth") or 8) > 8 and img.mode in ("RGB", "RGBA"):
        return _deep_heif(data, img.mode, _space(img.mode, 16, icc), dpi, exif, xmp)
    if getattr(img, "n_frames", 1) > 1:
        img.seek(0)
    mode_before = img.mode
    decode_pixels(img)
    return _from_pillow_image(upright(img), fmt, icc, dpi=dpi, compression=compression, exif=exif, xmp=xmp,
                              mode_before=mode_before, orientation=orientation)



def displayed_size(path, head_bytes: int = 1 << 16) -> tuple[int, int]:
    """(width, height) as displayed, from the file's header only: fast for hundreds of files.

    Raises:
        UnsupportedFileError: camera RAW (the sentence says what to export it as).
        OSError, ValueError, SyntaxError: not a readable image.
    """
    from pathlib import Path

    path = Path(path)
    with path.open("rb") as file:
        head = file.read(head_bytes)
    refuse_unsupported(path.name, path.suffix, head)
    kind = sniff(head)
    if kind == "PSD":
        height, width = struct.unpack(">II", head[14:22])
        return width, height
    if kind == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Image.open(path) as img:
            orientation = img.getexif().get(0x0112, 1)
            width, height = img.size
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)
