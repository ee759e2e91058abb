"""Expanding a photo in the window, end to end in Demo mode: frame it to 9:16, Generate, and the
result is the expanded canvas with every original pixel outside the band kept; the compare
view lines the canvas (new area as a checkerboard) up with the result."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from desktop_editor.core.params import size_problems
from desktop_editor.jobs.model import JobState
from test_gui_flow import TIMEOUT_MS, Gui, generate, messages, wait_final  # noqa: F401  (fixture)

import pytest


@pytest.fixture
def gui(qtbot, tmp_path, messages):  # noqa: F811
    helper = Gui(qtbot, tmp_path)
    yield helper
    helper.close_all()


def _photo(path: Path, size=(640, 480)) -> Path:
    w, h = size
    rng = np.random.default_rng(11)
    y, x = np.mgrid[0:h, 0:w]
    rgb = np.stack([x * 255 // w, y * 255 // h, 128 + 0 * x], axis=-1) + rng.integers(-12, 12, (h, w, 3))
    Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB").save(path)
    return path


def test_frame_to_9_16_generate_and_compare(qtbot, gui, tmp_path):
    window = gui.open_window()
    photo = _photo(tmp_path / "shot.png")
    with qtbot.waitSignal(window.document_opened, timeout=TIMEOUT_MS) as opened:
        window.open_path(photo)
    document = opened.args[0]
    window.show_mask_page()
    window.actions["tool.expand"].trigger()
    options = window.options_bar.expand_options
    options.overlap_spin.setValue(24)
    options.aspect_combo.setCurrentText("9:16")
    exp = document.expansion
    assert exp.canvas_size(640, 480) == (640, 1138)
    assert window.params_panel.sent_label.text() == "Canvas 640x1138: sent as 656x1168, result scaled to 640x1138."
    window.params_panel.prompt_edit.setPlainText("a bright sky above, a wooden floor below")

    job = wait_final(qtbot, window, generate(qtbot, window))  # no mask painted: no question asked
    assert job.state is JobState.DONE, job.error
    assert job.options.expansion == exp.sides and size_problems(*job.options.send_size) == []
    with Image.open(job.result_paths[0]) as result:
        assert result.size == (640, 1138)
        after = np.asarray(result.convert("RGB"))
    original = np.asarray(Image.open(photo).convert("RGB"))
    top = exp.top
    assert np.array_equal(after[top + 24 : top + 480 - 24], original[24:-24]), "original pixels changed"
    assert not np.array_equal(after[:top], np.repeat(original[:1], top, axis=0)), "the new area was not painted"

    qtbot.waitUntil(lambda: window.is_compare_page() and window.compare_view.after_image() is not None,
                    timeout=TIMEOUT_MS)
    before = window.compare_view.before_image()
    assert (before.width(), before.height()) == (640, 1138), "the compare view's original is not the canvas"
    # Undo reaches the expansion too: the frame goes, the photo is as it was.
    window.show_mask_page()
    window.actions["edit.undo"].trigger()
    assert document.pending_expansion() is None and document.expand_overlap == 24
