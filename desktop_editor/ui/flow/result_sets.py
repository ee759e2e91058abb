"""Which results belong to which image, and how they line up in the Results strip.

An image collects the results of every edit made from it (this session's, and those brought
back by History > Reopen or by selecting a finished job); the strip shows them all, newest job
first, each job's images together under a caption, so variations made by separate edits can be
compared side by side. A job knows the file it was made from (`JobOptions.source_image`), so its
results always go to that image's tab, never into whichever tab happens to be current.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import QRect
from PySide6.QtGui import QImage

from desktop_editor.jobs.model import EditJob
from desktop_editor.jobs.prepare import ResultPreview
from desktop_editor.ui.common.conversions import qimage_from_pil, qimage_with_patch
from desktop_editor.ui.models.document import Document
from desktop_editor.ui.panels.results_strip import ResultItem


@dataclass(eq=False)  # one job's set is itself: compared by identity (it holds arrays), hashable
class ResultSet:
    """The results of one finished job, as the window shows them.

    `document` is the open image the job was made from (None when it is not open and could not
    be opened); `mask` is the mask it was sent with, kept for the difference view (loaded from
    the job's files when not in memory); `before` is the original decoded from the job's input
    when no document holds it. `selected` is the index within this job's results.
    """

    job: EditJob
    document: Document | None = None
    mask: np.ndarray | None = None
    before: QImage | None = None
    selected: int = 0
    items: list[ResultItem] = field(default_factory=list)
    edit: QRect | None = None  # the edited area (the mask's painted bounds), once worked out
    first_number: int = 1  # its first result's number among its image's results (see number_results)

    @property
    def paths(self) -> list[Path]:
        return [Path(p) for p in self.job.result_paths]


def preview_image(preview: ResultPreview, shown_original: QImage | None = None, *, into: QImage | None = None) -> QImage:
    """The result in memory (see `ResultPreview`) as the compare view's QImage. For a worker.

    `shown_original` is the QImage the window already holds of `preview.original` (the open
    image's): then only the patch is converted and the rest is one copy of it (0.1 s at 24 MP
    instead of converting the whole frame), or none when `into` is a copy of it made ahead
    (`spare_frames`). Same pixels either way.
    """
    if shown_original is not None and shown_original.size().toTuple() == preview.original.size:
        image = qimage_with_patch(shown_original, preview.patch, preview.rect[:2], into=into)
        if image is not None:
            return image
    return qimage_from_pil(preview.full())


def file_metadata(path: Path) -> tuple[bytes | None, tuple[float, float] | None]:
    """The ICC profile and DPI of an image file, read from its header (no pixels are decoded)."""
    try:
        with Image.open(path) as img:
            dpi = img.info.get("dpi")
            return img.info.get("icc_profile"), (tuple(float(v) for v in dpi) if dpi else None)  # type: ignore[return-value]
    except (OSError, ValueError, SyntaxError):
        return None, None


def job_caption(job: EditJob) -> str:
    """What the strip writes above a job's results: its prompt (or model), then the local time
    it was sent (the prompt first: a narrow group keeps what tells the edits apart)."""
    prompt = " ".join((job.params.prompt or job.params.spec.label).split())
    try:
        when = datetime.fromisoformat(job.created_at).astimezone().strftime("%H:%M")
    except (TypeError, ValueError):
        when = ""
    return f"{prompt} · {when}" if when else prompt


def auto_saved(path: Path, job: EditJob) -> bool:
    """Whether the job wrote this result into the output folder it was sent with (not the
    rescue folder used when that folder could not be written)."""
    try:
        return path.is_file() and path.parent.resolve() == Path(job.options.out_dir).expanduser().resolve()
    except OSError:
        return False


def build_items(result_set: ResultSet) -> list[ResultItem]:
    """The strip's items for a job's results (made once per set: a later Save marks them)."""
    if result_set.items:
        return result_set.items
    document = result_set.document
    fallback_icc = document.loaded.icc_profile if document is not None else None
    fallback_dpi = document.loaded.dpi if document is not None else None
    job = result_set.job
    stem = Path(job.image_paths[0]).stem if job.image_paths else "result"
    caption = job_caption(job)
    for number, path in enumerate(result_set.paths, start=result_set.first_number):
        icc, dpi = file_metadata(path)
        result_set.items.append(ResultItem(
            path=path, icc_profile=icc or fallback_icc, dpi=dpi or fallback_dpi,
            label=result_label(number), name=f"{stem}-result-{number}",
            saved_to=path if auto_saved(path, job) else None, group=job.id, group_label=caption,
        ))
    return result_set.items


def result_label(number: int) -> str:
    """What the strip, Mix and messages call an image's result number `number`."""
    return f"Result {number}"


def oldest_first(sets: Iterable[ResultSet]) -> list[ResultSet]:
    """An image's sets in the order their jobs were sent."""
    # Times have one-second steps: two edits sent in the same second keep the order they came in.
    ranked = sorted(enumerate(sets), key=lambda pair: (pair[1].job.created_at, pair[0]))
    return [result_set for _position, result_set in ranked]


def number_results(sets: Iterable[ResultSet]) -> list[ResultSet]:
    """Number the results of one image's sets 1, 2, 3 … in the order they were made (oldest
    job first, a job's results in their order), so the strip, Mix and messages tell them apart
    by the same numbers; a set brought back later (History > Reopen) takes its place by time.
    Returns the sets oldest first."""
    ordered = oldest_first(sets)
    number = 1
    for result_set in ordered:
        if result_set.first_number != number:
            result_set.first_number = number
            for offset, item in enumerate(result_set.items):
                item.label = result_label(number + offset)
                stem = Path(result_set.job.image_paths[0]).stem if result_set.job.image_paths else "result"
                item.name = f"{stem}-result-{number + offset}"
        number += len(build_items(result_set))
    return ordered


def strip_entries(sets: Iterable[ResultSet]) -> list[tuple[ResultSet, int]]:
    """(set, index within it) for each tile, newest job first (sets are given oldest first),
    the results numbered as `number_results` does."""
    ordered = list(reversed(number_results(sets)))
    return [(result_set, index) for result_set in ordered for index in range(len(build_items(result_set)))]


def source_candidates(job: EditJob) -> list[Path]:
    """The files a job's image may be open as: the file the designer opened, then the job's
    own input snapshot (older jobs did not record the file)."""
    paths = []
    if job.options.source_image:
        paths.append(Path(job.options.source_image))
    if job.image_paths:
        paths.append(Path(job.image_paths[0]))
    return paths


def image_to_open(job: EditJob) -> Path | None:
    """The file to open to show a job's results in their own tab: the original if it is still
    there, else the job's input snapshot; None when neither is on disk."""
    return next((path for path in source_candidates(job) if path.is_file()), None)


def same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b


def document_of_job(documents: Iterable[Document], job: EditJob) -> Document | None:
    """The open image a job was made from, if it is open."""
    candidates = source_candidates(job)
    for document in documents:
        if document.path is not None and any(same_file(document.path, path) for path in candidates):
            return document
    return None
