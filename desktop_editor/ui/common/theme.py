"""The app's look: Qt's Fusion style with a neutral palette that follows the platform's light or
dark setting.

Image editors surround the picture with a neutral grey so the interface does not tint how
colours are judged. Designers who run their desktop dark get a dark neutral grey, those who run
it light get a light one; when the platform does not say (X11 without a portal, offscreen), the
dark one is used, as most image editors do. Switching the desktop's scheme while the app runs
re-applies the theme; widgets that draw their own icons listen for the palette change.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from desktop_editor.ui.common.binding import refresh_tones

ACCENT = QColor(64, 140, 255)

# Colours the style sheet needs besides the palette, per scheme.
_SHEET_COLOURS = {
    "dark": {
        "separator": "#3a3d42", "hover": "#3a3e45", "hover_border": "#474c54", "checked": "#2f4f7f",
        "checked_border": "#4a78bd", "pressed": "#26406a", "status_border": "#17181b", "status_text": "#b9bdc4",
        "warning_text": "#ffcc66", "tab": "#2a2c30", "tab_text": "#aeb3ba", "tab_border": "#1c1d20",
        "tab_selected": "#35383d", "tab_selected_text": "#eef0f2", "tab_hover": "#303338", "option": "#9aa0a8",
        "groove": "#1d1f22", "handle": "#e6e8eb", "handle_hover": "#ffffff", "dock_title": "#2b2d31",
        "dock_title_text": "#c9cdd3", "banner": "#3b3220", "banner_border": "#6b5526", "banner_text": "#f3dfb0",
        "badge": "#e3b341", "badge_text": "#1d1a12", "segment": "#2a2c30",
    },
    "light": {
        "separator": "#c9ccd1", "hover": "#e3e6ea", "hover_border": "#c5c9cf", "checked": "#d4e3fb",
        "checked_border": "#7fa7e6", "pressed": "#c2d6f7", "status_border": "#c9ccd1", "status_text": "#4a4f57",
        "warning_text": "#9a6700", "tab": "#e4e6e9", "tab_text": "#555a62", "tab_border": "#cfd2d6",
        "tab_selected": "#f6f7f8", "tab_selected_text": "#1d2024", "tab_hover": "#eceef0", "option": "#60656d",
        "groove": "#c9ccd1", "handle": "#ffffff", "handle_hover": "#f2f4f7", "dock_title": "#e4e6e9",
        "dock_title_text": "#33373d", "banner": "#fff4d6", "banner_border": "#e3c272", "banner_text": "#5c4400",
        "badge": "#b07d00", "badge_text": "#ffffff", "segment": "#e4e6e9",
    },
}

_STYLE_SHEET = """
QToolBar {{ border: none; spacing: 3px; padding: 3px; }}
QToolBar::separator {{ background: {separator}; width: 1px; height: 1px; margin: 4px 6px; }}
QToolBar#tools_toolbar {{ padding: 6px 3px; spacing: 4px; }}
QToolButton {{ border: 1px solid transparent; border-radius: 5px; padding: 3px; }}
QToolButton:hover {{ background: {hover}; border-color: {hover_border}; }}
QToolButton:checked {{ background: {checked}; border-color: {checked_border}; }}
QToolButton:pressed {{ background: {pressed}; }}
QToolButton[segment="true"] {{ padding: 3px 8px; }}
QToolButton#generate_tool {{ background: palette(highlight); color: palette(highlighted-text); font-weight: 600;
                             padding: 3px 10px; border: none; }}
QToolButton#generate_tool:hover {{ background: palette(highlight); }}
QToolButton#generate_tool:disabled {{ background: rgba(127, 127, 127, 60); color: rgba(127, 127, 127, 230); }}
QStatusBar {{ border-top: 1px solid {status_border}; }}
QStatusBar::item {{ border: none; }}
QStatusBar QLabel {{ padding: 0 8px; color: {status_text}; }}
QStatusBar QLabel#send_size_label {{ color: {warning_text}; }}
QStatusBar QLabel#demo_badge {{ background: {badge}; color: {badge_text}; font-weight: 700; border-radius: 8px;
                               padding: 1px 9px; margin: 2px 6px; }}
QTabBar::tab {{ background: {tab}; color: {tab_text}; padding: 6px 14px; border: none;
               border-right: 1px solid {tab_border}; min-width: 80px; }}
QTabBar::tab:selected {{ background: {tab_selected}; color: {tab_selected_text}; border-bottom: 2px solid #4a8cff; }}
QTabBar::tab:hover:!selected {{ background: {tab_hover}; }}
QLabel#option_label {{ color: {option}; padding: 0 2px 0 6px; }}
QSlider::groove:horizontal {{ height: 4px; background: {groove}; border-radius: 2px; }}
QSlider::sub-page:horizontal {{ background: #4a8cff; border-radius: 2px; }}
QSlider::handle:horizontal {{ background: {handle}; width: 12px; height: 12px; margin: -5px 0; border-radius: 6px;
                             border: 1px solid {hover_border}; }}
QSlider::handle:horizontal:hover {{ background: {handle_hover}; }}
QDockWidget::title {{ background: {dock_title}; color: {dock_title_text}; padding: 5px 8px; text-align: left; }}
QMainWindow::separator {{ background: {status_border}; width: 2px; height: 2px; }}
QMainWindow > QTabBar::tab {{ min-width: 60px; padding: 5px 12px; }}
QFrame#demo_banner {{ background: {banner}; border-bottom: 1px solid {banner_border}; }}
QFrame#demo_banner QLabel {{ color: {banner_text}; }}
QFrame#view_switch {{ background: {segment}; border-radius: 6px; }}
QFrame#view_switch QToolButton {{ padding: 3px 12px; }}
"""


def scheme(app: QGuiApplication | None = None) -> str:
    """"dark" or "light": the platform's colour scheme, dark when it does not say."""
    app = app or QGuiApplication.instance()
    if app is None:
        return "dark"
    return "light" if app.styleHints().colorScheme() == Qt.ColorScheme.Light else "dark"


def is_dark(palette: QPalette | None = None) -> bool:
    """Whether `palette` (default: the application's) has a dark window colour."""
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def dark_palette() -> QPalette:
    return _palette(
        window=QColor(50, 52, 56), base=QColor(33, 35, 38), alternate=QColor(42, 44, 48), text=QColor(226, 228, 231),
        disabled=QColor(120, 124, 130), button=QColor(58, 61, 66), tooltip=QColor(24, 25, 28),
        light=QColor(74, 77, 83), midlight=QColor(64, 67, 72), mid=QColor(40, 42, 45), dark=QColor(28, 29, 32),
        link=QColor(110, 170, 255), disabled_highlight=QColor(70, 74, 80),
    )


def light_palette() -> QPalette:
    return _palette(
        window=QColor(239, 240, 242), base=QColor(255, 255, 255), alternate=QColor(245, 246, 248),
        text=QColor(29, 32, 36), disabled=QColor(150, 154, 160), button=QColor(232, 234, 237),
        tooltip=QColor(255, 255, 240), light=QColor(255, 255, 255), midlight=QColor(245, 246, 248),
        mid=QColor(196, 199, 204), dark=QColor(160, 164, 170), link=QColor(9, 105, 218),
        disabled_highlight=QColor(200, 204, 210),
    )


def _palette(*, window: QColor, base: QColor, alternate: QColor, text: QColor, disabled: QColor, button: QColor,
             tooltip: QColor, light: QColor, midlight: QColor, mid: QColor, dark: QColor, link: QColor,
             disabled_highlight: QColor) -> QPalette:
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base,
        QPalette.ColorRole.AlternateBase: alternate,
        QPalette.ColorRole.ToolTipBase: tooltip,
        QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.PlaceholderText: disabled,
        QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: button,
        QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.BrightText: QColor(255, 90, 90),
        QPalette.ColorRole.Highlight: ACCENT,
        QPalette.ColorRole.HighlightedText: QColor(255, 255, 255),
        QPalette.ColorRole.Link: link,
        QPalette.ColorRole.Light: light,
        QPalette.ColorRole.Midlight: midlight,
        QPalette.ColorRole.Mid: mid,
        QPalette.ColorRole.Dark: dark,
        QPalette.ColorRole.Shadow: QColor(10, 10, 12),
    }
    for role, color in roles.items():
        palette.setColor(role, color)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Highlight, disabled_highlight)
    return palette


def style_sheet(name: str) -> str:
    """The app's style sheet for "dark" or "light"."""
    return _STYLE_SHEET.format(**_SHEET_COLOURS[name])


def apply_theme(app: QApplication, name: str | None = None) -> str:
    """Fusion, the palette for the platform's scheme (or `name`), and a few touches for
    toolbars, tabs, docks and the status bar. Returns the scheme applied.

    The first call also follows later changes of the platform's scheme.
    """
    style = QStyleFactory.create("Fusion")
    if style is not None and app.style().name().lower() != "fusion":
        app.setStyle(style)
    name = name or scheme(app)
    app.setPalette(light_palette() if name == "light" else dark_palette())
    app.setStyleSheet(style_sheet(name))
    refresh_tones(app.allWidgets())  # labels coloured for a meaning (error, muted...) follow
    if getattr(app, "_desktop_editor_theme_follower", None) is None:
        follower = _SchemeFollower(app)
        app.styleHints().colorSchemeChanged.connect(follower.on_color_scheme_changed)
        app._desktop_editor_theme_follower = follower  # type: ignore[attr-defined]
    return name


class _SchemeFollower(QObject):
    """Re-applies the theme when the desktop switches between light and dark."""

    def __init__(self, app: QApplication):
        super().__init__(app)
        self._app = app

    @Slot(Qt.ColorScheme)
    def on_color_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        apply_theme(self._app)
