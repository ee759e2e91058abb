"""The app's look: Qt's Fusion style with a neutral dark palette.

Image editors use a dark neutral grey around the picture so the interface does not tint how
colours are judged; a light theme makes photos look darker and shifts their perceived contrast.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

ACCENT = QColor(64, 140, 255)

_STYLE_SHEET = """
QToolBar { border: none; spacing: 3px; padding: 3px; }
QToolBar::separator { background: #3a3d42; width: 1px; height: 1px; margin: 4px 6px; }
QToolBar#tools_toolbar { padding: 6px 3px; spacing: 4px; }
QToolButton { border: 1px solid transparent; border-radius: 5px; padding: 3px; }
QToolButton:hover { background: #3a3e45; border-color: #474c54; }
QToolButton:checked { background: #2f4f7f; border-color: #4a78bd; }
QToolButton:pressed { background: #26406a; }
QToolButton[segment="true"] { padding: 3px 8px; }
QStatusBar { border-top: 1px solid #17181b; }
QStatusBar::item { border: none; }
QStatusBar QLabel { padding: 0 8px; color: #b9bdc4; }
QStatusBar QLabel#send_size_label { color: #ffcc66; }
QTabBar::tab { background: #2a2c30; color: #aeb3ba; padding: 6px 14px; border: none;
               border-right: 1px solid #1c1d20; min-width: 80px; }
QTabBar::tab:selected { background: #35383d; color: #eef0f2; border-bottom: 2px solid #4a8cff; }
QTabBar::tab:hover:!selected { background: #303338; }
QLabel#option_label { color: #9aa0a8; padding: 0 2px 0 6px; }
QSlider::groove:horizontal { height: 4px; background: #1d1f22; border-radius: 2px; }
QSlider::sub-page:horizontal { background: #4a8cff; border-radius: 2px; }
QSlider::handle:horizontal { background: #e6e8eb; width: 12px; height: 12px; margin: -5px 0; border-radius: 6px; }
QSlider::handle:horizontal:hover { background: #ffffff; }
"""


def dark_palette() -> QPalette:
    palette = QPalette()
    window = QColor(50, 52, 56)
    base = QColor(33, 35, 38)
    text = QColor(226, 228, 231)
    disabled = QColor(120, 124, 130)
    roles = {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base,
        QPalette.ColorRole.AlternateBase: QColor(42, 44, 48),
        QPalette.ColorRole.ToolTipBase: QColor(24, 25, 28),
        QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.PlaceholderText: disabled,
        QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: QColor(58, 61, 66),
        QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.BrightText: QColor(255, 90, 90),
        QPalette.ColorRole.Highlight: ACCENT,
        QPalette.ColorRole.HighlightedText: QColor(255, 255, 255),
        QPalette.ColorRole.Link: QColor(110, 170, 255),
        QPalette.ColorRole.Light: QColor(74, 77, 83),
        QPalette.ColorRole.Midlight: QColor(64, 67, 72),
        QPalette.ColorRole.Mid: QColor(40, 42, 45),
        QPalette.ColorRole.Dark: QColor(28, 29, 32),
        QPalette.ColorRole.Shadow: QColor(10, 10, 12),
    }
    for role, color in roles.items():
        palette.setColor(role, color)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Highlight, QColor(70, 74, 80))
    return palette


def apply_theme(app: QApplication) -> None:
    """Fusion, the dark palette and a few touches for toolbars, tabs and the status bar."""
    style = QStyleFactory.create("Fusion")
    if style is not None:
        app.setStyle(style)
    app.setPalette(dark_palette())
    app.setStyleSheet(_STYLE_SHEET)
