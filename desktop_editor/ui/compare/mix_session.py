"""Mix mode's state: the sources, the map, the source brush and the picture on screen.

The sources are decoded once into one stack (see `core.mix`); the picture the panes draw is a
32-bit buffer in Qt's byte order with its half-size levels, all numpy arrays that QImages wrap
without copying. A brush segment re-renders only the pixels it touched, at full size and in
each level (a 2x2 average per level), so the mix is live at any zoom without rebuilding the
display. Rebuilding everything (a new base, keeping to the mask or not) runs on a worker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import QObject, QPointF, QRect, Signal
from PySide6.QtGui import QImage, QUndoCommand, QUndoStack

from desktop_editor.core.images import load_image
from desktop_editor.core.mask_ops import Bounds
from desktop_editor.core.masks import MaskError, load_mask
from desktop_editor.core.mix import (
    BASE_SLOT,
    MixPalette,
    MixState,
    MixStroke,
    fill_source,
    mix_to_image,
    prepare_source,
    render,
    render_all,
    used_results,
)
from desktop_editor.core.pixels import to_array
from desktop_editor.ui.common.image_tasks import TaskRunner
from desktop_editor.ui.compare.image_levels import ImageLevels
from desktop_editor.ui.models.mask_history import RegionPayload
from desktop_editor.ui.models.tool_settings import ToolSettings

_MIN_LEVEL_EDGE = 128


@dataclass
class MixSource:
    """One result the mix can show: its file and how its job treated the mask."""

    path: Path
    label: str
    job_id: str = ""
    mask: np.ndarray | None = None
    feather: float = 0.0
    composited: bool = False  # the job already kept the original outside its mask
    mask_path: Path | None = None  # read on the worker when `mask` is not in memory

    def record(self) -> dict:
        return {"path": str(self.path), "label": self.label, "job_id": self.job_id}


@dataclass
class MixBuild:
    """What a worker prepares: the source stack and the display buffers (level 0 first)."""

    stack: np.ndarray
    labels: np.ndarray
    display: list[np.ndarray] = field(default_factory=list)

    @property
    def nbytes(self) -> int:
        return self.stack.nbytes + self.labels.nbytes + sum(level.nbytes for level in self.display)


def load_stack(original: Image.Image, sources: list[MixSource], keep_inside: bool) -> np.ndarray:
    """Decode every result once into one stack (worker thread); one result in memory at a time."""
    width, height = original.size
    channels = 4 if original.mode == "RGBA" else 3
    stack = np.empty((len(sources), height, width, channels), np.uint8)
    for index, source in enumerate(sources):
        result = load_image(source.path).image
        if source.mask is None and source.mask_path is not None and Path(source.mask_path).is_file():
            try:
                source.mask = load_mask(source.mask_path)
            except MaskError:
                source.mask = None
        mask = source.mask if source.mask is not None and source.mask.shape == (height, width) else None
        prepared = prepare_source(original, result, mask, keep_inside_mask=keep_inside, feather=source.feather,
                                  already_composited=source.composited)
        fill_source(stack[index], prepared)
        del result, prepared
    return stack


def build_display(stack: np.ndarray, labels: np.ndarray, palette: MixPalette, base: int) -> list[np.ndarray]:
    """The mix at full size in a 32-bit buffer and its halves (worker thread)."""
    _n, height, width, channels = stack.shape
    level = np.empty((height, width, 4), np.uint8)
    if channels == 3:
        level[..., 3] = 255
    render_all(labels, stack, palette, base, out=level)
    levels = [level]
    while min(level.shape[0], level.shape[1]) >= 2 * _MIN_LEVEL_EDGE:
        h, w = level.shape[:2]
        level = to_array(Image.frombuffer("RGBA", (w, h), level, "raw", "RGBA", 0, 1).reduce(2))
        levels.append(level)
    return levels


def build_mix(original: Image.Image, sources: list[MixSource], state: MixState | None, keep_inside: bool,
              stack: np.ndarray | None = None) -> MixBuild:
    """Everything Mix mode needs, made on a worker."""
    if stack is None:
        stack = load_stack(original, sources, keep_inside)
    height, width = stack.shape[1:3]
    labels = state.labels if state is not None and state.labels.shape == (height, width) else np.zeros((height, width), np.uint8)
    base = state.base if state is not None else 0
    return MixBuild(stack, labels, build_display(stack, labels, MixPalette(len(sources) + 1), base))


def _wrap(level: np.ndarray, alpha: bool) -> QImage:
    h, w = level.shape[:2]
    fmt = QImage.Format.Format_ARGB32_Premultiplied if alpha else QImage.Format.Format_RGB32
    return QImage(level.data, w, h, 4 * w, fmt)


def _halve_region(src: np.ndarray, dst: np.ndarray, bounds: Bounds) -> Bounds:
    """Average 2x2 blocks of `src` covering `bounds` into `dst`; the bounds in `dst`."""
    x0, y0, x1, y1 = bounds
    px0, py0, px1, py1 = x0 // 2, y0 // 2, min(dst.shape[1], (x1 + 1) // 2), min(dst.shape[0], (y1 + 1) // 2)
    block = src[2 * py0:2 * py1, 2 * px0:2 * px1]
    rows, cols = 2 * (py1 - py0), 2 * (px1 - px0)
    if block.shape[0] != rows or block.shape[1] != cols:  # an odd edge: repeat the last row/column
        block = np.pad(block, ((0, rows - block.shape[0]), (0, cols - block.shape[1]), (0, 0)), mode="edge")
    sums = block[0::2, 0::2].astype(np.uint16)
    sums += block[1::2, 0::2]
    sums += block[0::2, 1::2]
    sums += block[1::2, 1::2]
    sums += 2
    sums >>= 2
    dst[py0:py1, px0:px1] = sums
    return px0, py0, px1, py1


class _StrokeCommand(QUndoCommand):
    """One source-brush stroke; redo() is safe to repeat."""

    def __init__(self, session: MixSession, payload: RegionPayload, text: str):
        super().__init__(text)
        self.session, self.payload, self._applied = session, payload, True

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self.session.write_labels(self.payload.bounds, self.payload.after_array())

    def undo(self) -> None:
        self.session.write_labels(self.payload.bounds, self.payload.before_array())


class _BaseCommand(QUndoCommand):
    def __init__(self, session: MixSession, old: int, new: int):
        super().__init__(f"Base: {session.sources[new].label}")
        self.session, self.old, self.new = session, old, new

    def redo(self) -> None:
        self.session._apply_base(self.new)

    def undo(self) -> None:
        self.session._apply_base(self.old)


class MixSession(QObject):
    """The mix of one image's results, painted with a source brush.

    Slot 0 of the brush is the base (painting it takes results back out); slots 1..n are the
    results. Brush size and hardness are the mask brush's (`settings`), so [ and ] work here too.

    Signals:
        picture_changed(QRect): these image pixels of the mix were re-rendered.
        source_changed(int): the brush now paints this slot.
        base_changed(int): this result (index) is now the base.
        busy_changed(bool): the whole mix is being rebuilt on a worker (painting waits).
        keep_inside_changed(bool): the sources are (True) or are not kept inside their masks.
        rebuild_failed(str): a rebuild failed; a sentence for the designer.
    """

    picture_changed = Signal(QRect)
    source_changed = Signal(int)
    base_changed = Signal(int)
    busy_changed = Signal(bool)
    keep_inside_changed = Signal(bool)
    rebuild_failed = Signal(str)

    def __init__(self, original: Image.Image, sources: list[MixSource], build: MixBuild, *, base: int = 0,
                 keep_inside: bool = True, settings: ToolSettings | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.original = original
        self.sources = list(sources)
        self.palette = MixPalette(len(sources) + 1)
        self.settings = settings or ToolSettings(self)
        self.undo_stack = QUndoStack(self)
        self._base = base
        self._keep_inside = keep_inside
        self._slot = next((i + 1 for i in range(len(sources)) if i != base), BASE_SLOT)  # a result other than the base
        self._stroke: MixStroke | None = None
        self._last: tuple[float, float] | None = None
        self._busy = False
        self._generation = 0
        self._tasks = TaskRunner(self, max_threads=1)
        self._use(build)

    # -- what is shown -------------------------------------------------------------------------

    def _use(self, build: MixBuild) -> None:
        self.stack, self.labels, self._display = build.stack, build.labels, build.display
        alpha = self.stack.shape[-1] == 4
        images = [_wrap(level, alpha) for level in self._display]
        self.levels = ImageLevels(images[0], images[1:])

    @property
    def width(self) -> int:
        return self.labels.shape[1]

    @property
    def height(self) -> int:
        return self.labels.shape[0]

    def nbytes(self) -> int:
        """Memory the mix holds: sources, map and display buffers."""
        return self.stack.nbytes + self.labels.nbytes + sum(level.nbytes for level in self._display)

    def state(self) -> MixState:
        """The mix as a project keeps it (the map is shared, not copied)."""
        return MixState([s.record() for s in self.sources], self._base, self.labels, self._keep_inside)

    def is_busy(self) -> bool:
        return self._busy

    # -- source and base -----------------------------------------------------------------------

    def source(self) -> int:
        """The slot the brush paints: 0 the base, 1..n a result."""
        return self._slot

    def set_source(self, slot: int) -> bool:
        """Paint with `slot` from now on; False when there is no such result."""
        if not 0 <= slot <= len(self.sources):
            return False
        if slot != self._slot:
            self._slot = slot
            self.source_changed.emit(slot)
        return True

    def base(self) -> int:
        return self._base

    def set_base(self, index: int) -> None:
        """Make result `index` the base, keeping every stroke (one undo step)."""
        if 0 <= index < len(self.sources) and index != self._base and not self._busy:
            self.undo_stack.push(_BaseCommand(self, self._base, index))

    def _apply_base(self, index: int) -> None:
        self._base = index
        self.base_changed.emit(index)
        self._rebuild(stack=self.stack)

    def keep_inside(self) -> bool:
        return self._keep_inside

    def set_keep_inside(self, keep: bool) -> None:
        """Limit every result to its job's mask (the original outside), or show results whole."""
        if bool(keep) == self._keep_inside:
            return
        self._keep_inside = bool(keep)
        self.keep_inside_changed.emit(self._keep_inside)
        self._rebuild(stack=None)

    def _rebuild(self, stack: np.ndarray | None) -> None:
        self.cancel()
        self._generation += 1
        generation = self._generation
        original, sources, keep, state = self.original, list(self.sources), self._keep_inside, self.state()
        self._set_busy(True)

        def done(build: MixBuild) -> None:
            if generation == self._generation:
                self._use(build)
                self._set_busy(False)
                self.picture_changed.emit(QRect(0, 0, self.width, self.height))

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self._set_busy(False)
                self.rebuild_failed.emit(f"The mix could not be prepared: {exc}")

        self._tasks.submit(lambda: build_mix(original, sources, state, keep, stack), done, failed)

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)

    def wait(self, msecs: int = -1) -> bool:
        return self._tasks.wait(msecs)

    # -- the brush -----------------------------------------------------------------------------

    def radius(self) -> float:
        return max(0.5, self.settings.brush_size / 2.0)

    def is_painting(self) -> bool:
        return self._stroke is not None

    def press(self, point: QPointF) -> None:
        if self._busy or self._stroke is not None:
            return
        self._stroke = MixStroke(self.labels, self.palette, self._slot, self.radius(), self.settings.hardness)
        self._last = (point.x(), point.y())
        self._segment(self._last, self._last)

    def move(self, point: QPointF) -> None:
        if self._stroke is None or self._last is None:
            return
        here = (point.x(), point.y())
        if here != self._last:
            self._segment(self._last, here)
            self._last = here

    def release(self) -> None:
        """End the stroke: one undo step holding only the map pixels it changed."""
        stroke, self._stroke, self._last = self._stroke, None, None
        if stroke is None or stroke.bounds is None:
            return
        before = stroke.before()
        x0, y0, x1, y1 = stroke.bounds
        after = self.labels[y0:y1, x0:x1]
        changed = np.argwhere(before != after)
        if not len(changed):
            return
        (ty0, tx0), (ty1, tx1) = changed.min(axis=0), changed.max(axis=0) + 1
        payload = RegionPayload.from_arrays((x0 + tx0, y0 + ty0, x0 + tx1, y0 + ty1),
                                            before[ty0:ty1, tx0:tx1], after[ty0:ty1, tx0:tx1])
        name = "base" if stroke.slot == BASE_SLOT else self.sources[stroke.slot - 1].label
        self.undo_stack.push(_StrokeCommand(self, payload, f"Paint {name}"))

    def cancel(self) -> None:
        stroke, self._stroke, self._last = self._stroke, None, None
        if stroke is not None:
            bounds = stroke.restore()
            if bounds is not None:
                self.refresh(bounds)

    def _segment(self, a: tuple[float, float], b: tuple[float, float]) -> None:
        assert self._stroke is not None
        bounds = self._stroke.segment(a, b)
        if bounds is not None:
            self.refresh(bounds)

    # -- pixels --------------------------------------------------------------------------------

    def write_labels(self, bounds: Bounds, values: np.ndarray) -> None:
        """Put map values back (undo/redo) and show them."""
        x0, y0, x1, y1 = bounds
        self.labels[y0:y1, x0:x1] = values
        self.refresh(bounds)

    def refresh(self, bounds: Bounds) -> None:
        """Re-render `bounds` of the mix at full size and in every level."""
        x0, y0, x1, y1 = bounds
        channels = self.stack.shape[-1]
        self._display[0][y0:y1, x0:x1, :channels] = render(self.labels[y0:y1, x0:x1], self.stack, self.palette,
                                                            self._base, (y0, x0))
        region = bounds
        for finer, coarser in zip(self._display, self._display[1:]):
            region = _halve_region(finer, coarser, region)
        self.levels.invalidate()
        self.picture_changed.emit(QRect(x0, y0, x1 - x0, y1 - y0))

    def render_job(self):  # noqa: ANN201 - a callable for a worker
        """A function that renders the mix as it is now into a Pillow image (for a worker):
        the map is copied here, so painting on while it runs changes nothing saved."""
        labels, stack, palette, base = self.labels.copy(), self.stack, self.palette, self._base

        def work() -> Image.Image:
            return mix_to_image(render_all(labels, stack, palette, base))

        return work

    def used_sources(self) -> list[int]:
        """Indices of the results that show somewhere in the mix."""
        return used_results(self.labels, self.palette, self._base)
