"""Choosing Demo mode or the real service, checking keys, and the settings file (no Qt)."""

from __future__ import annotations

import json
import socket

import numpy as np
import pytest
from PIL import Image

from desktop_editor.core.params import DEFAULT_PRICES, EditParams
from desktop_editor.emulator import Emulator
from desktop_editor.jobs import credentials
from desktop_editor.jobs.account import check_key
from desktop_editor.jobs.manager import Snapshot
from desktop_editor.jobs.model import EditJob, JobState
from desktop_editor.jobs.service import DEMO_API_KEY, DEMO_SOURCE, ServiceConnection
from desktop_editor.jobs.settings import AppSettings, load_settings, save_settings, settings_path
from desktop_editor.jobs.store import JobStore

REAL_KEY = "rf_live_abc123"


@pytest.fixture(autouse=True)
def _no_stored_key():
    """The memory keyring lives as long as the process: start and end every test without a key."""
    credentials.save_api_key(None)
    yield
    credentials.save_api_key(None)


@pytest.fixture
def store(tmp_path):
    s = JobStore(tmp_path / "history.sqlite3")
    yield s
    s.close()


def closed_port() -> int:
    """A 127.0.0.1 port nobody listens on (so a request there fails fast, and nothing leaves the machine)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ----- ServiceConnection ---------------------------------------------------------------------


def test_without_a_key_the_app_runs_in_demo_mode_on_the_local_emulator(store):
    service = ServiceConnection(store)
    try:
        connection = service.connect(AppSettings())
        assert connection.demo
        assert connection.job_source == DEMO_SOURCE
        assert connection.base_url.startswith("http://127.0.0.1:")
        assert connection.client.config.api_key == DEMO_API_KEY
        assert connection.client.check_key()["email"]  # the emulator answers /v1/auth/me
        assert connection.store is store
        port = int(connection.base_url.rsplit(":", 1)[1])
    finally:
        service.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()  # close() stopped the emulator


def test_with_a_key_the_configured_service_is_used_and_nothing_is_requested(store, monkeypatch):
    credentials.save_api_key(REAL_KEY)
    base_url = f"http://127.0.0.1:{closed_port()}"  # never a real host in tests
    service = ServiceConnection(store)
    try:
        connection = service.connect(AppSettings(base_url=base_url + "/", organization_id=" org_1 "))
        assert not connection.demo
        assert connection.job_source == "app"
        assert connection.base_url == base_url
        assert connection.client.config.api_key == REAL_KEY
        assert connection.client.config.organization_id == "org_1"
        assert service.emulator is None
    finally:
        service.close()


def test_environment_key_wins_and_reconnecting_leaves_demo_mode(store, monkeypatch):
    service = ServiceConnection(store)
    try:
        assert service.connect(AppSettings()).demo
        assert service.emulator is not None
        monkeypatch.setenv("RUNFLOW_API_KEY", "rf_live_fromenv")
        connection = service.connect(AppSettings(base_url=f"http://127.0.0.1:{closed_port()}"))
        assert not connection.demo and connection.client.config.api_key == "rf_live_fromenv"
        assert service.emulator is None  # stopped once no longer needed
    finally:
        service.close()


def test_a_demo_edit_runs_end_to_end(store, tmp_path):
    service = ServiceConnection(store, demo_run_duration=0.2)
    try:
        connection = service.connect(AppSettings(output_dir=str(tmp_path / "out")), poll_interval=0.05)
        job = EditJob(params=EditParams(prompt="make it dusk"), image_paths=[], source=connection.job_source,
                      options=AppSettings(output_dir=str(tmp_path / "out")).job_options())
        rgb = (np.arange(128 * 96 * 3) % 251).astype(np.uint8).reshape(96, 128, 3)
        connection.manager.submit(job, Snapshot(image=Image.fromarray(rgb, "RGB"), mask=None, name="photo"))
        assert connection.manager.wait_all(timeout=20)
        saved = store.get(job.id)
        assert saved.state is JobState.DONE, saved.error
        assert saved.source == DEMO_SOURCE
        assert saved.result_paths and saved.result_paths[0].is_file()
    finally:
        service.close()


# ----- key check -------------------------------------------------------------------------------


def test_check_key_accepts_a_good_key_and_refuses_a_bad_one():
    with Emulator(api_keys={REAL_KEY}) as emulator:
        good = check_key(REAL_KEY, emulator.base_url, "org_9")
        assert good.ok and "demo@example.com" in good.message and "org_9" in good.message
        bad = check_key("rf_live_wrong", emulator.base_url)
        assert not bad.ok and "refused" in bad.message
        assert "rf_live_wrong" not in bad.message


def test_check_key_explains_what_is_wrong_without_raising():
    assert not check_key("", "http://127.0.0.1:9").ok
    assert "characters" in check_key("rf live!", "http://127.0.0.1:9").message
    unreachable = check_key(REAL_KEY, f"http://127.0.0.1:{closed_port()}", timeout=2)
    assert not unreachable.ok and "Could not reach" in unreachable.message
    assert REAL_KEY not in unreachable.message


# ----- settings --------------------------------------------------------------------------------


def test_settings_live_in_the_platform_config_folder(_isolated_user_dirs):
    path = settings_path()
    assert path.name == "settings.json"
    assert str(_isolated_user_dirs) in str(path) and "config" in str(path)


def test_settings_round_trip_and_defaults(tmp_path):
    path = tmp_path / "settings.json"
    assert load_settings(path) == AppSettings()  # no file yet: defaults
    defaults = AppSettings()
    assert defaults.keep_unmasked is True and defaults.feather == 4 and defaults.colour_match is False
    assert defaults.max_concurrent == 4 and defaults.prices == DEFAULT_PRICES
    assert defaults.default_params.model == "openai/gpt-image-2/edit"
    changed = AppSettings(base_url="http://127.0.0.1:9", organization_id="org", output_dir=str(tmp_path),
                          default_params=EditParams(quality="low", num_images=2), prices={**DEFAULT_PRICES, "high": 0.2},
                          feather=0, colour_match=True, max_concurrent=2).with_recent_prompt("add snow")
    save_settings(changed, path)
    assert load_settings(path) == changed
    assert load_settings(path).recent_prompts == ["add snow"]


def test_settings_never_hold_a_key(tmp_path):
    path = tmp_path / "settings.json"
    credentials.save_api_key(REAL_KEY)
    save_settings(AppSettings(), path)
    assert REAL_KEY not in path.read_text()
    data = json.loads(path.read_text())
    data["api_key"] = "rf_live_planted"
    path.write_text(json.dumps(data))
    loaded = load_settings(path)
    assert "rf_live_planted" not in repr(loaded.to_dict())
    save_settings(loaded, path)
    assert "rf_live_planted" not in path.read_text()


def test_broken_settings_files_fall_back_to_defaults(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text("{not json")
    assert load_settings(path) == AppSettings()
    path.write_text(json.dumps({"feather": "wide", "prices": {"high": -1, "low": 0.01}, "max_concurrent": 3}))
    loaded = load_settings(path)
    assert loaded.feather == 4 and loaded.max_concurrent == 3
    assert loaded.prices["high"] == DEFAULT_PRICES["high"] and loaded.prices["low"] == 0.01


def test_job_options_take_the_panel_choices_over_the_defaults(tmp_path):
    settings = AppSettings(output_dir=str(tmp_path), keep_unmasked=True, feather=4)
    options = settings.job_options(keep_unmasked=False, feather=0, colour_match=True, region_padding=64)
    assert options.out_dir == tmp_path and options.keep_unmasked is False and options.feather == 0
    assert options.colour_match and options.region_padding == 64
    assert settings.job_options().keep_unmasked is True and settings.job_options().region_padding is None


def test_results_are_saved_like_the_source_unless_the_settings_say_otherwise(tmp_path):
    assert AppSettings(output_dir=str(tmp_path)).job_options().save_format == "source"
    assert AppSettings(output_dir=str(tmp_path), save_format="jpeg").job_options().save_format == "jpeg"
    assert AppSettings.from_dict({"save_format": "tiff"}).job_options().save_format == "source"  # hand-edited


def test_a_plain_http_address_of_another_machine_gets_no_key_unless_allowed(store):
    from desktop_editor.api.errors import ConfigurationError

    credentials.save_api_key(REAL_KEY)
    service = ServiceConnection(store)
    with pytest.raises(ConfigurationError, match="unencrypted"):
        service.connect(AppSettings(base_url="http://runflow.internal:8080"))
    connection = service.connect(AppSettings(base_url="http://runflow.internal:8080", allow_cleartext=True))
    assert not connection.demo and connection.client.config.allow_cleartext
    service.close()
