"""Never lose a paid result, never pay twice: each row runs real jobs through the job system
against the emulator and checks runs created and charged against result files on disk.

lost = images of charged runs whose run id the journal knows but that are not on disk (must be 0).
unknown = jobs whose create may have been accepted but whose run id never reached us: they are
reported with their client_ref and never resent, so they cannot be charged twice.
"""

import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

from fault_matrix_rows import FAULT_MATRIX
from desktop_editor.api import ClientConfig, RunflowClient
from desktop_editor.core.params import EditParams
from desktop_editor.emulator import Behaviour, Emulator, Fault
from desktop_editor.jobs.manager import JobManager
from desktop_editor.jobs.model import EditJob, JobOptions, JobState
from desktop_editor.jobs.paths import history_path
from desktop_editor.jobs.store import JobStore

KEY = "rf_test_matrix"
ASKED = 3


@pytest.fixture
def emulator():
    with Emulator(api_keys={KEY}, behaviour=Behaviour(run_duration=0.2)) as emu:
        yield emu


def client_for(emulator, **changes):
    config = ClientConfig(api_key=KEY, base_url=emulator.base_url, poll_interval=0.03, backoff_base=0.01,
                          backoff_max=0.05, wait_timeout=30, read_timeout=2)
    return RunflowClient(config.with_changes(**changes))


def photos(folder, n):
    rng = np.random.default_rng(n)
    paths = []
    for i in range(n):
        p = folder / f"photo{i}.png"
        Image.fromarray(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)).save(p)
        paths.append(p)
    return paths


def account(scenario, emulator, store, out_dir, asked=ASKED):
    """Compare the service's ledger with the disk and the journal; record the row."""
    jobs = store.jobs()
    known_runs = {j.run_id for j in jobs if j.run_id}
    charged_known = [r for r in emulator.runs.values() if r["id"] in known_runs and r["status_code"] in ("succeeded", "partial_succeeded")]
    saved = [p for j in jobs for p in j.result_paths if p.is_file()]
    on_disk = [p for p in out_dir.rglob("*") if p.is_file() and not p.name.startswith(".")] if out_dir.exists() else []
    rescued = [p for p in saved if p not in on_disk]
    expected_images = sum(len((r.get("output") or {}).get("outputs") or []) for r in charged_known)
    lost = expected_images - len(saved)
    unknown = sum(1 for j in jobs if j.state is JobState.OUTCOME_UNKNOWN)
    row = {"scenario": scenario, "asked": asked, "created": emulator.runs_created, "charged": emulator.runs_charged,
           "saved": len(saved), "lost": lost, "unknown": unknown}
    FAULT_MATRIX.append(row)
    assert len(on_disk) + len(rescued) == len(saved), "every registered file exists, nothing unregistered"
    for client_ref in {j.client_ref for j in jobs}:
        assert len(emulator.run_by_client_ref(client_ref)) <= 1, "no create was sent twice"
    for path in saved:
        Image.open(path).verify()
    assert lost == 0
    assert emulator.runs_charged <= asked
    return row


def run_manager(emulator, store, tmp_path, *, faults=(), client=None, n=ASKED, **options):
    for fault in faults:
        emulator.inject(fault)
    manager = JobManager(client or client_for(emulator), store, max_workers=3)
    for path in photos(tmp_path, n):
        manager.submit(EditJob(params=EditParams(prompt="make it blue"), image_paths=[path],
                               options=JobOptions(out_dir=tmp_path / "out", **options)))
    assert manager.wait_all(60)
    manager.shutdown()


@pytest.fixture
def store(tmp_path):
    s = JobStore(tmp_path / "history.sqlite3")
    yield s
    s.close()


NETWORK_ROWS = {
    "429 storm on create, Retry-After": [Fault("create", "429", count=4, retry_after=1)],
    "429 storm on create, no Retry-After": [Fault("create", "429", count=6)],
    "429 storm on polls": [Fault("get_run", "429", count=8)],
    "500 on polls": [Fault("get_run", "500", count=4)],
    "502 on polls": [Fault("get_run", "502", count=4)],
    "503 on create and polls": [Fault("create", "503", count=3), Fault("get_run", "503", count=4)],
    "504 on polls": [Fault("get_run", "504", count=4)],
    "read timeouts on polls": [Fault("get_run", "slow", count=3, delay=2.5)],
    "truncated downloads": [Fault("download", "truncate", count=2)],
    "expired result URLs": [Fault("download", "expired", count=2)],
    "malformed JSON on polls": [Fault("get_run", "malformed_json", count=4)],
    "dropped poll connections": [Fault("get_run", "drop_after_read", count=4)],
}


@pytest.mark.parametrize("scenario", list(NETWORK_ROWS))
def test_network_faults(scenario, emulator, store, tmp_path):
    run_manager(emulator, store, tmp_path, faults=NETWORK_ROWS[scenario])
    row = account(scenario, emulator, store, tmp_path / "out")
    assert row["created"] == row["charged"] == row["saved"] == ASKED and row["unknown"] == 0


@pytest.mark.parametrize("kind", ["drop_after_read", "500", "502", "504"])
def test_ambiguous_create(kind, emulator, store, tmp_path):
    run_manager(emulator, store, tmp_path, faults=[Fault("create", kind)])
    row = account(f"create answered {kind}", emulator, store, tmp_path / "out")
    created_blind = 1 if kind == "drop_after_read" else 0  # the emulator acts before dropping
    assert row["created"] == ASKED - 1 + created_blind and row["unknown"] == 1 and row["saved"] == ASKED - 1


@pytest.mark.parametrize("outcome", ["failed", "canceled"])
def test_run_ends_without_images(outcome, emulator, store, tmp_path):
    emulator.behaviour.outcome = outcome
    emulator.behaviour.cancel_spelling = "cancelled"
    run_manager(emulator, store, tmp_path)
    row = account(f"run {outcome} by the service", emulator, store, tmp_path / "out")
    assert row["created"] == ASKED and row["charged"] == 0 and row["saved"] == 0
    assert {j.state for j in store.jobs()} == {JobState.FAILED}


def test_output_folder_not_writable(emulator, store, tmp_path):
    (tmp_path / "out").write_text("a file where the folder should be")
    run_manager(emulator, store, tmp_path)
    out = tmp_path / "rescue-check"
    row = account("output folder not writable", emulator, store, out)
    assert row["saved"] == ASKED and all("rescued-results" in str(p) for j in store.jobs() for p in j.result_paths)
    assert all("could not be written" in j.advice for j in store.jobs())


def test_offline_when_generate_pressed(store, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = RunflowClient(ClientConfig(api_key=KEY, base_url=f"http://127.0.0.1:{port}", poll_interval=0.03,
                                        backoff_base=0.01, backoff_max=0.02, max_retries=1))
    manager = JobManager(client, store, offline_retry=0.2)
    for path in photos(tmp_path, ASKED):
        manager.submit(EditJob(params=EditParams(prompt="ok ok"), image_paths=[path], options=JobOptions(out_dir=tmp_path / "out")))
    deadline = time.monotonic() + 10
    while {j.state for j in store.jobs()} != {JobState.OFFLINE} and time.monotonic() < deadline:
        time.sleep(0.02)
    assert {j.state for j in store.jobs()} == {JobState.OFFLINE}
    with Emulator(port=port, api_keys={KEY}, behaviour=Behaviour(run_duration=0.1)) as emulator:
        while {j.state for j in store.jobs()} != {JobState.DONE} and time.monotonic() < deadline + 20:
            time.sleep(0.05)
        manager.shutdown()
        row = account("offline when Generate is pressed", emulator, store, tmp_path / "out")
    assert row["saved"] == ASKED == row["created"]


def _journal_states():
    store = JobStore(history_path())
    try:
        return {j.id: j for j in store.jobs()}
    finally:
        store.close()


@pytest.mark.parametrize("moment", ["queued", "running", "downloading"])
def test_app_killed_then_restarted(moment, emulator, tmp_path):
    emulator.behaviour.run_duration = 1.5 if moment != "downloading" else 0.2
    emulator.behaviour.download_delay = 2.0 if moment == "downloading" else 0.0
    paths = photos(tmp_path, 1)
    out = tmp_path / "out"
    common = ["--base-url", emulator.base_url, "--api-key", KEY, "--poll-interval", "0.05", "--timeout", "60"]
    proc = subprocess.Popen([sys.executable, "-m", "desktop_editor.cli", "edit", str(paths[0]), "--prompt", "make it blue",
                             "--num-images", "2", "--out", str(out), *common],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        states = [j.state.value for j in _journal_states().values()]
        if moment in states:
            break
        time.sleep(0.01)
    assert moment in states
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    emulator.behaviour.download_delay = 0.0
    resumed = subprocess.run([sys.executable, "-m", "desktop_editor.cli", "jobs", "resume", *common],
                             capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    store = JobStore(history_path())
    try:
        row = account(f"app killed while {moment}, restarted", emulator, store, out, asked=1)
    finally:
        store.close()
    assert row["created"] == 1 and row["saved"] == 2 and len(list(out.iterdir())) == 2
