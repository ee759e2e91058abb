"""A layered file from the app's own pieces: the original as opened, and results with their masks.

The window, `edit --layers` and `desktop-editor layers` all come here. The file is written in the
document's own colour space: its values at their depth (8 or 16 bits), RGB or grey, with its
ICC profile (`LoadedImage.source`), as the results come back in that space. Where that is not
possible (a CMYK document, or a result in another space than the original) the 8-bit display
copies are layered instead, with their own profile, and a note says so.

A PSD original with an output PSD is the "a PSD stays a PSD" case: the results are added on
top of a copy of the designer's document (`psd_copy.add_layers`), at the document's own depth.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from desktop_editor.core.images import LoadedImage
from desktop_editor.core.layered.build import mix_layers, original_layer, result_layer
from desktop_editor.core.layered.ora import write_ora
from desktop_editor.core.layered.psd import write_psd
from desktop_editor.core.layered.psd_copy import add_layers, document_stack, open_psd
from desktop_editor.core.layered.stack import Layer, LayeredFileError, LayerStack
from desktop_editor.core.mix import MixPalette
from desktop_editor.core.pixels import to_array

LAYERED_SUFFIXES = (".psd", ".psb", ".ora")


@dataclass
class ResultPiece:
    """One result to put on a layer: the file as opened, the mask its edit was limited to (None:
    the model remade the whole frame), the feather it was composited with, and the layer's name."""

    loaded: LoadedImage
    mask: np.ndarray | None
    name: str
    feather: float = 0.0


def layered_format(path: str | Path) -> str:
    """"psd" or "ora" from the file name; LayeredFileError for anything else."""
    suffix = Path(path).suffix.lower()
    if suffix not in LAYERED_SUFFIXES:
        raise LayeredFileError(f"{Path(path).name}: layers are saved as .psd or .ora.")
    return "ora" if suffix == ".ora" else "psd"


def _pixels(image: Image.Image, size: tuple[int, int], mode: str) -> np.ndarray:
    if image.size != size:
        image = image.resize(size, Image.Resampling.LANCZOS)
    return to_array(image.convert(mode) if image.mode != mode else image)


@dataclass(frozen=True)
class _Space:
    mode: str  # "RGB" or "L"
    depth: int
    profile: bytes | None
    alpha: bool


def document_space(loaded: LoadedImage) -> _Space | None:
    """The document's own space when its values are kept apart from the display copy and a
    layered file can hold them (RGB or grey, 8 or 16 bits); None otherwise."""
    source = loaded.source
    if source is None or not source.converted or source.space.mode not in ("RGB", "RGBA", "L", "LA"):
        return None
    space = source.space
    return _Space("RGB" if space.colour_mode == "RGB" else "L", space.bits, space.profile, space.has_alpha)


def _document_values(loaded: LoadedImage, space: _Space) -> np.ndarray | None:
    """`loaded`'s own values when they are in `space` (same mode, depth and profile), else None."""
    if document_space(loaded) != space:
        return None
    return loaded.source.pixels


def stack_from_results(original: LoadedImage, pieces: list[ResultPiece]) -> tuple[LayerStack, str | None]:
    """The original at the bottom, each result above it limited to its mask, in the document's
    own space where possible; and a note when the display copies had to be used."""
    space = document_space(original)
    note = None
    if space is not None:
        values = [_document_values(piece.loaded, space) for piece in pieces]
        if all(v is not None and v.shape[:2] == original.source.pixels.shape[:2] for v in values):
            layers = [original_layer(original.source.pixels)]
            layers += [result_layer(v, piece.mask, piece.name, feather=piece.feather)
                       for v, piece in zip(values, pieces, strict=True)]
            width, height = original.size
            return LayerStack(width, height, space.mode, space.depth, space.profile, layers), None
        note = "A result is not in the original's colour space, so the layers are 8-bit display copies."
    elif original.source is not None and original.source.space.mode == "CMYK":
        note = "A CMYK document is layered as its 8-bit RGB display copy (layered CMYK is not written)."
    image = original.image
    mode = "RGBA" if image.mode == "RGBA" else "RGB"
    layers = [original_layer(_pixels(image, image.size, mode))]
    for piece in pieces:
        layers.append(result_layer(_pixels(piece.loaded.image, image.size, mode), piece.mask, piece.name,
                                   feather=piece.feather))
    return LayerStack(image.width, image.height, "RGB", 8, original.icc_profile, layers), note


def stack_from_mix(original: Image.Image, icc_profile: bytes | None, sources: list[Image.Image], names: list[str],
                   labels: np.ndarray, base: int, base_edit: tuple[Image.Image, np.ndarray] | None = None) -> LayerStack:
    """The original, then the mix as one layer per source (`build.mix_layers`)."""
    mode = "RGBA" if original.mode == "RGBA" else "RGB"
    arrays = [_pixels(source, original.size, mode) for source in sources]
    edit = None if base_edit is None else (_pixels(base_edit[0], original.size, mode), base_edit[1])
    layers = mix_layers(arrays, labels, MixPalette(len(sources) + 1), base, names, base_edit=edit)
    return LayerStack(original.width, original.height, "RGB", 8, icc_profile,
                      [original_layer(_pixels(original, original.size, mode)), *layers])


def write_layered(stack: LayerStack, path: str | Path, *, xmp: bytes | None = None) -> Path:
    """Write `stack` as .psd/.psb or .ora by the file name, atomically (LayeredFileError on failure)."""
    return (write_ora if layered_format(path) == "ora" else write_psd)(stack, path, xmp=xmp)


def to_depth(pixels: np.ndarray, depth: int) -> np.ndarray:
    """8-bit pixels at `depth` (16: scaled by 257, so 255 stays white)."""
    return pixels if depth == 8 else pixels.astype(np.uint16) * 257


def add_to_psd(source: str | Path, pieces: list[ResultPiece], out: str | Path, *, xmp: bytes | None = None,
               allow_flattened: bool = False) -> Path:
    """A copy of the PSD `source` with each result on top, masked, at the document's depth."""
    stack = document_stack(open_psd(source))
    mode = "RGB" if stack.mode == "RGB" else "L"
    layers: list[Layer] = []
    for piece in pieces:
        own = document_space(piece.loaded)
        if own is not None and own.mode == stack.mode and own.depth == stack.depth:
            pixels = piece.loaded.source.pixels[..., : stack.channels] if stack.mode == "RGB" else \
                (piece.loaded.source.pixels if piece.loaded.source.pixels.ndim == 2 else piece.loaded.source.pixels[..., 0])
        else:
            pixels = to_depth(_pixels(piece.loaded.image, (stack.width, stack.height), mode), stack.depth)
        layers.append(result_layer(pixels, piece.mask, piece.name, feather=piece.feather))
    return add_layers(source, layers, out, xmp=xmp, allow_flattened=allow_flattened)
