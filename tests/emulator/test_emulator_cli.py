"""`python -m desktop_editor.emulator`: one stdout line, serves, stops cleanly on Ctrl+C."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest
import requests

from desktop_editor.emulator import Emulator


def test_module_runs_in_the_foreground_and_stops_on_ctrl_c() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop_editor.emulator", "--port", "0", "--run-duration", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("Runflow emulator listening on http://127.0.0.1:")
        base_url = line.rsplit(" ", 1)[1]
        answer = requests.get(base_url + "/v1/auth/me", headers={"Authorization": "Bearer rf_live_demo"}, timeout=5)
        assert answer.status_code == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=5) == 0
        assert process.stdout.read() == ""  # exactly one line
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()


def test_only_loopback_hosts() -> None:
    with pytest.raises(ValueError):
        Emulator(host="0.0.0.0")
    with pytest.raises(ValueError):
        Emulator(host="example.com")
    assert Emulator(host="localhost").host == "127.0.0.1"


def test_base_url_needs_a_port() -> None:
    with pytest.raises(RuntimeError):
        Emulator().base_url  # noqa: B018
    with Emulator() as emu:
        assert emu.base_url == f"http://127.0.0.1:{emu.port}"
    assert Emulator(port=8123).base_url == "http://127.0.0.1:8123"
