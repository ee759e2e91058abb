"""What each command of the registry (`window.actions`) does in a main window."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow

from desktop_editor.ui.compare.view import CompareMode
from desktop_editor.ui.window.help_menu import show_about, show_guide

if TYPE_CHECKING:  # loaded on first use: its PSD and OpenRaster writers take ~0.2 s to import
    from desktop_editor.ui.flow.layered_saving import LayeredSaving


def command_handlers(window: QMainWindow) -> dict[str, Callable]:
    """Handlers by action id; a checkable action's handler receives its checked state.

    `window` is the `MainWindow` (not imported here, so the two modules do not import each other).
    """
    canvas, tools, strip, saver = window.canvas, window.canvas.tools, window.results_strip, window.saver
    op, settings = window.mask_commands.apply, window.canvas.tools.settings
    compare = {f"compare.{m.value}": (lambda m=m: window.compare_view.set_mode(m)) for m in CompareMode}
    return {
        "file.open": lambda: window.opener.ask_open(window, window.dialog_dir()),
        "file.open_project": lambda: window.opener.ask_open_project(window, window.dialog_dir()), "file.paste": window.opener.paste,
        "file.save_project": saver.save_project, "file.save_project_as": saver.save_project_as,
        "result.save": strip.save_selected, "result.save_as": strip.save_selected_as,
        "mask.load": saver.ask_load_mask, "mask.save": saver.ask_save_mask,
        "file.close": window.close_document, "file.quit": window.close,
        "mask.select_all": lambda: op("select_all"), "mask.select_subject": lambda: select_subject(window),
        "mask.clear": lambda: op("clear"),
        "mask.invert": lambda: op("invert"), "mask.grow": lambda: window.mask_commands.ask_adjust("grow"),
        "mask.shrink": lambda: window.mask_commands.ask_adjust("shrink"),
        "mask.feather": lambda: window.mask_commands.ask_adjust("feather"),
        "mask.reuse_last": window.mask_commands.reuse_last_mask, "mask.refine_edge": window.refine_edge.start,
        "edit.generate": lambda: generate_from_panel(window), "result.copy": strip.copy_selected,
        "result.use_as_input": lambda: window.flow.use_as_input(), "edit.settings": lambda: window.open_settings(),
        "view.zoom_in": lambda: zoom(window, "in"), "view.zoom_out": lambda: zoom(window, "out"),
        "view.fit": lambda: zoom(window, "fit"), "view.actual_size": lambda: zoom(window, "actual"),
        "view.show_mask": canvas.set_mask_visible, "view.mask_only": lambda checked: set_mask_only(window, checked),
        "view.marching_ants": canvas.set_marching_ants,
        "view.overlay_color": lambda: window.options_bar.choose_overlay_color(),
        "view.mask_page": lambda _checked: window.show_mask_page(),
        "view.compare_page": lambda _checked: window.show_compare_page(), "view.toggle_page": window.toggle_page,
        **compare, "view.reset_layout": lambda: window.docks.place(),
        **{f"tool.{t}": (lambda _checked, t=t: use_tool(window, t)) for t in tools.tools},
        "tool.swap": tools.swap_brush_eraser,
        "brush.smaller": lambda: settings.step_brush_size(-1), "brush.larger": lambda: settings.step_brush_size(+1),
        "brush.softer": lambda: settings.step_hardness(-1), "brush.harder": lambda: settings.step_hardness(+1),
        "images.next": lambda: window.document_list.cycle(+1), "images.previous": lambda: window.document_list.cycle(-1),
        "help.shortcuts": window.show_shortcuts, "help.guide": lambda: show_guide(window),
        "help.about": lambda: show_about(window),
        **{f"mix.source.{n}": (lambda n=n: window.mixing.pick_source(n)) for n in range(10)},
        "mix.leave": lambda: window.compare_view.set_mode(CompareMode.WIPE),
        "mix.save": lambda: window.mixing.save(), "mix.save_as": lambda: window.mixing.save_as(),
        "mix.use_as_input": lambda: window.mixing.use_as_input(),
        "file.save_layers": lambda: layered_saving(window).ask_save(),
    }


def layered_saving(window: QMainWindow) -> LayeredSaving:
    """The window's Save as Layers, made on first use."""
    saving = getattr(window, "layered_saving", None)
    if saving is None:
        from desktop_editor.ui.flow.layered_saving import LayeredSaving

        saving = window.layered_saving = LayeredSaving(window, window.flow, window.mixing)
    return saving


def generate_from_panel(window: QMainWindow) -> None:
    """Generate through the panel, so Ctrl+Enter, the toolbar and the panel's button behave the
    same (validation shown by the fields, the prompt remembered)."""
    if not window.params_panel.request_generate():
        window.docks.params.show()
        problems = window.params_panel.problems()
        if problems:
            window.feedback.status(problems[0].message, 5000)


def select_subject(window: QMainWindow) -> None:
    """Select the main subject on a worker, as one undo step; the Select Object tool comes
    forward so that Alt+scribbles correct what it found."""
    use_tool(window, "object")
    window.canvas.tools.tool("object").select_subject()


def use_tool(window: QMainWindow, tool_id: str) -> None:
    """Pick a mask tool; the canvas comes forward to use it and takes the keyboard, so the tool
    keys pressed next ([, {, Space) act on it instead of typing into the prompt."""
    window.canvas.tools.set_current(tool_id)
    window.show_mask_page()
    window.canvas.setFocus(Qt.FocusReason.OtherFocusReason)


def zoom(window: QMainWindow, how: str) -> None:
    """Zoom the picture that is shown: the canvas, or the comparison."""
    if window.is_compare_page():
        view = window.compare_view
        steps = {"in": lambda: view.set_zoom(view.zoom() * 1.25), "out": lambda: view.set_zoom(view.zoom() / 1.25),
                 "fit": view.fit, "actual": view.zoom_to_actual}
    else:
        c = window.canvas
        steps = {"in": c.zoom_in, "out": c.zoom_out, "fit": c.fit_to_window, "actual": c.actual_pixels}
    steps[how]()


def set_mask_only(window: QMainWindow, checked: bool) -> None:
    """Show only the mask (black and white); the overlay's own switch means nothing meanwhile."""
    window.canvas.set_mask_only(checked)
    window.actions["view.show_mask"].setEnabled(not checked)
