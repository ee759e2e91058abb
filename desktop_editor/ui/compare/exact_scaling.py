"""Copies of a picture scaled to exactly the shown zoom, made on a worker once the zoom rests.

Below 100% a pane draws from the nearest smaller level, which the painter still has to shrink on
every paint (10-20 ms of the window's thread for a large picture). A copy already at the zoom is
a plain copy to draw; making it per wheel step would be wasted work, so requests are collected
and made once the zoom has rested `EXACT_SCALE_DELAY_MS`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtGui import QImage

from desktop_editor.ui.common.image_tasks import TaskRunner
from desktop_editor.ui.compare.image_levels import ImageLevels

__all__ = ["EXACT_SCALE_DELAY_MS", "ExactScaler"]

# A picture shown below 100% is rescaled exactly for its zoom once the zoom rests this long.
EXACT_SCALE_DELAY_MS = 120


class ExactScaler(QObject):
    """Makes the exact-zoom copies the panes ask for (`request`, connected to their
    `exact_wanted`) on `tasks`, and calls `repaint` when one arrives."""

    def __init__(self, tasks: TaskRunner, repaint: Callable[[], None], parent: QObject | None = None):
        super().__init__(parent)
        self._tasks = tasks
        self._repaint = repaint
        self._requests: dict[int, tuple[ImageLevels, float, float]] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(EXACT_SCALE_DELAY_MS)
        self._timer.timeout.connect(self._on_timer)

    @Slot(object, float, float)
    def request(self, levels: ImageLevels, zoom: float, dpr: float) -> None:
        """Collect requests and make them once the zoom has rested a moment (not per wheel step)."""
        self._requests[id(levels)] = (levels, zoom, dpr)
        self._timer.start()

    @Slot()
    def _on_timer(self) -> None:
        requests, self._requests = list(self._requests.values()), {}
        for levels, zoom, dpr in requests:
            if levels.requested_zoom != zoom:
                continue  # the zoom moved on since

            def done(image: QImage, levels: ImageLevels = levels, zoom: float = zoom, version: int = levels.version) -> None:
                if levels.version != version:
                    return  # painted on since: the copy would show an older mix
                levels.set_exact(zoom, image)
                self._repaint()

            self._tasks.submit(lambda levels=levels, zoom=zoom, dpr=dpr: levels.make_exact(zoom, dpr), done)
