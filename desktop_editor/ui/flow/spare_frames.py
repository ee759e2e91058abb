"""Copies of an open image's display pixels, made while a composited result is on its way.

A result composited into a 100 MP photo is shown as the photo's display image (and its smaller
levels) with the result's patch packed in: the whole frame, 530 MB with its levels, had to be
copied first, 0.5-1.4 s after the composite. The copy needs no result, so it is started the
moment the run ends (while the result downloads, is checked and composited) on a thread of its
own, and the preview only packs its patch into it. Made only for large images, and only after
the run: a spare frame is never held while the service works.
"""

from __future__ import annotations

from concurrent.futures import Future

from PySide6.QtGui import QImage

from desktop_editor.core.cpu import lower_thread_priority
from desktop_editor.core.daemon_pool import DaemonPool
from desktop_editor.ui.common.conversions import copy_of
from desktop_editor.ui.compare.image_levels import ImageLevels

# Below this many pixels the copy takes a few tens of milliseconds and is made with the preview.
SPARE_FRAME_PIXELS = 8_000_000

SpareFrame = tuple[QImage, list[QImage] | None]  # the frame's copy, and its smaller levels' copies


def _copy(image: QImage, levels: ImageLevels | None) -> SpareFrame | None:
    frame = copy_of(image)
    if frame is None:
        return None
    return frame, levels.copies() if levels is not None else None


class SpareFrames:
    """The spare frames being made or made, one per job, each of one display image."""

    def __init__(self) -> None:
        self._made: dict[str, tuple[int, Future]] = {}
        # At a background step's priority: the copy has the download and the composite's time
        # to be made, and must not take the core those need.
        self._pool = DaemonPool(1, thread_name_prefix="result-frame", initializer=lower_thread_priority)

    def start(self, job_id: str, image: QImage, levels: ImageLevels | None) -> None:
        """Begin copying `image` (the display image the job's result will be shown over) and
        `levels` (its smaller levels) for `job_id`; nothing when one is made already or the
        image is small."""
        if job_id in self._made or image.isNull() or image.width() * image.height() < SPARE_FRAME_PIXELS:
            return
        self._made[job_id] = (image.cacheKey(), self._pool.submit(_copy, image, levels))

    def claim(self, job_id: str, image: QImage | None) -> Future | None:
        """The copy made for `job_id`, if it was made of `image` (unchanged since): its future,
        for the worker that packs the patch (it waits there). It is given out once."""
        made = self._made.pop(job_id, None)
        if made is None or image is None or made[0] != image.cacheKey():
            return None
        return made[1]

    def drop(self, job_id: str) -> None:
        """The job's result will not be shown from memory: its copy goes."""
        made = self._made.pop(job_id, None)
        if made is not None:
            made[1].cancel()


def spare_frame(future: Future | None) -> SpareFrame | None:
    """The frame a claimed future made, or None (none claimed, or the copy failed: the preview
    then copies the frame itself). For the worker that packs the patch."""
    if future is None:
        return None
    try:
        return future.result()
    except (MemoryError, RuntimeError):
        return None
