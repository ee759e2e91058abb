"""The app's icons, drawn from small inline SVGs so they are sharp at every size and screen scale.

One consistent line style (24 px grid, round caps, 1.7 px strokes) in the palette's text colour,
so the icons match the theme and no image files have to be shipped or found at run time.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QWidget

_S = 'fill="none" stroke="{c}" stroke-width="1.7" stroke-linecap="round" stroke-linejoin="round"'
_S2 = 'fill="none" stroke="{c}" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round"'
_S3 = 'fill="none" stroke="{c}" stroke-width="2.7" stroke-linecap="butt" stroke-linejoin="round"'
_F = 'fill="{c}" stroke="none"'

_SHAPES: dict[str, str] = {
    "brush": (
        f'<path d="M20 4 L11.2 12.8" {_S2}/>'
        f'<path d="M10.1 11.7 L12.3 13.9" {_S3}/>'
        f'<path d="M9.6 13.4 C7.1 12.9 5.3 14.4 5.1 16.6 C4.9 18.4 4.3 19.5 3 20.4 '
        f'C6.3 21.4 10.4 20.4 10.9 17.2 C11.1 15.9 10.8 14.4 9.6 13.4 Z" {_F}/>'
    ),
    "eraser": (
        f'<path d="M13.8 4.6 L20.4 11.2 L11.6 20 L7.9 20 L3.9 16 Z" {_S}/>'
        f'<path d="M9.1 9.3 L15.7 15.9" {_S}/>'
        f'<path d="M13.8 4.6 L20.4 11.2 L15.7 15.9 L9.1 9.3 Z" {_F} opacity="0.55"/>'
        f'<path d="M12 20 L20.5 20" {_S}/>'
    ),
    "rect_select": (
        f'<rect x="4" y="5" width="16" height="14" rx="1.2" {_S} stroke-dasharray="2.6 2.4"/>'
        f'<rect x="8" y="9" width="8" height="6" rx="0.8" {_F} opacity="0.45"/>'
    ),
    "lasso": (
        f'<ellipse cx="13.2" cy="9.2" rx="7.6" ry="5.2" {_S} stroke-dasharray="2.8 2.2"/>'
        f'<path d="M7.4 12.6 C5.2 14 5.4 16.8 7.6 17 C9.6 17.2 9.6 19.4 7.6 21" {_S}/>'
        f'<circle cx="7.6" cy="12.4" r="1.5" {_F}/>'
    ),
    "bucket": (
        f'<path d="M4.6 11.3 L11.3 4.6 L18.4 11.7 L12.4 17.7 C11.6 18.5 10.3 18.5 9.5 17.7 L4.6 12.8 '
        f'C4.2 12.4 4.2 11.7 4.6 11.3 Z" {_S}/>'
        f'<path d="M4.9 11.6 L18.1 11.6 L12.4 17.3 C11.6 18.1 10.3 18.1 9.5 17.3 Z" {_F} opacity="0.55"/>'
        f'<path d="M8.2 7.7 L5.6 5.1" {_S}/>'
        f'<path d="M19.8 14.2 C19.8 14.2 21.6 16.6 21.6 17.9 A1.8 1.8 0 0 1 18 17.9 '
        f'C18 16.6 19.8 14.2 19.8 14.2 Z" {_F}/>'
    ),
    "wand": (
        f'<path d="M4 20 L14.2 9.8" {_S2}/>'
        f'<path d="M13.1 8.7 L15.3 10.9" {_S3}/>'
        f'<path d="M17 2.8 L17.6 5.4 L20.2 6 L17.6 6.6 L17 9.2 L16.4 6.6 L13.8 6 L16.4 5.4 Z" {_F}/>'
        f'<path d="M20.5 11.5 L20.5 13.5 M19.5 12.5 L21.5 12.5 M11 3 L11 5 M10 4 L12 4" {_S}/>'
    ),
    "object_select": (
        f'<path d="M4 8 V5 A1 1 0 0 1 5 4 H8 M16 4 H19 A1 1 0 0 1 20 5 V8 M20 16 V19 A1 1 0 0 1 19 20 H16 '
        f'M8 20 H5 A1 1 0 0 1 4 19 V16" {_S}/>'
        f'<path d="M12 7.2 C14.8 7.2 16.2 9.4 15.9 12 C15.6 14.9 13.9 16.8 12 16.8 C9.9 16.8 8.3 14.7 8.2 12.2 '
        f'C8 9.3 9.6 7.2 12 7.2 Z" {_F} opacity="0.6"/>'
    ),
    "select_subject": (
        f'<rect x="3.5" y="3.5" width="17" height="17" rx="1.5" {_S} stroke-dasharray="2.6 2.4"/>'
        f'<circle cx="12" cy="9" r="2.8" {_F} opacity="0.7"/>'
        f'<path d="M6.8 18.5 C7.3 14.9 9.3 13.2 12 13.2 C14.7 13.2 16.7 14.9 17.2 18.5 Z" {_F} opacity="0.7"/>'
    ),
    "refine_edge": (
        f'<path d="M4.5 19.5 C4.5 11 11 4.5 19.5 4.5" {_S} stroke-dasharray="2.4 2.2"/>'
        f'<path d="M8.5 19.5 C8.5 13.2 13.2 8.5 19.5 8.5" {_S}/>'
        f'<path d="M12.5 19.5 C12.5 15.4 15.4 12.5 19.5 12.5 L19.5 19.5 Z" {_F} opacity="0.55"/>'
    ),
    "mode_replace": (
        f'<rect x="5" y="5" width="14" height="14" rx="1.2" {_S}/>'
        f'<rect x="8" y="8" width="8" height="8" rx="0.8" {_F} opacity="0.55"/>'
    ),
    "mode_add": (
        f'<path d="M3.5 3.5 H14.5 V9.5 H20.5 V20.5 H9.5 V14.5 H3.5 Z" {_S}/>'
        f'<path d="M3.5 3.5 H14.5 V9.5 H20.5 V20.5 H9.5 V14.5 H3.5 Z" {_F} opacity="0.45"/>'
    ),
    "mode_subtract": (
        f'<path d="M3.5 3.5 H14.5 V9.5 H9.5 V14.5 H3.5 Z" {_F} opacity="0.45"/>'
        f'<rect x="3.5" y="3.5" width="11" height="11" {_S}/>'
        f'<rect x="9.5" y="9.5" width="11" height="11" {_S} stroke-dasharray="2.2 2"/>'
    ),
    "mode_intersect": (
        f'<rect x="9.5" y="9.5" width="5" height="5" {_F} opacity="0.7"/>'
        f'<rect x="3.5" y="3.5" width="11" height="11" {_S} stroke-dasharray="2.2 2"/>'
        f'<rect x="9.5" y="9.5" width="11" height="11" {_S} stroke-dasharray="2.2 2"/>'
    ),
    "refine_brush": (
        f'<path d="M3.5 14.5 C3.5 8.4 8.4 3.5 14.5 3.5" {_S} stroke-dasharray="2.4 2.2"/>'
        f'<path d="M7.5 14.5 C7.5 10.6 10.6 7.5 14.5 7.5" {_S}/>'
        f'<circle cx="16.5" cy="16.5" r="4.6" {_S}/>'
        f'<circle cx="16.5" cy="16.5" r="1.6" {_F}/>'
    ),
    "expand_canvas": (
        f'<path d="M7 3 V17 H21" {_S2}/>'
        f'<path d="M3 7 H17 V21" {_S2}/>'
        f'<rect x="9.5" y="9.5" width="5" height="5" {_F} opacity="0.5"/>'
    ),
    "invert": (
        f'<circle cx="12" cy="12" r="8" {_S}/>'
        f'<path d="M12 4 A8 8 0 0 1 12 20 Z" {_F}/>'
    ),
    "clear": (
        f'<rect x="4" y="4" width="16" height="16" rx="2" {_S} stroke-dasharray="2.6 2.4"/>'
        f'<path d="M9.2 9.2 L14.8 14.8 M14.8 9.2 L9.2 14.8" {_S}/>'
    ),
    "select_all": (
        f'<rect x="4" y="4" width="16" height="16" rx="2" {_S} stroke-dasharray="2.6 2.4"/>'
        f'<rect x="7.5" y="7.5" width="9" height="9" rx="1" {_F}/>'
    ),
    "grow": (
        f'<rect x="8.5" y="8.5" width="7" height="7" rx="1" {_F}/>'
        f'<path d="M4 8 V4 H8 M16 4 H20 V8 M20 16 V20 H16 M8 20 H4 V16" {_S}/>'
    ),
    "shrink": (
        f'<rect x="10" y="10" width="4" height="4" rx="0.6" {_F}/>'
        f'<path d="M4 8 L8 8 L8 4 M16 4 L16 8 L20 8 M20 16 L16 16 L16 20 M8 20 L8 16 L4 16" {_S}/>'
    ),
    "feather": (
        f'<path d="M19 5 C12 5 7 10 7 17 L7 19 L9 19 C15 19 19 14 19 5 Z" {_S}/>'
        f'<path d="M5 21 L14 10" {_S}/>'
    ),
    "eye": (
        f'<path d="M2.6 12 C4.9 7.6 8.3 5.4 12 5.4 C15.7 5.4 19.1 7.6 21.4 12 '
        f'C19.1 16.4 15.7 18.6 12 18.6 C8.3 18.6 4.9 16.4 2.6 12 Z" {_S}/>'
        f'<circle cx="12" cy="12" r="3.1" {_F}/>'
    ),
    "mask_only": (
        f'<rect x="4" y="4" width="16" height="16" rx="2" {_S}/>'
        f'<path d="M12 4 L18 4 A2 2 0 0 1 20 6 L20 18 A2 2 0 0 1 18 20 L12 20 Z" {_F}/>'
        f'<circle cx="12" cy="12" r="3.6" {_S}/>'
    ),
    "zoom_in": (
        f'<circle cx="10.5" cy="10.5" r="6" {_S}/><path d="M15 15 L20.5 20.5" {_S2}/>'
        f'<path d="M10.5 7.8 V13.2 M7.8 10.5 H13.2" {_S}/>'
    ),
    "zoom_out": (
        f'<circle cx="10.5" cy="10.5" r="6" {_S}/><path d="M15 15 L20.5 20.5" {_S2}/>'
        f'<path d="M7.8 10.5 H13.2" {_S}/>'
    ),
    "zoom_fit": (
        f'<path d="M4 9 V4 H9 M15 4 H20 V9 M20 15 V20 H15 M9 20 H4 V15" {_S}/>'
        f'<rect x="8" y="8" width="8" height="8" rx="1" {_S}/>'
    ),
    "zoom_actual": (
        f'<rect x="3.5" y="5" width="17" height="14" rx="2" {_S}/>'
        f'<path d="M8 9.5 L9.5 8.5 V15.5 M14.5 8.5 V15.5 M12 10.5 V10.6 M12 13.5 V13.6" {_S}/>'
    ),
    "open": (
        f'<path d="M3.5 7 C3.5 5.9 4.4 5 5.5 5 L9.5 5 L11.5 7 L18.5 7 C19.6 7 20.5 7.9 20.5 9 '
        f'L20.5 17 C20.5 18.1 19.6 19 18.5 19 L5.5 19 C4.4 19 3.5 18.1 3.5 17 Z" {_S}/>'
    ),
    "reveal": (  # a folder with an arrow into it: show the file where it is
        f'<path d="M3.5 7 C3.5 5.9 4.4 5 5.5 5 L9.5 5 L11.5 7 L18.5 7 C19.6 7 20.5 7.9 20.5 9 '
        f'L20.5 17 C20.5 18.1 19.6 19 18.5 19 L5.5 19 C4.4 19 3.5 18.1 3.5 17 Z" {_S}/>'
        f'<path d="M9 13 H15 M12.5 10.5 L15 13 L12.5 15.5" {_S}/>'
    ),
    "save": (
        f'<path d="M5 4 H16 L20 8 V19 C20 19.6 19.6 20 19 20 H5 C4.4 20 4 19.6 4 19 V5 C4 4.4 4.4 4 5 4 Z" {_S}/>'
        f'<path d="M8 4 V9 H15 V4 M7.5 20 V14 H16.5 V20" {_S}/>'
    ),
    "close": f'<path d="M7.5 7.5 L16.5 16.5 M16.5 7.5 L7.5 16.5" {_S}/>',
    "undo": f'<path d="M9 14 L4 9 L9 4" {_S}/><path d="M4 9 H14.5 A5.5 5.5 0 0 1 14.5 20 H11" {_S}/>',
    "redo": f'<path d="M15 14 L20 9 L15 4" {_S}/><path d="M20 9 H9.5 A5.5 5.5 0 0 0 9.5 20 H13" {_S}/>',
    "paste": (
        f'<rect x="5" y="5" width="14" height="16" rx="2" {_S}/>'
        f'<rect x="9" y="3" width="6" height="4" rx="1" {_F}/>'
        f'<path d="M8.5 12 H15.5 M8.5 16 H13" {_S}/>'
    ),
    "generate": (
        f'<path d="M10 3.5 L11.6 8.4 L16.5 10 L11.6 11.6 L10 16.5 L8.4 11.6 L3.5 10 L8.4 8.4 Z" {_F}/>'
        f'<path d="M18 13.5 L18.9 16.1 L21.5 17 L18.9 17.9 L18 20.5 L17.1 17.9 L14.5 17 L17.1 16.1 Z" {_F}/>'
        f'<path d="M18 3 V7 M16 5 H20" {_S}/>'
    ),
    "compare": (
        f'<rect x="3" y="5" width="18" height="14" rx="2" {_S}/>'
        f'<path d="M5 5 H12 V19 H5 A2 2 0 0 1 3 17 V7 A2 2 0 0 1 5 5 Z" {_F} opacity="0.45"/>'
        f'<path d="M12 3 V21" {_S}/>'
    ),
    "settings": (
        f'<circle cx="12" cy="12" r="3.2" {_S}/>'
        f'<path d="M12 2.8 V5.2 M12 18.8 V21.2 M2.8 12 H5.2 M18.8 12 H21.2 M5.5 5.5 L7.2 7.2 M16.8 16.8 L18.5 18.5 '
        f'M5.5 18.5 L7.2 16.8 M16.8 7.2 L18.5 5.5" {_S2}/>'
        f'<circle cx="12" cy="12" r="6.3" {_S}/>'
    ),
    "stop": f'<circle cx="12" cy="12" r="8.5" {_S}/><rect x="8.8" y="8.8" width="6.4" height="6.4" rx="1" {_F}/>',
    "key": (
        f'<circle cx="8" cy="14" r="4" {_S}/><path d="M11 11 L19.5 2.5 M16 6 L18.5 8.5 M14 8 L16 10" {_S}/>'
    ),
    "reuse": (
        f'<path d="M20 12 A8 8 0 1 1 17.6 6.3" {_S}/><path d="M20 4 V8.5 H15.5" {_S}/>'
        f'<circle cx="12" cy="12" r="3" {_F}/>'
    ),
}


def _svg(name: str, color: str) -> bytes:
    body = _SHAPES[name].replace("{c}", color)
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">{body}</svg>'.encode()


def _render(renderer: QSvgRenderer, size: int, scale: float) -> QPixmap:
    pixels = max(1, round(size * scale))
    pixmap = QPixmap(pixels, pixels)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, pixels, pixels))
    painter.end()
    pixmap.setDevicePixelRatio(scale)
    return pixmap


def icon_from_svg_body(body: str, color: str, sizes: tuple[int, ...] = (16, 24, 32)) -> QIcon:
    """An icon from a 24x24 SVG body in the app's line style ("{c}" stands for the colour),
    rendered crisp at each size for 1x and 2x screens."""
    renderer = QSvgRenderer(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">{body.replace("{c}", color)}</svg>'.encode()
    )
    result = QIcon()
    for size in sizes:
        for scale in (1.0, 2.0):
            result.addPixmap(_render(renderer, size, scale))
    return result


def icon(name: str, color: str | None = None, disabled_color: str | None = None) -> QIcon:
    """The named icon (see `names()`), with a dimmed variant for disabled actions.

    Without colours it is drawn in the application palette's button text colour, so icons
    read on the light and the dark theme alike (see `ui.theme`).
    """
    if color is None or disabled_color is None:
        palette = QGuiApplication.palette()
        color = color or palette.color(QPalette.ColorRole.ButtonText).name()
        disabled_color = disabled_color or palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText).name()
    return _icon(name, color, disabled_color)


@lru_cache(maxsize=None)
def _icon(name: str, color: str, disabled_color: str) -> QIcon:
    return QIcon(_SvgIconEngine(name, color, disabled_color))


class _SvgIconEngine(QIconEngine):
    """Renders a named icon at the size and scale it is drawn at, when first drawn there.

    Rendering each of the window's 36 icons up front at three sizes, two scales and two modes
    (462 SVG renders) took 50-60 ms of the start before the first paint; most of those pixmaps
    were never shown. Each rendered pixmap is kept for the next paint.
    """

    SIZES = (16, 24, 32)

    def __init__(self, name: str, color: str, disabled_color: str):
        super().__init__()
        self._args = (name, color, disabled_color)
        self._renderers: dict[bool, QSvgRenderer] = {}
        self._cache: dict[tuple[int, int, float, bool], QPixmap] = {}

    def _renderer(self, disabled: bool) -> QSvgRenderer:
        renderer = self._renderers.get(disabled)
        if renderer is None:
            name, color, disabled_color = self._args
            renderer = QSvgRenderer(QByteArray(_svg(name, disabled_color if disabled else color)))
            self._renderers[disabled] = renderer
        return renderer

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float) -> QPixmap:  # noqa: N802
        disabled = mode == QIcon.Mode.Disabled
        edge = min(size.width(), size.height())
        key = (edge, edge, float(scale), disabled)
        pixmap = self._cache.get(key)
        if pixmap is None:
            pixmap = _render(self._renderer(disabled), edge, scale) if edge > 0 else QPixmap()
            self._cache[key] = pixmap
        return pixmap

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        scale = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        painter.drawPixmap(rect, self.scaledPixmap(rect.size(), mode, state, scale))

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:  # noqa: N802
        edge = min(size.width(), size.height())
        return QSize(edge, edge)

    def availableSizes(self, mode: QIcon.Mode = QIcon.Mode.Normal, state: QIcon.State = QIcon.State.Off) -> list[QSize]:  # noqa: N802
        return [QSize(edge, edge) for edge in self.SIZES]

    def clone(self) -> QIconEngine:
        return _SvgIconEngine(*self._args)

    def key(self) -> str:
        return "desktop-editor-svg"


def color_swatch_icon(color: QColor, size: int = 18) -> QIcon:
    """A rounded colour chip for the overlay colour button."""
    result = QIcon()
    for scale in (1.0, 2.0):
        pixels = round(size * scale)
        pixmap = QPixmap(pixels, pixels)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QColor(255, 255, 255, 150))
        painter.setBrush(QColor(color.red(), color.green(), color.blue()))
        inset = 1.5 * scale
        painter.drawRoundedRect(QRectF(inset, inset, pixels - 2 * inset, pixels - 2 * inset), 3 * scale, 3 * scale)
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        result.addPixmap(pixmap)
    return result


def names() -> list[str]:
    return sorted(_SHAPES)


def redraw_icons(root: QWidget) -> None:
    """Draw every named icon under `root` again in the palette's colours (after a light/dark switch).

    Actions and buttons carry their icon's name in the "icon_name" property; a button showing
    an action takes the action's icon.
    """
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QToolButton

    for item in [*root.findChildren(QAction), *root.findChildren(QToolButton)]:
        name = item.property("icon_name")
        if name and not (isinstance(item, QToolButton) and item.defaultAction() is not None):
            item.setIcon(icon(str(name)))
