"""Colour profiles and images for the colour-management tests, made in the test run.

Adobe RGB, ProPhoto (ROMM RGB) and the standard CMYK come from Debian's ghostscript ICC files;
Display P3 has no file there and ImageCms creates only sRGB, so `display_p3` writes a small
matrix/TRC profile (the iPhone's: P3 primaries, D65 white, the sRGB curve).
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms

GHOSTSCRIPT = Path("/usr/share/color/icc/ghostscript")
D50 = np.array([0.9642, 1.0, 0.8249])


def ghostscript_profile(name: str) -> bytes:
    path = GHOSTSCRIPT / name
    if not path.exists():
        pytest.skip(f"{path} is not installed (Debian package ghostscript)")
    return path.read_bytes()


def adobe_rgb() -> bytes:
    return ghostscript_profile("a98.icc")


def prophoto() -> bytes:
    return ghostscript_profile("rommrgb.icc")


def cmyk_profile() -> bytes:
    return ghostscript_profile("ps_cmyk.icc")


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz(values) -> bytes:
    return b"XYZ \0\0\0\0" + b"".join(_s15(v) for v in values)


def _desc(text: str) -> bytes:
    ascii_text = text.encode("ascii") + b"\0"
    return b"desc\0\0\0\0" + struct.pack(">I", len(ascii_text)) + ascii_text + b"\0" * 8 + b"\0\0\0" + b"\0" * 67


def _primaries_d50(xy: list[tuple[float, float]], white_xy: tuple[float, float]) -> np.ndarray:
    """Columns: the XYZ of R, G, B adapted to D50 (Bradford), as an ICC matrix profile wants."""
    def xyz(x, y):
        return np.array([x / y, 1.0, (1 - x - y) / y])

    prim = np.stack([xyz(*p) for p in xy], axis=1)
    white = xyz(*white_xy)
    prim = prim * np.linalg.solve(prim, white)
    bradford = np.array([[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]])
    scale = np.diag((bradford @ D50) / (bradford @ white))
    adapt = np.linalg.inv(bradford) @ scale @ bradford
    return adapt @ prim


def matrix_profile(description: str, primaries_xy, white_xy=(0.3127, 0.3290)) -> bytes:
    """An ICC v2 RGB display profile with the sRGB tone curve and the given primaries."""
    matrix = _primaries_d50(primaries_xy, white_xy)
    curve = b"para\0\0\0\0" + struct.pack(">HH", 3, 0) + b"".join(
        _s15(v) for v in (2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045))
    tags = [(b"desc", _desc(description)), (b"wtpt", _xyz(D50)), (b"rXYZ", _xyz(matrix[:, 0])),
            (b"gXYZ", _xyz(matrix[:, 1])), (b"bXYZ", _xyz(matrix[:, 2])), (b"rTRC", curve), (b"gTRC", curve),
            (b"bTRC", curve), (b"cprt", b"text\0\0\0\0No copyright, made in a test\0")]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for signature, data in tags:
        data += b"\0" * (-len(data) % 4)
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = offset + len(body)
    header = (struct.pack(">I", size) + b"lcms" + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ " + b"\0" * 12
              + b"acsp" + b"\0" * 24 + struct.pack(">I", 0) + b"".join(_s15(v) for v in D50) + b"\0" * 48)
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


def display_p3() -> bytes:
    return matrix_profile("Display P3 (test)", [(0.680, 0.320), (0.265, 0.690), (0.150, 0.060)])


def gradient(width: int = 96, height: int = 64, bits: int = 8, bands: int = 3, seed: int = 3) -> np.ndarray:
    """Saturated ramps with noise: colours near each gamut's edge, where conversions differ most."""
    rng = np.random.default_rng(seed)
    top = 65535 if bits == 16 else 255
    x = np.linspace(0, 1, width)[None, :, None]
    y = np.linspace(0, 1, height)[:, None, None]
    base = np.concatenate([x * np.ones((height, 1, 1)), y * np.ones((1, width, 1)), (1 - x) * (1 - y)], axis=2)
    if bands == 4:
        base = np.concatenate([base, 0.3 * np.ones((height, width, 1))], axis=2)
    noisy = np.clip(base * top + rng.normal(0, top * 0.02, base.shape), 0, top)
    return noisy.astype(np.uint16 if bits == 16 else np.uint8)


def srgb_of(pixels8: np.ndarray, profile: bytes, mode: str = "RGB") -> np.ndarray:
    """ImageCms's own conversion of 8-bit values in `profile` to sRGB (relative colorimetric,
    black-point compensation): what the tests hold sent and displayed pixels to."""
    transform = ImageCms.buildTransform(
        ImageCms.ImageCmsProfile(__import__("io").BytesIO(profile)), ImageCms.createProfile("sRGB"), mode, "RGB",
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC, flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)
    return np.asarray(ImageCms.applyTransform(Image.fromarray(pixels8, mode), transform))


def eight(values: np.ndarray) -> np.ndarray:
    """16-bit values rounded to 8 bits (v / 257)."""
    return np.clip(np.rint(values.astype(np.float64) / 257.0), 0, 255).astype(np.uint8) if values.dtype == np.uint16 \
        else values


def cmyk16_tiff(values: np.ndarray, compression: int = 5, profile: bytes | None = None) -> bytes:
    """A 16-bit CMYK TIFF of `values` (H, W, 4: C, M, Y, K), interleaved, as libtiff writes it:
    OpenCV encodes the four channels (LZW = 5, ZIP = 8, none = 1, with the horizontal predictor
    for LZW and ZIP) and the photometric tag is set to separated. Neither tifffile (LZW needs
    imagecodecs) nor Pillow (no 16-bit CMYK mode) writes these; tests check the file with both."""
    import cv2

    from desktop_editor.core.cmyk_tiff import PHOTOMETRIC_SEPARATED, with_photometric
    from desktop_editor.core.tiff_tags import ICC_PROFILE, UNDEFINED, with_tags

    ok, encoded = cv2.imencode(".tiff", cv2.cvtColor(values, cv2.COLOR_RGBA2BGRA),
                               [cv2.IMWRITE_TIFF_COMPRESSION, compression])
    assert ok
    data = with_photometric(encoded.tobytes(), PHOTOMETRIC_SEPARATED).tobytes()
    return with_tags(data, {ICC_PROFILE: (UNDEFINED, profile)}) if profile else data
