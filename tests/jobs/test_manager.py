"""The job system end to end against the emulator: concurrency, journal, resume, rescue."""

import threading
import time

import numpy as np
import pytest
from PIL import Image

from desktop_editor.api import ClientConfig, RunflowClient, to_data_uri
from desktop_editor.core.masks import encode_mask_png
from desktop_editor.core.params import EditParams
from desktop_editor.emulator import Behaviour, Emulator, Fault
from desktop_editor.jobs.manager import JobManager, Snapshot
from desktop_editor.jobs.model import EditJob, JobOptions, JobState
from desktop_editor.jobs.store import JobStore

KEY = "rf_test_jobs"


@pytest.fixture
def emulator():
    with Emulator(api_keys={KEY}, behaviour=Behaviour(run_duration=0.2)) as emu:
        yield emu


@pytest.fixture
def store(tmp_path):
    s = JobStore(tmp_path / "history.sqlite3")
    yield s
    s.close()


def make_manager(emulator, store, workers=4):
    client = RunflowClient(ClientConfig(api_key=KEY, base_url=emulator.base_url, poll_interval=0.03,
                                        backoff_base=0.01, backoff_max=0.05, wait_timeout=20))
    return JobManager(client, store, max_workers=workers)


def wait_until(predicate, timeout: float = 5.0) -> bool:
    """Poll a condition of the journal (these tests have no Qt event loop to wait on)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def photo(tmp_path, name="p.png", size=(80, 60)):
    rng = np.random.default_rng(len(name))
    path = tmp_path / name
    Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)).save(path)
    return path


def new_job(tmp_path, **options):
    name = f"p{len(list(tmp_path.glob('p*.png')))}.png"
    return EditJob(params=EditParams(prompt="make it blue"), image_paths=[photo(tmp_path, name)],
                   options=JobOptions(out_dir=tmp_path / "out", **options))


def test_concurrent_jobs_all_finish_and_are_journaled(emulator, store, tmp_path):
    manager = make_manager(emulator, store)
    seen: dict[str, list[JobState]] = {}
    lock = threading.Lock()

    def listen(job):
        with lock:
            seen.setdefault(job.id, []).append(job.state)

    manager.add_listener(listen)
    ids = [manager.submit(new_job(tmp_path)).id for _ in range(6)]
    assert manager.wait_all(timeout=30)
    for job_id in ids:
        stored = store.get(job_id)
        assert stored.state is JobState.DONE and len(stored.result_paths) == 1 and stored.result_paths[0].exists()
        states = seen[job_id]
        assert states.index(JobState.SENDING) < states.index(JobState.QUEUED) < states.index(JobState.DONE)
    assert emulator.runs_created == 6
    assert len({p for j in ids for p in store.get(j).result_paths}) == 6
    manager.shutdown()


def test_job_is_journaled_before_create_is_sent(emulator, store, tmp_path):
    manager = make_manager(emulator, store)
    states_at_create = []
    original = manager.client.create_run

    def spying_create(*args, **kw):
        states_at_create.append(store.get(job.id).state)
        return original(*args, **kw)

    manager.client.create_run = spying_create
    job = manager.submit(new_job(tmp_path))
    manager.wait_all(10)
    assert states_at_create == [JobState.SENDING]
    manager.shutdown()


def test_snapshot_inputs_saved_in_job_folder(emulator, store, tmp_path):
    manager = make_manager(emulator, store)
    mask = np.zeros((60, 80), np.uint8)
    mask[10:30, 10:40] = 255
    img = Image.new("RGB", (80, 60), (10, 200, 30))
    job = EditJob(params=EditParams(prompt="ok"), image_paths=[], options=JobOptions(out_dir=tmp_path / "o", keep_unmasked=True),
                  source="gui")
    manager.submit(job, Snapshot(image=img, mask=mask, name="clip"))
    manager.wait_all(10)
    stored = store.get(job.id)
    assert stored.state is JobState.DONE
    assert stored.image_paths[0].name == "clip.png" and stored.mask_path.name == "mask.png"
    assert stored.result_paths[0].name == "clip-edit-1.png"
    out = np.asarray(Image.open(stored.result_paths[0]).convert("RGB"))
    assert (out[mask == 0] == (10, 200, 30)).all()
    manager.shutdown()


def test_stop_waiting(emulator, store, tmp_path):
    emulator.behaviour.run_duration = 30
    manager = make_manager(emulator, store)
    job = manager.submit(new_job(tmp_path))
    assert wait_until(lambda: store.get(job.id).run_id is not None)
    assert manager.stop_waiting(job.id)
    manager.wait_all(5)
    stored = store.get(job.id)
    assert stored.state is JobState.STOPPED and "may still finish" in (stored.advice or "")
    # Said once, not three times (state label, error and advice all used to say it).
    told = " ".join(filter(None, (stored.state.label, stored.error, stored.advice)))
    assert told.count("may still finish") == 1 and told.count("Stopped waiting") == 1
    manager.shutdown()


def test_resume_after_crash_downloads_without_new_run(emulator, store, tmp_path):
    # A previous app created a run, journaled it as running, then died.
    client = RunflowClient(ClientConfig(api_key=KEY, base_url=emulator.base_url))
    job = new_job(tmp_path)
    image_url = to_data_uri(job.image_paths[0].read_bytes(), "image/png")
    run = client.create_run(job.params.model, job.params.model_input([image_url], None), client_ref=job.client_ref)
    job.state, job.run_id = JobState.RUNNING, run.id
    store.save(job)
    sending = new_job(tmp_path)
    sending.state = JobState.SENDING
    store.save(sending)
    manager = make_manager(emulator, store)
    resumed = manager.resume_unfinished()
    assert {j.id for j in resumed} == {job.id, sending.id}
    manager.wait_all(10)
    done = store.get(job.id)
    assert done.state is JobState.DONE and len(done.result_paths) == 1
    assert emulator.runs_created == 1
    unknown = store.get(sending.id)
    assert unknown.state is JobState.OUTCOME_UNKNOWN and sending.client_ref in unknown.error
    manager.shutdown()


def test_shutdown_keeps_running_jobs_resumable(emulator, store, tmp_path):
    emulator.behaviour.run_duration = 30
    manager = make_manager(emulator, store)
    job = manager.submit(new_job(tmp_path))
    assert wait_until(lambda: store.get(job.id).run_id is not None)
    manager.shutdown()
    assert store.get(job.id).state in (JobState.QUEUED, JobState.RUNNING)
    assert [j.id for j in store.unfinished()] == [job.id]


def test_unwritable_output_folder_rescues_result(emulator, store, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the output folder should be")
    manager = make_manager(emulator, store)
    job = new_job(tmp_path)
    job.options = JobOptions(out_dir=blocker / "sub")
    manager.submit(job)
    manager.wait_all(10)
    stored = store.get(job.id)
    assert stored.state is JobState.DONE
    assert stored.result_paths[0].exists() and "rescued-results" in str(stored.result_paths[0])
    assert "could not be written" in stored.advice


def test_ambiguous_create_marks_outcome_unknown(emulator, store, tmp_path):
    emulator.inject(Fault(route="create", kind="drop_after_read"))
    manager = make_manager(emulator, store)
    job = manager.submit(new_job(tmp_path))
    manager.wait_all(10)
    stored = store.get(job.id)
    assert stored.state is JobState.OUTCOME_UNKNOWN and emulator.runs_created == 1
    resent = manager.resend(job.id)
    manager.wait_all(10)
    assert store.get(resent.id).state is JobState.DONE and resent.client_ref != job.client_ref
    assert emulator.runs_created == 2
    manager.shutdown()


def test_offline_job_waits_and_sends_when_service_returns(store, tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = RunflowClient(ClientConfig(api_key=KEY, base_url=f"http://127.0.0.1:{port}", poll_interval=0.03,
                                        backoff_base=0.01, backoff_max=0.02, max_retries=1))
    manager = JobManager(client, store, offline_retry=0.3)
    job = manager.submit(new_job(tmp_path))
    assert wait_until(lambda: store.get(job.id).state is JobState.OFFLINE, timeout=10)
    assert "reachable" in store.get(job.id).advice
    with Emulator(port=port, api_keys={KEY}, behaviour=Behaviour(run_duration=0.1)) as emu:
        assert wait_until(lambda: store.get(job.id).state is JobState.DONE, timeout=15)
        assert emu.runs_created == 1
    manager.shutdown()


def test_offline_without_waiting_fails_as_unreachable(store, tmp_path):
    client = RunflowClient(ClientConfig(api_key=KEY, base_url="http://127.0.0.1:9", max_retries=0))
    manager = JobManager(client, store)
    job = manager.submit(new_job(tmp_path))
    manager.wait_all(10)
    stored = store.get(job.id)
    assert stored.state is JobState.FAILED and stored.failure_kind == "unreachable"
    manager.shutdown()


def test_download_that_keeps_failing_stays_resumable(emulator, store, tmp_path):
    from desktop_editor.api.client import RENEWALS

    emulator.inject(Fault(route="download", kind="expired", count=RENEWALS + 1))  # every renewal fails
    manager = make_manager(emulator, store)
    job = manager.submit(new_job(tmp_path))
    manager.wait_all(20)
    manager.shutdown()
    stored = store.get(job.id)
    assert stored.state is JobState.OFFLINE and stored.run_id and "kept expiring" in stored.error
    later = make_manager(emulator, store)
    assert [j.id for j in later.resume_unfinished()] == [job.id]
    later.wait_all(20)
    assert store.get(job.id).state is JobState.DONE and emulator.runs_created == 1
    later.shutdown()


def test_stop_before_sending_charges_nothing(emulator, store, tmp_path):
    manager = make_manager(emulator, store)
    gate = threading.Event()
    original = manager.client.media_url

    def slow_upload(*args, **kw):
        gate.wait(5)
        return original(*args, **kw)

    manager.client.media_url = slow_upload
    job = manager.submit(new_job(tmp_path))
    assert wait_until(lambda: store.get(job.id).state is JobState.UPLOADING)
    manager.stop_waiting(job.id)
    gate.set()
    manager.wait_all(10)
    assert store.get(job.id).state is JobState.CANCELED and emulator.runs_created == 0
    manager.shutdown()


def test_prune_and_delete_remove_saved_inputs(emulator, store, tmp_path):
    from desktop_editor.jobs import paths

    manager = make_manager(emulator, store)
    job = EditJob(params=EditParams(prompt="ok"), image_paths=[], options=JobOptions(out_dir=tmp_path / "o"))
    manager.submit(job, Snapshot(image=Image.new("RGB", (40, 30)), mask=None, name="pic"))
    manager.wait_all(10)
    manager.shutdown()
    folder = paths.data_dir() / "jobs" / job.id
    result = store.get(job.id).result_paths[0]
    assert folder.is_dir()
    store.delete(job.id)
    assert not folder.exists() and result.exists()


def test_send_region_pastes_back_into_the_full_image(emulator, store, tmp_path):
    import base64
    import io

    path = photo(tmp_path, "big.png", size=(1200, 900))
    mask = np.zeros((900, 1200), np.uint8)
    mask[400:450, 500:600] = 255
    mask_path = tmp_path / "m.png"
    mask_path.write_bytes(encode_mask_png(mask))
    manager = make_manager(emulator, store)
    job = EditJob(params=EditParams(prompt="make it blue"), image_paths=[path], mask_path=mask_path,
                  options=JobOptions(out_dir=tmp_path / "out", region_padding=40))
    manager.submit(job)
    manager.wait_all(20)
    manager.shutdown()
    stored = store.get(job.id)
    assert stored.state is JobState.DONE and stored.sent_size == (256, 256)
    sent = [r for r in emulator.requests if r.method == "POST" and r.path.endswith("/runs")][0].json["input"]
    url = sent["image_urls"][0]  # a noise image this size is uploaded rather than sent inline
    data = base64.b64decode(url.split(",", 1)[1]) if url.startswith("data:") else emulator.asset_bytes(url)
    sent_image = Image.open(io.BytesIO(data))
    assert sent_image.size == (256, 256)
    out = np.asarray(Image.open(stored.result_paths[0]).convert("RGB"))
    original = np.asarray(Image.open(path).convert("RGB"))
    assert out.shape == original.shape
    left, top = 550 - 128, 425 - 128
    outside = np.ones(mask.shape, bool)
    outside[top : top + 256, left : left + 256] = False
    assert np.array_equal(out[outside], original[outside])
    assert np.abs(out[400:450, 500:600].astype(int) - original[400:450, 500:600]).mean() > 20


def test_resume_can_be_limited_to_some_sources(emulator, store, tmp_path):
    for source in ("demo", "app"):
        job = new_job(tmp_path)
        job.source = source
        store.save(job)
    manager = make_manager(emulator, store)
    resumed = manager.resume_unfinished(sources={"demo"})
    assert [j.source for j in resumed] == ["demo"]
    manager.wait_all(10)
    assert {j.source: j.state for j in store.jobs()} == {"demo": JobState.DONE, "app": JobState.PENDING}
    manager.shutdown()


# ----- camera files: the snapshot is the file itself, the result keeps its format -------------

def camera_jpeg(tmp_path, size=(240, 160)):
    from PIL import ImageCms

    rng = np.random.default_rng(7)
    small = Image.fromarray(rng.integers(0, 255, (6, 9, 3), dtype=np.uint8)).resize(size, Image.Resampling.BICUBIC)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    path = tmp_path / "camera.jpg"
    small.save(path, quality=90, icc_profile=icc, dpi=(300, 300))
    return path, icc


def camera_mask():
    mask = np.zeros((160, 240), np.uint8)
    mask[40:100, 60:160] = 255
    return mask


def test_unchanged_source_file_is_the_snapshot_and_the_result_stays_jpeg(emulator, store, tmp_path):
    from desktop_editor.core.images import load_image

    path, icc = camera_jpeg(tmp_path)
    loaded = load_image(path)
    manager = make_manager(emulator, store)
    job = EditJob(params=EditParams(prompt="ok"), image_paths=[], source="gui",
                  options=JobOptions(out_dir=tmp_path / "o", keep_unmasked=True, feather=4))
    manager.submit(job, Snapshot(image=loaded.image, mask=camera_mask(), name="camera.jpg", source=loaded))
    manager.wait_all(10)
    manager.shutdown()
    stored = store.get(job.id)
    assert stored.state is JobState.DONE
    assert stored.image_paths[0].name == "camera.jpg"
    assert stored.image_paths[0].read_bytes() == path.read_bytes()  # copied, not re-encoded
    with Image.open(stored.result_paths[0]) as saved:
        assert stored.result_paths[0].suffix == ".jpg" and saved.format == "JPEG"
        assert saved.info["icc_profile"] == icc and tuple(round(v) for v in saved.info["dpi"]) == (300, 300)


def test_changed_source_file_or_replaced_pixels_are_encoded_again(emulator, store, tmp_path):
    from desktop_editor.core.images import load_image

    path, _ = camera_jpeg(tmp_path)
    loaded = load_image(path)
    Image.new("RGB", (240, 160), (0, 0, 255)).save(path, quality=90)  # edited elsewhere since it was opened
    other = Image.new("RGB", (240, 160), (9, 9, 9))
    manager = make_manager(emulator, store)
    jobs = []
    for image in (loaded.image, other):
        job = EditJob(params=EditParams(prompt="ok"), image_paths=[], source="gui",
                      options=JobOptions(out_dir=tmp_path / "o", keep_unmasked=True))
        manager.submit(job, Snapshot(image=image, mask=camera_mask(), name="camera.jpg", source=loaded))
        jobs.append(job)
    manager.wait_all(10)
    manager.shutdown()
    for job, image in zip(jobs, (loaded.image, other)):
        stored = store.get(job.id)
        assert stored.state is JobState.DONE
        assert stored.image_paths[0].name == "camera.png"
        assert np.array_equal(np.asarray(Image.open(stored.image_paths[0]).convert("RGB")), np.asarray(image))


def test_png_setting_keeps_every_pixel_outside_the_mask(emulator, store, tmp_path):
    from desktop_editor.core.images import load_image

    path, _ = camera_jpeg(tmp_path)
    loaded = load_image(path)
    mask = camera_mask()
    manager = make_manager(emulator, store)
    job = EditJob(params=EditParams(prompt="ok"), image_paths=[], source="gui",
                  options=JobOptions(out_dir=tmp_path / "o", keep_unmasked=True, feather=8, save_format="png"))
    manager.submit(job, Snapshot(image=loaded.image, mask=mask, name="camera.jpg", source=loaded))
    manager.wait_all(10)
    manager.shutdown()
    stored = store.get(job.id)
    assert stored.result_paths[0].suffix == ".png"
    out = np.asarray(Image.open(stored.result_paths[0]).convert("RGB"))
    assert np.array_equal(out[mask == 0], np.asarray(loaded.image)[mask == 0])
    assert np.abs(out[mask == 255].astype(int) - np.asarray(loaded.image)[mask == 255]).mean() > 5


def test_a_snapshot_is_not_decoded_again_to_prepare_it(emulator, store, tmp_path, monkeypatch):
    from desktop_editor.core.images import load_image
    from desktop_editor.jobs import prepare

    path, _ = camera_jpeg(tmp_path)
    loaded = load_image(path)
    decoded = []
    monkeypatch.setattr(prepare, "load_image", lambda p: decoded.append(p) or load_image(p))
    monkeypatch.setattr(prepare.masks, "load_mask", lambda p: decoded.append(p))
    manager = make_manager(emulator, store)
    job = EditJob(params=EditParams(prompt="ok"), image_paths=[], source="gui",
                  options=JobOptions(out_dir=tmp_path / "o", keep_unmasked=True))
    manager.submit(job, Snapshot(image=loaded.image, mask=camera_mask(), name="camera.jpg", source=loaded))
    manager.wait_all(10)
    manager.shutdown()
    stored = store.get(job.id)
    assert stored.state is JobState.DONE and stored.result_paths[0].suffix == ".jpg"
    assert decoded == []


def test_submit_soon_journals_off_the_callers_thread_before_anything_is_sent(emulator, store, tmp_path):
    manager = make_manager(emulator, store)
    callers = threading.get_ident()
    saved_on, created_on = [], []
    real_save, real_create = store.save, manager.client.create_run

    def spying_save(job):
        saved_on.append((threading.get_ident(), job.id, job.state))
        return real_save(job)

    def spying_create(*args, **kw):
        created_on.append(store.get(job.id).state)  # journaled before the paid request
        return real_create(*args, **kw)

    store.save = spying_save
    manager.client.create_run = spying_create
    job = new_job(tmp_path)
    future = manager.submit_soon(job)
    assert future.result(5).id == job.id
    first_thread, first_id, first_state = saved_on[0]
    assert first_thread != callers and first_id == job.id and first_state is JobState.PENDING
    assert manager.wait_all(10) and store.get(job.id).state is JobState.DONE
    assert created_on == [JobState.SENDING]
    manager.shutdown()


def test_a_job_the_journal_refuses_is_reported_and_never_sent(emulator, store, tmp_path):
    manager = make_manager(emulator, store)

    def full_disk(job):
        raise OSError(28, "No space left on device")

    store.save = full_disk
    future = manager.submit_soon(new_job(tmp_path))
    assert isinstance(future.exception(5), OSError)
    manager.wait_all(2)
    assert emulator.runs_created == 0
    manager.shutdown()


def test_a_quit_just_after_submitting_still_journals_the_edit(emulator, tmp_path):
    store = JobStore(tmp_path / "history.sqlite3")
    manager = make_manager(emulator, store)
    real_save = store.save
    store.save = lambda job: (time.sleep(0.2), real_save(job))[1]  # a slow disk
    job = new_job(tmp_path)
    manager.submit_soon(job)
    manager.shutdown(wait=False)  # the window closes at once
    store.close()
    reopened = JobStore(tmp_path / "history.sqlite3")
    try:
        kept = reopened.get(job.id)
        assert kept is not None and kept.state is JobState.PENDING and emulator.runs_created == 0
    finally:
        reopened.close()
