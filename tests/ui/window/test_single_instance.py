"""One window per user and data folder: a second launch hands its files to the running window."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from desktop_editor.jobs.paths import data_dir
from desktop_editor.ui.app import receive_files
from desktop_editor.ui.window.single_instance import InstanceServer, become_the_window, hand_over, server_name
from editor_helpers import make_photo


def test_the_name_depends_on_the_data_folder_and_is_a_plain_word(tmp_path):
    first, second = server_name(tmp_path / "a"), server_name(tmp_path / "b")
    assert first != second and first == server_name(tmp_path / "a")
    assert first.replace("-", "").isalnum()


def launch_handing_over(name: str, paths: list) -> subprocess.Popen:
    """Another process calling `hand_over` (in this one, its blocking waits would hold the GIL
    the listening window needs to answer)."""
    code = ("import sys; from PySide6.QtCore import QCoreApplication; app = QCoreApplication([]);"
            "from desktop_editor.ui.window.single_instance import hand_over;"
            "print(hand_over(sys.argv[1], sys.argv[2:]))")
    return subprocess.Popen([sys.executable, "-c", code, name, *map(str, paths)], stdout=subprocess.PIPE, text=True)


def test_files_handed_over_arrive_on_the_gui_thread(qtbot, tmp_path):
    server = InstanceServer(server_name(tmp_path))
    assert server.listen()
    try:
        with qtbot.waitSignal(server.files_received, timeout=30000) as received:
            sender = launch_handing_over(server.name, ["a.png", tmp_path / "b.deproj"])
        qtbot.waitUntil(lambda: sender.poll() is not None, timeout=30000)
    finally:
        server.close()
    assert sender.communicate()[0].strip() == "True", "the sender knows the window took the files"
    assert received.args[0] == [Path("a.png").absolute(), tmp_path / "b.deproj"]


def test_no_window_means_no_hand_over(tmp_path):
    assert not hand_over(server_name(tmp_path / "nobody"), [], timeout_ms=300)


@pytest.mark.skipif(os.name == "nt", reason="a Unix socket file left by a crash")
def test_a_socket_left_by_a_crashed_window_is_replaced(qtbot, tmp_path):
    name = server_name(tmp_path)
    stale = Path(tempfile.gettempdir()) / name
    with socket.socket(socket.AF_UNIX) as dead:
        dead.bind(str(stale))  # bound, never listening, never removed: what a killed window leaves
    try:
        assert not hand_over(name, [], timeout_ms=300)
        server = InstanceServer(name)
        assert server.listen()
        with qtbot.waitSignal(server.files_received, timeout=30000):
            sender = launch_handing_over(name, [])
        sender.communicate(timeout=30)
        server.close()
    finally:
        stale.unlink(missing_ok=True)


def test_a_second_launch_hands_its_file_to_the_first_and_exits(qtbot, tmp_path):
    """`desktop-editor photo.png` while a window runs: the window gets photo.png, the second
    process starts no window and exits at once."""
    server, handed = become_the_window(data_dir(), [])
    assert server is not None and not handed
    photo = make_photo(tmp_path / "photo.png", (40, 30))
    try:
        with qtbot.waitSignal(server.files_received, timeout=30000) as received:
            second = subprocess.Popen([sys.executable, "-m", "desktop_editor.cli", str(photo)], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
        _out, err = second.communicate(timeout=30)
    finally:
        server.close()
    assert received.args[0] == [photo]
    assert second.returncode == 0 and "already running for this user; opened photo.png there" in err


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen has no stacking order
def test_the_window_opens_what_it_is_handed_and_comes_forward(qtbot, window, tmp_path):
    photo = make_photo(tmp_path / "handed.png", (40, 30))
    window.showMinimized()
    with qtbot.waitSignal(window.document_opened, timeout=10000) as opened:
        receive_files(window, [photo])
    assert opened.args[0].name == "handed.png"
    assert not window.isMinimized()
