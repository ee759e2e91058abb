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

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from desktop_editor.core.colour import ColourSpace, from_srgb8
from desktop_editor.core.composite import blend_values, region_margin, weight_image
from desktop_editor.core.image_formats import decode
from desktop_editor.core.images import decode_pixels
from desktop_editor.core.mask_ops import nonzero_bounds
from desktop_editor.core.mix import MixPalette, mix_to_image, render_all, slot_table
from desktop_editor.core.pixels import strips, to_array
from desktop_editor.core.source_image import SourceImage

STRIP_ROWS = 128
BLEND_CHUNK = 1 << 17  # blended pixels per step


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


def _bands(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    """A per-pixel condition shaped to select whole pixels of `values`."""
    return mask[..., None] if values.ndim == 3 else mask


def _file_values(path: Path, document: SourceImage) -> np.ndarray | None:
    """The values of the result file at `path` when they are in the document's space and size
    (a result a job saved for this document), else None. Only the values are decoded: the
    sRGB display copy opening a file makes would cost seconds for nothing here."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a decoder's chatter: the outcome speaks (as in `load_image`)
            decoded = decode(path.name, path.suffix, path.read_bytes(), decode_pixels=decode_pixels)
    except (OSError, ValueError, SyntaxError, EOFError, KeyError, IndexError, RuntimeError, MemoryError,
            Image.DecompressionBombError):
        return None  # the mix's own sRGB copy of it is used instead: nothing is lost
    values = decoded.pixels
    if values is None or not same_space(decoded.space, document.space) or values.shape != document.pixels.shape:
        return None
    return values if values.flags.writeable else values.copy()


def _weights(mask: np.ndarray, feather: float) -> tuple[np.ndarray, int, int] | None:
    """The mask's blend weights (`weight_image`) over the rows and columns it reaches, and
    where they start (x, y); None for an empty mask. Zero everywhere else."""
    bounds = nonzero_bounds(mask)
    if bounds is None:
        return None
    margin = region_margin(feather)
    height, width = mask.shape
    x0, y0, x1, y1 = bounds
    cx0, cy0, cx1, cy1 = max(0, x0 - margin), max(0, y0 - margin), min(width, x1 + margin), min(height, y1 + margin)
    weights = np.asarray(weight_image(np.ascontiguousarray(mask[cy0:cy1, cx0:cx1]), feather))
    return weights[y0 - cy0:y1 - cy0, x0 - cx0:x1 - cx0], x0, y0


def source_values(source: DocumentSource, document: SourceImage, display: Callable[[], Image.Image],
                  keep_inside_mask: bool) -> np.ndarray:
    """The values `source` adds to the mix, in the document's space and at its size.

    `display()` gives the 8-bit sRGB copy the mix shows of it (already sized to the original),
    converted when the file is not in the document's space.
    """
    original = document.pixels
    values = _file_values(source.path, document)
    if values is None:
        values = _converted(display(), document)
    mask = source.mask if source.mask is not None and source.mask.shape == original.shape[:2] else None
    if not keep_inside_mask or mask is None:
        return values
    found = _weights(mask, source.feather)
    if found is None:  # an empty mask: the original everywhere
        _copy_rows(values, original, 0, original.shape[0])
        return values
    weights, x0, y0 = found
    y1, x1 = y0 + weights.shape[0], x0 + weights.shape[1]
    _copy_rows(values, original, 0, y0)  # the rows above and below the mask: the original
    _copy_rows(values, original, y1, original.shape[0])
    for top, bottom in strips(y1 - y0, STRIP_ROWS):  # in place, a strip at a time
        rows, weight = slice(y0 + top, y0 + bottom), weights[top:bottom]
        values[rows, :x0] = original[rows, :x0]  # beside it too
        values[rows, x1:] = original[rows, x1:]
        inside, kept = values[rows, x0:x1], original[rows, x0:x1]
        if source.composited:  # the job kept the original there already: only make it exact
            np.copyto(inside, kept, where=_bands(weight == 0, values))
        else:
            inside[...] = blend_values(kept, inside, Image.fromarray(weight))
    return values


def _copy_rows(target: np.ndarray, source: np.ndarray, top: int, bottom: int) -> None:
    """`source`'s rows top..bottom into `target`, a strip at a time."""
    for start, stop in strips(max(0, bottom - top), STRIP_ROWS):
        target[top + start:top + stop] = source[top + start:top + stop]


def _pure_sources(labels: np.ndarray, first_of: np.ndarray, palette: MixPalette) -> np.ndarray:
    """Per pixel, the source shown alone there, or 255 where two are blended (in strips)."""
    table = np.where(palette.weight == 0, first_of, 255).astype(np.uint8)
    out = np.empty_like(labels)
    for top, bottom in strips(labels.shape[0], STRIP_ROWS):
        np.take(table, labels[top:bottom], out=out[top:bottom])
    return out


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
    pure = _pure_sources(labels, first_of, palette)
    used: set[int] = set()
    blends = []  # soft edges between two sources (few pixels as a rule): where, and which two
    for top, bottom in strips(height, STRIP_ROWS):
        entries = labels[top:bottom]
        present = np.flatnonzero(np.bincount(entries.ravel(), minlength=256))
        used.update(first_of[present].tolist())
        soft = present[palette.weight[present] > 0]
        used.update(second_of[soft].tolist())
        if soft.size:
            where = np.flatnonzero(pure[top:bottom] == 255)
            picked = entries.ravel()[where]
            blends.append((where + top * width, first_of[picked], second_of[picked], palette.weight[picked]))
    blend, blend_first, blend_second, blend_weight = (
        (np.concatenate(parts) for parts in zip(*blends)) if blends
        else (np.empty(0, np.intp), np.empty(0, np.uint8), np.empty(0, np.uint8), np.empty(0, np.uint8)))
    a_values = np.empty((blend.size, channels), original.dtype)
    b_values = np.empty((blend.size, channels), original.dtype)
    out = np.empty_like(original)
    shown = np.zeros(256, np.int64)
    for top, bottom in strips(height, STRIP_ROWS):
        shown += np.bincount(pure[top:bottom].ravel(), minlength=256)
    # The source shown most is copied whole (plain copies are fast); the others go over it
    # where they show, within the box they cover in each strip.
    order = sorted(used, key=lambda index: -shown[index])
    for rank, index in enumerate(order):
        values = source_values(sources[index], document, lambda: display_of(index), keep_inside_mask)
        for top, bottom in strips(height, STRIP_ROWS):
            if rank == 0:
                out[top:bottom] = values[top:bottom]
                continue
            mine = pure[top:bottom] == index
            rows, cols = np.flatnonzero(mine.any(axis=1)), np.flatnonzero(mine.any(axis=0))
            if rows.size:
                ys, xs = slice(top + rows[0], top + rows[-1] + 1), slice(cols[0], cols[-1] + 1)
                np.copyto(out[ys, xs], values[ys, xs], where=_bands(mine[rows[0]:rows[-1] + 1, xs], values))
        flat = values.reshape(height * width, channels)
        for start in range(0, blend.size, BLEND_CHUNK):
            part = slice(start, start + BLEND_CHUNK)
            for which, into in ((blend_first, a_values), (blend_second, b_values)):
                picks = np.flatnonzero(which[part] == index) + start
                into[picks] = flat[blend[picks]]
        del values, flat
    flat_out = out.reshape(height * width, channels)
    for start in range(0, blend.size, BLEND_CHUNK):
        part = slice(start, start + BLEND_CHUNK)
        share = blend_weight[part].astype(np.float32)[:, None] / 255
        a = a_values[part].astype(np.float32)
        mixed = np.rint(a + (b_values[part].astype(np.float32) - a) * share)  # exactly a where a == b
        flat_out[blend[part]] = mixed.astype(original.dtype)
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
