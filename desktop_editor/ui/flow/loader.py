"""Opening images off the GUI thread.

Decoding an 8K JPEG and converting it for display takes a noticeable fraction of a second; done
on the GUI thread it would freeze the window. A worker decodes with the core loader (so every
rule about bad files lives in one place), converts to the display QImage, builds the half-size
levels the canvas draws from when zoomed out, and hands them back by signal; it never touches
a widget. The pixel work is Pillow's and numpy's, which release the GIL, so the window keeps
painting while a big photo opens.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtGui import QImage

from desktop_editor.core.cpu import image_work
from desktop_editor.core.images import ImageLoadError, LoadedImage, load_image
from desktop_editor.ui.canvas.pyramid import build_levels_from_pil
from desktop_editor.ui.common.conversions import qimage_from_pil


@dataclass
class LoadResult:
    """A decoded image with its display QImage and the half-size levels for zoomed-out views."""

    loaded: LoadedImage
    image: QImage
    levels: list[QImage]


class _JobSignals(QObject):
    loaded = Signal(int, object)
    failed = Signal(int, str)


class _LoadJob(QRunnable):
    def __init__(self, request_id: int, source: Path | bytes, signals: _JobSignals):
        super().__init__()
        self.setAutoDelete(False)  # the loader keeps it until its result has been delivered
        self.request_id = request_id
        self.source = source
        self.signals = signals

    def run(self) -> None:
        try:
            with image_work(urgent=True):  # the designer is waiting for the image to open
                loaded = load_image(self.source)
                image = qimage_from_pil(loaded.image)
                levels = build_levels_from_pil(loaded.image)
        except ImageLoadError as exc:
            self.signals.failed.emit(self.request_id, str(exc))
            return
        except MemoryError:
            self.signals.failed.emit(self.request_id, f"{self._name()} is too large to open with the memory available.")
            return
        except Exception as exc:  # noqa: BLE001 - a worker must always answer
            self.signals.failed.emit(self.request_id, f"{self._name()} could not be opened ({exc}).")
            return
        self.signals.loaded.emit(self.request_id, LoadResult(loaded, image, levels))

    def _name(self) -> str:
        return self.source.name if isinstance(self.source, Path) else "The image"


class ImageLoader(QObject):
    """Loads images in a thread pool and reports each result by request id.

    Signals:
        loaded(int, object): request id and the `LoadResult`.
        failed(int, str): request id and a sentence for the designer.
    """

    loaded = Signal(int, object)
    failed = Signal(int, str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._ids = itertools.count(1)
        self._jobs: dict[int, _LoadJob] = {}
        self._signals = _JobSignals(self)
        self._signals.loaded.connect(self._on_loaded)
        self._signals.failed.connect(self._on_failed)

    def load(self, source: str | Path | bytes) -> int:
        """Start loading; returns the request id the result will carry."""
        request_id = next(self._ids)
        job = _LoadJob(request_id, source if isinstance(source, bytes) else Path(source), self._signals)
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
        self._jobs.pop(request_id, None)
        self.loaded.emit(request_id, result)

    @Slot(int, str)
    def _on_failed(self, request_id: int, message: str) -> None:
        self._jobs.pop(request_id, None)
        self.failed.emit(request_id, message)
