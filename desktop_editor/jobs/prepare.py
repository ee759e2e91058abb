"""Turning a job's files into what is sent, and the answer back into what is saved.

Everything here is CPU work (decoding, resizing, PNG encoding of large images), so it runs on the
job's worker thread, never on the GUI thread.
"""

from __future__ import annotations

import io
import logging
import threading
import time
import weakref
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image

from desktop_editor.core import masks
from desktop_editor.core.catalogue import MaskUse
from desktop_editor.core.colour import SRGB_BYTES
from desktop_editor.core.composite import CompositePlan, composite_patch, paste_patch, plan_composite
from desktop_editor.core.cpu import image_work
from desktop_editor.core.colour import from_srgb8
from desktop_editor.core.document_composite import composite_document, pasted, patch_for_display, region_document
from desktop_editor.core.document_export import EXTENSIONS as DOCUMENT_EXTENSIONS
from desktop_editor.core.document_export import encode_document
from desktop_editor.core.export import EXTENSIONS, encode_image, save_format
from desktop_editor.core.file_metadata import with_metadata
from desktop_editor.core.images import (
    LoadedImage,
    decode_pixels,
    decode_result,
    encode_png,
    load_image,
    unchanged_file_bytes,
)
from desktop_editor.core.opencv import cv2
from desktop_editor.core.params import fit_within_limits
from desktop_editor.core.pixels import to_array
from desktop_editor.core.region import Box, region_box
from desktop_editor.core.source_image import SourceImage
from desktop_editor.core.striped_jpeg import AheadScans, JpegStrips, encode_with_patch, start_ahead, worth_striping
from desktop_editor.jobs.model import EditJob

log = logging.getLogger(__name__)


@dataclass
class Upload:
    """One file to send: an image or the mask."""

    data: bytes
    filename: str
    mime_type: str = "image/png"


@dataclass
class PreparedEdit:
    original: LoadedImage  # the first image as opened, full size
    mask: np.ndarray | None  # full-size mask, 255 = edit
    box: Box | None  # the region sent, in the original's pixels; None = whole image
    images: list[Upload]
    mask_upload: Upload | None
    sent_size: tuple[int, int]
    # The result-independent part of compositing (`plan_finish`), made while the service works.
    composite_plan: CompositePlan | None = field(default=None, repr=False)
    # A copy of the original made then too, for the first composited result to be pasted into:
    # copying the frame took 0.7 s at 100 MP between the run's end and the file.
    full_frame: Image.Image | None = field(default=None, repr=False)
    # The original's display copy, held for the job's steps once one of them needs it: an open
    # photo's may have to be made again from the window's copy (`LoadedImage.let_go_pixels`),
    # once a job rather than once a step.
    pixels: Image.Image | None = field(default=None, repr=False)

    def original_pixels(self) -> Image.Image:
        """`original.image`, made (if it must be) on the calling worker once and then held."""
        if self.pixels is None:
            self.pixels = self.original.image
        return self.pixels

    # For a large JPEG instead: the strips of the original no result changes, encoded then
    # (`core.striped_jpeg`); the file needs only the strips under the patch encoded at the end.
    jpeg_ahead: AheadScans | None = field(default=None, repr=False)

    def drop_ahead(self) -> None:
        """Let go of what was made ahead for results that will not come."""
        self.full_frame = None
        if self.jpeg_ahead is not None:
            self.jpeg_ahead.cancel()
            self.jpeg_ahead = None


def _resize_mask(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The mask at the sent size: averaged over each sent pixel's area when smaller (OpenCV,
    the GIL released: 60 ms for a 24 MP mask where Pillow's bilinear took 120 ms)."""
    if (mask.shape[1], mask.shape[0]) == size:
        return mask
    shrinking = size[0] <= mask.shape[1] and size[1] <= mask.shape[0]
    return cv2.resize(np.ascontiguousarray(mask), size, interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)


def _fit(img: Image.Image) -> Image.Image:
    size = fit_within_limits(*img.size)
    return img if size == img.size else img.resize(size, Image.Resampling.LANCZOS)


def reduced_decode(original: LoadedImage, size: tuple[int, int]) -> Image.Image | None:
    """The file of `original` decoded at a reduced size (JPEG's DCT scaling, `Image.draft`) that
    is still at least `size`: a fraction of a full decode, and far less left to resample.

    Only for an RGB JPEG without rotation whose file still holds what was opened (the pixels are
    then those of `original.image`, halved or quartered by the decoder); None otherwise, or when
    no reduction keeps `size` (a 24 MP photo sent at 8 MP: half would be too small).
    """
    if original.source_format != "JPEG" or original.mode != "RGB" or original.path is None:
        return None
    if original.source is not None and original.source.converted:
        return None  # the file's values are not sRGB: only the converted display copy is
    data = original.pristine_bytes or unchanged_file_bytes(original)
    if data is None:
        return None
    try:
        img = Image.open(io.BytesIO(data))
        if img.mode != "RGB" or img.size != original.size or img.getexif().get(0x0112, 1) not in (None, 1):
            return None
        img.draft("RGB", size)
        if img.size == original.size or img.width < size[0] or img.height < size[1]:
            return None
        decode_pixels(img)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    return img


class _SentCopies:
    """Sent-size copies of opened images, one per image and size, kept while the image lives.

    Keyed by the values (`LoadedImage.pixels_key`), not the Pillow image: an open photo's may be
    let go and made again from the window's copy (`LoadedImage.let_go_pixels`).

    Made by whoever asks first (`prepare_ahead` while the designer paints, or a job's prepare)
    and shared: a second asker waits for the copy being made instead of making it again.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()  # RLock: a weakref callback may run while it is held
        self._entries: dict[int, tuple[weakref.ref, tuple[int, int], Future]] = {}

    def claim(self, image: object, size: tuple[int, int]) -> tuple[Future, bool]:
        """The copy's future, and whether the caller must make it (then it must set it)."""
        key = id(image)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0]() is image and entry[1] == size:
                return entry[2], False
            future: Future = Future()
            ref = weakref.ref(image, lambda dead, key=key: self._drop(key, dead))
            self._entries[key] = (ref, size, future)
            return future, True

    def _drop(self, key: int, ref: weakref.ref | None = None) -> None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and (ref is None or entry[0] is ref):
                del self._entries[key]

    def forget(self, image: object) -> None:
        self._drop(id(image))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_sent_copies = _SentCopies()


@dataclass(frozen=True)
class SentCopy:
    """An opened image at the size it is sent, and for a photo opened from a JPEG the bytes sent
    (JPEG at quality 95 with full-resolution colour: as good as the file, a tenth of a PNG's
    encoding time). Shared by every job of the image: never saved again (Pillow keeps per-save
    state on an image), only copied. A photo's is kept as its JPEG only (`image` None): that is
    all a job sends, and the pixels would stay in memory as long as the image is open (39 MB,
    0.9 bytes a pixel of a 45 MP photo)."""

    image: Image.Image | None
    jpeg: bytes | None
    size: tuple[int, int]


def _sent_image(original: LoadedImage, size: tuple[int, int]) -> Image.Image:
    """`original.image` scaled (LANCZOS) to `size`, from a reduced decode of its file when one
    is possible (`reduced_decode`), else from the window's display copy when the Pillow copy was
    let go (`LoadedImage.scaled`: no full-size copy made)."""
    source = reduced_decode(original, size)
    if source is None:
        scaled = original.scaled(size) if size != original.size else None  # no full-size copy made
        if scaled is not None:
            return scaled
        source = original.image
    return source if source.size == size else source.resize(size, Image.Resampling.LANCZOS)


def sent_profile(loaded: LoadedImage) -> bytes | None:
    """The profile an upload of `loaded` is tagged with: sRGB when its values were converted to
    sRGB (the service reads numbers as sRGB; the tag says so), else what the file had."""
    return SRGB_BYTES if loaded.source is not None and loaded.source.converted else None


def _make_sent_copy(original: LoadedImage, size: tuple[int, int]) -> SentCopy:
    image = _sent_image(original, size)
    if original.source_format in ("JPEG", "MPO") and image.mode == "RGB":
        return SentCopy(None, encode_image(image, "jpeg", quality=95, icc_profile=sent_profile(original)), image.size)
    return SentCopy(image, None, image.size)


def sent_copy(original: LoadedImage, size: tuple[int, int]) -> SentCopy:
    """`original.image` at `size` to be sent, made once per image and size and then shared (the
    image is never modified in place, so the copy stays right while it lives). The caller holds
    an image-work slot."""
    future, mine = _sent_copies.claim(original.pixels_key, size)
    if mine:
        try:
            future.set_result(_make_sent_copy(original, size))
        except BaseException as exc:
            _sent_copies.forget(original.pixels_key)
            future.set_exception(exc)
            raise
    return future.result()


def prepare_ahead(original: LoadedImage) -> None:
    """Make the sent-size copy of an open image now, in a background slot, so that Generate
    does not wait for it (0.5 to 1 s for a camera photo). For a worker thread; the window calls
    it once the designer starts a mask on the image."""
    size = fit_within_limits(*original.size)
    if size == original.size:
        return
    try:
        with image_work():
            sent_copy(original, size)
    except (MemoryError, OSError):  # Generate makes it then, and says what is wrong
        log.warning("could not make the sent copy of %s ahead", original.path, exc_info=True)


def _exact(img: Image.Image, size) -> Image.Image:
    """The image at exactly `size` (an expansion's valid sent size, chosen ahead)."""
    size = (int(size[0]), int(size[1]))
    return img if size == img.size else img.resize(size, Image.Resampling.LANCZOS)


@dataclass(frozen=True)
class Preloaded:
    """The first image and the mask already in memory (the window's snapshot), so preparing a
    job does not decode again what was just written into its folder (0.3 to 1 s at 24-45 MP)."""

    original: LoadedImage
    mask: np.ndarray | None


def prepare_edit(job: EditJob, preloaded: Preloaded | None = None, timings: dict[str, float] | None = None) -> PreparedEdit:
    """Load, check, crop, scale and encode a job's inputs.

    `preloaded` stands for `job.image_paths[0]` and `job.mask_path` when given; it must hold
    the same pixels as those files (the job manager passes the snapshot it has just written).
    The first image is scaled to the sent size and encoded once per opened image (`sent_copy`,
    often made ahead by `prepare_ahead`). `timings`, when given, receives the seconds of each step.

    Raises:
        ImageLoadError, MaskError: an input cannot be used (nothing has been sent).
    """
    stages = _Stages(timings)
    original = preloaded.original if preloaded is not None else load_image(job.image_paths[0])
    stages.mark("prepare_load")
    spec = job.params.spec
    mask = None
    # A model without a mask field still gets the mask loaded when the result keeps the frame:
    # it is never sent, but the composite restricts the change to the painted area.
    if job.mask_path is not None and spec.uses_mask:
        loaded_mask = preloaded.mask if preloaded is not None and preloaded.mask is not None else masks.load_mask(job.mask_path)
        mask = masks.fit_mask(loaded_mask, original.size, rescale=job.options.rescale_mask)
    box = None
    sent_mask = mask if spec.takes_mask else None
    if job.options.region_padding is not None and sent_mask is not None:
        box = region_box(mask, job.options.region_padding)
        if box is not None:
            sent_mask = mask[box[1] : box[3], box[0] : box[2]]
    sent = None
    # `original.image` is only asked for when it is used: a sent-size copy made ahead needs none.
    if job.options.send_size is not None:
        fitted = _exact(original.image if box is None else original.image.crop(box), job.options.send_size)
    elif box is None and fit_within_limits(*original.size) != original.size:
        sent = sent_copy(original, fit_within_limits(*original.size))  # made ahead, or now
        fitted = sent.image.copy() if sent.image is not None else None  # a copy to be saved
    else:
        fitted = _fit(original.image if box is None else original.image.crop(box))
    if fitted is not None and preloaded is not None and original.holds(fitted) and original.pristine_bytes is None:
        fitted = fitted.copy()  # the window's own image: Pillow keeps per-save state on an image
    stages.mark("prepare_resize")
    stem = Path(job.image_paths[0]).stem or "image"
    if sent is not None and sent.jpeg is not None:
        uploads = [Upload(sent.jpeg, f"{stem}.jpg", "image/jpeg")]
    elif original.holds(fitted) and original.pristine_bytes is not None:
        ext = {"image/jpeg": "jpg", "image/webp": "webp"}.get(original.mime_type or "", "png")
        uploads = [Upload(original.pristine_bytes, f"{stem}.{ext}", original.mime_type or "image/png")]
    elif original.source_format in ("JPEG", "MPO") and fitted.mode == "RGB":
        # A photo that was a JPEG goes as a JPEG at quality 95 with full-resolution colour: as
        # good as the file itself, and encoded in a tenth of the time a PNG of it takes.
        uploads = [Upload(encode_image(fitted, "jpeg", quality=95, icc_profile=sent_profile(original)), f"{stem}.jpg",
                          "image/jpeg")]
    else:
        uploads = [Upload(with_metadata(encode_png(fitted), icc_profile=sent_profile(original)), f"{stem}.png")]
    sent_size = fitted.size if fitted is not None else sent.size
    for extra in job.image_paths[1:]:
        reference = load_image(extra)  # its display copy: converted to sRGB like the first image
        data = with_metadata(encode_png(_fit(reference.image)), icc_profile=sent_profile(reference))
        uploads.append(Upload(data, f"{Path(extra).stem or 'reference'}.png"))
    stages.mark("prepare_encode")
    mask_upload = None
    if sent_mask is not None and not masks.is_empty(sent_mask):
        sent_mask = _resize_mask(sent_mask, sent_size)
        mask_upload = Upload(masks.encode_mask_png(sent_mask), f"{stem}-mask.png")
    stages.mark("prepare_mask")
    return PreparedEdit(original, mask, box, uploads, mask_upload, sent_size)


ASPECT_TOLERANCE = 0.02  # relative difference of width/height ratios still called "the same shape"


def same_aspect(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return abs((a[0] / a[1]) / (b[0] / b[1]) - 1.0) <= ASPECT_TOLERANCE


class _Stages:
    """Seconds spent in each step of finishing a result, for benchmarks (`timings`)."""

    def __init__(self, timings: dict[str, float] | None):
        self.timings = timings
        self.last = time.perf_counter()

    def mark(self, name: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[name] = self.timings.get(name, 0.0) + now - self.last
        self.last = now


@dataclass(frozen=True)
class ResultPreview:
    """A result in memory, before it is encoded and written: `original` with `patch` at `rect`.

    Everything outside `rect` is the original's pixels (the original is shared, never modified),
    so a viewer that already shows the original needs only the patch. `exact`: the saved file
    decodes to exactly these pixels (a lossless format); otherwise it differs by the encoder's
    rounding and the file is the reference once written.
    """

    original: Image.Image
    rect: Box
    patch: Image.Image
    exact: bool

    def full(self) -> Image.Image:
        """The whole result as a new image (a full-frame copy)."""
        return paste_patch(self.original, self.patch, self.rect)


PreviewListener = Callable[[ResultPreview], None]


def plan_finish(prepared: PreparedEdit, job: EditJob, *, copy_frame: bool = False) -> None:
    """Do ahead the part of `finish_result` that needs no result (the composite's weights and
    the original's patch under them), so it is not on the way from the run's end to the screen.
    Cheap to call again (made again only for other feather or colour options); does nothing
    when the result will not be composited. With `copy_frame` (while the service works), the
    copy of the original the first result is pasted into is made too (`full_frame`)."""
    if not (job.options.keep_unmasked and prepared.mask is not None):
        return
    plan = prepared.composite_plan
    if plan is None or plan.feather != job.options.feather or plan.colour_match != job.options.colour_match:
        prepared.composite_plan = plan_composite(prepared.original_pixels(), prepared.mask, feather=job.options.feather,
                                                 colour_match=job.options.colour_match)
    original = prepared.original
    if not copy_frame or prepared.full_frame is not None or prepared.jpeg_ahead is not None \
            or (original.source is not None and original.source.converted) or original.mode not in ("RGB", "RGBA"):
        return
    fmt, in_document = _save_format(prepared, job)
    if in_document:
        return
    plan = prepared.composite_plan
    if fmt == "jpeg" and worth_striping(original.size, original.mode):
        changed = (plan.rect[1], plan.rect[3]) if plan is not None else (0, 0)
        prepared.jpeg_ahead = start_ahead(prepared.original_pixels(), JpegStrips(original.size), changed)
    else:
        prepared.full_frame = prepared.original_pixels().copy()  # composited into the display copy's values


def _save_format(prepared: PreparedEdit, job: EditJob) -> tuple[str, bool]:
    """The format a re-encoded result is saved in, and whether it is encoded in the document's
    own values (`_finish_in_document`) rather than from the display copy."""
    spec = job.params.spec
    service_fmt = job.params.output_format if spec.has_output_format else "png"
    original = prepared.original
    source = original.source
    fmt = save_format(job.options.save_format, source_format=original.source_format, has_alpha=original.has_alpha,
                      service_format=service_fmt, source_kind=source.save_kind if source is not None else None)
    return fmt, source is not None and (source.converted or fmt not in EXTENSIONS)


def _take_full_frame(prepared: PreparedEdit, base: Image.Image) -> Image.Image | None:
    """The copy of `base` made ahead (`plan_finish`), once; None when there is none for it."""
    frame, prepared.full_frame = prepared.full_frame, None
    if frame is None or frame.size != base.size or frame.mode != base.mode:
        return None
    return frame


def finish_result(
    prepared: PreparedEdit, job: EditJob, data: bytes, timings: dict[str, float] | None = None,
    on_preview: PreviewListener | None = None, pixels: Image.Image | None = None,
) -> tuple[bytes, str, str | None]:
    """The bytes to save for one result, their file extension, and a note for the designer.

    Without compositing and without a region, the service's pixels are kept exactly (no
    re-encoding); only the original's colour profile and DPI are added to the file, as on every
    other copy of a result.
    Otherwise the result is put back into the full original: through the mask when the designer
    asked to keep everything outside it, else as the whole region rectangle. A model that takes
    no mask can only be restricted this way when its result has the original's shape; otherwise
    the result is kept whole and the note says so. Compositing works only around the mask's
    bounds (`composite_patch`, planned ahead by `plan_finish`): on a 24 MP photo with a small
    mask that is a small patch, and the rest of the frame is the original's pixels, copied. A
    re-encoded result is saved in the format `job.options.save_format` picks (`save_format`:
    like the original by default).

    `on_preview`, when given, receives the composited result in memory (a `ResultPreview`)
    before it is encoded, so a viewer can show it while the file is still being written.
    `timings`, when given, receives the seconds spent decoding, resizing, compositing and encoding.
    `pixels`: `data` already decoded as opening it would (the download's check decoded it), or None.
    """
    data, ext, note = _finish(prepared, job, data, timings, on_preview, pixels)
    # How the original's colours were read (an unusable profile set aside, CMYK through the
    # standard profile) goes with every result, so the designer hears of it where results land.
    return data, ext, " ".join(filter(None, (note, prepared.original.note))) or None


def _finish(prepared: PreparedEdit, job: EditJob, data: bytes, timings: dict[str, float] | None,
            on_preview: PreviewListener | None, pixels: Image.Image | None) -> tuple[bytes, str, str | None]:
    spec = job.params.spec
    service_fmt = job.params.output_format if spec.has_output_format else "png"
    keep = job.options.keep_unmasked and prepared.mask is not None
    original = prepared.original
    source = original.source
    icc, dpi = original.icc_profile, original.dpi
    fmt, in_document = _save_format(prepared, job)
    if not keep and prepared.box is None:
        if in_document:
            whole = pixels if pixels is not None else decode_result(data)
            same_size = whole.size == original.size  # another size would state another print size
            return _whole_in_document(source, whole, fmt, dpi if same_size else None), DOCUMENT_EXTENSIONS[fmt], None
        return with_metadata(data, icc_profile=icc, dpi=dpi), EXTENSIONS.get(service_fmt, "png"), None
    stages = _Stages(timings)
    result = pixels if pixels is not None else decode_result(data)
    stages.mark("decode")
    if keep and spec.mask_use is MaskUse.COMPOSITE and not same_aspect(result.size, original.size):
        note = (
            f"The result is {result.width}x{result.height}, not the original's shape, so it could not be "
            "restricted to the painted area; it was saved whole."
        )
        if in_document:
            return _whole_in_document(source, result, fmt, None), DOCUMENT_EXTENSIONS[fmt], note
        # Another size: the original's DPI would state another print size; its colours still hold.
        return with_metadata(data, icc_profile=icc), EXTENSIONS.get(service_fmt, "png"), note
    if in_document:
        return _finish_in_document(prepared, job, result, fmt, stages, on_preview), DOCUMENT_EXTENSIONS[fmt], None
    base = prepared.original_pixels()
    if keep:
        plan_finish(prepared, job)
        plan = prepared.composite_plan
        if plan is None:  # an empty mask: the original
            rect = (0, 0, 0, 0)
            patch = Image.new("RGBA" if base.mode == "RGBA" else "RGB", (0, 0))
        else:
            rect, patch = plan.rect, composite_patch(plan, result, prepared.box)
        stages.mark("composite")
    else:
        left, top, right, bottom = rect = prepared.box
        patch = result.resize((right - left, bottom - top), Image.Resampling.LANCZOS)
        patch = patch.convert("RGBA" if base.mode == "RGBA" else "RGB")
        stages.mark("resize")
    if on_preview is not None:
        on_preview(ResultPreview(base, rect, patch, exact=fmt == "png"))
        stages.mark("preview")
    if fmt == "jpeg" and worth_striping(base.size, base.mode):  # the frame is never copied
        encoded = encode_with_patch(base, patch, rect, JpegStrips(base.size), icc_profile=icc, dpi=dpi,
                                    ahead=prepared.jpeg_ahead)
    else:
        result = paste_patch(base, patch, rect, into=_take_full_frame(prepared, base))
        stages.mark("full_frame")
        encoded = encode_image(result, fmt, icc_profile=icc, dpi=dpi)
    stages.mark("encode")
    return encoded, EXTENSIONS.get(fmt, "png"), None


def _whole_in_document(source: SourceImage, result: Image.Image, fmt: str, dpi) -> bytes:
    """A whole result (nothing of the original kept) converted into the document's profile,
    colour mode and depth, saved as `fmt`; opaque where the document has alpha."""
    values = from_srgb8(result, source.space)
    if source.space.has_alpha:
        opaque = np.full(values.shape[:2] + (1,), 65535 if source.space.bits == 16 else 255, dtype=values.dtype)
        values = np.concatenate([values if values.ndim == 3 else values[..., None], opaque], axis=-1)
    return encode_document(values, source, fmt, dpi=dpi)


def _finish_in_document(prepared: PreparedEdit, job: EditJob, result: Image.Image, fmt: str, stages: _Stages,
                        on_preview: PreviewListener | None) -> bytes:
    """`finish_result` for a document whose values are not the display's (16-bit, CMYK, another
    profile) or a file kind only `encode_document` writes: composited and saved in its own space."""
    original = prepared.original
    source = original.source
    if source.pixels is None:  # the display copy holds the values: a view of it as the document
        source = replace(source, pixels=to_array(prepared.original_pixels()))
    if job.options.keep_unmasked and prepared.mask is not None:
        plan_finish(prepared, job)
        plan = prepared.composite_plan
        if plan is None:  # an empty mask: the original
            rect, patch = (0, 0, 0, 0), source.pixels[:0, :0]
        else:
            rect, patch = plan.rect, composite_document(source, plan, result, prepared.box)
        stages.mark("composite")
    else:
        rect = prepared.box
        patch = region_document(source, result, rect)
        stages.mark("resize")
    if on_preview is not None:
        on_preview(ResultPreview(prepared.original_pixels(), rect, patch_for_display(source, patch), exact=False))
        stages.mark("preview")
    values = pasted(source, patch, rect)
    stages.mark("full_frame")
    encoded = encode_document(values, source, fmt, dpi=original.dpi)
    stages.mark("encode")
    return encoded
