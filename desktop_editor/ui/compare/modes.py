"""The compare modes: their names, tips, status-line hints and button icons.

One place for what each mode is called and how it is explained, so the toolbar, the status
line and the window's commands (ui.window.commands maps its keys to these) say the same thing.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtGui import QIcon

from desktop_editor.ui.common import icons

__all__ = ["MIX_HINT", "MODE_HINTS", "MODE_TIPS", "CompareMode", "mode_icon"]


class CompareMode(str, Enum):
    """How the result is put beside the original; the value is what signals and settings carry."""

    WIPE = "wipe"
    SIDE_BY_SIDE = "side_by_side"
    TOGGLE = "toggle"
    DIFFERENCE = "difference"
    MIX = "mix"

    @property
    def label(self) -> str:
        """The mode's name on its button."""
        return MODE_LABELS[self]

    @property
    def shortcut(self) -> str:
        """The digit that picks the mode, as the button's tooltip shows it."""
        return str(list(CompareMode).index(self) + 1)


MODE_LABELS = {
    CompareMode.WIPE: "Wipe",
    CompareMode.SIDE_BY_SIDE: "Side by side",
    CompareMode.TOGGLE: "Toggle",
    CompareMode.DIFFERENCE: "Difference",
    CompareMode.MIX: "Mix",
}
MODE_TIPS = {
    CompareMode.WIPE: "Drag a divider across the picture: original on the left, result on the right",
    CompareMode.SIDE_BY_SIDE: "Original and result next to each other; zoom and pan move both",
    CompareMode.TOGGLE: "One picture; hold Space or \\ to see the original, click to switch",
    CompareMode.DIFFERENCE: "Where the result differs from the original, and how much, inside and outside the mask",
    CompareMode.MIX: "Paint which result shows where: the best part of each variation in one image",
}
MODE_HINTS = {
    CompareMode.WIPE: "Drag to move the divider  ·  Ctrl+wheel to zoom  ·  middle-drag to pan  ·  hold Space for the original",
    CompareMode.SIDE_BY_SIDE: "Drag to pan both  ·  Ctrl+wheel to zoom both  ·  double-click for 100%",
    CompareMode.TOGGLE: "Hold Space or \\ to see the original  ·  click to switch  ·  drag to pan  ·  Ctrl+wheel to zoom",
}
MIX_HINT = ("Paint the chosen result in  ·  1-9 pick it, 0 paints the base back  ·  [ ] size  ·  middle-drag to pan  ·  "
            "hold Space for the original  ·  Ctrl+Z undoes a stroke")

_S = 'fill="none" stroke="{c}" stroke-width="1.7" stroke-linecap="round" stroke-linejoin="round"'
_F = 'fill="{c}" stroke="none"'
MODE_SHAPES = {
    CompareMode.WIPE: (
        f'<rect x="3" y="5" width="18" height="14" rx="2" {_S}/>'
        f'<path d="M5 5 H12 V19 H5 A2 2 0 0 1 3 17 V7 A2 2 0 0 1 5 5 Z" {_F} opacity="0.45"/>'
        f'<path d="M12 3 V21" {_S}/><circle cx="12" cy="12" r="2.3" {_F}/>'
    ),
    CompareMode.SIDE_BY_SIDE: (
        f'<rect x="2.5" y="6" width="8.5" height="12" rx="1.5" {_F} opacity="0.45"/>'
        f'<rect x="2.5" y="6" width="8.5" height="12" rx="1.5" {_S}/>'
        f'<rect x="13" y="6" width="8.5" height="12" rx="1.5" {_S}/>'
    ),
    CompareMode.TOGGLE: (
        f'<rect x="3.5" y="3.5" width="11" height="11" rx="1.8" {_F} opacity="0.45"/>'
        f'<rect x="9.5" y="9.5" width="11" height="11" rx="1.8" {_S}/>'
        f'<path d="M17 3.5 A3.5 3.5 0 0 1 20.5 7 M19 5.6 L20.5 7 L22 5.6" {_S}/>'
    ),
    CompareMode.DIFFERENCE: (
        f'<rect x="3" y="5" width="18" height="14" rx="2" {_S}/>'
        f'<circle cx="13.5" cy="12" r="3.8" {_F} opacity="0.45"/>'
        f'<circle cx="13.5" cy="12" r="1.7" {_F}/>'
        f'<path d="M6.5 15.5 L8.5 13.5" {_S}/>'
    ),
    CompareMode.MIX: (
        f'<rect x="3" y="5" width="18" height="14" rx="2" {_S}/>'
        f'<path d="M5 5 H10 C12 9 8 13 11 19 H5 A2 2 0 0 1 3 17 V7 A2 2 0 0 1 5 5 Z" {_F} opacity="0.45"/>'
        f'<path d="M14.5 16.5 L20 8.5 M13.5 18 L14.8 16" {_S}/>'
    ),
}


def mode_icon(mode: CompareMode, color: str) -> QIcon:
    """Icons for the mode buttons, in the same line style as ui/icons.py."""
    return icons.icon_from_svg_body(MODE_SHAPES[mode], color)
