"""The compare view's status line: the mode's hint, the difference figures with their colour
legend, or the Mix mode's bar.

It has a fixed height, so switching modes never resizes the picture (a fitted zoom would jump),
and it only shows what it is given: the view decides the mode and owns the difference.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QLinearGradient, QPainter, QPaintEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from desktop_editor.core.difference import DEFAULT_THRESHOLD, DifferenceResult, ramp_colour
from desktop_editor.ui.common.binding import set_tone
from desktop_editor.ui.compare.mix_bar import MixBar
from desktop_editor.ui.compare.modes import MIX_HINT, MODE_HINTS, CompareMode

__all__ = ["OUTSIDE_WARNING_FRACTION", "CompareStatusBar", "HeatLegend"]

# Above this share of changed pixels outside the mask the figure is shown as a warning.
OUTSIDE_WARNING_FRACTION = 0.005


class HeatLegend(QWidget):
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



class CompareStatusBar(QFrame):
    """The line under the picture: a hint per mode, the difference figures, or the mix bar.

    `stats_label` holds the figure outside the mask (or for the whole image without a mask),
    `inside_stats_label` the one inside it; both can be selected and copied.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.hint_label = QLabel(self)
        self.stats_label = QLabel(self)  # outside the mask (or the whole image without a mask)
        self.inside_stats_label = QLabel(self)
        for label in (self.stats_label, self.inside_stats_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.legend = HeatLegend(self)
        hint_font = self.hint_label.font()
        hint_font.setPointSizeF(max(7.5, hint_font.pointSizeF() * 0.9))
        self.hint_label.setFont(hint_font)
        set_tone(self.hint_label, "muted")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 5)
        layout.setSpacing(18)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.stats_label)
        layout.addWidget(self.inside_stats_label)
        layout.addStretch(1)
        layout.addWidget(self.legend)
        self.mix_bar = MixBar(self)
        self.mix_bar.setToolTip(MIX_HINT)
        self.mix_bar.hide()
        layout.addWidget(self.mix_bar, 1)
        # A fixed height: switching modes must not resize the picture (a fitted zoom would jump).
        self.setFixedHeight(max(30, self.hint_label.sizeHint().height() + 12, self.mix_bar.sizeHint().height() + 2))

    def show_status(self, mode: CompareMode, result: DifferenceResult | None, error: str = "") -> None:
        """Show what `mode` needs: its hint, the mix bar, or the difference `result` (None while it
        is computed, with `error` once it could not be)."""
        mixing = mode is CompareMode.MIX
        self.mix_bar.setVisible(mixing)
        difference_mode = mode is CompareMode.DIFFERENCE
        self.hint_label.setVisible(not difference_mode and not mixing)
        self.hint_label.setText(MODE_HINTS.get(mode, ""))
        self.legend.setVisible(difference_mode and result is not None)
        self.stats_label.setVisible(difference_mode)
        self.inside_stats_label.setVisible(difference_mode and result is not None and result.inside is not None)
        if not difference_mode:
            return
        if result is None:
            self.stats_label.setText(error or "Computing difference…")
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
