"""What each command of the registry (`window.actions`) does in a main window."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMainWindow

from desktop_editor.ui.compare.view import CompareMode


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
        "mask.select_all": lambda: op("select_all"), "mask.clear": lambda: op("clear"),
        "mask.invert": lambda: op("invert"), "mask.grow": lambda: window.mask_commands.ask_adjust("grow"),
        "mask.shrink": lambda: window.mask_commands.ask_adjust("shrink"),
        "mask.feather": lambda: window.mask_commands.ask_adjust("feather"),
        "mask.reuse_last": window.mask_commands.reuse_last_mask, "mask.refine_edge": window.refine_edge.start,
        "edit.generate": window.generate_from_panel, "result.copy": strip.copy_selected,
        "result.use_as_input": lambda: window.flow.use_as_input(), "edit.settings": lambda: window.open_settings(),
        "view.zoom_in": lambda: window.zoom("in"), "view.zoom_out": lambda: window.zoom("out"),
        "view.fit": lambda: window.zoom("fit"), "view.actual_size": lambda: window.zoom("actual"),
        "view.show_mask": canvas.set_mask_visible, "view.mask_only": window.set_mask_only,
        "view.marching_ants": canvas.set_marching_ants,
        "view.overlay_color": lambda: window.options_bar.choose_overlay_color(),
        "view.mask_page": lambda _checked: window.show_mask_page(),
        "view.compare_page": lambda _checked: window.show_compare_page(), "view.toggle_page": window.toggle_page,
        **compare, "view.reset_layout": lambda: window.docks.place(),
        **{f"tool.{t}": (lambda _checked, t=t: window.use_tool(t)) for t in tools.tools},
        "tool.swap": tools.swap_brush_eraser,
        "brush.smaller": lambda: settings.step_brush_size(-1), "brush.larger": lambda: settings.step_brush_size(+1),
        "brush.softer": lambda: settings.step_hardness(-1), "brush.harder": lambda: settings.step_hardness(+1),
        "images.next": lambda: window.document_list.cycle(+1), "images.previous": lambda: window.document_list.cycle(-1),
        "help.shortcuts": window.show_shortcuts,
        **{f"mix.source.{n}": (lambda n=n: window.mixing.pick_source(n)) for n in range(10)},
        "mix.leave": lambda: window.compare_view.set_mode(CompareMode.WIPE),
        "mix.save": lambda: window.mixing.save(), "mix.save_as": lambda: window.mixing.save_as(),
        "mix.use_as_input": lambda: window.mixing.use_as_input(),
    }

