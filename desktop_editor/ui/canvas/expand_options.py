"""The Crop/Expand tool's part of the options bar: a target aspect from presets (or custom)
with an anchor, exact pixels per side, and the overlap band.

Every change is one undo step on the current document's frame. What will be sent ("sent as
1008x1792, result scaled to 1440x2560") is said in the parameters panel and on the canvas next
to the frame; an aspect the model refuses is refused here, naming the nearest allowed one.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QLabel, QSpinBox, QToolBar, QToolButton

from desktop_editor.core.expand import (
    ANCHORS,
    PRESETS,
    ExpandError,
    Expansion,
    aspect_problem,
    for_aspect,
)
from desktop_editor.ui.canvas.view import CanvasView

FREE = "Free"
CUSTOM = "Custom"
_ANCHOR_LABELS = {
    "center": "Centre", "top-left": "Top left", "top": "Top", "top-right": "Top right", "left": "Left",
    "right": "Right", "bottom-left": "Bottom left", "bottom": "Bottom", "bottom-right": "Bottom right",
}
SIDE_LIMIT = 30000


def _label(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("option_label")
    return label


def _spin(low: int, high: int, tip: str, prefix: str = "", suffix: str = "") -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setPrefix(prefix)
    spin.setSuffix(suffix)
    spin.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
    spin.setAlignment(Qt.AlignmentFlag.AlignRight)
    spin.setKeyboardTracking(False)  # one step when typing ends, not one per digit
    widest = max((str(low), str(high)), key=len)  # as wide as its range needs (the bar is full)
    spin.setFixedWidth(spin.fontMetrics().horizontalAdvance(f"{prefix}{widest}{suffix}") + 14)
    spin.setToolTip(tip)
    return spin


class ExpandOptions(QObject):
    """The widgets, added to `bar` where it is built; shown with the "expand" tool."""

    def __init__(self, bar: QToolBar, canvas: CanvasView):
        super().__init__(bar)
        self.canvas = canvas
        self._document = None
        # Each image's frame as last set from an aspect: (name, ratio, anchor). The bar shows it
        # only while that image's frame is still that aspect's; any other image shows Free.
        self._framed_to: WeakKeyDictionary = WeakKeyDictionary()
        self.aspect_combo = QComboBox()
        self.aspect_combo.addItems([FREE, *PRESETS, CUSTOM])
        self.aspect_combo.setToolTip("Expand to this aspect ratio (nothing is cropped); Free: drag or type per side")
        self.custom_w = _spin(1, 100, "Custom aspect: width part")
        self.custom_h = _spin(1, 100, "Custom aspect: height part")
        self.custom_w.setValue(5)
        self.custom_h.setValue(4)
        self.anchor_combo = QComboBox()
        for key in ANCHORS:
            self.anchor_combo.addItem(_ANCHOR_LABELS[key], key)
        self.anchor_combo.setToolTip("Where the original stays when expanding to an aspect")
        self.sides = {
            side: _spin(-SIDE_LIMIT, SIDE_LIMIT, f"Pixels added on the {name} (negative crops)", f"{side.upper()} ")
            for side, name in (("l", "left"), ("t", "top"), ("r", "right"), ("b", "bottom"))
        }
        self.overlap_spin = _spin(0, 512, "Overlap: a band of the original this deep is redone and blended at the seam",
                                  "Overlap ", " px")
        self.reset_button = QToolButton()
        self.reset_button.setText("Reset")
        self.reset_button.setToolTip("Back to the image as it is (one undo step)")
        self.problem_label = QLabel()  # a refused aspect, until the next change
        self.problem_label.setStyleSheet("padding-left: 6px; color: #e06c5a;")
        self.custom_actions = [bar.addWidget(self.custom_w), bar.addWidget(_label(":")), bar.addWidget(self.custom_h)]
        self.actions: list[QAction] = [
            bar.addWidget(_label("Aspect")), bar.addWidget(self.aspect_combo), *self.custom_actions,
            bar.addWidget(self.anchor_combo),
            *(bar.addWidget(spin) for spin in self.sides.values()),
            bar.addWidget(self.overlap_spin), bar.addWidget(self.reset_button), bar.addWidget(self.problem_label),
        ]
        self.aspect_combo.currentTextChanged.connect(self._on_aspect_chosen)
        self.anchor_combo.currentIndexChanged.connect(self._apply_aspect)
        self.custom_w.valueChanged.connect(self._apply_aspect)
        self.custom_h.valueChanged.connect(self._apply_aspect)
        for spin in self.sides.values():
            spin.valueChanged.connect(self._on_side_typed)
        self.overlap_spin.valueChanged.connect(self._on_overlap_typed)
        self.reset_button.clicked.connect(self.reset)
        canvas.view_changed.connect(self._follow_document)
        self._follow_document()

    # -- showing ----------------------------------------------------------------------------

    def show_tool(self, tool_id: str, painting: bool) -> None:
        shown = painting and tool_id == "expand"
        for action in self.actions:
            action.setVisible(shown)
        custom = shown and self.aspect_combo.currentText() == CUSTOM
        for action in self.custom_actions:
            action.setVisible(custom)

    @Slot()
    def _follow_document(self) -> None:
        document = self.canvas.document()
        if document is self._document:
            return
        if self._document is not None:
            self._document.expansion_changed.disconnect(self.refresh)
        self._document = document
        if document is not None:
            document.expansion_changed.connect(self.refresh)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Show the current document's frame, overlap and plan."""
        document = self._document
        exp = (document.expansion if document is not None else None) or Expansion()
        for side, value in zip("ltrb", exp.sides):
            spin = self.sides[side]
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
            spin.setEnabled(document is not None)
        self.overlap_spin.blockSignals(True)
        self.overlap_spin.setValue(document.expand_overlap if document is not None else 0)
        self.overlap_spin.blockSignals(False)
        self.problem_label.setText("")
        self._show_aspect(self._aspect_of(document))

    def _aspect_of(self, document) -> tuple[str, tuple[int, int] | None, str | None]:
        """The aspect this image is framed to, or Free when its frame is untouched or no longer
        the one an aspect made (dragged, typed, undone)."""
        chosen = self._framed_to.get(document) if document is not None else None
        if chosen is None:
            return FREE, None, None
        frame = document.pending_expansion() or Expansion()
        if for_aspect(document.width, document.height, chosen[1], chosen[2]) != frame:
            return FREE, None, None
        return chosen

    def _show_aspect(self, chosen: tuple[str, tuple[int, int] | None, str | None]) -> None:
        name, ratio, anchor = chosen
        widgets = (self.aspect_combo, self.anchor_combo, self.custom_w, self.custom_h)
        for widget in widgets:
            widget.blockSignals(True)
        self.aspect_combo.setCurrentText(name)
        if anchor is not None:
            self.anchor_combo.setCurrentIndex(self.anchor_combo.findData(anchor))
        if name == CUSTOM and ratio is not None:
            self.custom_w.setValue(ratio[0])
            self.custom_h.setValue(ratio[1])
        for widget in widgets:
            widget.blockSignals(False)
        showing = any(action.isVisible() for action in self.actions[:2])
        for action in self.custom_actions:
            action.setVisible(showing and name == CUSTOM)

    # -- editing ----------------------------------------------------------------------------

    def ratio(self) -> tuple[int, int] | None:
        text = self.aspect_combo.currentText()
        if text == FREE:
            return None
        if text == CUSTOM:
            return self.custom_w.value(), self.custom_h.value()
        return PRESETS[text]

    @Slot(str)
    def _on_aspect_chosen(self, _text: str) -> None:
        self.show_tool(self.canvas.tools.current.tool_id, True)
        self._apply_aspect()

    @Slot()
    def _apply_aspect(self) -> None:
        """Frame the document to the chosen aspect at the chosen anchor (one undo step)."""
        document = self.canvas.document()
        ratio = self.ratio()
        if document is None or ratio is None:
            return
        problem = aspect_problem(ratio)
        if problem:
            self.problem_label.setText(problem)
            return
        anchor = self.anchor_combo.currentData()
        exp = for_aspect(document.width, document.height, ratio, anchor)
        name = self.aspect_combo.currentText()
        label = f"{ratio[0]}:{ratio[1]}" if name == CUSTOM else name
        self._framed_to[document] = (name, ratio, anchor)  # before the change: refresh shows it
        if not document.set_expansion(exp, text=f"Expand to {label}"):
            self.refresh()

    @Slot()
    def _on_side_typed(self) -> None:
        document = self.canvas.document()
        if document is None:
            return
        exp = Expansion(*(self.sides[side].value() for side in "ltrb"))
        try:
            exp.check(document.width, document.height)
        except ExpandError as exc:
            self.refresh()
            self.problem_label.setText(str(exc))
            return
        self.aspect_combo.blockSignals(True)
        self.aspect_combo.setCurrentText(FREE)  # typed sides no longer follow a preset
        self.aspect_combo.blockSignals(False)
        self.show_tool(self.canvas.tools.current.tool_id, True)
        document.set_expansion(exp, text="Expand Canvas")

    @Slot()
    def _on_overlap_typed(self) -> None:
        document = self.canvas.document()
        if document is not None:
            document.set_expansion(document.expansion, overlap=self.overlap_spin.value(), text="Change Overlap")

    @Slot()
    def reset(self) -> None:
        document = self.canvas.document()
        self.aspect_combo.blockSignals(True)
        self.aspect_combo.setCurrentText(FREE)
        self.aspect_combo.blockSignals(False)
        if document is not None:
            document.set_expansion(None, text="Reset Canvas")
