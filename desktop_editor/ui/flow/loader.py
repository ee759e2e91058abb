"""Opening images off the GUI thread.

Decoding an 8K JPEG and converting it for display takes a noticeable fraction of a second; done
on the GUI thread it would freeze the window. A worker decodes with the core loader (so every
rule about bad files lives in one place), converts to the display QImage, builds the half-size
levels the canvas draws from when zoomed out, and hands them back by signal; it never touches
a widget. The pixel work is Pillow's and numpy's, which release the GIL, so the window keeps
painting while a big photo opens.

A camera-size photo (from `EARLY_DISPLAY_PIXELS` on) is handed over in two parts: right after
decoding, the quarter-size and smaller levels (0.06 s for 45 MP: one 4x4 averaging pass over the
photo, the rest from that), which is all a window-sized view
draws; then the full-size QImage and the half-size one (0.3 to 0.5 s more), which
`display_ready` brings to the open document. The worker waits for the canvas to have shown the
first part (`LoadResult.taken`, at most `_TAKE_WAIT_S`) before it converts the rest, so the
document's setup and first paint do not compete with it for the GIL and a core; and it holds
back while the designer paints (`core.cpu.wait_while_painting`), as one does right after the
photo appears: at fit the brush needs only the first part.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtGui import QImage

from desktop_editor.core.cpu import image_work, wait_while_painting
from desktop_editor.core.images import ImageLoadError, LoadedImage, load_image
from desktop_editor.ui.canvas.pyramid import build_levels_from_pil, level_count, reduce_levels
from desktop_editor.ui.common.conversions import qimage_from_pil

EARLY_DISPLAY_PIXELS = 8_000_000  # from this size on the smaller levels are handed over first
_TAKE_WAIT_S = 0.3


@dataclass
class LoadResult:
    """A decoded image with its display QImage and the half-size levels for zoomed-out views.

    With `pending`, `image` (None) and the levels given as None follow in a `display_ready`
    signal; the receiver sets `taken` once it has shown this part.
    """

    loaded: LoadedImage
    image: QImage | None
    levels: list[QImage | None]
    pending: bool = False
    taken: threading.Event = field(default_factory=threading.Event, repr=False)


@dataclass
class DisplayRest:
    """The second part of a pending load: the full-size QImage (None if it could not be made)
    and the levels that were missing, by level number."""

    image: QImage | None
    levels: dict[int, QImage]


class _JobSignals(QObject):
    loaded = Signal(int, object)
    failed = Signal(int, str)
    display_ready = Signal(int, object)


class _LoadJob(QRunnable):
    def __init__(self, request_id: int, source: Path | bytes, signals: _JobSignals, in_parts: bool):
        super().__init__()
        self.setAutoDelete(False)  # the loader keeps it until its result has been delivered
        self.request_id = request_id
        self.source = source
        self.signals = signals
        self.in_parts = in_parts

    def run(self) -> None:
        try:
            with image_work(urgent=True):  # the designer is waiting for the image to open
                loaded = load_image(self.source)
                width, height = loaded.image.size
                count = level_count(width, height)
                if not self.in_parts or width * height < EARLY_DISPLAY_PIXELS or count < 2:
                    result = LoadResult(loaded, qimage_from_pil(loaded.image), build_levels_from_pil(loaded.image))
                else:
                    reduced = reduce_levels(loaded.image, count, first=2)  # the half-size level comes second
                    result = LoadResult(loaded, None, [None, *map(qimage_from_pil, reduced)], True)
                    del reduced
        except ImageLoadError as exc:
            self.signals.failed.emit(self.request_id, str(exc))
            return
        except MemoryError:
            self.signals.failed.emit(self.request_id, f"{self._name()} is too large to open with the memory available.")
            return
        except Exception as exc:  # noqa: BLE001 - a worker must always answer
            self.signals.failed.emit(self.request_id, f"{self._name()} could not be opened ({exc}).")
            return
        self.signals.loaded.emit(self.request_id, result)
        if result.pending:
            result.taken.wait(_TAKE_WAIT_S)
            self.signals.display_ready.emit(self.request_id, _rest(loaded))

    def _name(self) -> str:
        return self.source.name if isinstance(self.source, Path) else "The image"


def _rest(loaded: LoadedImage) -> DisplayRest:
    """The full-size QImage and the half-size level of a pending load (on the worker)."""
    try:
        wait_while_painting()
        with image_work(urgent=True):
            half_size = reduce_levels(loaded.image, 1)[0]
            return DisplayRest(qimage_from_pil(loaded.image), {1: qimage_from_pil(half_size)})
    except Exception:  # noqa: BLE001 - the document makes what is missing when it is asked for it
        return DisplayRest(None, {})


class ImageLoader(QObject):
    """Loads images in a thread pool and reports each result by request id.

    Signals:
        loaded(int, object): request id and the `LoadResult`.
        failed(int, str): request id and a sentence for the designer.
        display_ready(int, object): request id and the `DisplayRest` of a pending `LoadResult`.
    """

    loaded = Signal(int, object)
    failed = Signal(int, str)
    display_ready = Signal(int, object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._ids = itertools.count(1)
        self._jobs: dict[int, _LoadJob] = {}
        self._signals = _JobSignals(self)
        self._signals.loaded.connect(self._on_loaded)
        self._signals.failed.connect(self._on_failed)
        self._signals.display_ready.connect(self._on_display_ready)

    def load(self, source: str | Path | bytes, *, in_parts: bool = True) -> int:
        """Start loading; returns the request id the result will carry. With `in_parts` False a
        large image is handed over whole, never pending (for a document whose full-size image
        is needed as soon as it opens)."""
        request_id = next(self._ids)
        job = _LoadJob(request_id, source if isinstance(source, bytes) else Path(source), self._signals, in_parts)
        self._jobs[request_id] = job
        self._pool.start(job)
        return request_id

    def pending(self) -> int:
        return len(self._jobs)

    def wait(self, msecs: int = -1) -> bool:
        """Block until all loads finished (shutdown, tests); results still arrive as signals."""
        return self._pool.waitForDone(msecs)

    @Slot(int, object)
    def _on_loaded(self, request_id: int, result: LoadResult) -> None:
        if not result.pending:  # a pending job still runs: kept until its second part arrives
            self._jobs.pop(request_id, None)
        self.loaded.emit(request_id, result)

    @Slot(int, object)
    def _on_display_ready(self, request_id: int, rest: DisplayRest) -> None:
        self._jobs.pop(request_id, None)
        self.display_ready.emit(request_id, rest)

    @Slot(int, str)
    def _on_failed(self, request_id: int, message: str) -> None:
        self._jobs.pop(request_id, None)
        self.failed.emit(request_id, message)
