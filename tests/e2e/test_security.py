"""The API key never lands on disk or in output; the Authorization header goes only to the API."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from desktop_editor.api import ClientConfig, RunflowClient, to_data_uri
from desktop_editor.emulator import Behaviour, Emulator, Fault

SECRET = "rf_live_TOPSECRET_8c1f2a9d"


@pytest.fixture
def emulator():
    with Emulator(api_keys={SECRET}, behaviour=Behaviour(run_duration=0.1)) as emu:
        yield emu


def all_text_under(*folders: Path) -> bytes:
    blob = b""
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file():
                blob += path.read_bytes()
    return blob


def test_key_leaves_no_trace(emulator, tmp_path, _isolated_user_dirs, caplog):
    home = _isolated_user_dirs
    photo = tmp_path / "photo.png"
    Image.new("RGB", (64, 48), (9, 9, 9)).save(photo)
    out = tmp_path / "out"
    env = {**os.environ, "RUNFLOW_API_KEY": SECRET, "RUNFLOW_BASE_URL": emulator.base_url}
    runs = []
    for args in (
        ["edit", str(photo), "--prompt", "make it blue", "--out", str(out), "--poll-interval", "0.05", "--json"],
        ["edit", str(photo), "--prompt", "x"],  # bad input
        ["jobs", "list"],
        ["jobs", "resume"],
    ):
        runs.append(subprocess.run([sys.executable, "-m", "desktop_editor.cli", *args], env=env,
                                   capture_output=True, timeout=60))
    emulator.inject(Fault("create", "drop_after_read"))
    emulator.behaviour.outcome = "failed"
    runs.append(subprocess.run([sys.executable, "-m", "desktop_editor.cli", "edit", str(photo), "--prompt", "fail please",
                                "--api-key", SECRET, "--out", str(out), "--poll-interval", "0.05"],
                               env={**env, "RUNFLOW_API_KEY": ""}, capture_output=True, timeout=60))
    assert runs[0].returncode == 0 and runs[-1].returncode == 4
    output = b"".join(r.stdout + r.stderr for r in runs)
    assert SECRET.encode() not in output
    on_disk = all_text_under(home, out)
    assert b"history" in b"".join(p.name.encode() for p in home.rglob("*"))  # the store was written
    assert SECRET.encode() not in on_disk
    # In-process, with debug logging on: the key is not logged either.
    emulator.behaviour.outcome = "succeeded"
    with caplog.at_level(logging.DEBUG):
        client = RunflowClient(ClientConfig(api_key=SECRET, base_url=emulator.base_url, poll_interval=0.05))
        image_url = to_data_uri(photo.read_bytes(), "image/png")
        run = client.wait_for_run(client.create_run("openai/gpt-image-2/edit", {"prompt": "ok ok", "image_urls": [image_url]}).id)
        client.fetch_results(run)
    assert SECRET not in caplog.text and run.id


def test_authorization_only_to_the_api(emulator, tmp_path):
    photo = tmp_path / "photo.png"
    Image.new("RGB", (600, 500), (9, 9, 9)).save(photo)
    client = RunflowClient(ClientConfig(api_key=SECRET, base_url=emulator.base_url, poll_interval=0.05, inline_limit=10))
    url = client.media_url(photo.read_bytes(), filename="p.png", mime_type="image/png")
    run = client.wait_for_run(client.create_run("openai/gpt-image-2/edit", {"prompt": "ok ok", "image_urls": [url]}).id)
    client.fetch_results(run)
    for request in emulator.requests:
        has_auth = request.header("Authorization") is not None
        assert has_auth == request.path.startswith("/v1/"), request.path


def test_tls_verification_cannot_be_disabled(emulator):
    client = RunflowClient(ClientConfig(api_key=SECRET, base_url=emulator.base_url))
    assert client._session().verify is True
    assert "verify" not in ClientConfig.__dataclass_fields__
