"""The canvas: shows a document's image with its mask and feeds pointer input to the mask tools.

The view composes four parts, one job each (after napari's `_qt` split): `CanvasDrawing`
(levels, mask overlay, clipping), `CanvasNavigation` (zoom, pan, fit), `CanvasInput` (pointer,
pen and keys, hosting the tools) and `CanvasOverlays` (marching ants, the tools' feedback).
They are mixins of the one widget, not separate objects, because the paint and stroke paths
read zoom, pan and the tools on every event: as methods of the view they cost what they did
before the split. This module keeps what ties them together: the shown document, its display
levels, and which repaints a mask change needs.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, Qt, Signal, Slot
from PySide6.QtGui import QEnterEvent, QTabletEvent
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QFrame, QWidget

from desktop_editor.ui.canvas.ants import Outline
from desktop_editor.ui.canvas.drawing import CanvasDrawing
from desktop_editor.ui.canvas.input_handling import CanvasInput
from desktop_editor.ui.canvas.navigation import CanvasNavigation
from desktop_editor.ui.canvas.overlays import CanvasOverlays
from desktop_editor.ui.canvas.pyramid import DisplayPyramid
from desktop_editor.ui.canvas.tools import ToolBox
from desktop_editor.ui.common.image_tasks import TaskRunner
from desktop_editor.ui.models.document import Document

class CanvasView(CanvasInput, CanvasOverlays, CanvasDrawing, CanvasNavigation, QAbstractScrollArea):
    """Scrollable, zoomable view of one document at a time, with the mask tools.

    Signals:
        zoom_changed(float): the zoom (device pixels per image pixel) changed.
        pointer_moved(object): the image pixel under the pointer (QPoint), or None when the
            pointer left the image.
        view_changed(): zoom or pan changed.
    """

    zoom_changed = Signal(float)
    pointer_moved = Signal(object)
    view_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document: Document | None = None
        self._pyramids: dict[int, DisplayPyramid] = {}
        self._init_navigation()
        self._init_drawing()
        self._init_input()

        viewport = _Viewport(self)
        self.setViewport(viewport)
        viewport.setMouseTracking(True)
        viewport.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        viewport.setAttribute(Qt.WidgetAttribute.WA_TabletTracking)
        viewport.setAutoFillBackground(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(200, 150)
        self.horizontalScrollBar().valueChanged.connect(self._on_hscroll)
        self.verticalScrollBar().valueChanged.connect(self._on_vscroll)

        self.tools = ToolBox(self)
        self.tools.current.activate()
        self._device_pixel_ratio = viewport.devicePixelRatioF() or 1.0
        self._levels_runner = TaskRunner(self, max_threads=1)  # mask levels of large changes
        self._init_overlays()

    # -- document -----------------------------------------------------------------------------

    def document(self) -> Document | None:
        return self._document

    def set_document(self, document: Document | None) -> None:
        """Show `document` (None: nothing), keeping each document's own zoom and position."""
        if document is self._document:
            return
        old = self._document
        self.tools.current.cancel()
        if old is not None:
            old.view_state = self.view_state()
            old.mask_changed.disconnect(self._on_mask_changed)
            old.expansion_changed.disconnect(self._on_expansion_changed)
            old.display_changed.disconnect(self._on_display_changed)
        self._document = document
        self.set_mask_preview(None)
        self._set_outline(Outline.empty())
        if document is not None:
            if id(document) not in self._pyramids:
                pyramid = DisplayPyramid(document, self._color_table, self._levels_runner,
                                         lambda bounds, d=document: self._on_levels_ready(d, bounds))
                self._pyramids[id(document)] = pyramid
                # The pyramid follows its document's mask even while another one is shown (an
                # undo in the background, a mask given to an image before it is shown), or it
                # would show stale levels and skip areas painted meanwhile.
                document.mask_changed.connect(pyramid.on_mask_changed)
                document.display_changed.connect(pyramid.on_display_changed)
                document.destroyed.connect(lambda *_a, key=id(document): self._pyramids.pop(key, None))
            document.mask_changed.connect(self._on_mask_changed)
            document.expansion_changed.connect(self._on_expansion_changed)
            document.display_changed.connect(self._on_display_changed)
            self._schedule_outline(at_once=True)
            if document.view_state:
                self.restore_view_state(document.view_state)
            else:
                self.fit_to_window()
        else:
            self._sync_scrollbars()
        self.viewport().update()
        self.zoom_changed.emit(self._zoom)
        self.view_changed.emit()

    def forget_document(self, document: Document) -> None:
        """Drop the display cache of a closed document."""
        if document is self._document:
            self.set_document(None)
        pyramid = self._pyramids.pop(id(document), None)
        if pyramid is not None:
            document.mask_changed.disconnect(pyramid.on_mask_changed)
            document.display_changed.disconnect(pyramid.on_display_changed)

    def _pyramid(self) -> DisplayPyramid | None:
        return self._pyramids.get(id(self._document)) if self._document is not None else None

    def wait_for_mask_levels(self, msecs: int = 5000) -> bool:
        """Block until reduced mask levels being rebuilt are done and shown (for tests and
        benchmarks)."""
        done = self._levels_runner.wait(msecs)
        QApplication.sendPostedEvents()
        return done

    # -- mask updates -----------------------------------------------------------------------------

    @Slot(QRect)
    def _on_mask_changed(self, rect: QRect) -> None:
        pyramid = self._pyramid()
        if pyramid is None:
            return
        self._schedule_outline()
        bounds = (rect.x(), rect.y(), rect.x() + rect.width(), rect.y() + rect.height())
        if pyramid.is_large_change(bounds) and self._draw_level(pyramid) > 0 and self._preview is None:
            return  # drawn from the rebuilt levels when they arrive (`_on_levels_ready`)
        self._update_image_area(pyramid, bounds)

    def _on_levels_ready(self, document: Document, bounds: tuple[int, int, int, int]) -> None:
        """A document's reduced mask levels were rebuilt after a change inside `bounds`."""
        pyramid = self._pyramid()
        if document is self._document and pyramid is not None and self._draw_level(pyramid) > 0:
            self._update_image_area(pyramid, bounds)

    @Slot()
    def _on_display_changed(self) -> None:
        """The finer levels of a large image arrived: draw from them."""
        self.viewport().update()


class _Viewport(QWidget):
    """The canvas's viewport: passes pen and enter/leave events on to the view.

    QAbstractScrollArea forwards mouse, wheel and paint events of its viewport to the view's
    handlers but not tablet or enter/leave events; a viewport subclass receives exactly those,
    without a Python filter on every event the canvas gets.
    """

    def __init__(self, view: CanvasView) -> None:
        super().__init__()
        self._view = view

    def tabletEvent(self, event: QTabletEvent) -> None:
        self._view._tablet_event(event)

    def enterEvent(self, event: QEnterEvent) -> None:
        self._view._on_enter()
        super().enterEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._view._on_leave()
        super().leaveEvent(event)
