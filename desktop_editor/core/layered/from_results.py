"""A layered file from the app's own pieces: the original as opened, and results with their masks.

The window, `edit --layers` and `desktop-editor layers` all come here. Documents are kept at
8 bits today (`core.images`), so the stack is 8-bit RGB (with alpha where the original has it)
in the original's ICC profile; the stack model and writers take 16 bits already.

A PSD original with an output PSD is the "a PSD stays a PSD" case: the results are added on
top of a copy of the designer's document (`psd_copy.add_layers`), at the document's own depth.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

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
    """One result to put on a layer: its image, the mask its edit was limited to (None: the
    model remade the whole frame), the feather it was composited with, and the layer's name."""

    image: Image.Image
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


def stack_from_results(original: Image.Image, icc_profile: bytes | None, pieces: list[ResultPiece]) -> LayerStack:
    """The original at the bottom, each result above it limited to its mask (8 bits)."""
    mode = "RGBA" if original.mode == "RGBA" else "RGB"
    base = _pixels(original, original.size, mode)
    layers = [original_layer(base)]
    for piece in pieces:
        layers.append(result_layer(_pixels(piece.image, original.size, mode), piece.mask, piece.name,
                                   feather=piece.feather))
    return LayerStack(original.width, original.height, "RGB", 8, icc_profile, layers)


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
        pixels = to_depth(_pixels(piece.image, (stack.width, stack.height), mode), stack.depth)
        layers.append(result_layer(pixels, piece.mask, piece.name, feather=piece.feather))
    return add_layers(source, layers, out, xmp=xmp, allow_flattened=allow_flattened)
