"""Comparing a result with the original before saving it: wipe, side by side, toggle, difference,
and mixing the results of one image by painting which one shows where.

Designers judge an AI edit by looking at the same pixels before and after: a divider they drag
across the picture, two synchronised panes, a key held to flash back to the original, and a
heat map that shows where the model changed things, with how much changed outside the mask
(the models touch pixels they were not asked to). All four share one zoom and position, so
switching modes never loses the spot being inspected.

Heavy work (display levels of 4K images, the difference map) runs on worker threads; the view
shows the full image at once and refines when the work arrives, so the window never stalls.
"""

from __future__ import annotations

from enum import Enum

import numpy as np
from PySide6.QtCore import (
    QEvent,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QIcon,
    QImage,
    QKeyEvent,
    QLinearGradient,
    QPainter,
    QPaintEvent,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_editor.core.difference import (
    DEFAULT_THRESHOLD,
    DifferenceResult,
    difference_map,
    ramp_colour,
)
from desktop_editor.ui.common import icons
from desktop_editor.ui.common.binding import set_tone
from desktop_editor.ui.common.conversions import pil_from_qimage
from desktop_editor.ui.common.image_tasks import TaskRunner
from desktop_editor.ui.compare.mix_bar import MixBar
from desktop_editor.ui.compare.mix_session import MixSession
from desktop_editor.ui.compare.panes import (
    ComparePane,
    ImageLevels,
    PaneContent,
    Viewport,
)

__all__ = ["CompareMode", "CompareToolbar", "CompareView"]


class CompareMode(str, Enum):
    WIPE = "wipe"
    SIDE_BY_SIDE = "side_by_side"
    TOGGLE = "toggle"
    DIFFERENCE = "difference"
    MIX = "mix"

    @property
    def label(self) -> str:
        return _MODE_LABELS[self]

    @property
    def shortcut(self) -> str:
        return str(list(CompareMode).index(self) + 1)


_MODE_LABELS = {
    CompareMode.WIPE: "Wipe",
    CompareMode.SIDE_BY_SIDE: "Side by side",
    CompareMode.TOGGLE: "Toggle",
    CompareMode.DIFFERENCE: "Difference",
    CompareMode.MIX: "Mix",
}
_MODE_TIPS = {
    CompareMode.WIPE: "Drag a divider across the picture: original on the left, result on the right",
    CompareMode.SIDE_BY_SIDE: "Original and result next to each other; zoom and pan move both",
    CompareMode.TOGGLE: "One picture; hold Space or \\ to see the original, click to switch",
    CompareMode.DIFFERENCE: "Where the result differs from the original, and how much, inside and outside the mask",
    CompareMode.MIX: "Paint which result shows where: the best part of each variation in one image",
}
_MODE_HINTS = {
    CompareMode.WIPE: "Drag to move the divider  ·  Ctrl+wheel to zoom  ·  middle-drag to pan  ·  hold Space for the original",
    CompareMode.SIDE_BY_SIDE: "Drag to pan both  ·  Ctrl+wheel to zoom both  ·  double-click for 100%",
    CompareMode.TOGGLE: "Hold Space or \\ to see the original  ·  click to switch  ·  drag to pan  ·  Ctrl+wheel to zoom",
}
MIX_HINT = ("Paint the chosen result in  ·  1-9 pick it, 0 paints the base back  ·  [ ] size  ·  middle-drag to pan  ·  "
            "hold Space for the original  ·  Ctrl+Z undoes a stroke")
_PEEK_KEYS = (Qt.Key.Key_Space, Qt.Key.Key_Backslash)
_ZOOM_STEP = 1.25
# A picture shown below 100% is rescaled exactly for its zoom once the zoom rests this long.
EXACT_SCALE_DELAY_MS = 120
# Above this share of changed pixels outside the mask the figure is shown as a warning.
OUTSIDE_WARNING_FRACTION = 0.005

_S = 'fill="none" stroke="{c}" stroke-width="1.7" stroke-linecap="round" stroke-linejoin="round"'
_F = 'fill="{c}" stroke="none"'
_MODE_SHAPES = {
    CompareMode.WIPE: (
        f'<rect x="3" y="5" width="18" height="14" rx="2" {_S}/>'
        f'<path d="M5 5 H12 V19 H5 A2 2 0 0 1 3 17 V7 A2 2 0 0 1 5 5 Z" {_F} opacity="0.45"/>'
        f'<path d="M12 3 V21" {_S}/><circle cx="12" cy="12" r="2.3" {_F}/>'
    ),
    CompareMode.SIDE_BY_SIDE: (
        f'<rect x="2.5" y="6" width="8.5" height="12" rx="1.5" {_F} opacity="0.45"/>'
        f'<rect x="2.5" y="6" width="8.5" height="12" rx="1.5" {_S}/>'
        f'<rect x="13" y="6" width="8.5" height="12" rx="1.5" {_S}/>'
    ),
    CompareMode.TOGGLE: (
        f'<rect x="3.5" y="3.5" width="11" height="11" rx="1.8" {_F} opacity="0.45"/>'
        f'<rect x="9.5" y="9.5" width="11" height="11" rx="1.8" {_S}/>'
        f'<path d="M17 3.5 A3.5 3.5 0 0 1 20.5 7 M19 5.6 L20.5 7 L22 5.6" {_S}/>'
    ),
    CompareMode.DIFFERENCE: (
        f'<rect x="3" y="5" width="18" height="14" rx="2" {_S}/>'
        f'<circle cx="13.5" cy="12" r="3.8" {_F} opacity="0.45"/>'
        f'<circle cx="13.5" cy="12" r="1.7" {_F}/>'
        f'<path d="M6.5 15.5 L8.5 13.5" {_S}/>'
    ),
    CompareMode.MIX: (
        f'<rect x="3" y="5" width="18" height="14" rx="2" {_S}/>'
        f'<path d="M5 5 H10 C12 9 8 13 11 19 H5 A2 2 0 0 1 3 17 V7 A2 2 0 0 1 5 5 Z" {_F} opacity="0.45"/>'
        f'<path d="M14.5 16.5 L20 8.5 M13.5 18 L14.8 16" {_S}/>'
    ),
}


def _mode_icon(mode: CompareMode, color: str) -> QIcon:
    """Icons for the mode buttons, in the same line style as ui/icons.py."""
    return icons.icon_from_svg_body(_MODE_SHAPES[mode], color)


def _zoom_text(zoom: float) -> str:
    pct = zoom * 100
    return f"{pct:.0f}%" if pct >= 10 else f"{pct:.1f}%"


# ----- toolbar --------------------------------------------------------------------------------


class CompareToolbar(QWidget):
    """The mode buttons (1-4) and the zoom controls of a compare view.

    Signals:
        mode_requested(str): a mode button was pressed (CompareMode value).
        fit_requested(): "Fit" pressed.
        actual_size_requested(): "100%" pressed.
        zoom_step_requested(int): +1 to zoom in a step, -1 to zoom out.
    """

    mode_requested = Signal(str)
    fit_requested = Signal()
    actual_size_requested = Signal()
    zoom_step_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        color = self.palette().buttonText().color().name()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 5, 8, 5)
        layout.setSpacing(2)
        self.buttons: dict[CompareMode, QToolButton] = {}
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        for mode in CompareMode:
            button = QToolButton(self)
            button.setText(mode.label)
            button.setIcon(_mode_icon(mode, color))
            button.setIconSize(QSize(18, 18))
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setToolTip(f"{_MODE_TIPS[mode]} ({mode.shortcut})")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the view
            button.setProperty("compare_mode", mode.value)
            self._group.addButton(button)
            layout.addWidget(button)
            self.buttons[mode] = button
        self._group.buttonClicked.connect(self._on_mode_button_clicked)
        layout.addStretch(1)

        self.zoom_out_button = self._tool("zoom_out", "Zoom out (Ctrl+-)", color)
        self.zoom_label = QLabel("100%", self)
        self.zoom_label.setMinimumWidth(self.zoom_label.fontMetrics().horizontalAdvance("3200%") + 8)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_label.setToolTip("Zoom: Ctrl+wheel over the picture")
        self.zoom_in_button = self._tool("zoom_in", "Zoom in (Ctrl+=)", color)
        self.fit_button = self._tool("zoom_fit", "Fit the picture in the view (Ctrl+0)", color, text="Fit")
        self.actual_button = self._tool(
            "zoom_actual", "Show at 100%, one image pixel per screen pixel (Ctrl+1)", color, text="100%"
        )
        for widget in (self.zoom_out_button, self.zoom_label, self.zoom_in_button, self.fit_button, self.actual_button):
            layout.addWidget(widget)
        self.zoom_out_button.clicked.connect(lambda: self.zoom_step_requested.emit(-1))
        self.zoom_in_button.clicked.connect(lambda: self.zoom_step_requested.emit(1))
        self.fit_button.clicked.connect(self.fit_requested)
        self.actual_button.clicked.connect(self.actual_size_requested)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # light/dark switch: draw the icons again
            color = self.palette().buttonText().color().name()
            for mode, button in self.buttons.items():
                button.setIcon(_mode_icon(mode, color))
            for button in (self.zoom_out_button, self.zoom_in_button, self.fit_button, self.actual_button):
                button.setIcon(icons.icon(str(button.property("icon_name")), color))

    def _tool(self, icon_name: str, tip: str, color: str, *, text: str = "") -> QToolButton:
        button = QToolButton(self)
        button.setProperty("icon_name", icon_name)
        button.setIcon(icons.icon(icon_name, color))
        button.setIconSize(QSize(18, 18))
        button.setAutoRaise(True)
        button.setToolTip(tip)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        if text:
            button.setText(text)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        return button

    def set_mode(self, mode: CompareMode) -> None:
        self.buttons[CompareMode(mode)].setChecked(True)

    def set_zoom(self, zoom: float) -> None:
        self.zoom_label.setText(_zoom_text(zoom))

    @Slot(QToolButton)
    def _on_mode_button_clicked(self, button: QToolButton) -> None:
        self.mode_requested.emit(str(button.property("compare_mode")))


class _HeatLegend(QWidget):
    """The colour ramp of the difference map, so designers can read the heat colours."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setToolTip(
            f"Heat colour by how much a pixel changed (largest channel difference). Grey: unchanged; "
            f"a pixel counts as changed above {DEFAULT_THRESHOLD}/255. The light outline is the mask's edge."
        )
        self.setFixedSize(190, 22)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        painter.setFont(font)
        text_color = self.palette().windowText().color()
        text_color.setAlpha(170)
        painter.setPen(text_color)
        fm = painter.fontMetrics()
        left_text, right_text = "small", "large"
        lw = fm.horizontalAdvance(left_text)
        rw = fm.horizontalAdvance(right_text)
        bar = QRectF(lw + 6, 8, self.width() - lw - rw - 12, 7)
        gradient = QLinearGradient(bar.topLeft(), bar.topRight())
        for stop in range(0, 256, 16):
            gradient.setColorAt(stop / 255, QColor(*ramp_colour(max(stop, DEFAULT_THRESHOLD + 1))))
        gradient.setColorAt(1.0, QColor(*ramp_colour(255)))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(gradient)
        painter.drawRoundedRect(bar, 3, 3)
        painter.setPen(text_color)
        painter.drawText(QRectF(0, 0, lw, self.height()), Qt.AlignmentFlag.AlignVCenter, left_text)
        painter.drawText(QRectF(self.width() - rw, 0, rw, self.height()), Qt.AlignmentFlag.AlignVCenter, right_text)
        painter.end()


# ----- the view -------------------------------------------------------------------------------


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

        self.hint_label = QLabel(self)
        self.stats_label = QLabel(self)  # outside the mask (or the whole image without a mask)
        self.inside_stats_label = QLabel(self)
        for label in (self.stats_label, self.inside_stats_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._legend = _HeatLegend(self)
        hint_font = self.hint_label.font()
        hint_font.setPointSizeF(max(7.5, hint_font.pointSizeF() * 0.9))
        self.hint_label.setFont(hint_font)
        set_tone(self.hint_label, "muted")
        status = QFrame(self)
        status.setFrameShape(QFrame.Shape.NoFrame)
        status_layout = QHBoxLayout(status)
        status_layout.setContentsMargins(10, 4, 10, 5)
        status_layout.setSpacing(18)
        status_layout.addWidget(self.hint_label)
        status_layout.addWidget(self.stats_label)
        status_layout.addWidget(self.inside_stats_label)
        status_layout.addStretch(1)
        status_layout.addWidget(self._legend)
        self.mix_bar = MixBar(status)
        self.mix_bar.setToolTip(MIX_HINT)
        self.mix_bar.hide()
        status_layout.addWidget(self.mix_bar, 1)
        # A fixed height: switching modes must not resize the picture (a fitted zoom would jump).
        status.setFixedHeight(max(30, self.hint_label.sizeHint().height() + 12, self.mix_bar.sizeHint().height() + 2))
        self._status = status

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toolbar)
        layout.addWidget(stage, 1)
        layout.addWidget(status)

        self.toolbar.mode_requested.connect(self.set_mode)
        self.toolbar.fit_requested.connect(self.fit)
        self.toolbar.actual_size_requested.connect(self.zoom_to_actual)
        self.toolbar.zoom_step_requested.connect(self._on_zoom_step_requested)
        self.viewport.changed.connect(self._on_viewport_changed)
        self._left.divider_moved.connect(self.divider_moved)
        self._left.clicked.connect(self._on_pane_clicked)
        self._left.resized.connect(self._on_viewport_changed)
        self._exact_requests: dict[int, tuple[ImageLevels, float, float]] = {}
        self._exact_timer = QTimer(self)
        self._exact_timer.setSingleShot(True)
        self._exact_timer.setInterval(EXACT_SCALE_DELAY_MS)
        self._exact_timer.timeout.connect(self._on_exact_timer)
        for pane in (self._left, self._right):
            pane.exact_wanted.connect(self._on_exact_wanted)
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
        mode = self._mode
        before, after = self._before_levels, self._after_levels
        side = mode is CompareMode.SIDE_BY_SIDE
        peek = bool(self._held_keys) and not side
        left = PaneContent()
        right = PaneContent()
        if before is None:
            pass
        elif side:
            left = PaneContent(left=before, left_label="Before", crosshair=True)
            right = PaneContent(left=after, left_label="After", crosshair=True,
                                busy_text="" if after is not None else "Preparing…")
        elif peek or (mode is CompareMode.TOGGLE and self._pinned_before):
            left = PaneContent(left=before, left_label="Before", accent_label=True)
        elif mode is CompareMode.MIX:
            left = self._mix_content(before)
        elif after is None:
            left = PaneContent(left=before, left_label="Before", busy_text="Preparing the result…")
        elif mode is CompareMode.WIPE:
            left = PaneContent(left=before, right=after, left_label="Before", right_label="After")
        elif mode is CompareMode.TOGGLE:
            left = PaneContent(left=after, left_label="After")
        elif self._heat_levels is not None:
            left = PaneContent(left=self._heat_levels, left_label="Difference")
        else:
            text = self._difference_error or "Computing difference…"
            left = PaneContent(left=before, left_label="Difference", busy_text=text)
        self._left.set_content(left)
        self._right.set_content(right)
        self._right.setVisible(side)
        if not side:
            self.viewport.set_hover(None, None)
        self._update_status()

    def _mix_content(self, before: ImageLevels) -> PaneContent:
        mix = self._mix
        if mix is None:
            return PaneContent(left=before, left_label="Mix", busy_text=self._mix_note or "Preparing the mix…")
        slot = mix.source()
        painting = "the base" if slot == 0 else mix.sources[slot - 1].label
        base = mix.sources[mix.base()].label
        return PaneContent(left=mix.levels, left_label=f"Mix · base {base} · painting {painting}", painter=mix,
                           busy_text="Preparing the mix…" if mix.is_busy() else "")

    def _update_status(self) -> None:
        mixing = self._mode is CompareMode.MIX
        self.mix_bar.setVisible(mixing)
        difference_mode = self._mode is CompareMode.DIFFERENCE
        result = self._difference
        self.hint_label.setVisible(not difference_mode and not mixing)
        self.hint_label.setText(_MODE_HINTS.get(self._mode, ""))
        self._legend.setVisible(difference_mode and result is not None)
        self.stats_label.setVisible(difference_mode)
        self.inside_stats_label.setVisible(difference_mode and result is not None and result.inside is not None)
        if not difference_mode:
            return
        if result is None:
            self.stats_label.setText(self._difference_error or "Computing difference…")
            self.stats_label.setStyleSheet("")
            self.inside_stats_label.clear()
            return
        lines = result.summary()
        self.stats_label.setText(lines[0])
        self.inside_stats_label.setText(lines[1] if len(lines) > 1 else "")
        warn = result.inside is not None and result.outside.fraction > OUTSIDE_WARNING_FRACTION
        self.stats_label.setStyleSheet("color: #f0a33a; font-weight: 600;" if warn else "font-weight: 600;")
        self.stats_label.setToolTip(
            "The model changed pixels you did not paint. Saving with “keep original outside mask” puts them back."
            if warn else "Share of pixels whose largest channel changed by more than "
            f"{result.threshold}/255, and the mean change (0-255)."
        )

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

    @Slot(object, float, float)
    def _on_exact_wanted(self, levels: ImageLevels, zoom: float, dpr: float) -> None:
        """Collect requests and make them once the zoom has rested a moment (not per wheel step)."""
        self._exact_requests[id(levels)] = (levels, zoom, dpr)
        self._exact_timer.start()

    @Slot()
    def _on_exact_timer(self) -> None:
        requests, self._exact_requests = list(self._exact_requests.values()), {}
        for levels, zoom, dpr in requests:
            if levels.requested_zoom != zoom:
                continue  # the zoom moved on since

            def done(image: QImage, levels: ImageLevels = levels, zoom: float = zoom, version: int = levels.version) -> None:
                if levels.version != version:
                    return  # painted on since: the copy would show an older mix
                levels.set_exact(zoom, image)
                self._left.update()
                self._right.update()

            self._tasks.submit(lambda levels=levels, zoom=zoom, dpr=dpr: levels.make_exact(zoom, dpr), done)

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
