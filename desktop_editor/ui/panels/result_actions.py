"""The commands on the selected result as the strip offers them: Save, Save As, Copy, Show in
folder and Use as input, with their buttons.

Apart from the strip so that what a command is called, shows and enables is one small piece;
the strip decides what the commands do. They carry no keys of their own: the window hands the
strip its registry's Save, Save As, Copy and Use as input (`adopt`), which bind Ctrl+S,
Ctrl+Shift+S and Ctrl+C on the page where those keys mean the result, so the buttons, their tips
and the context menu name the keys; Show in folder has no key and stays the strip's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QSizePolicy, QToolButton, QVBoxLayout, QWidget

from desktop_editor.ui.common import icons

__all__ = ["ResultActions"]

_SAVE_TIP = "Save the selected result in the output folder (never overwrites)"


def _action(parent: QWidget, text: str, icon_name: str, color: str, tip: str, slot: Callable[[], object]) -> QAction:
    action = QAction(icons.icon(icon_name, color), text, parent)
    action.setProperty("icon_name", icon_name)  # drawn again when the palette changes
    action.setToolTip(tip)
    action.triggered.connect(slot)
    return action


class ResultActions:
    """The five actions on the selected result, owned by `parent` (the strip), in button order."""

    def __init__(self, parent: QWidget, *, save: Callable[[], object], save_as: Callable[[], object],
                 copy: Callable[[], object], use_as_input: Callable[[], object],
                 show_in_folder: Callable[[], object]):
        self._buttons: dict[str, QToolButton] = {}
        self._set_tip: Callable[[QAction, str | None], None] = _own_tip
        color = parent.palette().buttonText().color().name()
        self.save = _action(parent, "Save", "save", color, _SAVE_TIP, save)
        self.save_as = _action(parent, "Save As…", "open", color,
                               "Save the selected result under a name and format you choose", save_as)
        self.copy = _action(parent, "Copy", "paste", color, "Copy the selected result to the clipboard", copy)
        self.use_as_input = _action(parent, "Use as input", "reuse", color,
                                    "Open the selected result as the image to edit next", use_as_input)
        self.show_in_folder = _action(parent, "Show in folder", "reveal", color,
                                      "Open the folder of the selected result's saved file", show_in_folder)

    def in_order(self) -> tuple[tuple[str, QAction], ...]:
        """(name, action) in the order the buttons and the menu show them."""
        return (("save", self.save), ("save_as", self.save_as), ("copy", self.copy),
                ("show_in_folder", self.show_in_folder), ("use_as_input", self.use_as_input))

    def button_column(self, parent: QWidget) -> tuple[QVBoxLayout, dict[str, QToolButton]]:
        """A column of flat buttons, one per action, and the buttons by name."""
        column = QVBoxLayout()
        column.setContentsMargins(0, 2, 0, 2)
        column.setSpacing(0)
        buttons: dict[str, QToolButton] = {}
        for name, action in self.in_order():
            button = QToolButton(parent)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setAutoRaise(True)
            button.setIconSize(QSize(16, 16))
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            column.addWidget(button)
            buttons[name] = button
        column.addStretch(1)
        self._buttons = buttons
        return column, buttons

    def adopt(self, actions: Mapping[str, QAction], set_tip: Callable[[QAction, str | None], None]) -> None:
        """Use the window's `actions` (by name: "save", "save_as", "copy", "use_as_input") in place
        of the strip's own, on the buttons and in the menu; `set_tip(action, tip)` says a tip that
        follows the state (None: the usual one) the way the window's tips are said, with the keys.
        The window's actions call the strip's slots themselves (its command handlers).

        The buttons keep their short labels ("Save", not "Save Result"): the strip is the result's."""
        for name, action in actions.items():
            own: QAction = getattr(self, name)
            action.setIconText(own.text())
            if action.icon().isNull():
                action.setIcon(own.icon())
                action.setProperty("icon_name", own.property("icon_name"))
            setattr(self, name, action)
            button = self._buttons.get(name)
            if button is not None:
                button.removeAction(own)  # a button with two actions shows a menu arrow
                button.setDefaultAction(action)
        self._set_tip = set_tip

    def redraw_icons(self, color: str) -> None:
        """Draw the icons in `color` (after a light/dark switch)."""
        for _name, action in self.in_order():
            action.setIcon(icons.icon(str(action.property("icon_name")), color))

    def update(self, selected: bool, saved: Path | None) -> None:
        """Enable what applies to the selection; Save says where a result already saved is."""
        for action in (self.save, self.save_as, self.copy, self.use_as_input):
            action.setEnabled(selected)
        self.show_in_folder.setEnabled(saved is not None)
        self._set_tip(self.save, f"Already saved as {saved.name} in {saved.parent}; Save only says where it is"
                      if saved is not None else None)


def _own_tip(action: QAction, tip: str | None) -> None:
    action.setToolTip(tip or _SAVE_TIP)
