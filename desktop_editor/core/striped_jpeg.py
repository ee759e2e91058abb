"""A large JPEG encoded in strips of rows: on every core, and the unchanged strips ahead of time.

libjpeg encodes an image on one core: a 100 MP result took 1.9-2.5 s to encode after the run had
ended, most of it rows the edit never touched. With a restart marker after every row of blocks
(MCUs), each strip's entropy-coded data stands on its own (a restart resets the DC predictions
and pads to a byte, exactly as the start and end of a scan do), so strips encoded as separate
images join into the scan a whole-frame encode with the same markers writes, byte for byte:
- the header (tables, colour profile, DPI, the restart interval) is a thin full-width image's,
  with the frame height written in;
- strips are whole multiples of 8 MCU rows, so each strip's own markers RST0..RST7 are already
  the numbers the whole scan gives those rows, and RST7 joins one strip to the next.
The file is an ordinary baseline JPEG that every decoder reads (restart markers are part of the
baseline standard) and decodes to the same pixels as an encode without markers; it is 3 bytes a
row larger.
"""

from __future__ import annotations

import io
from concurrent.futures import Future
from dataclasses import dataclass, field

from PIL import Image

from desktop_editor.core.parallel import map_pieces, submit

# Below this many pixels one encode is quick enough and the file stays as it always was.
MIN_STRIPED_PIXELS = 12_000_000
_SOS, _EOI, _JOIN = b"\xff\xda", b"\xff\xd9", b"\xff\xd7"  # start of scan, end of image, RST7
_FRAMES = (b"\xff\xc0", b"\xff\xc1", b"\xff\xc2")  # baseline, extended, progressive frame headers

Box = tuple[int, int, int, int]


def worth_striping(size: tuple[int, int], mode: str) -> bool:
    """Whether an image of this size and mode is encoded in strips (large, 8-bit RGB)."""
    return size[0] * size[1] >= MIN_STRIPED_PIXELS and mode == "RGB"


@dataclass(frozen=True)
class JpegStrips:
    """How a `size` image is cut and encoded: strips of `rows` rows (a multiple of 8 MCU rows)."""

    size: tuple[int, int]
    quality: int = 95
    rows: int = field(default=0)

    def __post_init__(self) -> None:
        if not self.rows:
            mcu = 8 if self.subsampling == 0 else 16
            object.__setattr__(self, "rows", 8 * mcu * 4)  # 256 rows at 4:4:4: a 100 MP frame is 35 strips

    @property
    def subsampling(self) -> int:
        return 0 if self.quality >= 90 else 2  # as `export.encode_image`: full colour at high quality

    def bounds(self) -> list[tuple[int, int]]:
        """(top, bottom) of every strip, top to bottom."""
        height = self.size[1]
        return [(top, min(height, top + self.rows)) for top in range(0, height, self.rows)]

    def touching(self, top: int, bottom: int) -> set[int]:
        """The indexes of the strips that hold any of the rows `top` to `bottom`."""
        if bottom <= top:
            return set()
        return set(range(top // self.rows, (bottom - 1) // self.rows + 1))

    def _options(self) -> dict:
        return {"quality": self.quality, "subsampling": self.subsampling, "restart_marker_rows": 1}

    def scan(self, strip: Image.Image) -> bytes:
        """The entropy-coded data of one strip (a full-width image of its rows)."""
        buffer = io.BytesIO()
        strip.save(buffer, "JPEG", **self._options())
        data = buffer.getvalue()
        return data[_scan_start(data) : -len(_EOI)]

    def header(self, mode: str, *, icc_profile: bytes | None = None, dpi: tuple[float, float] | None = None) -> bytes:
        """Everything before the scan of the whole image: a one-strip-high encode's header
        with the frame height set to the image's."""
        options = self._options()
        if icc_profile:
            options["icc_profile"] = icc_profile
        if dpi:
            options["dpi"] = tuple(dpi)
        buffer = io.BytesIO()
        Image.new(mode, (self.size[0], 8 if self.subsampling == 0 else 16)).save(buffer, "JPEG", **options)
        data = buffer.getvalue()
        head = bytearray(data[: _scan_start(data)])
        frame = _frame_header(head)
        head[frame + 5 : frame + 7] = self.size[1].to_bytes(2, "big")
        return bytes(head)

    def join(self, header: bytes, scans: list[bytes]) -> bytes:
        """The whole file from its header and every strip's scan, top to bottom (one copy: a
        copy of 26 MB holds the GIL for several milliseconds)."""
        pieces = [header]
        for scan in scans:
            pieces += (scan, _JOIN)
        pieces[-1] = _EOI
        return b"".join(pieces)


def _scan_start(data: bytes) -> int:
    """Where the entropy-coded data begins: after the start-of-scan segment (markers before it
    are walked by their lengths, so no byte of a profile is taken for a marker)."""
    at = 2
    while at + 4 <= len(data):
        marker, length = data[at : at + 2], int.from_bytes(data[at + 2 : at + 4], "big")
        if marker == _SOS:
            return at + 2 + length
        at += 2 + length
    raise ValueError("no start of scan in the encoded strip")


def _frame_header(head: bytes | bytearray) -> int:
    at = 2
    while at + 4 <= len(head):
        if bytes(head[at : at + 2]) in _FRAMES:
            return at
        at += 2 + int.from_bytes(head[at + 2 : at + 4], "big")
    raise ValueError("no frame header in the encoded header")


def rows_of(image: Image.Image, top: int, bottom: int) -> Image.Image:
    """A full-width copy of `image`'s rows `top` to `bottom`."""
    return image.crop((0, top, image.width, bottom))


def with_patch(image: Image.Image, patch: Image.Image, at: tuple[int, int], top: int, bottom: int) -> Image.Image:
    """Rows `top` to `bottom` of `image` with `patch` (placed at `at` in the frame) over them."""
    rows = rows_of(image, top, bottom)
    left, patch_top = at
    first, last = max(top, patch_top), min(bottom, patch_top + patch.height)
    if first < last and patch.width:
        rows.paste(patch.crop((0, first - patch_top, patch.width, last - patch_top)), (left, first - top))
    return rows


@dataclass
class AheadScans:
    """The scans of an original's strips that no result can change, encoded while the service
    works (`start_ahead`): the strips outside `changed` rows (top, bottom)."""

    strips: JpegStrips
    changed: tuple[int, int]
    futures: dict[int, Future] = field(default_factory=dict)

    def usable_for(self, strips: JpegStrips, top: int, bottom: int) -> bool:
        """Whether these scans are of the same cut and every changed row lies in `changed`."""
        return strips == self.strips and (bottom <= top or (self.changed[0] <= top and bottom <= self.changed[1]))

    def cancel(self) -> None:
        """Drop what has not started (a job that ended without a result)."""
        for future in self.futures.values():
            future.cancel()


def start_ahead(image: Image.Image, strips: JpegStrips, changed: tuple[int, int]) -> AheadScans:
    """Start encoding (on the image threads) every strip of `image` outside the rows `changed`."""
    ahead = AheadScans(strips, changed)
    skip = strips.touching(*changed)
    for index, (top, bottom) in enumerate(strips.bounds()):
        if index not in skip:
            ahead.futures[index] = submit(_scan_of_rows, strips, image, top, bottom, ahead=True)
    return ahead


def _scan_of_rows(strips: JpegStrips, image: Image.Image, top: int, bottom: int) -> bytes:
    return strips.scan(rows_of(image, top, bottom))


def encode_with_patch(image: Image.Image, patch: Image.Image, rect: Box, strips: JpegStrips, *,
                      icc_profile: bytes | None = None, dpi: tuple[float, float] | None = None,
                      ahead: AheadScans | None = None) -> bytes:
    """The JPEG of `image` with `patch` pasted at `rect`'s corner (`image` is not changed): the
    strips under the patch encoded now, in parallel, the others taken from `ahead` when it was
    made for this cut and these rows, else encoded now too; a strip `ahead` has not started yet
    is encoded now, beside the others. Not for the image threads themselves."""
    top, bottom = rect[1], rect[1] + (patch.height if patch.width else 0)
    bounds = strips.bounds()
    ready: dict[int, Future] = {}
    if ahead is not None and ahead.usable_for(strips, top, bottom):
        changed = strips.touching(top, bottom)
        ready = {i: future for i, future in ahead.futures.items() if i not in changed and not future.cancel()}
    todo = [i for i in range(len(bounds)) if i not in ready]
    fresh = dict(zip(todo, map_pieces(lambda i: strips.scan(with_patch(image, patch, rect[:2], *bounds[i])), todo)))
    header = strips.header(image.mode, icc_profile=icc_profile, dpi=dpi)
    return strips.join(header, [ready[i].result() if i in ready else fresh[i] for i in range(len(bounds))])
