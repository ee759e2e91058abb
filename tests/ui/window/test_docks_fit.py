"""Every panel fits its dock at the dock's minimum width: nothing cut off, no sideways scrolling.

Checked at the scale the tests run at, and again at 150% (QT_SCALE_FACTOR=1.5, which Qt reads
only at start, so that case runs these tests in a fresh process).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from editor_helpers import make_photo, open_image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QDockWidget, QWidget

from desktop_editor.core.params import nearest_valid_size
from desktop_editor.ui.panels.params.size_field import CUSTOM_SIZE

# A dock made floating asks the window system to raise it, which the offscreen platform cannot do.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise")

# The widest the Parameters dock may insist on being: fitting by growing the dock is no fit.
PARAMS_MAX_MIN_WIDTH = 300


def cut_off(root: QWidget) -> list[str]:
    """Visible widgets under `root` that stick out of their parent sideways (so are clipped), and
    scroll areas showing a horizontal scroll bar."""
    found = []
    for widget in root.findChildren(QWidget):
        if widget.isWindow() or not widget.isVisible():
            continue
        parent = widget.parentWidget()
        geometry = widget.geometry()
        if geometry.left() < 0 or geometry.right() > parent.width() - 1:
            text = widget.text() if hasattr(widget, "text") and callable(widget.text) else ""
            found.append(f"{type(widget).__name__} {widget.objectName()!r} {text!r}: x {geometry.left()}.."
                         f"{geometry.right()} in {type(parent).__name__} of width {parent.width()}")
        if isinstance(widget, QAbstractScrollArea) and widget.horizontalScrollBar().isVisible():
            found.append(f"{type(widget).__name__} {widget.accessibleName()!r} scrolls sideways")
    return found


def at_minimum_width(window, dock: QDockWidget, *, floating: bool) -> QDockWidget:
    """Narrow `dock` as far as it goes: in its place on the right (where the panels sharing its
    column set the minimum), or floating on its own."""
    dock.show()
    if floating:
        dock.setFloating(True)
        dock.resize(1, 360)
    else:
        assert window.dockWidgetArea(dock) == Qt.DockWidgetArea.RightDockWidgetArea
        dock.raise_()  # the front tab, if it shares one
        window.resizeDocks([dock], [1], Qt.Orientation.Horizontal)
    QApplication.processEvents()
    QApplication.processEvents()
    assert dock.width() == dock.minimumSizeHint().width()
    return dock


def test_the_scale_is_the_one_asked_for(window):
    assert window.devicePixelRatioF() == pytest.approx(float(os.environ.get("QT_SCALE_FACTOR", "1")))


@pytest.mark.parametrize("title", ["Jobs", "History", "Results"])
def test_a_panel_fits_its_dock_at_its_minimum_width(qtbot, window, tmp_path, title):
    open_image(qtbot, window, make_photo(tmp_path / "a photo with a rather long file name, taken at dusk.png", (160, 90)))
    dock = next(d for d in window.docks.all if d.windowTitle() == title)
    at_minimum_width(window, dock, floating=True)
    assert cut_off(dock.widget()) == []


def _custom_size_typed(panel, _tmp_path: Path) -> None:
    size = panel.output_section.size
    size.combo.setCurrentIndex(size.combo.findData(CUSTOM_SIZE))
    size.custom.setText("1000x1000")


def _nearest_size_used(panel, tmp_path: Path) -> None:
    _custom_size_typed(panel, tmp_path)
    w, h = nearest_valid_size(1000, 1000)
    assert panel.output_section.size.nearest_button.text() == f"Use {w}x{h}"
    panel.output_section.size.nearest_button.click()
    assert panel.params().image_size == f"{w}x{h}"


def _model(model_id: str):
    def choose(panel, _tmp_path: Path) -> None:
        panel.model_combo.setCurrentIndex(panel.model_combo.findData(model_id))
    return choose


def _references_and_region(panel, tmp_path: Path) -> None:
    panel.add_reference_paths([make_photo(tmp_path / f"reference number {i} of the motorcycle, side view.png", (40, 30))
                               for i in range(3)])
    panel.set_options(region_padding=64, feather=0)
    panel.output_section.num_images_spin.setValue(4)


PARAMETER_STATES = {
    "custom size typed": _custom_size_typed,
    "nearest size used": _nearest_size_used,
    "gpt-image-1.5": _model("openai/gpt-image-1.5/edit"),
    "tag removal": _model("runflow/tag-removal"),
    "product isolation": _model("runflow/product-isolation"),
    "references and region": _references_and_region,
}


@pytest.mark.parametrize("state", PARAMETER_STATES)
def test_the_parameters_fit_their_dock_at_its_minimum_width(qtbot, window, tmp_path, state):
    open_image(qtbot, window, make_photo(tmp_path / "a photo with a rather long file name, taken at dusk.png", (160, 90)))
    panel = window.params_panel
    panel.prompt_edit.setPlainText("replace the sky with a warm sunset")
    PARAMETER_STATES[state](panel, tmp_path)
    for floating in (False, True):
        dock = at_minimum_width(window, window.docks.params, floating=floating)
        assert dock.width() <= PARAMS_MAX_MIN_WIDTH
        assert cut_off(dock.widget()) == [], "floating" if floating else "docked"


@pytest.mark.skipif(os.environ.get("QT_SCALE_FACTOR") == "1.5", reason="this is the run at 150%")
def test_every_panel_fits_at_150_percent(tmp_path):
    env = {**os.environ, "QT_SCALE_FACTOR": "1.5"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", __file__, "-q", "-p", "no:cacheprovider", "--basetemp", str(tmp_path / "run")],
        cwd=Path(__file__).resolve().parents[3], env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "1 skipped" in result.stdout
