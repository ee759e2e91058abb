"""Every command of the window, declared once as data: id, text, keys, icon, tip, checkability,
the page its keys work on, and when it is enabled. Menus and toolbars refer to ids.

After napari's declarative `Action` lists: the window gives each id a handler, the registry
makes the QActions, and one `refresh` sets what is enabled from named conditions. Keys are
window-wide, so they work wherever the focus is (text fields keep their typing: Qt lets a
focused text field override plain keys), and a key may mean different things on the Mask and
Compare pages (Ctrl+S saves the project while painting, the result while comparing, the mix
while mixing; 1-4 pick a compare mode, but in Mix mode 1-9 pick the result the brush paints),
never two things on one page: `tests/ui/window/test_actions.py` checks that, and that the user
guide's key table (docs/guide.md) is this registry's.

Keys held down (Space to pan or to see the original) are not commands; they are declared here
too, as `HoldKey`s, so the Help and the user guide list them, and `window.keys` forwards them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence

from desktop_editor.ui.canvas.tools import TOOL_CLASSES
from desktop_editor.ui.common.icons import icon

ANY, MASK, COMPARE, MIX = "any", "mask", "compare", "mix"
PAGES = (MASK, COMPARE, MIX)  # MIX: the Compare page in Mix mode, where 0-9 pick what the brush paints


@dataclass(frozen=True)
class ActionSpec:
    """One command. `keys` are portable key strings (Ctrl is Cmd on macOS); `enabled` names a
    condition the window provides (see `ActionRegistry.refresh`); `group` is its section in
    Help > Keyboard Shortcuts and the user guide."""

    id: str
    text: str
    keys: tuple[str, ...] = ()
    icon: str = ""
    tip: str = ""
    checkable: bool = False
    page: str = ANY
    enabled: str = "always"
    group: str = ""
    role: QAction.MenuRole = QAction.MenuRole.TextHeuristicRole

    @property
    def label(self) -> str:
        """The text without its mnemonic and ellipsis, as the Help lists it."""
        return self.text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…")


@dataclass(frozen=True)
class HoldKey:
    """A key that does something while it is held, handled by the page's view."""

    keys: tuple[str, ...]
    text: str
    page: str
    group: str


def _mix_source_specs() -> list[ActionSpec]:
    return [ActionSpec(f"mix.source.{n}", f"Paint with Result {n}" if n else "Paint the Base Back", (str(n),),
                       page=MIX, enabled="mix", group="Mix") for n in range(10)]


def _tool_specs() -> list[ActionSpec]:
    keys = {"brush": "B", "eraser": "E", "rect": "M", "lasso": "L", "wand": "W", "object": "Q", "refine": "R",
            "bucket": "G", "expand": "O"}
    return [ActionSpec(f"tool.{cls.tool_id}", cls.label, (keys[cls.tool_id],), cls.icon_name, cls.tip,
                       checkable=True, group="Mask tools")
            for cls in TOOL_CLASSES]


_DOC = "document"
ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("file.open", "&Open…", ("Ctrl+O",), "open", "Open images", group="Files"),
    ActionSpec("file.open_project", "Open &Project…", ("Ctrl+Shift+O",), tip="Open a saved project", group="Files"),
    ActionSpec("file.paste", "&Paste Image", ("Ctrl+V",), "paste", "Open the image on the clipboard", group="Files"),
    ActionSpec("file.save_project", "&Save Project", ("Ctrl+S",), "save", "Save image, mask and settings as a project",
               page=MASK, enabled=_DOC, group="Files"),
    ActionSpec("file.save_project_as", "Save Project &As…", ("Ctrl+Shift+S",), page=MASK, enabled=_DOC, group="Files"),
    ActionSpec("result.save", "Save &Result", ("Ctrl+S",), "save",
               "Save the selected result in the output folder (never overwrites)", page=COMPARE, enabled="result",
               group="Results"),
    ActionSpec("result.save_as", "Save Result &As…", ("Ctrl+Shift+S",), "",
               "Save the selected result under a name and format you choose", page=COMPARE, enabled="result",
               group="Results"),
    ActionSpec("file.save_layers", "Save as &Layers…", ("Ctrl+Alt+S",), "",
               "Save the original and each result (or, in Mix mode, each mixed result) as masked layers "
               "in a .psd or .ora file for Photoshop, Krita or GIMP", enabled=_DOC, group="Files"),
    ActionSpec("mask.load", "&Load Mask…", ("Ctrl+Shift+L",), tip="Replace the mask with a PNG mask", enabled=_DOC,
               group="Files"),
    ActionSpec("mask.save", "Save &Mask As…", ("Ctrl+Shift+E",), tip="Save the mask as PNG (OpenAI or black and white)",
               enabled=_DOC, group="Files"),
    ActionSpec("file.close", "&Close Image", ("Ctrl+W",), enabled=_DOC, group="Files"),
    ActionSpec("file.quit", "&Quit", ("Ctrl+Q",), role=QAction.MenuRole.QuitRole, group="Files"),

    ActionSpec("edit.undo", "&Undo", ("Ctrl+Z",), "undo", group="Mask"),
    ActionSpec("edit.redo", "&Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "redo", group="Mask"),
    ActionSpec("mask.select_all", "Select &All", ("Ctrl+A",), "select_all", "Edit the whole image", enabled=_DOC,
               group="Mask"),
    ActionSpec("mask.select_subject", "Select S&ubject", ("Shift+Q",), "select_subject",
               "Select the photo's main subject (then Alt+scribble to correct it)", enabled=_DOC, group="Mask"),
    ActionSpec("mask.clear", "&Clear Mask", ("Ctrl+D",), "clear", "Clear the mask", enabled=_DOC, group="Mask"),
    ActionSpec("mask.invert", "&Invert Mask", ("Ctrl+I",), "invert", "Invert the mask", enabled=_DOC, group="Mask"),
    ActionSpec("mask.grow", "&Grow…", (), "grow", "Grow the mask by some pixels", enabled=_DOC, group="Mask"),
    ActionSpec("mask.shrink", "S&hrink…", (), "shrink", "Shrink the mask by some pixels", enabled=_DOC, group="Mask"),
    ActionSpec("mask.feather", "&Feather…", (), "feather", "Soften the mask edge", enabled=_DOC, group="Mask"),
    ActionSpec("mask.refine_edge", "Refine &Edge…", ("Ctrl+Alt+R",), "refine_edge",
               "Snap the mask's soft edge to the photo's edges, with a preview", enabled=_DOC, group="Mask"),
    # Refine edge's own actions, adopted by the window: enabled only while its preview is open,
    # so Enter and Esc reach the canvas's tools the rest of the time.
    ActionSpec("refine_edge.apply", "Apply Refine Edge", ("Return", "Enter"), page=MASK, group="Mask"),
    ActionSpec("refine_edge.cancel", "Cancel Refine Edge", ("Esc",), page=MASK, group="Mask"),
    ActionSpec("mask.reuse_last", "&Reuse Last Mask", ("Ctrl+Shift+R",), "reuse", "Apply the mask of the previous job",
               enabled="last_mask", group="Mask"),
    ActionSpec("edit.generate", "&Generate", ("Ctrl+Return", "Ctrl+Enter"), "generate",
               "Send the edit: the image, its mask and the parameters", group="Edits"),
    ActionSpec("result.copy", "&Copy Result", ("Ctrl+C",), "paste", "Copy the selected result to the clipboard",
               enabled="result", group="Results"),
    ActionSpec("result.use_as_input", "&Use Result as Input", (), "reuse",
               "Open the selected result as the image to edit next, with the same mask", enabled="result",
               group="Results"),
    ActionSpec("edit.settings", "&Settings…", ("Ctrl+,",), "settings",
               "API key, service address, output folder and defaults", role=QAction.MenuRole.PreferencesRole,
               group="Edits"),

    ActionSpec("view.zoom_in", "Zoom &In", ("Ctrl++", "Ctrl+="), "zoom_in", "Zoom in", enabled=_DOC, group="View"),
    ActionSpec("view.zoom_out", "Zoom &Out", ("Ctrl+-",), "zoom_out", "Zoom out", enabled=_DOC, group="View"),
    ActionSpec("view.fit", "&Fit to Window", ("Ctrl+0",), "zoom_fit", "Fit the image in the window", enabled=_DOC,
               group="View"),
    ActionSpec("view.actual_size", "&Actual Pixels (100%)", ("Ctrl+1",), "zoom_actual",
               "One image pixel per screen pixel", enabled=_DOC, group="View"),
    ActionSpec("view.show_mask", "Show &Mask", ("Ctrl+H",), "eye", "Show or hide the mask overlay", checkable=True,
               page=MASK, group="View"),
    ActionSpec("view.mask_only", "Mask &Only", ("Ctrl+Shift+H", "\\"), "mask_only",
               "Show the mask alone, white = edit", checkable=True, page=MASK,
               group="View"),
    ActionSpec("view.marching_ants", "Marching &Ants", (), tip="Outline the mask's edge with moving dashes",
               checkable=True, page=MASK, group="View"),
    ActionSpec("view.overlay_color", "Overlay &Colour…", (), tip="Colour of the mask overlay", group="View"),
    ActionSpec("view.mask_page", "&Mask", (), "brush", "Paint the mask on the image", checkable=True, group="View"),
    ActionSpec("view.compare_page", "&Compare", (), "compare", "Compare the selected result with the original",
               checkable=True, enabled="comparable", group="View"),
    ActionSpec("view.toggle_page", "S&witch Mask / Compare", ("C",), tip="Switch between the mask and the comparison",
               group="View"),
    ActionSpec("compare.wipe", "&Wipe", ("1",), tip="Compare with a divider you drag", page=COMPARE, group="Compare"),
    ActionSpec("compare.side_by_side", "&Side by Side", ("2",), tip="Original and result next to each other",
               page=COMPARE, group="Compare"),
    ActionSpec("compare.toggle", "&Toggle", ("3",), tip="One picture: click to switch", page=COMPARE, group="Compare"),
    ActionSpec("compare.difference", "&Difference", ("4",), tip="Where and how much the result differs",
               page=COMPARE, group="Compare"),
    ActionSpec("compare.mix", "Mi&x", ("5",), tip="Paint which result shows where: the best part of each variation",
               page=COMPARE, group="Compare"),
    *_mix_source_specs(),
    ActionSpec("mix.leave", "&Leave Mix", ("Esc",), tip="Back to the wipe comparison (the mix is kept)", page=MIX,
               group="Mix"),
    ActionSpec("mix.save", "Save Mi&x", ("Ctrl+S",), "save",
               "Save the mix as one image in the output folder (never overwrites)", page=MIX, enabled="mix",
               group="Mix"),
    ActionSpec("mix.save_as", "Save Mix A&s…", ("Ctrl+Shift+S",), "", "Save the mix under a name and format you choose",
               page=MIX, enabled="mix", group="Mix"),
    ActionSpec("mix.use_as_input", "Use &Mix as Input", (), "reuse",
               "Save the mix and open it as the image to edit next, with the mask of the mixed edits", enabled="mix",
               group="Mix"),
    ActionSpec("view.reset_layout", "&Reset Panel Layout", (), tip="Put every panel back where it started",
               group="View"),

    *_tool_specs(),
    ActionSpec("tool.swap", "S&wap Brush and Eraser", ("X",), group="Mask tools"),
    ActionSpec("brush.smaller", "&Smaller Brush", ("[",), group="Mask tools"),
    ActionSpec("brush.larger", "&Larger Brush", ("]",), group="Mask tools"),
    ActionSpec("brush.softer", "So&fter Brush", ("{",), group="Mask tools"),
    ActionSpec("brush.harder", "&Harder Brush", ("}",), group="Mask tools"),

    ActionSpec("images.next", "&Next Image", ("Ctrl+Tab", "Ctrl+PgDown"), group="Images"),
    ActionSpec("images.previous", "&Previous Image", ("Ctrl+Shift+Tab", "Ctrl+PgUp"), group="Images"),

    ActionSpec("help.guide", "&User Guide", (), tip="How to do each task, with pictures", group="Help"),
    ActionSpec("help.shortcuts", "&Keyboard Shortcuts", ("F1",), tip="Every key of the app", group="Help"),
    ActionSpec("help.about", "&About Desktop Editor", (), tip="Version, licences and where the app keeps its data",
               role=QAction.MenuRole.AboutRole, group="Help"),
)

HOLD_KEYS: tuple[HoldKey, ...] = (
    HoldKey(("Space",), "Pan while dragging", MASK, "View"),
    HoldKey(("Space", "\\"), "Show the original while held", COMPARE, "Compare"),
    HoldKey(("Space", "\\"), "Show the original while held", MIX, "Mix"),
)

# Menus as ids; "-" is a separator, "@name" a submenu or list the window fills itself.
MENUS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("&File", ("file.open", "@recent", "file.open_project", "file.paste", "-", "file.save_project",
               "file.save_project_as", "-", "result.save", "result.save_as", "mix.save", "mix.save_as", "file.save_layers", "-", "mask.load", "mask.save", "-",
               "file.close", "file.quit")),
    ("&Edit", ("edit.undo", "edit.redo", "-", "mask.select_all", "mask.select_subject", "mask.clear", "mask.invert", "-", "mask.grow",
               "mask.shrink", "mask.feather", "mask.refine_edge", "-", "mask.reuse_last", "-", "edit.generate",
               "result.copy", "result.use_as_input", "mix.use_as_input", "-", "edit.settings")),
    ("&View", ("view.zoom_in", "view.zoom_out", "view.fit", "view.actual_size", "-", "view.show_mask",
               "view.mask_only", "view.marching_ants", "view.overlay_color", "-", "view.mask_page", "view.compare_page",
               "view.toggle_page", "-", "compare.wipe", "compare.side_by_side", "compare.toggle", "compare.difference",
               "compare.mix", "-", "@panels",
               "@toolbars")),
    ("&Tools", (*(f"tool.{cls.tool_id}" for cls in TOOL_CLASSES), "-", "tool.swap", "brush.smaller", "brush.larger",
                "brush.softer", "brush.harder")),
    ("&Images", ("images.next", "images.previous", "-", "@images")),
    ("&Help", ("help.guide", "help.shortcuts", "-", "help.about")),
)
TOOLS_TOOLBAR: tuple[str, ...] = (*(f"tool.{cls.tool_id}" for cls in TOOL_CLASSES), "-", "mask.select_all",
                                  "mask.select_subject",
                                  "mask.invert", "mask.clear", "-", "mask.grow", "mask.shrink", "mask.feather",
                                  "mask.refine_edge")
MAIN_TOOLBAR_START: tuple[str, ...] = ("file.open", "file.save_project", "-", "edit.undo", "edit.redo", "-")

SPECS: dict[str, ActionSpec] = {spec.id: spec for spec in ACTIONS}


def native(keys: Iterable[str]) -> str:
    """Keys as the platform writes them (Ctrl+S, or ⌘S on macOS)."""
    return ", ".join(QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in keys)


class ActionRegistry(QObject):
    """The QActions made from `ACTIONS`, living on one window.

    Each action is added to the window, so its keys work even with the menu bar hidden.
    """

    def __init__(self, window, handlers: Mapping[str, Callable[[], object]], adopted: Mapping[str, QAction] = ()):
        super().__init__(window)
        self._actions: dict[str, QAction] = {}
        self._page = MASK
        self._page_cache: dict[str, list[tuple[ActionSpec, QAction, list[QKeySequence]]]] = {}
        self._tips: dict[str, str] = {}  # tips that follow a state (see set_tip)
        adopted = dict(adopted)
        for spec in ACTIONS:
            action = adopted.get(spec.id) or QAction(spec.text, window)
            action.setObjectName(spec.id)
            if spec.icon:
                action.setIcon(icon(spec.icon))
                action.setProperty("icon_name", spec.icon)  # re-drawn when the palette changes
            action.setCheckable(spec.checkable)
            action.setMenuRole(spec.role)
            if spec.tip:
                action.setStatusTip(spec.tip)
            handler = handlers.get(spec.id)
            if handler is not None:
                if spec.checkable:
                    action.triggered.connect(lambda checked=False, h=handler: h(checked))
                else:
                    action.triggered.connect(lambda _checked=False, h=handler: h())
            window.addAction(action)
            self._actions[spec.id] = action
        missing = [spec.id for spec in ACTIONS if spec.id not in handlers and spec.id not in adopted]
        if missing:
            raise ValueError(f"actions without a handler: {', '.join(missing)}")
        self.set_page(MASK, force=True)

    def __getitem__(self, action_id: str) -> QAction:
        return self._actions[action_id]

    def __iter__(self):
        return iter(self._actions.values())

    def page(self) -> str:
        return self._page

    def set_page(self, page: str, *, force: bool = False) -> None:
        """Give each action the keys it has on this page (and none where it has none).

        Only the actions whose keys differ between pages are touched: a changed key or tooltip
        makes every menu entry and button showing the action update itself, and switching to
        Compare as a result arrives should not cost the window that for all of them.
        """
        if page == self._page and not force:
            return
        self._page = page
        for spec, action, sequences in self._page_keys(page):
            if action.shortcuts() != sequences:
                action.setShortcuts(sequences)
            tip = self._tip(spec, page)
            if tip is not None and action.toolTip() != tip:
                action.setToolTip(tip)

    def set_tip(self, action: QAction, tip: str | None) -> None:
        """Say `tip` for `action` instead of its declared tip (None: the declared one again), with
        the page's keys after it; for a tip that follows a state, like Save on a result already
        saved, so a page switch does not drop what it says."""
        spec = SPECS[action.objectName()]
        if tip is None:
            self._tips.pop(spec.id, None)
        else:
            self._tips[spec.id] = tip
        shown = self._tip(spec, self._page)
        if shown is not None:
            action.setToolTip(shown)

    def _tip(self, spec: ActionSpec, page: str) -> str | None:
        tip = self._tips.get(spec.id, spec.tip)
        text = native(spec.keys if spec.page in (ANY, page) else ())
        return (f"{tip} ({text})" if text else tip) if tip else None

    def _page_keys(self, page: str) -> list[tuple[ActionSpec, QAction, list[QKeySequence]]]:
        """(spec, action, its keys) on `page`, worked out once per page."""
        if page not in self._page_cache:
            self._page_cache[page] = [
                (spec, self._actions[spec.id], [QKeySequence(k) for k in (spec.keys if spec.page in (ANY, page) else ())])
                for spec in ACTIONS]
        return self._page_cache[page]

    def refresh(self, conditions: Mapping[str, bool]) -> None:
        """Enable each action whose condition holds ("always" always does)."""
        for spec in ACTIONS:
            if spec.enabled != "always":
                self._actions[spec.id].setEnabled(bool(conditions.get(spec.enabled, False)))


def shortcut_rows(*, portable: bool = False) -> list[tuple[str, str, str, str]]:
    """Every key of the app as (group, what it does, keys, page), commands and held keys, in
    registry order grouped by section. `portable` writes keys as declared (Ctrl, not ⌘)."""
    write = (lambda keys: ", ".join(keys)) if portable else native
    rows = [(s.group, s.label, write(s.keys), s.page) for s in ACTIONS if s.keys]
    rows += [(h.group, h.text, write(h.keys), h.page) for h in HOLD_KEYS]
    order = list(dict.fromkeys(row[0] for row in rows))
    return sorted(rows, key=lambda row: order.index(row[0]))


def markdown_table() -> str:
    """The user guide's key table, as the registry says it (a test keeps the two the same)."""
    lines = ["| Keys | Does | Where |", "|---|---|---|"]
    for group, text, keys, page in shortcut_rows(portable=True):
        shown = ", ".join(f"`{k.strip()}`" for k in keys.split(", "))
        where = {"mask": "Mask page", "compare": "Compare page", "mix": "Compare page, Mix mode"}.get(page, "anywhere")
        lines.append(f"| {shown} | {group}: {text} | {where} |")
    return "\n".join(lines)
