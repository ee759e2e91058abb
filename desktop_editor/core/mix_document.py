"""A mix of results rendered in the document's own values, for saving like any other result.

Mix mode paints with 8-bit sRGB copies of the results (`core.mix`): that is what is drawn. A
document whose values are not 8-bit sRGB (a 16-bit Adobe RGB TIFF, a CMYK print file) is saved
in its own profile, mode and depth instead, with the same map: each source is read in the
document's values, and every pixel takes them from the source (or the pair of sources, at the
map's weight) the map names there.

A result a job saved in the document's space is read as it is (outside the job's mask it holds
the original's values); any other (an older sRGB result, one of another size) is converted from
the 8-bit copy the mix shows. With "keep the original outside the mask", every source is the
original's own values wherever its job's mask weight is 0, bit for bit, 16-bit and CMYK
included, so a mix shows the original there too; the feathered band is blended in the
document's space.

Sources are read one at a time (a 16-bit 100 MP source is 600 MB) and the work goes in strips
of rows, so the window's thread is never kept waiting for long.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from desktop_editor.core.colour import ColourSpace, from_srgb8
from desktop_editor.core.composite import blend_values, weight_image
from desktop_editor.core.images import load_image
from desktop_editor.core.mix import MixPalette, mix_to_image, render_all, slot_table
from desktop_editor.core.pixels import strips, to_array
from desktop_editor.core.source_image import SourceImage

STRIP_ROWS = 128


@dataclass
class DocumentSource:
    """One source of a mix as its document sees it: the result's file and how its job used the mask.

    `mask` is the job's mask at the original's size (None: no mask, or another size),
    `composited` whether the job already kept the original outside it.
    """

    path: Path
    mask: np.ndarray | None = None
    feather: float = 0.0
    composited: bool = False


def same_space(a: ColourSpace, b: ColourSpace) -> bool:
    """Whether values in `a` mean what values in `b` do (mode, depth and profile)."""
    return (a.mode, a.bits, a.profile) == (b.mode, b.bits, b.profile)


def _converted(display: Image.Image, document: SourceImage) -> np.ndarray:
    """An 8-bit sRGB source (the mix's own copy) in the document's values; the original's alpha."""
    colour = from_srgb8(display, document.space)
    if not document.space.has_alpha:
        return colour
    colour = colour if colour.ndim == 3 else colour[..., None]
    return np.concatenate([colour, document.pixels[..., -1:]], axis=-1)


def source_values(source: DocumentSource, document: SourceImage, display: Callable[[], Image.Image],
                  keep_inside_mask: bool) -> np.ndarray:
    """The values `source` adds to the mix, in the document's space and at its size.

    `display()` gives the 8-bit sRGB copy the mix shows of it (already sized to the original),
    converted when the file is not in the document's space.
    """
    original = document.pixels
    try:
        own = load_image(source.path).source
    except (OSError, ValueError):
        own = None
    if own is not None and own.pixels is not None and same_space(own.space, document.space) \
            and own.pixels.shape == original.shape:
        values = own.pixels
    else:
        values = _converted(display(), document)
    mask = source.mask if source.mask is not None and source.mask.shape == original.shape[:2] else None
    if not keep_inside_mask or mask is None:
        return values
    weights = weight_image(mask, source.feather)
    if source.composited:  # the job kept the original there already: only make it exact
        outside = np.asarray(weights) == 0
        return np.where(outside[..., None] if values.ndim == 3 else outside, original, values)
    return blend_values(original, values, weights)


def render_document(labels: np.ndarray, palette: MixPalette, base: int, document: SourceImage,
                    sources: Sequence[DocumentSource], display_of: Callable[[int], Image.Image], *,
                    keep_inside_mask: bool = True) -> np.ndarray:
    """The whole mix in the document's values (`document.pixels`' shape and dtype): the map
    `labels` over `sources` with `palette` and `base` as Mix mode paints them.

    `display_of(i)` gives source i's 8-bit sRGB copy at the original's size, as the mix shows
    it (read only for a source whose file is not in the document's space).
    """
    original = document.pixels
    height, width = labels.shape
    channels = 1 if original.ndim == 2 else original.shape[2]
    first_of, second_of = (table.astype(np.uint8) for table in slot_table(palette, base))
    first = first_of[labels]
    weight = palette.weight[labels]
    blend = np.flatnonzero(weight)  # soft edges between two sources: few pixels as a rule
    blend_first, blend_second = first.ravel()[blend], second_of[labels].ravel()[blend]
    a_values = np.empty((blend.size, channels), original.dtype)
    b_values = np.empty((blend.size, channels), original.dtype)
    out = np.empty_like(original)
    flat_out = out.reshape(height * width, channels)
    used = sorted(set(np.unique(first).tolist()) | set(np.unique(blend_second).tolist()))
    for index in used:
        values = source_values(sources[index], document, lambda: display_of(index), keep_inside_mask)
        flat = values.reshape(height * width, channels)
        for top, bottom in strips(height, STRIP_ROWS):
            pure = (first[top:bottom] == index) & (weight[top:bottom] == 0)
            target = out[top:bottom]
            np.copyto(target, values[top:bottom], where=pure[..., None] if original.ndim == 3 else pure)
        picks = blend_first == index
        a_values[picks] = flat[blend[picks]]
        picks = blend_second == index
        b_values[picks] = flat[blend[picks]]
        del values, flat
    if blend.size:
        share = weight.ravel()[blend].astype(np.float32)[:, None] / 255
        a = a_values.astype(np.float32)
        mixed = np.rint(a + (b_values.astype(np.float32) - a) * share)  # exactly a where a == b
        flat_out[blend] = mixed.astype(original.dtype)
    return out


def mix_values(labels: np.ndarray, stack: np.ndarray, palette: MixPalette, base: int, document: SourceImage,
               sources: Sequence[DocumentSource], *, keep_inside_mask: bool = True) -> np.ndarray:
    """The mix of Mix mode's `stack` (its 8-bit display sources) in `document`'s values, for
    `encode_document`: rendered from the sources' own values where the document has its own,
    else (an 8-bit sRGB TIFF or HEIC, whose display copy holds its values) the 8-bit render."""
    if document.pixels is None:
        return to_array(mix_to_image(render_all(labels, stack, palette, base)))
    return render_document(labels, palette, base, document, sources, lambda index: mix_to_image(stack[index]),
                           keep_inside_mask=keep_inside_mask)
