"""Result downloads that misbehave, through `edit` and `batch` over real HTTP to the emulator.

Each misbehaviour (an HTML page as PNG, a decompression bomb, WebP labelled PNG, a 300 MB and
an endless body, a drip) must end honestly: never "done" with a non-image, never "Nothing was
sent" after a create, never re-sent, never hanging, the raw bytes and answer kept.
"""

import json
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

import desktop_editor.cli.running as running
from desktop_editor.cli import main
from desktop_editor.core import masks
from desktop_editor.emulator import Behaviour, Emulator
from desktop_editor.jobs.paths import data_dir

KEY = "rf_test_hostile_key"
REJECTED = ("html", "bomb", "huge", "endless")


@pytest.fixture
def emulator():
    with Emulator(api_keys={KEY}, behaviour=Behaviour(run_duration=0.1)) as emu:
        yield emu


@pytest.fixture
def photo(tmp_path):
    rng = np.random.default_rng(3)
    path = tmp_path / "photo.png"
    Image.fromarray(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8), "RGB").save(path)
    return path


@pytest.fixture
def mask_file(tmp_path):
    m = masks.empty_mask((64, 48))
    m[10:30, 10:40] = 255
    path = tmp_path / "mask.png"
    path.write_bytes(masks.encode_mask_png(m))
    return path


def service_args(emulator):
    return ["--base-url", emulator.base_url, "--api-key", KEY, "--poll-interval", "0.05", "--timeout", "30"]


def edit(emulator, photo, out, *extra):
    return main(["edit", str(photo), "--prompt", "make it blue", "--out", str(out), "--json",
                 *map(str, extra), *service_args(emulator)])


def kept_bytes(job_id):
    return sorted((data_dir() / "jobs" / job_id).glob("unreadable-result-*"))


def leftover_parts():
    return list((data_dir() / "jobs").rglob("*.part"))


@pytest.mark.parametrize("keep", [False, True], ids=["as-sent", "keep-unmasked"])
@pytest.mark.parametrize("body", REJECTED)
def test_edit_never_takes_a_broken_result_for_one(body, keep, emulator, photo, mask_file, tmp_path, capsys):
    emulator.behaviour.result_body = body
    out = tmp_path / "out"
    extra = ["--mask", mask_file, "--keep-unmasked"] if keep else []
    started = time.monotonic()
    code = edit(emulator, photo, out, *extra)
    elapsed = time.monotonic() - started
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert code == 4 and report["status"] == "unreadable", captured.err
    assert report["files"] == [] and not (out.exists() and any(out.iterdir()))
    assert "Nothing was sent" not in captured.err + report["error"]
    assert "run was created" in report["error"] and report["run_id"] in report["error"]
    assert emulator.runs_created == 1  # never re-sent
    downloads = [r for r in emulator.requests if r.path.startswith("/_results/")]
    assert len(downloads) == 1  # a definite "not an image" is not fetched again
    kept = kept_bytes(report["job_id"])
    if body in ("html", "bomb"):
        assert len(kept) == 1
        head = kept[0].read_bytes()[:16]
        assert head.startswith(b"<!DOCTYPE html>" if body == "html" else b"\x89PNG")
    else:  # too large to keep: refused before (huge) or when the limit was passed (endless)
        assert kept == [] and "larger than any image" in report["error"]
    assert leftover_parts() == []
    assert elapsed < 20
    assert main(["jobs", "show", report["job_id"]]) == 0
    shown = capsys.readouterr().out
    assert "the service's answer, as received" in shown and report["run_id"] in shown


@pytest.mark.parametrize("keep", [False, True], ids=["as-sent", "keep-unmasked"])
def test_webp_labelled_png_is_saved_as_webp(keep, emulator, photo, mask_file, tmp_path, capsys):
    emulator.behaviour.result_body = "mislabelled"
    out = tmp_path / "out"
    extra = ["--mask", mask_file, "--keep-unmasked"] if keep else []
    code = edit(emulator, photo, out, *extra)
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["status"] == "done"
    [saved] = [p for p in out.iterdir()]
    if keep:  # composited into the PNG original and encoded again, like the original
        assert saved.suffix == ".png" and saved.read_bytes().startswith(b"\x89PNG")
    else:  # kept as the service's bytes: named after what they are
        assert saved.name == "photo-edit-1.webp"
        data = saved.read_bytes()
        assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    with Image.open(saved) as img:
        assert img.size == (64, 48)


def test_a_dripping_result_is_cut_off_and_stays_resumable(emulator, photo, tmp_path, capsys, monkeypatch):
    """The overall limit ends a drip (here shortened to 1 s + size/rate); the run is kept, and a
    resume once the link behaves fetches the result without a second create."""
    build = running.client_from_args

    def quick_limits(args):
        client = build(args)
        client.config = client.config.with_changes(download_grace=1.0, download_min_rate=16 * 1024)
        return client

    monkeypatch.setattr(running, "client_from_args", quick_limits)
    emulator.behaviour.result_body = "drip"
    emulator.behaviour.drip_interval = 0.5
    out = tmp_path / "out"
    started = time.monotonic()
    code = edit(emulator, photo, out)
    elapsed = time.monotonic() - started
    report = json.loads(capsys.readouterr().out)
    assert code == 3 and report["status"] == "offline" and elapsed < 10
    assert "too slowly" in report["error"] and report["run_id"] in report["error"]
    assert "Nothing was sent" not in report["error"]
    emulator.behaviour.result_body = "image"
    assert main(["jobs", "resume", *service_args(emulator)]) == 0
    assert emulator.runs_created == 1
    assert [p.name for p in out.iterdir()] == ["photo-edit-1.png"]


def test_batch_ends_each_broken_result_unreadable_and_sends_nothing_twice(emulator, mask_file, tmp_path, capsys):
    images = tmp_path / "images"
    images.mkdir()
    for i in range(3):
        Image.new("RGB", (64, 48), (i * 40, 9, 9)).save(images / f"item{i}.png")
    emulator.behaviour.result_body = "html"
    code = main(["batch", "--images", str(images), "--mask", str(mask_file), "--prompt", "remove the tag", "--out", str(tmp_path / "out"),
                 "--yes", "--json", "--concurrency", "2", *service_args(emulator)])
    report = json.loads(capsys.readouterr().out)
    assert code == 4
    assert {j["status"] for j in report["jobs"]} == {"unreadable"}
    assert emulator.runs_created == 3
    for job in report["jobs"]:
        assert job["run_id"] in job["error"] and "Nothing was sent" not in job["error"]
        assert len(kept_bytes(job["job_id"])) == 1
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_batch_saves_mislabelled_results_by_what_they_are(emulator, mask_file, tmp_path, capsys):
    images = tmp_path / "images"
    images.mkdir()
    for i in range(2):
        Image.new("RGB", (64, 48), (i * 40, 9, 9)).save(images / f"item{i}.png")
    emulator.behaviour.result_body = "mislabelled"
    code = main(["batch", "--images", str(images), "--mask", str(mask_file), "--prompt", "remove the tag", "--out", str(tmp_path / "out"),
                 "--yes", "--json", *service_args(emulator)])
    capsys.readouterr()
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["item0-edit-1.webp", "item1-edit-1.webp"]


def test_ctrl_c_during_a_dripping_download_exits_within_a_second(emulator, photo, tmp_path):
    from desktop_editor.jobs.paths import history_path
    from desktop_editor.jobs.store import JobStore

    emulator.behaviour.result_body = "drip"
    emulator.behaviour.drip_interval = 1.0
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "desktop_editor.cli", "edit", str(photo), "--prompt", "make it blue",
         "--out", str(out), *service_args(emulator)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not any(r.path.startswith("/_results/") for r in emulator.requests):
            assert time.monotonic() < deadline and proc.poll() is None, "the download never started"
            time.sleep(0.02)
        time.sleep(1.5)  # well inside the drip: a few bytes in, the read blocked on the next
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=10)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr
    assert took < 1.0, f"Ctrl+C took {took:.2f} s"
    store = JobStore(history_path())
    try:
        [job] = store.jobs()
    finally:
        store.close()
    assert job.run_id and not job.state.is_final  # in flight in the journal: resumable
    assert "jobs resume" in stderr
    emulator.behaviour.result_body = "image"
    assert main(["jobs", "resume", *service_args(emulator)]) == 0
    assert emulator.runs_created == 1 and [p.name for p in out.iterdir()] == ["photo-edit-1.png"]


def test_plain_http_to_another_machine_is_refused_before_the_key_leaves(photo, tmp_path, capsys):
    code = main(["edit", str(photo), "--prompt", "make it blue", "--out", str(tmp_path / "out"),
                 "--base-url", "http://runflow.example.invalid", "--api-key", KEY])
    err = capsys.readouterr().err
    assert code == 2 and "unencrypted" in err and "--allow-http" in err
    assert KEY not in err
