"""What every section of the parameters panel is made of: headers, problem labels, aligned forms.

Each section keeps its rows narrow enough for the dock at its minimum width: choices shrink
(their text is elided, the popup shows it whole), long names are elided in the middle, and a
checkbox without a label spans the whole row instead of sitting in the field column.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QWidget,
)

from desktop_editor.ui.common.binding import set_tone

# The widest label of any form row: every section's label column takes its width, so fields line up.
WIDEST_LABEL = "Input fidelity"
# Characters a choice keeps when the dock is at its narrowest (the rest is elided).
COMBO_MIN_CHARS = 8


def section_header(text: str) -> QLabel:
    """A small upper-case, muted heading above a group of fields."""
    label = QLabel(text.upper())
    font = QFont(label.font())
    font.setWeight(QFont.Weight.DemiBold)
    font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
    font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 108)
    label.setFont(font)
    set_tone(label, "muted")
    label.setContentsMargins(0, 8, 0, 0)
    return label


def problem_label() -> QLabel:
    """A wrapped, selectable label for what stops the parameters from being sent; hidden while empty."""
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def show_problem(label: QLabel, messages: list[str], *, muted: bool = False, tone: str = "error") -> None:
    """Show `messages` one per line in `label` (hidden when there are none)."""
    label.setText("\n".join(messages))
    set_tone(label, "muted" if muted else tone)
    label.setVisible(bool(messages))


def shrinkable(combo: QComboBox) -> QComboBox:
    """Let a combo become narrower than its longest choice (the popup still lists them whole)."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(COMBO_MIN_CHARS)
    return combo


def label_width(widget: QWidget) -> int:
    """The width of the label column in `widget`'s font."""
    return widget.fontMetrics().horizontalAdvance(WIDEST_LABEL) + 6


class ElidedLabel(QLabel):
    """A one-line label that elides its text in the middle instead of growing past its parent.

    `text()` stays the whole text; only the painting is shortened to the width there is.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance("…") * 3, super().minimumSizeHint().height())

    def paintEvent(self, _event: QPaintEvent) -> None:
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideMiddle, rect.width())
        painter = QPainter(self)
        self.style().drawItemText(painter, rect, int(self.alignment() | Qt.AlignmentFlag.AlignVCenter), self.palette(),
                                  self.isEnabled(), text, self.foregroundRole())


class RowForm(QFormLayout):
    """A form whose label column has the same width in every section and whose rows are hidden by field."""

    def __init__(self, owner: QWidget):
        super().__init__()
        self._owner = owner
        self._fields: set[QWidget] = set()
        self.setContentsMargins(0, 0, 0, 0)
        self.setHorizontalSpacing(10)
        self.setVerticalSpacing(6)
        self.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)

    def add_row(self, text: str, widget: QWidget) -> None:
        """A labelled row; the label is the field's buddy (Alt+letter focuses the field)."""
        label = QLabel(text)
        label.setMinimumWidth(label_width(self._owner))
        label.setBuddy(widget)
        self.addRow(label, widget)
        self._fields.add(widget)

    def add_wide_row(self, widget: QWidget) -> None:
        """A row without a label (a checkbox that names itself), spanning both columns."""
        self.addRow(widget)
        self._fields.add(widget)

    def holds(self, widget: QWidget) -> bool:
        return widget in self._fields

    def set_row_visible(self, widget: QWidget, visible: bool) -> None:
        self.setRowVisible(widget, visible)

    def row_visible(self, widget: QWidget) -> bool:
        return self.isRowVisible(widget)


class FittingScrollArea(QScrollArea):
    """Scrolls its content vertically only, and is never narrower than the content's minimum width.

    So the dock holding it cannot be made so narrow that fields are cut off with no way to reach
    them; the content's own rows are built to fit well within the panel's minimum width.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        body = self.widget()
        if body is None:
            return hint
        bar = self.verticalScrollBar().sizeHint().width()
        return QSize(max(hint.width(), body.minimumSizeHint().width() + bar + 2 * self.frameWidth()), hint.height())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # the content's minimum width may have changed
        return super().eventFilter(watched, event)


__all__ = [
    "ElidedLabel", "FittingScrollArea", "RowForm", "label_width", "problem_label", "section_header", "show_problem", "shrinkable",
]
