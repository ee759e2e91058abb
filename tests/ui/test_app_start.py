"""The editor starts as `python -m desktop_editor.ui`, shows an image and quits cleanly."""

from __future__ import annotations

import os
import subprocess
import sys

from editor_helpers import make_photo


def run_ui(*args: str, home) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(home), XDG_CONFIG_HOME=str(home / "config"))
    return subprocess.run(
        [sys.executable, "-m", "desktop_editor.ui", "--smoke", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def noise_free(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip() and "propagateSizeHints" not in line]


def test_starts_with_the_bundled_sample(tmp_path):
    result = run_ui(home=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "ok sample.jpg 600x400"
    assert noise_free(result.stderr) == []


def test_opens_images_named_on_the_command_line_and_reports_bad_ones(tmp_path):
    picture = make_photo(tmp_path / "street.png", (90, 60))
    result = run_ui(str(picture), home=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == "ok street.png 90x60"
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not really a jpeg")
    result = run_ui(str(broken), home=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("failed: broken.jpg")


def test_exit_after_show_reports_the_time_to_the_first_paint(tmp_path):
    """The hook the packaging benchmark times cold starts with: one line, then a clean exit."""
    import time

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"),
               DESKTOP_EDITOR_EXIT_AFTER_SHOW="1", DESKTOP_EDITOR_T0=repr(time.time()))
    result = subprocess.run([sys.executable, "-m", "desktop_editor.ui"], capture_output=True, text=True,
                            timeout=60, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.split()
    assert lines[0] == "shown-after-ms" and 0 < int(lines[1]) < 60000 and len(lines) == 2
    assert noise_free(result.stderr) == []


def test_the_http_stack_loads_after_the_window_not_before():
    """requests and urllib3 cost ~100 ms to import; the service connects after the first paint,
    so nothing on the way to the window may import them."""
    code = "import sys, desktop_editor.ui.app, desktop_editor.ui.window.main_window; print(sorted(m for m in ('requests', 'urllib3') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# Loaded on first use, never on the way to the window showing the sample: the PSD and OpenRaster
# writers of Save as Layers (psd-tools, OpenCV; ~0.3 s), the About box and the package metadata
# it reads (70-90 ms), and the http stack (the service connects after the first paint).
NOT_BEFORE_THE_SAMPLE = ("psd_tools", "cv2", "importlib.metadata", "requests", "urllib3",
                         "desktop_editor.ui.flow.layered_saving", "desktop_editor.ui.dialogs.about_dialog",
                         "desktop_editor.ui.dialogs.guide_viewer")

_SHOW_THE_SAMPLE = """
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from desktop_editor.core.resources import resource_path
from desktop_editor.ui.app import create_application
from desktop_editor.ui.window.main_window import MainWindow

app = create_application(sys.argv[:1])
window = MainWindow()
opened = []
window.document_opened.connect(lambda document: (opened.append(document), window.update()))
window.open_failed.connect(lambda *args: (print("failed", *args), app.exit(1)))

class PaintedWithTheSample(QObject):
    def eventFilter(self, obj, event):
        if opened and event.type() == QEvent.Type.Paint and obj.isWidgetType() and obj.window() is window:
            app.removeEventFilter(self)
            QTimer.singleShot(0, report)
        return False

def report():
    print("loaded", sorted(name for name in sys.argv[1:] if name in sys.modules), flush=True)
    for document in window.documents():
        document.mark_saved()
    app.quit()

watcher = PaintedWithTheSample()
app.installEventFilter(watcher)
window.open_path(resource_path("sample.jpg"))
window.show()
QTimer.singleShot(30000, lambda: app.exit(2))
sys.exit(app.exec())
"""


def test_what_waits_until_after_the_window_shows_the_sample(tmp_path):
    """An import-set check, not a timing: the window built as the app builds it has painted the
    bundled sample, and none of the modules only a later command needs has been imported."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), DESKTOP_EDITOR_KEYRING="memory")
    result = subprocess.run([sys.executable, "-c", _SHOW_THE_SAMPLE, *NOT_BEFORE_THE_SAMPLE], capture_output=True,
                            text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "loaded []"
