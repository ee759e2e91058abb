"""The prompt section: what to change, in words, with recent prompts and a character count."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_editor.core.params import PROMPT_MAX, ModelSpec
from desktop_editor.ui.common.binding import bind, set_tone
from desktop_editor.ui.models.params_model import ParamsModel
from desktop_editor.ui.panels.params.form import (
    problem_label,
    section_header,
    show_problem,
)

MAX_RECENT_PROMPTS = 15
PROMPT_LINES = 4  # the prompt box's height; longer prompts scroll
PLACEHOLDER = "Describe the change, e.g. “replace the sky with a warm sunset”"


class PromptEdit(QPlainTextEdit):
    """A multi-line prompt where Ctrl+Enter asks to generate and Tab moves on.

    Signals:
        submit_requested(): Ctrl+Enter (or Ctrl+Return) was pressed.
    """

    submit_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTabChangesFocus(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.submit_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class PromptSection(QWidget):
    """The prompt (bound to `ParamsModel.prompt`), its length against the limit, and recent prompts.

    Signals:
        submit_requested(): Ctrl+Enter in the prompt.
        recent_prompts_changed(object): the recent-prompts list changed (list of str), to persist.
    """

    submit_requested = Signal()
    recent_prompts_changed = Signal(object)

    def __init__(self, model: ParamsModel, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = model
        self._recent: list[str] = []

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        self.header = section_header("Prompt")
        lay.addWidget(self.header)
        self.edit = PromptEdit()
        self.edit.setPlaceholderText(PLACEHOLDER)
        self.edit.setAccessibleName("Prompt")
        # One height, whatever is typed or shown below it: a box that shrinks as the first letter
        # is typed (the hint under it goes away) makes the panel jump under the designer's eyes.
        line = self.edit.fontMetrics().lineSpacing()
        self.edit.setFixedHeight(line * PROMPT_LINES + 12)
        self.edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        lay.addWidget(self.edit)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        self.recent_button = QToolButton()
        self.recent_button.setText("Recent prompts")
        self.recent_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.recent_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.recent_button.setAutoRaise(True)
        self.recent_menu = QMenu(self.recent_button)
        self.recent_menu.aboutToShow.connect(self._on_recent_menu_about_to_show)
        self.recent_button.setMenu(self.recent_menu)
        self.recent_button.setEnabled(False)
        self.char_count = QLabel()
        self.char_count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.char_count.setAccessibleName("Prompt length")
        row.addWidget(self.recent_button)
        row.addStretch(1)
        row.addWidget(self.char_count)
        lay.addLayout(row)
        self.problem = problem_label()
        lay.addWidget(self.problem)

        self._binding = bind(model, "prompt", self.edit)
        self.edit.submit_requested.connect(self.submit_requested)

    def show_spec(self, spec: ModelSpec) -> None:
        """Shown for models that take a prompt; marked optional (with the catalogue's hint) when it may be left out."""
        self.setVisible(spec.has_prompt)
        self.header.setText("PROMPT" if spec.prompt_required else "PROMPT (OPTIONAL)")
        field = next((f for f in spec.fields if f.name == "prompt"), None)
        self.edit.setPlaceholderText(PLACEHOLDER if spec.prompt_required else (field.help if field and field.help else ""))

    def show_problems(self, messages: list[str]) -> None:
        """The length against the limit, and what is wrong with the prompt (muted while it is empty)."""
        n = len(self._model.prompt)
        self.char_count.setText(f"{n:,} / {PROMPT_MAX:,}")
        set_tone(self.char_count, "error" if n > PROMPT_MAX else "muted")
        show_problem(self.problem, messages, muted=not self._model.prompt.strip())

    # ----- recent prompts ----------------------------------------------------------------------

    def recent_prompts(self) -> list[str]:
        return list(self._recent)

    def set_recent_prompts(self, prompts: list[str]) -> None:
        self._recent = [p for p in prompts if p.strip()][:MAX_RECENT_PROMPTS]
        self.recent_button.setEnabled(bool(self._recent))

    def remember(self, text: str) -> None:
        """Put `text` first in the recent prompts (announced when the list changes)."""
        text = text.strip()
        if not text:
            return
        recent = [text, *(p for p in self._recent if p != text)][:MAX_RECENT_PROMPTS]
        if recent != self._recent:
            self.set_recent_prompts(recent)
            self.recent_prompts_changed.emit(list(recent))

    @Slot()
    def _on_recent_menu_about_to_show(self) -> None:
        self.recent_menu.clear()
        for text in self._recent:
            flat = " ".join(text.split())
            label = flat if len(flat) <= 60 else flat[:57] + "…"
            action = self.recent_menu.addAction(label.replace("&", "&&"))
            action.setToolTip(text)
            action.triggered.connect(lambda _checked=False, t=text: self._use_recent(t))

    def _use_recent(self, text: str) -> None:
        self._model.prompt = text
        self.edit.setFocus()


__all__ = ["MAX_RECENT_PROMPTS", "PromptEdit", "PromptSection"]
