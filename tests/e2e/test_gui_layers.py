"""Save as Layers in the window, end to end on the emulator: results, then a mix, as layered files."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import cv2
import numpy as np
from PIL import Image
from psd_tools import PSDImage
from psd_tools.constants import Resource
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

from desktop_editor.core.provenance import COMPOSITE_WITH_AI, NS_IPTC_EXT, read_properties
from test_gui_flow import TIMEOUT_MS, gui, messages  # noqa: F401
from test_mix_flow import drag, enter_mix, two_variations


def answer_save_dialog(monkeypatch, target: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args, **_kw: (str(target), ""))


def test_save_as_layers_puts_each_result_on_a_masked_layer(qtbot, gui, monkeypatch, tmp_path):
    window = gui.open_window()
    _document, job = two_variations(qtbot, window)
    target = tmp_path / "visor.psd"
    answer_save_dialog(monkeypatch, target)
    window.actions["file.save_layers"].trigger()
    qtbot.waitUntil(lambda: target.exists(), timeout=TIMEOUT_MS)
    window.layered_saving.wait()
    psd = PSDImage.open(target)
    names = [layer.name for layer in psd]
    assert names[0] == "Original" and len(names) == 3
    assert all(name.startswith("two variations of the visor (") for name in names[1:])
    assert all(layer.has_mask() for layer in list(psd)[1:])
    said = read_properties(psd.image_resources.get_data(Resource.XMP_METADATA))
    assert said[f"{{{NS_IPTC_EXT}}}DigitalSourceType"] == COMPOSITE_WITH_AI
    with Image.open(job.result_paths[1]) as top:  # the top layer shows the last result where it was edited
        expected = np.asarray(top.convert("RGB")).astype(int)
    merged = np.rint(psd.numpy()[..., :3] * 255)
    assert np.abs(merged - expected).max() <= 1


def test_save_as_layers_in_mix_mode_writes_one_layer_per_mixed_result(qtbot, gui, monkeypatch, tmp_path):
    window = gui.open_window()
    two_variations(qtbot, window)
    window.compare_view.setFocus()
    session = enter_mix(qtbot, window)
    QTest.keyClick(window.compare_view, Qt.Key.Key_2)
    session.settings.brush_size = 120
    session.settings.hardness = 1.0
    drag(window.compare_view.panes()[0], [(200, 200), (300, 220)])
    with qtbot.waitSignal(window.mixing.mix_saved, timeout=TIMEOUT_MS) as saved:
        window.mixing.save()
    target = tmp_path / "mix.ora"
    answer_save_dialog(monkeypatch, target)
    window.actions["file.save_layers"].trigger()
    qtbot.waitUntil(lambda: target.exists(), timeout=TIMEOUT_MS)
    window.layered_saving.wait()
    with zipfile.ZipFile(target) as archive:
        entries = ET.fromstring(archive.read("stack.xml")).find("stack").findall("layer")
        assert [e.get("name") for e in entries] == ["Result 2", "Result 1", "Original"]
        merged = cv2.imdecode(np.frombuffer(archive.read("mergedimage.png"), np.uint8), cv2.IMREAD_UNCHANGED)
    with Image.open(saved.args[0]) as mix:
        expected = np.asarray(mix.convert("RGB")).astype(int)
    assert np.abs(cv2.cvtColor(merged, cv2.COLOR_BGRA2RGB).astype(int) - expected).max() <= 1
