"""Reading 16-bit CMYK TIFF (print files from Photoshop or a RIP) with its own ink values.

Three readers were measured on a 24 MP 16-bit CMYK TIFF (2-core machine, busy):

- OpenCV refuses photometric "separated" at 16 bits ("Sorry, can not handle image": it reads
  CMYK only through libtiff's 8-bit RGBA interface, which would also turn the inks into RGB).
- tifffile reads none, ZIP and PackBits with its own fallbacks (zlib, numpy), but has no LZW
  decoder of its own: LZW needs imagecodecs, 80 MB unpacked (a 26 MB wheel; about 19 MB more in
  the .deb, compressed as it is, past its 110 MB limit), of which LZW is one 2.6 MB module;
  bundling only that part means excluding the other 60 modules from the installer by hand.
  With imagecodecs, tifffile decoded the LZW file in 2.0 s of CPU (3.2 s wall).
- OpenCV's libtiff decodes the same strips in 1.1 s when the file is read as 4-channel RGBA: the
  compression (none, LZW, ZIP, PackBits) and the horizontal predictor act on samples whatever
  they mean, and OpenCV hands 16-bit samples over untouched. So a copy of the file whose
  PhotometricInterpretation says RGB instead of separated is decoded, and the four channels
  are the C, M, Y and K values, bit for bit (tests compare with tifffile and Pillow).

So interleaved 16-bit CMYK (what Photoshop and RIPs write by default) goes through OpenCV, at no
cost in package size and with the GIL released; per-channel ("planar") files, which OpenCV does
not read, go through tifffile, which reads them uncompressed or ZIP-compressed. JPEG compression
does not exist for 16-bit TIFF (JPEG holds 8 or 12 bits a sample; Photoshop offers it for 8-bit
files only), and 8-bit CMYK TIFF is Pillow's.
"""

from __future__ import annotations

import io
import struct

import numpy as np

from desktop_editor.core.opencv import cv2
from desktop_editor.core.source_image import apply_orientation

PHOTOMETRIC_RGB = 2
PHOTOMETRIC_SEPARATED = 5
_CONTIGUOUS = 1
_LZW = 5


class CmykTiffError(ValueError):
    """A 16-bit CMYK TIFF variant neither reader handles; str() says what to save it as."""


def _first_page(data: bytes):
    import tifffile

    with tifffile.TiffFile(io.BytesIO(data)) as tif:
        return tif.pages.first


def with_photometric(data: bytes, photometric: int) -> np.ndarray:
    """A copy of the TIFF `data` whose first image says `photometric` (a copy made with the GIL
    released: a 45 MP file is 270 MB), as uint8 for OpenCV. Classic TIFF and BigTIFF, either
    byte order."""
    page = _first_page(data)
    tag = page.tags[262]
    order = "<" if data[:2] == b"II" else ">"
    copy = np.frombuffer(data, np.uint8).copy()
    copy[tag.valueoffset:tag.valueoffset + 2] = np.frombuffer(struct.pack(order + "H", photometric), np.uint8)
    return copy


def decode_cmyk16(data: bytes) -> np.ndarray:
    """The first image's (H, W, 4) uint16 C, M, Y, K values, TIFF orientation applied.

    Raises:
        CmykTiffError: a per-channel LZW file, or ink channels other than four.
        OSError: the file is cut off or damaged.
    """
    page = _first_page(data)
    samples = int(page.samplesperpixel)
    if samples != 4:
        raise CmykTiffError(f"is a 16-bit CMYK TIFF with {samples} channels; save it with the four inks only")
    if int(page.planarconfig) == _CONTIGUOUS:
        bgra = cv2.imdecode(with_photometric(data, PHOTOMETRIC_RGB), cv2.IMREAD_UNCHANGED)
        if bgra is None or bgra.dtype != np.uint16 or bgra.ndim != 3 or bgra.shape[2] != 4:
            raise OSError("image file is truncated")
        return cv2.cvtColor(bgra, cv2.COLOR_BGRA2RGBA, dst=bgra)  # OpenCV gave B, G, R, A = Y, M, C, K
    if int(page.compression) == _LZW:
        raise CmykTiffError("is a 16-bit CMYK TIFF with LZW compression and per-channel pixel order; save it "
                            "with interleaved pixel order, or with ZIP compression")
    import tifffile

    try:
        planes = np.asarray(tifffile.imread(io.BytesIO(data), key=0))  # (4, H, W): one plane per ink
    except (KeyError, ValueError) as exc:  # a compression tifffile reads only with codecs we do not ship
        raise CmykTiffError(f"is a 16-bit CMYK TIFF with a compression this version cannot read ({exc}); "
                            "save it uncompressed or with ZIP compression") from exc
    return apply_orientation(np.moveaxis(planes, 0, -1), int(page.tags.valueof(274, 1)))
