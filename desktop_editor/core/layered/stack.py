"""A layer stack as a layered file holds it: plain arrays, independent of any file format.

A designer who finishes work in Photoshop, Krita or GIMP wants each result on its own layer,
limited to its edit by a layer mask they can still brush, over the untouched original. The
writers (`psd.py`, `ora.py`) take a `LayerStack` and nothing else, so they do not depend on how
the app keeps its documents: pixels are numpy arrays at the document's depth (uint8 or uint16),
grey or RGB with or without alpha, and the document's ICC profile travels as bytes.

`flatten` is what a viewer shows: each layer over the ones below through its alpha and mask. It
is written into each file as the merged image, so programs without layer support see the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

COLOUR_CHANNELS = {"L": 1, "RGB": 3}
PROFILE_SPACES = {"L": b"GRAY", "RGB": b"RGB "}  # the colour space field of an ICC header


def profile_space(icc_profile: bytes) -> bytes:
    """The colour space an ICC profile describes (b"RGB ", b"GRAY", b"CMYK", ...)."""
    return bytes(icc_profile[16:20])


class LayeredFileError(ValueError):
    """A layered file that cannot be made as asked; str() is a sentence for the designer."""


@dataclass
class Layer:
    """One layer: `pixels` (h, w) or (h, w, channels) at `offset` (left, top) of the canvas.

    `mask` (h, w) uint8, 255 = the layer shows, 0 = hidden, in the layer's own frame; None
    means no mask. `pixels` carry the document's colour channels, plus alpha when the last
    axis has one more.
    """

    name: str
    pixels: np.ndarray
    offset: tuple[int, int] = (0, 0)
    mask: np.ndarray | None = None

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the layer's pixels."""
        return int(self.pixels.shape[1]), int(self.pixels.shape[0])

    @property
    def box(self) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) on the canvas."""
        left, top = self.offset
        width, height = self.size
        return left, top, left + width, top + height


@dataclass
class LayerStack:
    """A document as layers, bottom first, with its colour facts.

    `mode` is "RGB" or "L" (colour channels; alpha is per layer), `depth` 8 or 16 (the layers'
    dtype), `icc_profile` the document's profile (None: untagged, read as sRGB).
    """

    width: int
    height: int
    mode: str = "RGB"
    depth: int = 8
    icc_profile: bytes | None = None
    layers: list[Layer] = field(default_factory=list)

    @property
    def channels(self) -> int:
        """Colour channels of the document (1 for grey, 3 for RGB)."""
        return COLOUR_CHANNELS[self.mode]

    @property
    def dtype(self) -> type[np.unsignedinteger]:
        """numpy type of every layer's pixels."""
        return np.uint16 if self.depth == 16 else np.uint8

    @property
    def has_alpha(self) -> bool:
        """Whether any layer carries transparency."""
        return any(_layer_channels(layer) == self.channels + 1 for layer in self.layers)

    def validate(self) -> None:
        """Raise LayeredFileError with a plain sentence when the stack cannot be written."""
        if self.mode not in COLOUR_CHANNELS:
            raise LayeredFileError(f"Layered files are written in RGB or grey, not {self.mode}.")
        if self.depth not in (8, 16):
            raise LayeredFileError(f"Layered files are written at 8 or 16 bits, not {self.depth}.")
        if self.width <= 0 or self.height <= 0:
            raise LayeredFileError("The image has no pixels.")
        if not self.layers:
            raise LayeredFileError("There are no layers to save.")
        if self.icc_profile and profile_space(self.icc_profile) != PROFILE_SPACES[self.mode]:
            # Krita refuses such a file outright ("Could not load"), GIMP warns.
            space = profile_space(self.icc_profile).decode("latin-1").strip() or "unknown"
            raise LayeredFileError(f"The colour profile is for {space} images, the document is "
                                   f"{'grey' if self.mode == 'L' else 'RGB'}.")
        for layer in self.layers:
            if layer.pixels.dtype != self.dtype:
                raise LayeredFileError(f"Layer \u201c{layer.name}\u201d is {layer.pixels.dtype}, "
                                       f"not {self.depth}-bit like the document.")
            if _layer_channels(layer) not in (self.channels, self.channels + 1):
                raise LayeredFileError(f"Layer \u201c{layer.name}\u201d has {_layer_channels(layer)} channels; "
                                       f"a {self.mode} document needs {self.channels} (or one more for alpha).")
            if layer.mask is not None and (layer.mask.shape != layer.pixels.shape[:2] or layer.mask.dtype != np.uint8):
                raise LayeredFileError(f"The mask of layer \u201c{layer.name}\u201d does not match its pixels.")
            width, height = layer.size
            if width <= 0 or height <= 0:
                raise LayeredFileError(f"Layer \u201c{layer.name}\u201d is empty.")


def _layer_channels(layer: Layer) -> int:
    return 1 if layer.pixels.ndim == 2 else int(layer.pixels.shape[2])


def layer_alpha(layer: Layer, channels: int) -> np.ndarray:
    """The layer's coverage, float32 0..1 (h, w): its alpha times its mask."""
    peak = float(np.iinfo(layer.pixels.dtype).max)
    if _layer_channels(layer) == channels + 1:
        alpha = layer.pixels[..., channels].astype(np.float32) / peak
    else:
        alpha = np.ones(layer.pixels.shape[:2], np.float32)
    if layer.mask is not None:
        alpha *= layer.mask.astype(np.float32) / 255.0
    return alpha


def colour_of(layer: Layer, channels: int) -> np.ndarray:
    """The layer's colour channels as (h, w, channels)."""
    pixels = layer.pixels if layer.pixels.ndim == 3 else layer.pixels[..., None]
    return pixels[..., :channels]


def _over_in_place(colour: np.ndarray, alpha: np.ndarray, layer: Layer, channels: int, top: int, bottom: int,
                   peak: float) -> None:
    """Put `layer` over premultiplied `colour` and `alpha`, the canvas rows top..bottom."""
    left, ltop, right, lbottom = layer.box
    y0, y1 = max(top, ltop), min(bottom, lbottom)
    x0, x1 = max(0, left), min(colour.shape[1], right)
    if y0 >= y1 or x0 >= x1:
        return
    part = Layer(layer.name, layer.pixels[y0 - ltop:y1 - ltop, x0 - left:x1 - left], (x0, y0),
                 None if layer.mask is None else layer.mask[y0 - ltop:y1 - ltop, x0 - left:x1 - left])
    cover = layer_alpha(part, channels)
    src = colour_of(part, channels).astype(np.float32) / peak
    rows, cols = slice(y0 - top, y1 - top), slice(x0, x1)
    keep = 1.0 - cover
    colour[rows, cols] = src * cover[..., None] + colour[rows, cols] * keep[..., None]
    alpha[rows, cols] = cover + alpha[rows, cols] * keep


def flatten(stack: LayerStack, *, rows: int = 256) -> np.ndarray:
    """What the stack looks like: (H, W, channels[+1]) at the stack's depth.

    Each layer goes over the ones below ("normal" blending) through its alpha and mask; with
    alpha anywhere the result keeps an alpha channel, else it is opaque. Computed in strips of
    rows in float32, so a 24 MP document needs a few strips' worth of float memory at a time.
    """
    stack.validate()
    peak = float(np.iinfo(stack.dtype).max)
    channels = stack.channels
    with_alpha = stack.has_alpha
    out = np.zeros((stack.height, stack.width, channels + (1 if with_alpha else 0)), stack.dtype)
    for top in range(0, stack.height, rows):
        bottom = min(stack.height, top + rows)
        colour = np.zeros((bottom - top, stack.width, channels), np.float32)
        alpha = np.zeros((bottom - top, stack.width), np.float32)
        for layer in stack.layers:
            _over_in_place(colour, alpha, layer, channels, top, bottom, peak)
        if with_alpha:
            safe = np.where(alpha > 0, alpha, 1.0)[..., None]
            out[top:bottom, :, :channels] = np.rint(np.clip(colour / safe, 0, 1) * peak).astype(stack.dtype)
            out[top:bottom, :, channels] = np.rint(alpha * peak).astype(stack.dtype)
        else:
            out[top:bottom] = np.rint(np.clip(colour, 0, 1) * peak).astype(stack.dtype)
    return out if out.shape[2] > 1 else out[..., 0]
