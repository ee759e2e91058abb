"""Questions in message boxes that read well: buttons named for what they do, titles not cut.

A standard Yes button renamed "Send again" keeps the style's generic "yes" icon (a green blob on
some desktops) that says nothing about sending: a renamed button shows no icon. The window system
writes a box's title with the app's name after it ("Stop waiting? — Desktop Editor") and cuts it
when the box is narrower than that, so a box is made at least that wide.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication, QIcon
from PySide6.QtWidgets import QGridLayout, QMessageBox, QSizePolicy, QSpacerItem, QWidget

__all__ = ["fit_title", "question_box", "title_width"]

Button = QMessageBox.StandardButton
# The title bar's own parts beside the text: the window icon and the minimise, maximise and close
# buttons, with their margins (logical pixels; generous, as the window manager's font is unknown).
_TITLE_BAR_EXTRA = 160


def title_width(title: str) -> int:
    """How wide a window must be for the window system to show `title` and the app's name whole."""
    app_name = QGuiApplication.applicationDisplayName()
    shown = f"{title} — {app_name}" if app_name and app_name not in title else title
    font = QFont(QGuiApplication.font())
    font.setBold(True)
    return QFontMetrics(font).horizontalAdvance(shown) + _TITLE_BAR_EXTRA


def fit_title(box: QMessageBox) -> None:
    """Make `box` at least as wide as its title needs (see `title_width`)."""
    layout = box.layout()
    if not isinstance(layout, QGridLayout):
        return
    spacer = QSpacerItem(title_width(box.windowTitle()) - 2 * layout.contentsMargins().left(), 0,
                         QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
    layout.addItem(spacer, layout.rowCount(), 0, 1, layout.columnCount())


def question_box(parent: QWidget | None, title: str, text: str, informative: str, accept: str,
                 reject: str = "Cancel") -> QMessageBox:
    """A warning question with an accept and a reject button named for what they do, Cancel
    (the safe answer) the default; not shown yet. `exec()` returns Button.Yes when accepted."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(text)
    box.setInformativeText(informative)
    box.setStandardButtons(Button.Yes | Button.Cancel)
    for button, name in ((Button.Yes, accept), (Button.Cancel, reject)):
        box.button(button).setText(name)
        box.button(button).setIcon(QIcon())
    box.setDefaultButton(Button.Cancel)
    fit_title(box)
    return box
