"""What the window remembers between runs: geometry, dock layout, overlay, brush, fill and
selection settings, and whether marching ants are shown."""

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
        tools.opacity = float(settings.value("brush/opacity", tools.opacity))
        tools.flow = float(settings.value("brush/flow", tools.flow))
        tools.fill_tolerance = int(settings.value("fill/tolerance", tools.fill_tolerance))
        tools.fill_soft_edge = str(settings.value("fill/soft_edge", tools.fill_soft_edge)).lower() in ("true", "1")
        tools.selection_mode = str(settings.value("selection/mode", tools.selection_mode.value))
        canvas.set_marching_ants(str(settings.value("view/marching_ants", canvas.marching_ants())).lower() in ("true", "1"))
    except (TypeError, ValueError):
        pass
    geometry = settings.value("window/geometry")
    if geometry is not None:
        window.restoreGeometry(geometry)
    fit_to_screen(window)  # also the first size, 1400x900, on a small screen or at 150% scale
    state = settings.value("window/state")
    if isinstance(state, QByteArray) and not state.isEmpty():
        window.restoreState(state, WINDOW_STATE_VERSION)


def save_window_state(settings: QSettings, window: QMainWindow, canvas: CanvasView) -> None:
    settings.setValue("overlay/color", canvas.overlay_color().name())
    settings.setValue("overlay/opacity", canvas.overlay_opacity())
    settings.setValue("brush/size", canvas.tools.settings.brush_size)
    settings.setValue("brush/hardness", canvas.tools.settings.hardness)
    settings.setValue("brush/opacity", canvas.tools.settings.opacity)
    settings.setValue("brush/flow", canvas.tools.settings.flow)
    settings.setValue("fill/tolerance", canvas.tools.settings.fill_tolerance)
    settings.setValue("fill/soft_edge", canvas.tools.settings.fill_soft_edge)
    settings.setValue("selection/mode", canvas.tools.settings.selection_mode.value)  # the last mode chosen
    settings.setValue("view/marching_ants", canvas.marching_ants())
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
