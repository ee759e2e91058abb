"""A mix saved in the window is saved in its document's space: a 16-bit Adobe RGB TIFF's mix is
a 16-bit Adobe RGB TIFF with the original's values outside the masks, a CMYK JPEG's a CMYK JPEG
with its profile; an 8-bit sRGB JPEG's mix is saved as before (an 8-bit PNG of what is shown)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from colour_images import adobe_rgb, cmyk_profile
from desktop_editor.core.images import load_image
from desktop_editor.core.mix import mix_to_image, render_all
from desktop_editor.core.opencv import cv2
from desktop_editor.core.tiff_tags import ICC_PROFILE, UNDEFINED, with_tags
from desktop_editor.ui.flow import mixing
from test_gui_flow import TIMEOUT_MS, generate, gui, messages, paint_stroke, set_prompt, wait_final  # noqa: F401
from test_mix_flow import drag, enter_mix

DATA = Path(__file__).resolve().parents[1] / "data"
SIZE = 256


def astronaut(mode: str = "RGB") -> Image.Image:
    with Image.open(DATA / "astronaut.png") as img:
        return img.convert(mode).resize((SIZE, SIZE), Image.Resampling.BILINEAR)


def a98_tiff(path: Path) -> np.ndarray:
    """A 16-bit Adobe RGB TIFF whose low bits matter (so an 8-bit round trip would show)."""
    rng = np.random.default_rng(5)
    values = np.asarray(astronaut()).astype(np.uint16) * 257 + rng.integers(0, 257, (SIZE, SIZE, 3), dtype=np.uint16)
    ok, encoded = cv2.imencode(".tiff", cv2.cvtColor(values, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_TIFF_COMPRESSION, 8])
    assert ok
    path.write_bytes(with_tags(encoded.tobytes(), {ICC_PROFILE: (UNDEFINED, adobe_rgb())}))
    return values


def mix_and_save(qtbot, window, path: Path):
    """Open `path`, make two variations through a mask, paint result 2 over part of it, save the mix."""
    with qtbot.waitSignal(window.document_opened, timeout=TIMEOUT_MS) as opened:
        window.open_path(path)
    document = opened.args[0]
    paint_stroke(window, [(60, 60), (190, 60), (190, 150)], size=70)
    set_prompt(window, "two variations of the visor")
    window.params_panel.set_params(replace(window.params_panel.params(), num_images=2))
    job = wait_final(qtbot, window, generate(qtbot, window))
    assert len(job.result_paths) == 2
    qtbot.waitUntil(lambda: window.is_compare_page() and window.compare_view.after_image() is not None,
                    timeout=TIMEOUT_MS)
    window.compare_view.setFocus()
    session = enter_mix(qtbot, window)
    session.set_source(2)
    session.settings.brush_size = 60
    session.settings.hardness = 1.0
    drag(window.compare_view.panes()[0], [(120, 60), (190, 80)])
    assert session.labels.any()
    with qtbot.waitSignal(window.mixing.mix_saved, timeout=TIMEOUT_MS) as saved:
        QTest.keyClick(window.compare_view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    return document, job, session, Path(saved.args[0])


def test_a_16_bit_a98_tiffs_mix_is_a_16_bit_a98_tiff_exact_outside_the_mask(qtbot, gui, tmp_path, monkeypatch):
    window = gui.open_window()
    original = a98_tiff(tmp_path / "scan.tif")
    document, job, session, path = mix_and_save(qtbot, window, tmp_path / "scan.tif")
    assert path.suffix == ".tif"
    mixed = load_image(path).source
    assert mixed.space.bits == 16 and mixed.space.profile == adobe_rgb() and mixed.kind == "TIFF"
    outside = document.mask_array() == 0
    assert outside.any() and np.array_equal(mixed.pixels[outside], original[outside])  # bit for bit
    second = load_image(job.result_paths[1]).source.pixels
    painted = (session.labels == 2) & ~outside
    assert painted.any() and np.array_equal(mixed.pixels[painted], second[painted])  # result 2's own values
    assert not np.array_equal(mixed.pixels[~outside], original[~outside])

    asked = []

    def choose(_parent, _title, suggested, filters):
        asked.append((Path(suggested).name, filters))
        return str(tmp_path / "chosen"), ""  # typed without an extension

    monkeypatch.setattr(mixing.QFileDialog, "getSaveFileName", choose)
    with qtbot.waitSignal(window.mixing.mix_saved, timeout=TIMEOUT_MS) as saved:
        window.mixing.save_as()
    assert asked[0][0] == "scan-mix.tif" and asked[0][1].startswith("TIFF image")
    chosen = load_image(saved.args[0]).source
    assert Path(saved.args[0]).name == "chosen.tif" and chosen.space.bits == 16
    assert np.array_equal(chosen.pixels, mixed.pixels)


def test_a_cmyk_jpegs_mix_is_a_cmyk_jpeg_with_its_profile(qtbot, gui, tmp_path):
    window = gui.open_window()
    astronaut("CMYK").save(tmp_path / "print.jpg", quality=95, icc_profile=cmyk_profile())
    _document, _job, _session, path = mix_and_save(qtbot, window, tmp_path / "print.jpg")
    assert path.suffix == ".jpg"
    with Image.open(path) as mixed:
        assert mixed.mode == "CMYK" and mixed.info["icc_profile"] == cmyk_profile()
        assert mixed.size == (SIZE, SIZE)


def test_an_srgb_jpegs_mix_is_saved_as_before_an_8_bit_png_of_what_is_shown(qtbot, gui, tmp_path):
    window = gui.open_window()
    astronaut().save(tmp_path / "photo.jpg", quality=95)
    _document, _job, session, path = mix_and_save(qtbot, window, tmp_path / "photo.jpg")
    assert path.suffix == ".png"
    shown = mix_to_image(render_all(session.labels, session.stack, session.palette, session.base()))
    with Image.open(path) as mixed:
        assert mixed.mode == "RGB" and "icc_profile" not in mixed.info
        assert np.array_equal(np.asarray(mixed), np.asarray(shown))
