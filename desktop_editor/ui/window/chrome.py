"""The window's chrome around the canvas: the document bar, menus, tool bars and panel menu.

Built once from the action registry; the main window only says where each part goes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QMainWindow,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_editor.ui.canvas.options_bar import ToolOptionsBar
from desktop_editor.ui.window.actions import MAIN_TOOLBAR_START
from desktop_editor.ui.window.menus import (
    build_menus,
    build_tools_toolbar,
    fill_images_menu,
)


def central_widget(tabs: QWidget, view_switch: QWidget, banner: QWidget, stack: QWidget) -> QWidget:
    """Tabs and the Mask/Compare switch on one bar, the Demo banner, then the page stack."""
    top = QWidget()
    top.setObjectName("document_bar")
    top_layout = QHBoxLayout(top)
    top_layout.setContentsMargins(0, 0, 6, 0)
    top_layout.setSpacing(6)
    top_layout.addWidget(tabs, 0, Qt.AlignmentFlag.AlignBottom)
    top_layout.addStretch(1)
    top_layout.addWidget(view_switch, 0, Qt.AlignmentFlag.AlignVCenter)
    central = QWidget()
    layout = QVBoxLayout(central)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(top)
    layout.addWidget(banner)
    layout.addWidget(stack, 1)
    return central


def build_bars(window: QMainWindow) -> None:
    """The menu bar, the tools bar and the tool options bar of a MainWindow (its `actions`,
    `recent`, `canvas`, `document_list` and `image_action_group` must exist); sets
    `recent_menu`, `panels_menu`, `toolbars_menu`, `menus`, `tools_toolbar` and `options_bar`."""
    a = window.actions
    window.recent_menu = window.recent.build_menu(window)
    window.panels_menu, window.toolbars_menu = QMenu("&Panels", window), QMenu("&Toolbars", window)
    window.menus = build_menus(window, a, {"recent": window.recent_menu, "panels": window.panels_menu,
                                           "toolbars": window.toolbars_menu})
    window.menus["images"].aboutToShow.connect(
        lambda: fill_images_menu(window.menus["images"], window.image_action_group, window.document_list))
    window.tools_toolbar = build_tools_toolbar(window, a)
    window.options_bar = ToolOptionsBar(
        window.canvas, start=[a[i] if i != "-" else None for i in MAIN_TOOLBAR_START],
        overlay=[a["view.show_mask"], a["view.mask_only"]],
        # Fit and 100% live in the status bar's zoom menu (and the compare view's own bar): here
        # they pushed Generate into the overflow menu at 1400 px.
        end=[a["edit.settings"], a["edit.generate"]], parent=window)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, window.options_bar)
    generate_button = window.options_bar.widgetForAction(a["edit.generate"])
    if isinstance(generate_button, QToolButton):
        generate_button.setObjectName("generate_tool")
        generate_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    for bar in (window.tools_toolbar, window.options_bar):
        window.toolbars_menu.addAction(bar.toggleViewAction())


def fill_panels_menu(menu: QMenu, docks: list[QDockWidget], reset: QAction) -> None:
    """View > Panels: show or hide each dock, and put them all back."""
    for dock in docks:
        menu.addAction(dock.toggleViewAction())
    menu.addSeparator()
    menu.addAction(reset)
