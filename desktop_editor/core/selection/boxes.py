"""Boxes and points as the command line gives them: pixels or percentages of the image.

`10%,10%,80%,80%` means the same region on every image of a catalogue whatever its size, which
is what a batch needs; `120,40,300,200` is exact pixels. A box that does not lie inside the
image, or has no width or height, is refused with a sentence saying why, before anything runs.
"""

from __future__ import annotations

from desktop_editor.core.selection.common import SelectionError

Box = tuple[int, int, int, int]  # x, y, width, height


def _value(part: str, full: int, what: str, spec: str) -> float:
    text = part.strip()
    try:
        if text.endswith("%"):
            return float(text[:-1]) * full / 100.0
        return float(text)
    except ValueError:
        raise SelectionError(f"{what} {spec!r}: {text!r} is not a number of pixels or a percentage.") from None


def parse_box(spec: str, size: tuple[int, int], *, what: str = "box") -> Box:
    """X,Y,W,H in pixels or percentages (mixed allowed) -> a pixel box inside an image of `size`.

    Raises:
        SelectionError: not four values, zero or negative size, or not inside the image.
    """
    width, height = size
    parts = spec.split(",")
    if len(parts) != 4:
        raise SelectionError(
            f"{what} {spec!r}: give X,Y,W,H in pixels or percentages, e.g. 120,40,300,200 or 10%,10%,80%,80%.")
    x = _value(parts[0], width, what, spec)
    y = _value(parts[1], height, what, spec)
    w = _value(parts[2], width, what, spec)
    h = _value(parts[3], height, what, spec)
    if w <= 0 or h <= 0:
        raise SelectionError(f"{what} {spec!r} has zero size ({w:g}x{h:g} pixels); it must enclose the object.")
    x0, y0, x1, y1 = round(x), round(y), round(x + w), round(y + h)
    if x0 < 0 or y0 < 0 or x1 > width or y1 > height:
        raise SelectionError(
            f"{what} {spec!r} is pixels {x0},{y0} to {x1},{y1}, which is outside the {width}x{height} image.")
    if x1 - x0 < 2 or y1 - y0 < 2:
        raise SelectionError(f"{what} {spec!r} is smaller than 2x2 pixels on the {width}x{height} image.")
    return x0, y0, x1 - x0, y1 - y0


def parse_point(spec: str, size: tuple[int, int], *, what: str = "point") -> tuple[int, int]:
    """X,Y in pixels or percentages -> a pixel inside an image of `size`.

    Raises:
        SelectionError: not two values or not inside the image.
    """
    width, height = size
    parts = spec.split(",")
    if len(parts) != 2:
        raise SelectionError(f"{what} {spec!r}: give X,Y in pixels or percentages, e.g. 200,150 or 50%,40%.")
    x, y = int(_value(parts[0], width, what, spec)), int(_value(parts[1], height, what, spec))
    if not (0 <= x < width and 0 <= y < height):
        raise SelectionError(f"{what} {spec!r} is pixel {x},{y}, which is outside the {width}x{height} image.")
    return x, y
