"""The undo step of a canvas expansion (or crop) being framed on a document.

The frame lives on the document until Generate sends it, so Undo and Redo walk through its
changes among the mask's strokes, in the order the designer made them.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtGui import QUndoCommand

from desktop_editor.core.expand import Expansion


class ExpansionTarget(Protocol):
    history_replaying: bool

    def apply_expansion(self, expansion: Expansion | None, overlap: int) -> None: ...


class ExpansionCommand(QUndoCommand):
    """One change of the frame: before and after (expansion, overlap). redo() is safe to repeat."""

    nbytes = 0  # a few integers: nothing for the history's memory budget

    def __init__(self, document: ExpansionTarget, before: tuple[Expansion | None, int],
                 after: tuple[Expansion | None, int], text: str, *, applied: bool = False):
        super().__init__(text)
        self.document = document
        self.before = before
        self.after = after
        self._skip_redo = applied

    def redo(self) -> None:
        if self._skip_redo or self.document.history_replaying:
            self._skip_redo = False
            return
        self.document.apply_expansion(*self.after)

    def undo(self) -> None:
        if self.document.history_replaying:
            return
        self.document.apply_expansion(*self.before)

    def rebuilt(self) -> ExpansionCommand:
        """The same step for a rebuilt history (already applied)."""
        return ExpansionCommand(self.document, self.before, self.after, self.text(), applied=True)
