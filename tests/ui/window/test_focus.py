"""Where the keyboard goes: a click on a tool or the canvas, or Esc, takes it out of a text field,
so the tool keys that follow act on the canvas instead of typing into the prompt."""

from __future__ import annotations

from editor_helpers import make_photo, open_image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def _typing_a_prompt(qtbot, window, tmp_path):
    open_image(qtbot, window, make_photo(tmp_path / "cat.png", (160, 90)))
    prompt = window.params_panel.prompt_edit
    prompt.setFocus()
    qtbot.waitUntil(prompt.hasFocus)
    QTest.keyClicks(prompt, "give the cat a hat")
    return prompt


def test_clicking_a_tool_takes_the_keys_from_the_prompt(qtbot, window, tmp_path):
    prompt = _typing_a_prompt(qtbot, window, tmp_path)
    button = window.tools_toolbar.widgetForAction(window.actions["tool.eraser"])
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.canvas.tools.current.tool_id == "eraser"
    qtbot.waitUntil(window.canvas.hasFocus)
    hardness = window.canvas.tools.settings.hardness
    for _ in range(6):
        QTest.keyClick(QApplication.focusWidget(), "{")
    assert prompt.toPlainText() == "give the cat a hat"
    assert window.canvas.tools.settings.hardness < hardness


def test_clicking_the_canvas_takes_the_keys_from_the_prompt(qtbot, window, tmp_path):
    _typing_a_prompt(qtbot, window, tmp_path)
    window.canvas.tools.set_current("rect")
    QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    qtbot.waitUntil(window.canvas.hasFocus)


def test_escape_leaves_a_text_field(qtbot, window, tmp_path):
    prompt = _typing_a_prompt(qtbot, window, tmp_path)
    QTest.keyClick(prompt, Qt.Key.Key_Escape)
    qtbot.waitUntil(window.canvas.hasFocus)
    assert prompt.toPlainText() == "give the cat a hat"
    field = window.params_panel.output_section.num_images_spin
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    QTest.keyClick(field, Qt.Key.Key_Escape)
    qtbot.waitUntil(window.canvas.hasFocus)


def test_a_result_arriving_leaves_the_keys_with_the_prompt(qtbot, window, tmp_path):
    import numpy as np
    from PIL import Image

    from desktop_editor.ui.common.conversions import qimage_from_pil

    prompt = _typing_a_prompt(qtbot, window, tmp_path)
    image = qimage_from_pil(Image.fromarray(np.full((90, 160, 3), 120, np.uint8)))
    window.compare_view.set_images(image, image, None)
    assert window.show_compare_page()
    QTest.keyClicks(prompt, " and a bow")
    assert prompt.hasFocus() and prompt.toPlainText() == "give the cat a hat and a bow"
    window.show_mask_page()
    assert prompt.hasFocus()


def test_the_pointer_coming_over_the_canvas_leaves_the_keys_with_the_prompt(qtbot, window, tmp_path):
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QEnterEvent

    prompt = _typing_a_prompt(qtbot, window, tmp_path)
    viewport = window.canvas.viewport()
    QApplication.sendEvent(viewport, QEnterEvent(QPointF(5, 5), QPointF(5, 5), QPointF(viewport.mapToGlobal(QPoint(5, 5)))))
    assert prompt.hasFocus()
