"""Menus and toolbars built from the action registry's layouts (`window.actions.MENUS`, ...)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar

from desktop_editor.ui.models.document_list import DocumentList
from desktop_editor.ui.window.actions import MENUS, TOOLS_TOOLBAR, ActionRegistry


def build_menus(window: QMainWindow, actions: ActionRegistry, submenus: Mapping[str, QMenu]) -> dict[str, QMenu]:
    """The menu bar from `MENUS`; "@name" entries are `submenus[name]`, made by their owners.

    Returns the menus by their plain name ("file", "edit", ...).
    """
    menus: dict[str, QMenu] = {}
    bar = window.menuBar()
    for title, entries in MENUS:
        menu = bar.addMenu(title)
        menus[title.replace("&", "").lower()] = menu
        fill_menu(menu, entries, actions, submenus)
    return menus


def fill_menu(menu: QMenu, entries: Iterable[str], actions: ActionRegistry, submenus: Mapping[str, QMenu]) -> None:
    for entry in entries:
        if entry == "-":
            menu.addSeparator()
        elif entry.startswith("@"):
            sub = submenus.get(entry[1:])
            if sub is not None:
                menu.addMenu(sub)
        else:
            menu.addAction(actions[entry])


def build_tools_toolbar(window: QMainWindow, actions: ActionRegistry) -> QToolBar:
    """The vertical tool bar on the left: the mask tools and the whole-mask commands."""
    bar = QToolBar("Tools", window)
    bar.setObjectName("tools_toolbar")
    bar.setOrientation(Qt.Orientation.Vertical)
    bar.setMovable(False)
    bar.setIconSize(QSize(22, 22))
    for entry in TOOLS_TOOLBAR:
        if entry == "-":
            bar.addSeparator()
        else:
            bar.addAction(actions[entry])
    window.addToolBar(Qt.ToolBarArea.LeftToolBarArea, bar)
    return bar


def fill_images_menu(menu: QMenu, group: QActionGroup, documents: DocumentList) -> None:
    """The Images menu's list of open images (numbered, * for unsaved), made afresh as it opens."""
    for action in group.actions():
        group.removeAction(action)
        menu.removeAction(action)
        action.deleteLater()
    current = documents.current()
    for number, document in enumerate(documents, start=1):
        marker = " *" if document.is_modified() else ""
        action = menu.addAction(f"&{number}  {document.name}{marker}" if number < 10 else document.name + marker)
        action.setCheckable(True)
        action.setChecked(document is current)
        action.triggered.connect(lambda _c=False, d=document: documents.set_current(d))
        group.addAction(action)
