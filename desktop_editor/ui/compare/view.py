"""Comparing a result with the original before saving it: wipe, side by side, toggle, difference,
and mixing the results of one image by painting which one shows where.

Designers judge an AI edit by looking at the same pixels before and after: a divider they drag
across the picture, two synchronised panes, a key held to flash back to the original, and a
heat map that shows where the model changed things, with how much changed outside the mask
(the models touch pixels they were not asked to). All four share one zoom and position, so
switching modes never loses the spot being inspected.

Heavy work (display levels of 4K images, the difference map) runs on worker threads; the view
shows the full image at once and refines when the work arrives, so the window never stalls.

The view composes the room's parts and owns the state they show: `modes` names the modes,
`toolbar` and `status_bar` frame the picture, `pane_contents` decides what each pane shows,
`panes` paint through the shared `viewport` (overlays from `pane_drawing`), and
`exact_scaling` makes the copies a resting zoom draws from.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import (
    QEvent,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QImage, QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from desktop_editor.core.difference import DifferenceResult, difference_map
from desktop_editor.ui.common.conversions import pil_from_qimage
from desktop_editor.ui.common.image_tasks import TaskRunner
from desktop_editor.ui.compare.exact_scaling import ExactScaler
from desktop_editor.ui.compare.image_levels import ImageLevels
from desktop_editor.ui.compare.mix_session import MixSession
from desktop_editor.ui.compare.modes import CompareMode
from desktop_editor.ui.compare.pane_contents import pane_contents
from desktop_editor.ui.compare.panes import ComparePane
from desktop_editor.ui.compare.status_bar import CompareStatusBar
from desktop_editor.ui.compare.toolbar import CompareToolbar
from desktop_editor.ui.compare.viewport import Viewport

# CompareMode is re-exported: the window's commands and the mix flow name it with the view.
__all__ = ["CompareMode", "CompareView"]


_PEEK_KEYS = (Qt.Key.Key_Space, Qt.Key.Key_Backslash)
_ZOOM_STEP = 1.25
# A new result's wipe divider sits this fraction of the width left of the edited area, and never
# further right than _DIVIDER_MAX, so there is always some Before to drag it across.
_DIVIDER_MARGIN = 0.03
_DIVIDER_MAX = 0.9


class CompareView(QWidget):
    """A before/after comparison with four modes, one shared zoom and keyboard control.

    Keys: the window's commands set the mode (1-4) and zoom; Space or \\ held shows the original
    (taken here while the view has focus, forwarded by the window otherwise).

    Signals:
        mode_changed(str): the mode changed (a CompareMode value).
        zoom_changed(float): the shown zoom changed (device pixels per image pixel).
        divider_moved(float): the wipe divider moved (fraction of the width, 0..1).
        showing_before_changed(bool): the toggle mode now shows the original (True) or the result.
        difference_ready(object): the difference map for the current images is ready
            (a core.difference.DifferenceResult).
    """

    mode_changed = Signal(str)
    zoom_changed = Signal(float)
    divider_moved = Signal(float)
    showing_before_changed = Signal(bool)
    difference_ready = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # An explicit minimum keeps the layout from changing a top-level view's minimum size
        # whenever the status text changes (and the platform from warning about it).
        self.setMinimumSize(360, 240)
        self._mode = CompareMode.WIPE
        self._before: QImage | None = None
        self._after: QImage | None = None
        self._mask: np.ndarray | None = None
        self._before_levels: ImageLevels | None = None
        self._after_levels: ImageLevels | None = None
        self._heat_levels: ImageLevels | None = None
        self._difference: DifferenceResult | None = None
        self._difference_error = ""
        self._difference_pending = False
        self._generation = 0
        self._pinned_before = False  # the toggle mode's click state
        self._held_keys: set[int] = set()
        self._last_zoom = -1.0
        self._mix: MixSession | None = None
        self._mix_note = ""  # why there is no mix yet (preparing, or not possible)
        # One worker: on small machines the app's jobs already keep every core busy, and each
        # extra thread competing for the GIL delays the GUI thread.
        self._tasks = TaskRunner(self, max_threads=1)

        self.viewport = Viewport(self)
        self.toolbar = CompareToolbar(self)
        self._left = ComparePane(self.viewport, self)
        self._right = ComparePane(self.viewport, self)
        self._right.hide()

        stage = QWidget(self)
        stage.setAutoFillBackground(True)
        palette = stage.palette()
        palette.setColor(stage.backgroundRole(), QColor(10, 10, 12))
        stage.setPalette(palette)
        stage_layout = QHBoxLayout(stage)
        stage_layout.setContentsMargins(0, 0, 0, 0)
        stage_layout.setSpacing(2)
        stage_layout.addWidget(self._left)
        stage_layout.addWidget(self._right)

        self._status = CompareStatusBar(self)
        # The status line's parts, reachable as before (the window adds its mix actions to the bar).
        self.hint_label = self._status.hint_label
        self.stats_label = self._status.stats_label
        self.inside_stats_label = self._status.inside_stats_label
        self.mix_bar = self._status.mix_bar

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toolbar)
        layout.addWidget(stage, 1)
        layout.addWidget(self._status)

        self.toolbar.mode_requested.connect(self.set_mode)
        self.toolbar.fit_requested.connect(self.fit)
        self.toolbar.actual_size_requested.connect(self.zoom_to_actual)
        self.toolbar.zoom_step_requested.connect(self._on_zoom_step_requested)
        self.viewport.changed.connect(self._on_viewport_changed)
        self._left.divider_moved.connect(self.divider_moved)
        self._left.clicked.connect(self._on_pane_clicked)
        self._left.resized.connect(self._on_viewport_changed)
        self._exact = ExactScaler(self._tasks, self._repaint_panes, self)
        for pane in (self._left, self._right):
            pane.exact_wanted.connect(self._exact.request)
        self._right.clicked.connect(self._on_pane_clicked)
        self.toolbar.set_mode(self._mode)
        self._refresh()

    # ----- public interface ------------------------------------------------------------------

    def set_images(self, before: QImage, after: QImage, mask: np.ndarray | None = None, *,
                   after_levels: ImageLevels | None = None, before_levels: ImageLevels | None = None) -> None:
        """Compare `after` (a result) with `before` (the original), optionally with the edit mask.

        `after` may have another size (the model's output size); it is shown scaled to the
        original's size so the two line up. The mask is copied. Zoom and position are kept
        when the original has the same size as before (switching between results of a job).
        `after_levels`, `before_levels`: levels made already (see `ImageLevels.patched`; the
        open image's display levels), used when they are of that very image. A
        read-only uint8 mask is the caller's promise that it never changes: it is kept, not
        copied (a 45 MP mask's copy is tens of milliseconds on the GUI thread).
        """
        if before.isNull() or after.isNull():
            raise ValueError("set_images needs two non-empty images")
        self._generation += 1
        generation = self._generation
        same_before = self._before is not None and self._before.cacheKey() == before.cacheKey()
        self._before, self._after = before, after
        if mask is None or (mask.dtype == np.uint8 and not mask.flags.writeable):
            self._mask = mask
        else:
            self._mask = np.array(mask, dtype=np.uint8, copy=True)
        self._difference, self._difference_error, self._difference_pending = None, "", False
        self._heat_levels = None
        if before_levels is not None and before_levels.image is before and (not same_before or self._before_levels is None
                                                                          or not self._before_levels.complete):
            self._before_levels = before_levels
        elif not same_before or self._before_levels is None:
            self._before_levels = ImageLevels(before)
            self._build_levels(before, "_before_levels", generation)
        if after.size() != before.size():
            # Scaled here once, smoothly, so both sides line up pixel for pixel; done on the worker.
            self._after_levels = None
            self._build_levels(after, "_after_levels", generation, size=before.size())
        elif after_levels is not None and after_levels.image is after:
            self._after_levels = after_levels
        else:
            self._after_levels = ImageLevels(after)
            self._build_levels(after, "_after_levels", generation)
        self.viewport.set_image_size(before.size())
        if self._mode is CompareMode.DIFFERENCE:
            self._start_difference()
        self._refresh()

    def clear(self) -> None:
        """Show nothing (no result selected)."""
        self._generation += 1
        self._before = self._after = None
        self._mask = None
        self._before_levels = self._after_levels = self._heat_levels = None
        self._difference, self._difference_error, self._difference_pending = None, "", False
        self._refresh()

    def mode(self) -> CompareMode:
        return self._mode

    def set_mix(self, session: MixSession | None, note: str = "") -> None:
        """Show this mix in Mix mode (None: no mix, with `note` saying why or that it is coming)."""
        if self._mix is not None:
            self._mix.picture_changed.disconnect(self._on_mix_picture_changed)
            self._mix.busy_changed.disconnect(self._on_mix_busy_changed)
            self._mix.source_changed.disconnect(self._on_mix_choice_changed)
            self._mix.base_changed.disconnect(self._on_mix_choice_changed)
            self._mix.cancel()
        self._mix, self._mix_note = session, note
        if session is not None:
            session.picture_changed.connect(self._on_mix_picture_changed)
            session.busy_changed.connect(self._on_mix_busy_changed)
            session.source_changed.connect(self._on_mix_choice_changed)
            session.base_changed.connect(self._on_mix_choice_changed)
        self.mix_bar.set_session(session)
        self._refresh()

    def mix(self) -> MixSession | None:
        return self._mix

    @Slot(str)
    def set_mode(self, mode: CompareMode | str) -> None:
        """Switch mode; the difference map is computed the first time it is needed."""
        mode = CompareMode(mode)
        self.toolbar.set_mode(mode)
        if mode is self._mode:
            return
        self._mode = mode
        if mode is CompareMode.DIFFERENCE:
            self._start_difference()
        self._refresh()
        self.mode_changed.emit(mode.value)

    def before_image(self) -> QImage | None:
        return self._before

    def after_image(self) -> QImage | None:
        return self._after

    def levels_of(self, image: QImage) -> ImageLevels | None:
        """The complete levels shown for `image` when it is the original on show, else None."""
        levels = self._before_levels
        if self._before is None or levels is None or not levels.complete or self._before.cacheKey() != image.cacheKey():
            return None
        return levels

    def difference(self) -> DifferenceResult | None:
        """The difference for the current images, once computed."""
        return self._difference

    def panes(self) -> tuple[ComparePane, ComparePane]:
        """The two drawing panes (the second is shown only side by side)."""
        return self._left, self._right

    def zoom(self) -> float:
        return self._left.zoom()

    @Slot()
    def fit(self) -> None:
        self.viewport.fit()

    @Slot()
    def zoom_to_actual(self) -> None:
        """100%: one image pixel per screen pixel, keeping the centre of the view in place."""
        self.set_zoom(1.0)

    def set_zoom(self, zoom: float) -> None:
        pane = self._left
        self.viewport.zoom_at(zoom, QPointF(pane.width() / 2, pane.height() / 2), pane.pane_size(), pane.dpr())

    def divider_position(self) -> float:
        return self._left.divider

    def set_divider_position(self, fraction: float) -> None:
        self._left._move_divider(max(0.0, min(1.0, fraction)) * max(1, self._left.width()))

    def frame_edit(self, zoom: float | None, center: QPointF | None, edit: QRect | None) -> None:
        """Show a result that just arrived the way the designer was looking at the image: at
        `zoom` around `center` (image pixels; None: fitted), with the edited area `edit` (image
        pixels) in view, centred on it when it is out of view, and on the After side of the wipe
        divider, so a small edit is not hidden on the Before side."""
        pane = self._left
        if zoom is not None and center is not None:
            self.viewport.show_at(zoom, center)
        else:
            self.viewport.fit()
        if edit is None or edit.isEmpty() or pane.width() <= 0:
            return
        box = self._widget_box(edit)
        if not box.intersects(QRectF(pane.rect())) and not self.viewport.fitted:
            self.viewport.show_at(self.zoom(), QRectF(edit).center())
            box = self._widget_box(edit)
        left = box.left() - _DIVIDER_MARGIN * pane.width()
        self.set_divider_position(min(_DIVIDER_MAX, max(0.0, left / pane.width())))

    def _widget_box(self, image_rect: QRect) -> QRectF:
        pane = self._left
        rect = QRectF(image_rect)
        return QRectF(pane.image_to_widget(rect.topLeft()), pane.image_to_widget(rect.bottomRight()))

    def is_showing_before(self) -> bool:
        """Whether the single picture shown is the original (toggle mode, or a held peek key)."""
        return bool(self._held_keys) or (self._mode is CompareMode.TOGGLE and self._pinned_before)

    def set_showing_before(self, before: bool) -> None:
        """The toggle mode's click state: show the original (True) or the result (False)."""
        was = self.is_showing_before()
        self._pinned_before = bool(before)
        self._refresh()
        if self.is_showing_before() != was:
            self.showing_before_changed.emit(self.is_showing_before())

    def stats_text(self) -> str:
        """The statistics lines as shown, joined (empty until the difference is computed)."""
        return "  ·  ".join(t for t in (self.stats_label.text(), self.inside_stats_label.text()) if t)

    def wait_for_background_work(self, msecs: int = -1) -> bool:
        """Block until workers finish (closing, tests); their answers arrive with the next events."""
        return self._tasks.wait(msecs)

    # ----- keys ------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) and self._handles_key(event):
            event.accept()  # our key while we have focus: deliver it to keyPressEvent, not to a window shortcut
            return True
        return super().event(event)

    def _handles_key(self, event: QKeyEvent) -> bool:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        return mods == Qt.KeyboardModifier.NoModifier and event.key() in _PEEK_KEYS

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Modes (1-4) and zoom are window commands (see ui.window.actions); the view keeps only
        # the keys held to see the original, which the window forwards when focus is elsewhere.
        if not self._handles_key(event):
            super().keyPressEvent(event)
            return
        if not event.isAutoRepeat():
            self._set_peek(event.key(), True)
        event.accept()

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() in _PEEK_KEYS and not event.isAutoRepeat():
            self._set_peek(event.key(), False)
            event.accept()
            return
        super().keyReleaseEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: ANN001 - QFocusEvent
        # A release that happens while another widget has focus never reaches us: never stay stuck on "before".
        if self._held_keys:
            self._held_keys.clear()
            self._refresh()
            self.showing_before_changed.emit(self.is_showing_before())
        super().focusOutEvent(event)

    def _set_peek(self, key: int, held: bool) -> None:
        was = self.is_showing_before()
        if held:
            self._held_keys.add(key)
        else:
            self._held_keys.discard(key)
        if self.is_showing_before() != was:
            self._refresh()
            self.showing_before_changed.emit(self.is_showing_before())

    # ----- content ---------------------------------------------------------------------------

    def _refresh(self) -> None:
        """Give each pane what the mode shows, and update the status line."""
        side = self._mode is CompareMode.SIDE_BY_SIDE
        left, right = pane_contents(
            self._mode, self._before_levels, self._after_levels, self._heat_levels, peek=bool(self._held_keys),
            pinned_before=self._pinned_before, mix=self._mix, mix_note=self._mix_note,
            difference_error=self._difference_error,
        )
        self._left.set_content(left)
        self._right.set_content(right)
        self._right.setVisible(side)
        if not side:
            self.viewport.set_hover(None, None)
        self._update_status()

    def _update_status(self) -> None:
        self._status.show_status(self._mode, self._difference, self._difference_error)

    # ----- background work -------------------------------------------------------------------

    def _build_levels(self, image: QImage, attribute: str, generation: int, *, size: QSize | None = None) -> None:
        def work() -> ImageLevels:
            return ImageLevels.build(image, size)

        def done(levels: ImageLevels) -> None:
            if generation == self._generation:
                setattr(self, attribute, levels)
                self._refresh()

        def failed(exc: BaseException) -> None:  # out of memory, most likely: show the image unrefined
            if generation == self._generation and getattr(self, attribute) is None:
                setattr(self, attribute, ImageLevels(image))
                self._refresh()

        self._tasks.submit(work, done, failed)

    def _start_difference(self) -> None:
        if self._before is None or self._after is None or self._difference is not None or self._difference_pending:
            return
        self._difference_pending = True
        generation = self._generation
        before, after, mask = self._before, self._after, self._mask

        def work() -> tuple[DifferenceResult, ImageLevels]:
            result = difference_map(pil_from_qimage(before), pil_from_qimage(after), mask)
            return result, ImageLevels.from_pil(result.heat)

        def done(value: tuple[DifferenceResult, ImageLevels]) -> None:
            if generation != self._generation:
                return
            self._difference_pending = False
            self._difference, self._heat_levels = value
            self._refresh()
            self.difference_ready.emit(self._difference)

        def failed(exc: BaseException) -> None:
            if generation != self._generation:
                return
            self._difference_pending = False
            self._difference_error = f"Could not compute the difference: {exc}"
            self._refresh()

        self._tasks.submit(work, done, failed)
        self._refresh()

    # ----- slots -----------------------------------------------------------------------------

    def _repaint_panes(self) -> None:
        self._left.update()
        self._right.update()

    @Slot()
    def _on_viewport_changed(self) -> None:
        zoom = self._left.zoom()
        if abs(zoom - self._last_zoom) > 1e-9:
            self._last_zoom = zoom
            self.toolbar.set_zoom(zoom)
            self.zoom_changed.emit(zoom)

    @Slot(QRect)
    def _on_mix_picture_changed(self, rect: QRect) -> None:
        """Repaint only where the mix changed (plus a pixel for smoothing at low zoom)."""
        pane = self._left
        top_left = pane.image_to_widget(QPointF(rect.left(), rect.top()))
        bottom_right = pane.image_to_widget(QPointF(rect.right() + 1, rect.bottom() + 1))
        pane.update(QRectF(top_left, bottom_right).toAlignedRect().adjusted(-2, -2, 2, 2))

    @Slot(bool)
    def _on_mix_busy_changed(self, _busy: bool) -> None:
        self._refresh()

    @Slot(int)
    def _on_mix_choice_changed(self, _value: int) -> None:
        self._refresh()  # the label says what the brush paints over which base

    @Slot(int)
    def _on_zoom_step_requested(self, direction: int) -> None:
        self.set_zoom(self.zoom() * (_ZOOM_STEP if direction > 0 else 1 / _ZOOM_STEP))

    @Slot()
    def _on_pane_clicked(self) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        if self._mode is CompareMode.TOGGLE and not self._held_keys:
            self.set_showing_before(not self._pinned_before)

    def showEvent(self, event) -> None:  # noqa: ANN001 - QShowEvent
        super().showEvent(event)
        self._on_viewport_changed()
