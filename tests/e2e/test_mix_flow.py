"""Mixing two variations in the window, end to end on the emulator: paint, undo, save, reopen."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from desktop_editor.jobs.mixes import mixes
from desktop_editor.ui.compare.modes import CompareMode
from test_gui_flow import TIMEOUT_MS, generate, gui, messages, open_astronaut, paint_stroke, set_prompt, wait_final  # noqa: F401

DATA = Path(__file__).resolve().parents[1] / "data"


def two_variations(qtbot, window):
    document = open_astronaut(qtbot, window)
    paint_stroke(window, [(150, 150), (350, 150), (350, 300)], size=160)
    set_prompt(window, "two variations of the visor")
    window.params_panel.set_params(replace(window.params_panel.params(), num_images=2))
    job = wait_final(qtbot, window, generate(qtbot, window))
    assert len(job.result_paths) == 2
    qtbot.waitUntil(lambda: window.is_compare_page() and window.compare_view.after_image() is not None, timeout=TIMEOUT_MS)
    return document, job


def enter_mix(qtbot, window):
    with qtbot.waitSignal(window.mixing.mix_ready, timeout=TIMEOUT_MS) as ready:
        QTest.keyClick(window.compare_view, Qt.Key.Key_5)
    return ready.args[0]


def drag(pane, points):
    widget_points = [pane.image_to_widget(QPointF(*p)).toPoint() for p in points]
    QTest.mousePress(pane, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, widget_points[0])
    for point in widget_points[1:]:
        QTest.mouseMove(pane, point)
    QTest.mouseRelease(pane, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, widget_points[-1])


def test_mix_two_variations_by_painting_then_save_record_and_continue(qtbot, gui):
    window = gui.open_window()
    document, job = two_variations(qtbot, window)
    window.compare_view.setFocus()
    session = enter_mix(qtbot, window)
    assert window.compare_view.mode() is CompareMode.MIX
    assert [s.path for s in session.sources] == [Path(p) for p in job.result_paths]
    tiles = window.results_strip.tiles()
    assert [t.number_colour != "" for t in tiles] == [True, True]  # numbered while mixing
    # In Mix mode the digits pick the brush, not the compare modes; Ctrl+S is Save Mix.
    assert window.actions["mix.source.1"].shortcut().toString() == "1"
    assert window.actions["compare.wipe"].shortcut().isEmpty()
    assert window.actions["mix.save"].shortcut().toString() == "Ctrl+S"
    QTest.keyClick(window.compare_view, Qt.Key.Key_2)
    assert session.source() == 2 and window.compare_view.mode() is CompareMode.MIX

    results = []
    for result_path in job.result_paths:
        with Image.open(result_path) as result:
            results.append(np.asarray(result.convert("RGB")))
    session.settings.brush_size = 120
    session.settings.hardness = 1.0
    drag(window.compare_view.panes()[0], [(200, 200), (300, 220)])
    assert session.undo_stack.count() == 1
    shown = session._display[0][..., 2::-1]  # BGRX -> RGB
    assert np.array_equal(shown[210, 250], results[1][210, 250])
    assert np.array_equal(shown[40, 40], results[0][40, 40])
    window.actions["edit.undo"].trigger()  # Ctrl+Z undoes the stroke, not the mask
    assert session.undo_stack.index() == 0 and document.mask_array().any()
    assert np.array_equal(session._display[0][210, 250, 2::-1], results[0][210, 250])
    window.actions["edit.redo"].trigger()

    with qtbot.waitSignal(window.mixing.mix_saved, timeout=TIMEOUT_MS) as saved:
        QTest.keyClick(window.compare_view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    path = Path(saved.args[0])
    with Image.open(DATA / "astronaut.png") as original, Image.open(path) as mixed:
        assert mixed.size == original.size
        assert mixed.info.get("icc_profile") == original.info.get("icc_profile")
        pixels = np.asarray(mixed.convert("RGB"))
    assert np.array_equal(pixels[210, 250], results[1][210, 250])
    assert np.array_equal(pixels[40, 40], results[0][40, 40])
    records = mixes(gui.store_path, job_id=job.id)
    assert len(records) == 1 and records[0].output_path == path
    assert sorted(s["path"] for s in records[0].sources) == sorted(str(p) for p in job.result_paths)

    with qtbot.waitSignal(window.document_opened, timeout=TIMEOUT_MS) as opened:
        window.actions["mix.use_as_input"].trigger()
    follow_up = opened.args[0]
    assert follow_up is not document and follow_up.path.parent == gui.out_dir
    assert np.array_equal(follow_up.mask_array() > 0, document.mask_array() > 0)


def test_a_project_keeps_the_mix_and_reopens_it_to_paint_on(qtbot, gui, tmp_path):
    window = gui.open_window()
    document, job = two_variations(qtbot, window)
    window.compare_view.setFocus()
    session = enter_mix(qtbot, window)
    session.set_source(2)
    session.settings.brush_size = 90
    drag(window.compare_view.panes()[0], [(220, 180), (320, 240)])
    labels = session.labels.copy()
    assert labels.any()
    assert window.saver.save_project(document, tmp_path / "mixed.deproj")

    other = gui.open_window()
    with qtbot.waitSignal(other.mixing.mix_ready, timeout=TIMEOUT_MS) as ready:
        other.open_project(tmp_path / "mixed.deproj")
    reopened = ready.args[0]
    assert other.is_compare_page() and other.compare_view.mode() is CompareMode.MIX
    assert np.array_equal(reopened.labels, labels)
    assert [s.path for s in reopened.sources] == [s.path for s in session.sources]
    reopened.set_source(1)
    drag(other.compare_view.panes()[0], [(220, 180)])
    assert reopened.undo_stack.count() == 1
