"""Turning a job's files into what is sent, and the answer back into what is saved.

Everything here is CPU work (decoding, resizing, PNG encoding of large images), so it runs on the
job's worker thread, never on the GUI thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image

from desktop_editor.core import masks
from desktop_editor.core.catalogue import MaskUse
from desktop_editor.core.composite import CompositePlan, composite_patch, paste_patch, plan_composite
from desktop_editor.core.export import EXTENSIONS, encode_image, save_format
from desktop_editor.core.file_metadata import with_metadata
from desktop_editor.core.images import (
    LoadedImage,
    decode_result,
    encode_png,
    load_image,
)
from desktop_editor.core.params import fit_within_limits
from desktop_editor.core.region import Box, region_box
from desktop_editor.jobs.model import EditJob


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


def _resize_mask(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    if (mask.shape[1], mask.shape[0]) == size:
        return mask
    return np.asarray(Image.fromarray(mask, "L").resize(size, Image.Resampling.BILINEAR))


def _fit(img: Image.Image) -> Image.Image:
    size = fit_within_limits(*img.size)
    return img if size == img.size else img.resize(size, Image.Resampling.LANCZOS)


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


def prepare_edit(job: EditJob, preloaded: Preloaded | None = None) -> PreparedEdit:
    """Load, check, crop, scale and encode a job's inputs.

    `preloaded` stands for `job.image_paths[0]` and `job.mask_path` when given; it must hold
    the same pixels as those files (the job manager passes the snapshot it has just written).

    Raises:
        ImageLoadError, MaskError: an input cannot be used (nothing has been sent).
    """
    original = preloaded.original if preloaded is not None else load_image(job.image_paths[0])
    spec = job.params.spec
    mask = None
    # A model without a mask field still gets the mask loaded when the result keeps the frame:
    # it is never sent, but the composite restricts the change to the painted area.
    if job.mask_path is not None and spec.uses_mask:
        loaded_mask = preloaded.mask if preloaded is not None and preloaded.mask is not None else masks.load_mask(job.mask_path)
        mask = masks.fit_mask(loaded_mask, original.size, rescale=job.options.rescale_mask)
    box = None
    first = original.image
    sent_mask = mask if spec.takes_mask else None
    if job.options.region_padding is not None and sent_mask is not None:
        box = region_box(mask, job.options.region_padding)
        if box is not None:
            first = first.crop(box)
            sent_mask = mask[box[1] : box[3], box[0] : box[2]]
    fitted = _fit(first) if job.options.send_size is None else _exact(first, job.options.send_size)
    if preloaded is not None and fitted is original.image and original.pristine_bytes is None:
        fitted = fitted.copy()  # the window's own image: Pillow keeps per-save state on an image
    stem = Path(job.image_paths[0]).stem or "image"
    if fitted is original.image and original.pristine_bytes is not None:
        ext = {"image/jpeg": "jpg", "image/webp": "webp"}.get(original.mime_type or "", "png")
        uploads = [Upload(original.pristine_bytes, f"{stem}.{ext}", original.mime_type or "image/png")]
    elif original.source_format in ("JPEG", "MPO") and fitted.mode == "RGB":
        # A photo that was a JPEG goes as a JPEG at quality 95 with full-resolution colour: as
        # good as the file itself, and encoded in a tenth of the time a PNG of it takes.
        uploads = [Upload(encode_image(fitted, "jpeg", quality=95), f"{stem}.jpg", "image/jpeg")]
    else:
        uploads = [Upload(encode_png(fitted), f"{stem}.png")]
    first = fitted
    for extra in job.image_paths[1:]:
        uploads.append(Upload(encode_png(_fit(load_image(extra).image)), f"{Path(extra).stem or 'reference'}.png"))
    mask_upload = None
    if sent_mask is not None and not masks.is_empty(sent_mask):
        sent_mask = _resize_mask(sent_mask, first.size)
        mask_upload = Upload(masks.encode_mask_png(sent_mask), f"{stem}-mask.png")
    return PreparedEdit(original, mask, box, uploads, mask_upload, first.size)


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


def plan_finish(prepared: PreparedEdit, job: EditJob) -> None:
    """Do ahead the part of `finish_result` that needs no result (the composite's weights and
    the original's patch under them), so it is not on the way from the run's end to the screen.
    Cheap to call again; does nothing when the result will not be composited."""
    if prepared.composite_plan is not None or not (job.options.keep_unmasked and prepared.mask is not None):
        return
    prepared.composite_plan = plan_composite(prepared.original.image, prepared.mask, feather=job.options.feather,
                                             colour_match=job.options.colour_match)


def finish_result(
    prepared: PreparedEdit, job: EditJob, data: bytes, timings: dict[str, float] | None = None,
    on_preview: PreviewListener | None = None,
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
    """
    spec = job.params.spec
    service_fmt = job.params.output_format if spec.has_output_format else "png"
    keep = job.options.keep_unmasked and prepared.mask is not None
    icc, dpi = prepared.original.icc_profile, prepared.original.dpi
    if not keep and prepared.box is None:
        return with_metadata(data, icc_profile=icc, dpi=dpi), EXTENSIONS.get(service_fmt, "png"), None
    stages = _Stages(timings)
    result = decode_result(data)
    stages.mark("decode")
    if keep and spec.mask_use is MaskUse.COMPOSITE and not same_aspect(result.size, prepared.original.size):
        note = (
            f"The result is {result.width}x{result.height}, not the original's shape, so it could not be "
            "restricted to the painted area; it was saved whole."
        )
        # Another size: the original's DPI would state another print size; its colours still hold.
        return with_metadata(data, icc_profile=icc), EXTENSIONS.get(service_fmt, "png"), note
    original = prepared.original
    base = original.image
    fmt = save_format(job.options.save_format, source_format=original.source_format,
                      has_alpha=original.has_alpha, service_format=service_fmt)
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
    result = paste_patch(base, patch, rect)
    stages.mark("composite")
    encoded = encode_image(result, fmt, icc_profile=icc, dpi=dpi)
    stages.mark("encode")
    return encoded, EXTENSIONS.get(fmt, "png"), None
