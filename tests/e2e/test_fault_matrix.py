"""Never lose a paid result, never pay twice: each row runs real jobs through the job system
against the emulator and checks runs created and charged against result files on disk.

lost = images of charged runs whose run id the journal knows but that are not on disk (must be 0).
unknown = jobs whose create may have been accepted but whose run id never reached us: they are
reported with their client_ref and never resent, so they cannot be charged twice.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import processes
from fault_matrix_rows import FAULT_MATRIX
from desktop_editor.api import ClientConfig, RunflowClient
from desktop_editor.core import masks
from desktop_editor.core.params import EditParams
from desktop_editor.emulator import Behaviour, Emulator, Fault
from desktop_editor.jobs.manager import JobManager
from desktop_editor.jobs.model import EditJob, JobOptions, JobState
from desktop_editor.jobs.paths import data_dir, history_path
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


HOSTILE_ROWS = {
    "result: HTML page labelled PNG": "html",
    "result: decompression bomb": "bomb",
    "result: WebP labelled PNG": "mislabelled",
    "result: 300 MB body": "huge",
    "result: endless body": "endless",
}


@pytest.mark.parametrize("scenario", list(HOSTILE_ROWS))
def test_hostile_result_bodies(scenario, emulator, store, tmp_path):
    """A result that is no usable image is never saved as one and never paid for twice; "lost"
    here counts charged runs that end neither with their image saved nor "no readable image"
    with the answer kept (a silent loss)."""
    body = HOSTILE_ROWS[scenario]
    emulator.behaviour.result_body = body
    run_manager(emulator, store, tmp_path, client=client_for(emulator, download_max_bytes=32 * 1024 * 1024))
    jobs = store.jobs()
    saved = [p for j in jobs for p in j.result_paths if p.is_file()]
    lost = sum(1 for j in jobs if not (j.state is JobState.DONE and j.result_paths)
               and not (j.state is JobState.UNREADABLE and j.raw_answer))
    FAULT_MATRIX.append({"scenario": scenario, "asked": ASKED, "created": emulator.runs_created,
                         "charged": emulator.runs_charged, "saved": len(saved), "lost": lost, "unknown": 0})
    usable = body == "mislabelled"
    assert lost == 0 and emulator.runs_created == emulator.runs_charged == ASKED
    assert {j.state for j in jobs} == {JobState.DONE if usable else JobState.UNREADABLE}
    assert len(saved) == (ASKED if usable else 0)
    for client_ref in {j.client_ref for j in jobs}:
        assert len(emulator.run_by_client_ref(client_ref)) == 1
    assert all(p.suffix == ".webp" for p in saved)


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


# ----- many processes on one journal --------------------------------------------------------------

MANY = 8


def service_args(emulator):
    return ["--base-url", emulator.base_url, "--api-key", KEY, "--poll-interval", "0.05", "--timeout", "60"]


def batch_args(tmp_path, n, out):
    """`batch` of `n` photos with one shared mask into `out`."""
    images = tmp_path / "images"
    images.mkdir(exist_ok=True)
    photos(images, n)
    mask = masks.empty_mask((64, 48))
    mask[10:30, 10:40] = 255
    (tmp_path / "mask.png").write_bytes(masks.encode_mask_png(mask))
    return ["batch", "--images", str(images), "--mask", str(tmp_path / "mask.png"), "--prompt", "make it blue",
            "--out", str(out), "--yes"]


def start_batch(emulator, tmp_path, *, n=MANY, out=None, concurrency=2):
    return processes.cli(*batch_args(tmp_path, n, out or tmp_path / "out"), "--concurrency", str(concurrency),
                         *service_args(emulator))


def runs_known() -> int:
    return len(processes.journal("SELECT id FROM jobs WHERE run_id IS NOT NULL"))


def all_final(n: int) -> bool:
    finals = tuple(s.value for s in (JobState.DONE, JobState.FAILED, JobState.OUTCOME_UNKNOWN, JobState.STOPPED,
                                     JobState.CANCELED))
    rows = processes.journal(f"SELECT state FROM jobs WHERE state IN ({', '.join('?' * len(finals))})", finals)
    return len(rows) == n


def every_result_once(scenario, emulator, out, n=MANY):
    """One create per client_ref (checked by `account`), every finished job's result on disk
    exactly once, nothing else in the folder, nothing left unfinished."""
    store = JobStore(history_path())
    try:
        row = account(scenario, emulator, store, out, asked=n)
        jobs = store.jobs()
    finally:
        store.close()
    assert len(jobs) == n
    assert {j.state for j in jobs} <= {JobState.DONE, JobState.OUTCOME_UNKNOWN}, [j.state for j in jobs]
    done = [j for j in jobs if j.state is JobState.DONE]
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(p.name for j in done for p in j.result_paths), "registered results only, no partials"
    assert len(files) == len(done) and all("-edit-1." in f and "-2." not in f for f in files), files
    return row


def test_two_resumes_during_a_batch_then_the_batch_and_a_resume_are_killed(emulator, tmp_path):
    """`jobs resume` twice while a batch runs: both follow the batch and send nothing. Kill the
    batch: they share its jobs out (one claim each). Kill one of them mid-work: the other
    finishes its jobs too."""
    emulator.behaviour.run_duration = 1.5
    batch = start_batch(emulator, tmp_path)
    processes.wait_for(lambda: runs_known() >= 2, 60, "the batch's first runs")
    logs = [tmp_path / f"resume{i}.log" for i in range(2)]
    resumes = [processes.cli("jobs", "resume", *service_args(emulator), stderr_to=log) for log in logs]
    processes.wait_for(lambda: all("running in another command" in log.read_text() for log in logs), 60,
                       "both resumes to follow the batch")
    assert emulator.runs_created <= 2 + 2, "the resumes sent nothing the batch holds"
    processes.kill(batch)
    first, second = resumes
    processes.wait_for(lambda: first.pid in processes.lease_pids() or first.poll() is not None, 30,
                       "a resume to take the batch's jobs over")
    processes.kill(first)
    _out, _err = second.communicate(timeout=120)
    row = every_result_once("batch + 2 resumes; batch, then resume killed", emulator, tmp_path / "out")
    assert second.returncode == (4 if row["unknown"] else 0), logs[1].read_text()


@pytest.mark.parametrize("victim", ["batch", "window"])
def test_a_window_opened_during_a_batch(victim, emulator, tmp_path):
    """The window resumes at start: it follows the batch's jobs read-only. Kill the batch and the
    window finishes them; kill the window and the batch finishes them. Never a second create."""
    emulator.behaviour.run_duration = 1.5
    batch = start_batch(emulator, tmp_path)
    processes.wait_for(lambda: runs_known() >= 2, 60, "the batch's first runs")
    app = processes.window(emulator.base_url, KEY)
    try:
        processes.wait_for(lambda: processes.has_journal_open(app.pid), 60, "the window to open the journal")
        time.sleep(1.0)  # it resumes (follows) right after opening the journal
        assert app.poll() is None
        if victim == "batch":
            processes.kill(batch)
            processes.wait_for(lambda: all_final(MANY), 120, "the window to finish the batch's jobs")
        else:
            processes.kill(app)
            _out, err = batch.communicate(timeout=120)
            assert batch.returncode == 0, err
    finally:
        for proc in (app, batch):
            if proc.poll() is None:
                processes.kill(proc)
    every_result_once(f"batch + window; {victim} killed", emulator, tmp_path / "out")
    if victim == "window":
        assert emulator.runs_created == MANY


def test_quit_while_offline_keeps_the_job(tmp_path):
    """Quit while the create waits between retries of an unreachable service: instant, and the
    next start sends it once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    store = JobStore(tmp_path / "history.sqlite3", owner_kind="window")
    client = RunflowClient(ClientConfig(api_key=KEY, base_url=f"http://127.0.0.1:{port}", backoff_base=0.5))
    manager = JobManager(client, store, offline_retry=30.0)
    jobs = [manager.submit(EditJob(params=EditParams(prompt="make it blue"), image_paths=[p],
                                   options=JobOptions(out_dir=tmp_path / "out"))) for p in photos(tmp_path, ASKED)]
    deadline = time.monotonic() + 10
    while {store.get(j.id).state for j in jobs} != {JobState.SENDING} and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)
    started = time.monotonic()
    assert manager.shutdown(stop_waiting=True, wait=True, timeout=2.0)
    assert time.monotonic() - started < 0.5
    assert not any(store.get(j.id).state.is_final for j in jobs)
    store.close()
    with Emulator(port=port, api_keys={KEY}, behaviour=Behaviour(run_duration=0.1)) as emulator:
        store = JobStore(tmp_path / "history.sqlite3", owner_kind="window")
        later = JobManager(client_for(emulator), store)
        assert len(later.resume_unfinished()) == ASKED
        assert later.wait_all(30)
        later.shutdown()
        row = account("quit while offline, next start", emulator, store, tmp_path / "out")
        store.close()
    assert row["created"] == row["saved"] == ASKED


# ----- results that cannot go where they were asked to ---------------------------------------------


@pytest.fixture
def limited_folder(tmp_path):
    """A folder that is full, or read-only: a small tmpfs where the system lets us mount one
    (root), else (read-only only) a folder without write permission."""
    mounted = []

    def make(kind: str) -> Path:
        folder = tmp_path / f"{kind}-folder"
        folder.mkdir()
        if os.geteuid() != 0:
            if kind == "full":
                pytest.skip("a full disk is played by a small tmpfs, which needs root to mount")
            folder.chmod(0o555)
            return folder
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs", str(folder)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
        mounted.append(folder)
        if kind == "full":
            fd = os.open(folder / ".filler", os.O_WRONLY | os.O_CREAT)
            try:
                while os.write(fd, b"\1" * 4096):
                    pass
            except OSError:  # ENOSPC: the disk is full
                pass
            finally:
                os.close(fd)
        else:
            make_read_only(folder)
        return folder

    yield make
    for folder in mounted:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def make_read_only(folder: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
    else:
        folder.chmod(0o555)


def check_rescue_said(proc_out: str, err: str, jobs: list, out: Path, report: dict | None = None):
    rescue = data_dir() / "rescued-results"
    assert f"could not be written to {out} and were kept in {rescue}:" in err, err
    files = [Path(p) for j in jobs for p in j.result_paths]
    assert files and all(p.parent == rescue and p.is_file() for p in files)
    for path in files:
        assert f"  {path}" in err and str(path) in proc_out
    if report is not None:
        assert sorted(report["rescued"]) == sorted(map(str, files)) and report["exit_code"] == 5
        assert all(j["rescued"] == j["files"] for j in report["jobs"])


@pytest.mark.parametrize("kind", ["full", "read-only"])
def test_batch_says_where_rescued_results_went(kind, emulator, tmp_path, limited_folder):
    out = limited_folder(kind)
    report = tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-m", "desktop_editor.cli", *batch_args(tmp_path, ASKED, out),
                           "--report", str(report), *service_args(emulator)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 5, done.stderr
    store = JobStore(history_path())
    try:
        jobs = store.jobs()
        row = account(f"batch, output folder {kind}", emulator, store, out)
    finally:
        store.close()
    check_rescue_said(done.stdout, done.stderr, jobs, out, json.loads(report.read_text()))
    assert row["saved"] == ASKED


def test_resume_says_where_rescued_results_went(emulator, tmp_path, limited_folder):
    """A batch killed mid-run; its output folder turns read-only; `jobs resume` rescues them and says so."""
    out = limited_folder("writable-then-read-only") if os.geteuid() == 0 else tmp_path / "out"
    if os.geteuid() == 0:
        subprocess.run(["mount", "-o", "remount,rw", str(out)], check=True)
    emulator.behaviour.run_duration = 2.0
    batch = start_batch(emulator, tmp_path, n=ASKED, out=out, concurrency=ASKED)
    processes.wait_for(lambda: runs_known() == ASKED, 60, "every run created")
    processes.kill(batch)
    out.mkdir(exist_ok=True)
    make_read_only(out)
    done = subprocess.run([sys.executable, "-m", "desktop_editor.cli", "jobs", "resume", *service_args(emulator)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 5, done.stderr
    store = JobStore(history_path())
    try:
        jobs = store.jobs()
        row = account("resume, output folder read-only", emulator, store, out)
    finally:
        store.close()
    check_rescue_said(done.stdout, done.stderr, jobs, out)
    assert row["saved"] == row["created"] == ASKED
