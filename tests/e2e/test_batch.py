"""`desktop-editor batch` and `jobs` end to end: real HTTP to the emulator, real processes for kills."""

import io
import json
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from PIL import Image

from desktop_editor.cli import main
from desktop_editor.core import masks
from desktop_editor.emulator import Behaviour, Emulator, Fault

KEY = "rf_test_batch_key"


@pytest.fixture
def emulator():
    with Emulator(api_keys={KEY}, behaviour=Behaviour(run_duration=0.1)) as emu:
        yield emu


def make_catalogue(folder, count, *, with_masks=True, size=(64, 48)):
    images, mask_dir = folder / "images", folder / "masks"
    images.mkdir()
    mask_dir.mkdir()
    rng = np.random.default_rng(count)
    for i in range(count):
        Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)).save(images / f"item{i:02d}.jpg")
        if with_masks:
            m = masks.empty_mask(size)
            m[5:20, 5:30] = 255
            name = f"item{i:02d}.png" if i % 2 else f"item{i:02d}_mask.png"
            (mask_dir / name).write_bytes(masks.encode_mask_png(m))
    return images, mask_dir


def service_args(emulator):
    return ["--base-url", emulator.base_url, "--api-key", KEY, "--poll-interval", "0.05", "--timeout", "60"]


def test_batch_of_20_four_at_a_time(emulator, tmp_path, capsys):
    images, mask_dir = make_catalogue(tmp_path, 20)
    out, report = tmp_path / "out", tmp_path / "report.json"
    code = main(["batch", "--images", str(images), "--masks", str(mask_dir), "--prompt", "remove the tag",
                 "--out", str(out), "--concurrency", "4", "--yes", "--report", str(report), *service_args(emulator)])
    assert code == 0
    err = capsys.readouterr().err
    assert "Plan: 20 of 20 images" in err and "Estimated cost: $2.66" in err
    assert emulator.runs_created == 20
    data = json.loads(report.read_text())
    assert len(data["jobs"]) == 20 and {j["status"] for j in data["jobs"]} == {"done"}
    files = sorted(p for j in data["jobs"] for p in j["files"])
    assert files == sorted(str(p) for p in out.iterdir())
    assert data["spent"] == pytest.approx(20 * 0.133)
    for job in data["jobs"]:
        assert job["run_id"] in emulator.runs
        assert len(emulator.run_by_client_ref(job["client_ref"])) == 1
    assert "20/20" in err  # plain progress lines when stderr is not a terminal


def test_images_without_masks_are_listed_and_skipped(emulator, tmp_path, capsys):
    images, mask_dir = make_catalogue(tmp_path, 3)
    (mask_dir / "item01.png").unlink()
    code = main(["batch", "--images", str(images / "*.jpg"), "--masks", str(mask_dir), "--prompt", "remove the tag",
                 "--out", str(tmp_path / "out"), "--yes", *service_args(emulator)])
    err = capsys.readouterr().err
    assert code == 0 and "skipped item01.jpg: no mask found" in err and emulator.runs_created == 2


def test_models_without_masks_need_none(emulator, tmp_path):
    images, _ = make_catalogue(tmp_path, 3, with_masks=False)
    code = main(["batch", "--images", str(images), "--model", "runflow/tag-removal", "--out", str(tmp_path / "out"),
                 "--yes", *service_args(emulator)])
    assert code == 0 and emulator.runs_created == 3


def test_batch_needs_confirmation_without_a_terminal(emulator, tmp_path, capsys, monkeypatch):
    images, mask_dir = make_catalogue(tmp_path, 2)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code = main(["batch", "--images", str(images), "--masks", str(mask_dir), "--prompt", "x y", *service_args(emulator)])
    assert code == 2 and "--yes" in capsys.readouterr().err and emulator.runs_created == 0


def test_429_storm_and_failing_runs_mixed_in(emulator, tmp_path):
    images, mask_dir = make_catalogue(tmp_path, 12)
    emulator.inject(Fault(route="create", kind="429", count=8))
    emulator.inject(Fault(route="get_run", kind="503", count=5))
    stop = threading.Event()

    def flip():
        while not stop.wait(0.03):
            emulator.behaviour.outcome = "failed" if emulator.behaviour.outcome == "succeeded" else "succeeded"

    flipper = threading.Thread(target=flip)
    flipper.start()
    report = tmp_path / "r.json"
    try:
        code = main(["batch", "--images", str(images), "--masks", str(mask_dir), "--prompt", "remove the tag",
                     "--out", str(tmp_path / "out"), "--yes", "--concurrency", "3", "--report", str(report),
                     *service_args(emulator)])
    finally:
        stop.set()
        flipper.join()
    jobs = json.loads(report.read_text())["jobs"]
    done = [j for j in jobs if j["status"] == "done"]
    failed = [j for j in jobs if j["status"] == "failed"]
    assert len(done) + len(failed) == 12
    assert emulator.runs_created == 12  # a 429 never creates; nothing created twice
    assert all(len(emulator.run_by_client_ref(j["client_ref"])) == 1 for j in jobs)
    assert len(list((tmp_path / "out").iterdir())) == len(done)
    assert code == (0 if not failed else 1)
    for job in failed:
        assert "could not process" in job["error"]


def _cli(*args, **kw):
    return subprocess.Popen([sys.executable, "-m", "desktop_editor.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def _wait_for(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def _journal():
    from desktop_editor.jobs.paths import history_path
    from desktop_editor.jobs.store import JobStore

    store = JobStore(history_path())
    try:
        return store.jobs()
    finally:
        store.close()


def test_sigkill_mid_batch_then_resume_loses_nothing(emulator, tmp_path):
    emulator.behaviour.run_duration = 1.0
    images, mask_dir = make_catalogue(tmp_path, 10)
    out = tmp_path / "out"
    proc = _cli("batch", "--images", str(images), "--masks", str(mask_dir), "--prompt", "remove the tag",
                "--out", str(out), "--yes", "--concurrency", "3", *service_args(emulator))
    assert _wait_for(lambda: emulator.runs_created >= 4)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    before = {j.id: j.state.value for j in _journal()}
    assert len(before) == 10 and "done" not in before.values() or list(before.values()).count("done") < 10
    resume = _cli("jobs", "resume", *service_args(emulator))
    stdout, stderr = resume.communicate(timeout=120)
    jobs = _journal()
    unknown = [j for j in jobs if j.state.value == "outcome_unknown"]  # killed mid-create: never resent
    done = [j for j in jobs if j.state.value == "done"]
    assert len(done) + len(unknown) == 10, stderr
    for job in jobs:
        assert len(emulator.run_by_client_ref(job.client_ref)) <= 1  # no run created twice
    # A job killed after journaling its create but before the request arrived has no run; one
    # killed after the service took it has exactly one. Either way it stays "outcome unknown".
    assert emulator.runs_created == len(done) + sum(1 for j in unknown if emulator.run_by_client_ref(j.client_ref))
    saved = sorted(out.iterdir())
    assert len(saved) == len(done)  # each finished run's image exactly once
    assert sorted(str(p) for j in done for p in j.result_paths) == [str(p) for p in saved]
    for path in saved:
        Image.open(path).verify()
    assert resume.returncode == (0 if not unknown else 4)


def test_ctrl_c_stops_sending_and_keeps_paid(emulator, tmp_path):
    emulator.behaviour.run_duration = 1.0
    images, mask_dir = make_catalogue(tmp_path, 12)
    proc = _cli("batch", "--images", str(images), "--masks", str(mask_dir), "--prompt", "remove the tag",
                "--out", str(tmp_path / "out"), "--yes", "--concurrency", "2", *service_args(emulator))
    assert _wait_for(lambda: emulator.runs_created >= 2)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert "not sent" in stderr
    jobs = _journal()
    canceled = [j for j in jobs if j.state.value == "canceled"]
    done = [j for j in jobs if j.state.value == "done"]
    assert canceled and done
    assert emulator.runs_created == len(done) + sum(1 for j in jobs if j.state.value == "outcome_unknown")
    assert all(not emulator.run_by_client_ref(j.client_ref) for j in canceled)


def test_jobs_list_show_and_resend(emulator, tmp_path, capsys):
    photo = tmp_path / "p.png"
    Image.new("RGB", (64, 48), (1, 2, 3)).save(photo)
    emulator.inject(Fault(route="create", kind="drop_after_read"))
    assert main(["edit", str(photo), "--prompt", "make it blue", "--out", str(tmp_path / "o"), *service_args(emulator)]) == 4
    capsys.readouterr()
    assert main(["jobs", "list"]) == 0
    listing = capsys.readouterr().out
    job_id = listing.split()[0]
    assert "outcome_unknown" in listing and "make it blue" in listing
    assert main(["jobs", "show", job_id[:6]]) == 0
    shown = capsys.readouterr().out
    assert "client_ref: de-" in shown and "cost: unknown" in shown
    assert main(["jobs", "resend", job_id, *service_args(emulator)]) == 0
    assert emulator.runs_created == 2
    assert main(["jobs", "show", "nope"]) == 2
