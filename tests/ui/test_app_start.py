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
