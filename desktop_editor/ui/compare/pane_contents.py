"""What each pane of the compare view shows in each mode: which picture, which label, which note.

A pure decision from the view's state to two `PaneContent`s, kept apart from the widget so the
rules (side by side shows both with a cross-hair, a held key or the toggle shows the original
marked as such, the difference waits for its map, the mix for its session) read in one place.
"""

from __future__ import annotations

from desktop_editor.ui.compare.image_levels import ImageLevels
from desktop_editor.ui.compare.mix_session import MixSession
from desktop_editor.ui.compare.modes import CompareMode
from desktop_editor.ui.compare.panes import PaneContent

__all__ = ["mix_content", "pane_contents"]


def pane_contents(mode: CompareMode, before: ImageLevels | None, after: ImageLevels | None,
                  heat: ImageLevels | None, *, peek: bool, pinned_before: bool, mix: MixSession | None,
                  mix_note: str, difference_error: str) -> tuple[PaneContent, PaneContent]:
    """The left and right pane's content for `mode` (the right one is shown only side by side).

    `before`/`after`/`heat`: the levels ready so far (None while they are made); `peek`: a key
    held to see the original; `pinned_before`: the toggle mode's click state; `mix`/`mix_note`:
    the Mix mode's session, or why there is none yet; `difference_error`: why the difference
    could not be computed.
    """
    side = mode is CompareMode.SIDE_BY_SIDE
    peek = peek and not side
    left = PaneContent()
    right = PaneContent()
    if before is None:
        pass
    elif side:
        left = PaneContent(left=before, left_label="Before", crosshair=True)
        right = PaneContent(left=after, left_label="After", crosshair=True,
                            busy_text="" if after is not None else "Preparing…")
    elif peek or (mode is CompareMode.TOGGLE and pinned_before):
        left = PaneContent(left=before, left_label="Before", accent_label=True)
    elif mode is CompareMode.MIX:
        left = mix_content(mix, mix_note, before)
    elif after is None:
        left = PaneContent(left=before, left_label="Before", busy_text="Preparing the result…")
    elif mode is CompareMode.WIPE:
        left = PaneContent(left=before, right=after, left_label="Before", right_label="After")
    elif mode is CompareMode.TOGGLE:
        left = PaneContent(left=after, left_label="After")
    elif heat is not None:
        left = PaneContent(left=heat, left_label="Difference")
    else:
        text = difference_error or "Computing difference…"
        left = PaneContent(left=before, left_label="Difference", busy_text=text)
    return left, right


def mix_content(mix: MixSession | None, note: str, before: ImageLevels) -> PaneContent:
    """The Mix mode's pane: the mix being painted, labelled with its base and what the brush
    paints, or the original dimmed under `note` until the session exists."""
    if mix is None:
        return PaneContent(left=before, left_label="Mix", busy_text=note or "Preparing the mix…")
    slot = mix.source()
    painting = "the base" if slot == 0 else mix.sources[slot - 1].label
    base = mix.sources[mix.base()].label
    return PaneContent(left=mix.levels, left_label=f"Mix · base {base} · painting {painting}", painter=mix,
                       busy_text="Preparing the mix…" if mix.is_busy() else "")
