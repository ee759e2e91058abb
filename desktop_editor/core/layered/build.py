"""Turning the app's edits and mixes into layers: the original at the bottom, each result masked.

A result layer holds the result's pixels only where its edit could show (the mask's bounds),
with a layer mask that is exactly the blend weight the app composited with (`weight_image`:
the same feathering, 0 outside the painted area), so the file looks like the flat result and
the designer can still brush the mask. A mix becomes one layer per source whose mask is that
source's painted share, so the choice of which part came from where survives the save.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np

from desktop_editor.core.composite import weight_image
from desktop_editor.core.layered.stack import Layer, LayeredFileError
from desktop_editor.core.mask_ops import nonzero_bounds
from desktop_editor.core.mix import MixPalette

ORIGINAL_NAME = "Original"
MAX_NAME = 60  # Photoshop shows about this much of a name in its Layers panel


def layer_name(prompt: str | None, when: datetime | None = None, *, fallback: str = "Result") -> str:
    """A layer name from the prompt and the time of the run, e.g. "remove the lamp (14:05)"."""
    text = " ".join((prompt or "").split()) or fallback
    if len(text) > MAX_NAME:
        text = text[: MAX_NAME - 1].rstrip() + "\u2026"
    return f"{text} ({when:%H:%M})" if when is not None else text


def original_layer(original: np.ndarray) -> Layer:
    """The untouched original, covering the canvas, without a mask."""
    return Layer(ORIGINAL_NAME, original)


def result_layer(result: np.ndarray, mask: np.ndarray | None, name: str, *, feather: float = 0.0) -> Layer:
    """A result as a layer limited to its edit: cropped to the mask's bounds, with the blend
    weights the app composites with as its layer mask.

    `result` is already in the document's size, depth and colour space; `mask` (H, W) uint8 is
    the edit's mask, or None when the model remade the whole frame (a full layer, no mask).
    """
    if mask is None:
        return Layer(name, result)
    if mask.shape != result.shape[:2]:
        raise LayeredFileError(f"The mask of \u201c{name}\u201d is {mask.shape[1]}x{mask.shape[0]}, "
                               f"the result {result.shape[1]}x{result.shape[0]}.")
    weights = np.asarray(weight_image(np.ascontiguousarray(mask, np.uint8), feather))
    bounds = nonzero_bounds(weights)
    if bounds is None:
        raise LayeredFileError(f"The mask of \u201c{name}\u201d is empty: the result would not show.")
    x0, y0, x1, y1 = bounds
    return Layer(name, np.ascontiguousarray(result[y0:y1, x0:x1]), (x0, y0), np.ascontiguousarray(weights[y0:y1, x0:x1]))


def source_shares(labels: np.ndarray, palette: MixPalette, base: int, count: int) -> list[np.ndarray]:
    """Per result index, how much of it the mix shows (float32 0..1, (H, W)).

    Palette slot 0 is the base result and slot k (k >= 1) result k - 1 (see `mix.slot_table`),
    so the base result's share is slot 0's plus its own slot's.
    """
    shares = [palette.share(labels, index + 1).astype(np.float32) for index in range(count)]
    shares[base] = shares[base] + palette.share(labels, 0).astype(np.float32)
    return shares


def mix_layers(sources: Sequence[np.ndarray], labels: np.ndarray, palette: MixPalette, base: int,
               names: Sequence[str], *, base_edit: tuple[np.ndarray, np.ndarray] | None = None) -> list[Layer]:
    """A mix as layers to go over the original: the base first, then each painted result.

    `sources` are the results as the mix uses them (already composited into the original
    through their job's mask, `mix.prepare_source`), in the document's depth. Layers are stacked
    with "normal" blending, so layer k's mask is its share divided by the shares of the layers
    up to it: stacked, they give exactly the mix's weighted sum, and each mask is that source's
    painted area (full where it shows alone, graded across a soft edge). A result painted
    nowhere gets no layer.

    `base_edit` (the base result as the service returned it, in the document's space, and its
    job's blend weights from `composite.weight_image`) makes the base layer that result limited
    to its own edit, like a single edit's layer: it lies directly on the original, and outside
    its edit the base source is the original, so the file looks the same while the layer stays
    small and its mask is the edit's.
    """
    if len(sources) != len(names):
        raise LayeredFileError("Each source of the mix needs a name.")
    shares = source_shares(labels, palette, base, len(sources))
    order = [base] + [index for index in range(len(sources)) if index != base]
    below = np.zeros(labels.shape, np.float32)
    layers: list[Layer] = []
    for index in order:
        share = shares[index]
        if not share.any():
            continue
        below += share
        mask = np.rint(np.divide(share, below, out=np.zeros_like(share), where=below > 0) * 255).astype(np.uint8)
        pixels_of = sources[index]
        if index == base and base_edit is not None:
            pixels_of, weights = base_edit
            mask = np.where(mask > 0, weights, 0).astype(np.uint8)
        bounds = nonzero_bounds(mask)
        if bounds is None:
            continue
        x0, y0, x1, y1 = bounds
        pixels = np.ascontiguousarray(pixels_of[y0:y1, x0:x1])
        layers.append(Layer(names[index], pixels, (x0, y0), np.ascontiguousarray(mask[y0:y1, x0:x1])))
    if not layers:
        raise LayeredFileError("The mix shows none of its results.")
    return layers
