"""What the window remembers between runs: geometry, dock layout, overlay and brush settings."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import QMainWindow

from desktop_editor.ui.canvas.view import CanvasView

# Bump when the docks change, so a layout saved by an older version is not restored half-way.
WINDOW_STATE_VERSION = 2


def restore_window_state(settings: QSettings, window: QMainWindow, canvas: CanvasView) -> None:
    color = QColor(str(settings.value("overlay/color", canvas.overlay_color().name())))
    if color.isValid():
        canvas.set_overlay_color(color)
    try:
        canvas.set_overlay_opacity(float(settings.value("overlay/opacity", canvas.overlay_opacity())))
        tools = canvas.tools.settings
        tools.brush_size = float(settings.value("brush/size", tools.brush_size))
        tools.hardness = float(settings.value("brush/hardness", tools.hardness))
    except (TypeError, ValueError):
        pass
    geometry = settings.value("window/geometry")
    if geometry is not None:
        window.restoreGeometry(geometry)
        fit_to_screen(window)
    state = settings.value("window/state")
    if isinstance(state, QByteArray) and not state.isEmpty():
        window.restoreState(state, WINDOW_STATE_VERSION)


def save_window_state(settings: QSettings, window: QMainWindow, canvas: CanvasView) -> None:
    settings.setValue("overlay/color", canvas.overlay_color().name())
    settings.setValue("overlay/opacity", canvas.overlay_opacity())
    settings.setValue("brush/size", canvas.tools.settings.brush_size)
    settings.setValue("brush/hardness", canvas.tools.settings.hardness)
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/state", window.saveState(WINDOW_STATE_VERSION))


def fit_to_screen(window: QMainWindow) -> None:
    """A window saved on a larger (or now missing) screen is fitted into the one it opens on."""
    if window.isMaximized() or window.isFullScreen():
        return
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    available = screen.availableGeometry()
    frame = window.frameGeometry()
    extra_w, extra_h = frame.width() - window.width(), frame.height() - window.height()
    width = min(window.width(), available.width() - extra_w)
    height = min(window.height(), available.height() - extra_h)
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    frame = window.frameGeometry()
    x = min(max(frame.x(), available.left()), available.right() + 1 - frame.width())
    y = min(max(frame.y(), available.top()), available.bottom() + 1 - frame.height())
    if (x, y) != (frame.x(), frame.y()):
        window.move(x, y)
