"""Jobs against answers Runflow's own code reads, and against answers nobody can read: a paid
result is never lost, never re-sent, and the answer is kept."""

import json
import threading
import time

import numpy as np
import pytest
from PIL import Image

from desktop_editor.api import ClientConfig, RunflowClient
from desktop_editor.core.masks import encode_mask_png
from desktop_editor.core.params import EditParams
from desktop_editor.emulator import Behaviour, Emulator, Fault
from desktop_editor.jobs.manager import JobManager
from desktop_editor.jobs.model import EditJob, JobOptions, JobState
from desktop_editor.jobs.store import JobStore

KEY = "rf_test_answers"


@pytest.fixture
def emulator():
    with Emulator(api_keys={KEY}, behaviour=Behaviour(run_duration=0.15)) as emu:
        yield emu


@pytest.fixture
def store(tmp_path):
    s = JobStore(tmp_path / "history.sqlite3")
    yield s
    s.close()


def manager_for(emulator, store, **kw):
    client = RunflowClient(ClientConfig(api_key=KEY, base_url=emulator.base_url, poll_interval=0.03,
                                        backoff_base=0.01, backoff_max=0.05, wait_timeout=20))
    return JobManager(client, store, max_workers=2, **kw)


def photo(tmp_path, size=(80, 60)):
    path = tmp_path / "photo.png"
    rng = np.random.default_rng(3)
    Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)).save(path)
    return path


def run_one(emulator, store, job, **kw) -> EditJob:
    manager = manager_for(emulator, store, **kw)
    try:
        manager.submit(job)
        assert manager.wait_all(timeout=30)
        return store.get(job.id)
    finally:
        manager.shutdown()


def edit_job(tmp_path, params=None, **options):
    return EditJob(params=params or EditParams(prompt="make it blue"), image_paths=[photo(tmp_path)],
                   options=JobOptions(out_dir=tmp_path / "out", **options))


def test_unreadable_answer_ends_in_its_own_state_with_the_answer_kept(emulator, store, tmp_path):
    emulator.behaviour.output_shape = "no_image"
    job = run_one(emulator, store, edit_job(tmp_path), offline_retry=0.05)
    assert job.state is JobState.UNREADABLE and job.state.is_final
    assert job.state.label == "Finished, but the answer held no image we could read"
    assert job.run_id in job.error and job.result_paths == []
    kept = json.loads(job.raw_answer)
    assert kept["output"]["message"] == "Your image is ready." and kept["id"] == job.run_id
    assert job.cost == pytest.approx(0.133)  # the service charged it: the history says so

    # Never called offline, never sent again: not by the offline timer, not by a resume.
    time.sleep(0.3)
    manager = manager_for(emulator, store)
    assert manager.resume_unfinished() == []
    manager.shutdown()
    assert store.get(job.id).state is JobState.UNREADABLE
    assert emulator.runs_created == 1 and len(emulator.run_by_client_ref(job.client_ref)) == 1


def test_unreadable_answer_survives_reopening_the_history(emulator, tmp_path):
    emulator.behaviour.output_shape = "no_image"
    store = JobStore(tmp_path / "h.sqlite3")
    job = run_one(emulator, store, edit_job(tmp_path))
    store.close()
    again = JobStore(tmp_path / "h.sqlite3")
    assert "Your image is ready." in again.get(job.id).raw_answer
    again.close()


def test_unreadable_create_answer_keeps_it_with_the_unknown_outcome(tmp_path, store):
    """A 2xx create answer naming no run: outcome unknown (maybe charged), answer kept."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Service(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            body = b'{"accepted": true, "ticket": "T-1"}'
            self.send_response(201)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Service)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = RunflowClient(ClientConfig(api_key=KEY, base_url=f"http://127.0.0.1:{server.server_port}",
                                            backoff_base=0.01, backoff_max=0.02))
        manager = JobManager(client, store, max_workers=1)
        job = manager.submit(edit_job(tmp_path))
        assert manager.wait_all(timeout=20)
        manager.shutdown()
    finally:
        server.shutdown()
        server.server_close()
    stored = store.get(job.id)
    assert stored.state is JobState.OUTCOME_UNKNOWN and "T-1" in stored.raw_answer


def test_answers_in_no_known_shape_still_save_the_result(emulator, store, tmp_path):
    emulator.behaviour.output_shape = "unknown_nested"
    job = run_one(emulator, store, edit_job(tmp_path))
    assert job.state is JobState.DONE and len(job.result_paths) == 1 and job.result_paths[0].is_file()


@pytest.mark.parametrize(
    "changes",
    [{"id_key": "run_id"}, {"status_key": "status"}, {"output_shape": "string"}, {"output_shape": "image_url"}],
    ids=["run_id", "status", "plain-string-output", "image_url-output"],
)
def test_the_cases_that_used_to_fail_now_finish(emulator, store, tmp_path, changes):
    for name, value in changes.items():
        setattr(emulator.behaviour, name, value)
    job = run_one(emulator, store, edit_job(tmp_path))
    assert job.state is JobState.DONE and job.result_paths[0].is_file() and job.run_id
    assert emulator.runs_created == 1


def test_errored_run_fails_at_once_with_its_message(emulator, store, tmp_path):
    emulator.behaviour.outcome = "errored"
    emulator.behaviour.failure_shape = "error_string"
    started = time.monotonic()
    job = run_one(emulator, store, edit_job(tmp_path))
    assert time.monotonic() - started < 5
    assert job.state is JobState.FAILED and "could not process the image" in job.error


def test_unknown_status_is_shown_as_it_is(emulator, store, tmp_path):
    emulator.behaviour.run_duration = 0.6
    emulator.behaviour.unknown_status = "warming_up"
    seen = []
    manager = manager_for(emulator, store)
    manager.add_listener(lambda j: seen.append((j.state, j.run_status)))
    job = manager.submit(edit_job(tmp_path))
    assert manager.wait_all(timeout=20)
    manager.shutdown()
    assert (JobState.RUNNING, "warming_up") in seen
    assert store.get(job.id).state is JobState.DONE


# ----- model inputs: the create body carries exactly the model's fields ------------------------

def _mask(tmp_path, size=(80, 60)):
    mask = np.zeros((size[1], size[0]), np.uint8)
    mask[10:30, 20:50] = 255
    path = tmp_path / "mask.png"
    path.write_bytes(encode_mask_png(mask))
    return path, mask


def _pixels(path) -> np.ndarray:
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB"))


def _sent_input(emulator) -> dict:
    (create,) = [r for r in emulator.requests if r.route == "create"]
    return create.json["input"]


# Written out by hand from runflow-api.md, not from the catalogue: this is what each model takes.
@pytest.mark.parametrize(
    "params, expected",
    [
        (EditParams(prompt="a red mug", model="openai/gpt-image-2/edit"),
         {"prompt", "image_urls", "mask_url", "num_images", "output_format", "image_size", "quality"}),
        (EditParams(prompt="a red mug", model="openai/gpt-image-1.5/edit", options={"input_fidelity": "high"}),
         {"prompt", "image_urls", "mask_image_url", "num_images", "output_format", "image_size", "quality",
          "input_fidelity"}),
        (EditParams(model="runflow/tag-removal"), {"image_url"}),
        (EditParams(model="runflow/product-isolation", prompt="Isolate the main product."),
         {"image_url", "aspect_ratio", "resolution", "prompt"}),
    ],
    ids=["gpt-image-2", "gpt-image-1.5", "tag-removal", "product-isolation"],
)
def test_create_body_carries_exactly_the_models_fields(emulator, store, tmp_path, params, expected):
    mask_path, _ = _mask(tmp_path)
    job = edit_job(tmp_path, params)
    job.mask_path = mask_path
    done = run_one(emulator, store, job)
    assert done.state is JobState.DONE, done.error
    sent = _sent_input(emulator)
    assert set(sent) == expected
    image_field = "image_url" if "image_url" in expected else "image_urls"
    assert isinstance(sent[image_field], str if image_field == "image_url" else list)


def test_product_isolation_sends_its_choices(emulator, store, tmp_path):
    params = EditParams(model="runflow/product-isolation", options={"aspect_ratio": "4:5", "resolution": "1K"})
    done = run_one(emulator, store, edit_job(tmp_path, params))
    assert _sent_input(emulator) | {"image_url": None} == {"image_url": None, "aspect_ratio": "4:5", "resolution": "1K"}
    with Image.open(done.result_paths[0]) as result:
        assert result.size == (819, 1024)


def test_tag_removal_is_restricted_to_the_painted_area_when_asked(emulator, store, tmp_path):
    mask_path, mask = _mask(tmp_path)
    job = edit_job(tmp_path, EditParams(model="runflow/tag-removal"), keep_unmasked=True)
    job.mask_path = mask_path
    done = run_one(emulator, store, job)
    assert done.state is JobState.DONE
    original, result = _pixels(job.image_paths[0]), _pixels(done.result_paths[0])
    outside = mask == 0
    assert np.array_equal(result[outside], original[outside])  # untouched where nothing was painted
    assert (result[~outside] != original[~outside]).any()
    assert "mask" not in json.dumps(_sent_input(emulator))  # the model itself never saw a mask


def test_tag_removal_without_keep_changes_the_whole_image(emulator, store, tmp_path):
    mask_path, mask = _mask(tmp_path)
    job = edit_job(tmp_path, EditParams(model="runflow/tag-removal"))
    job.mask_path = mask_path
    done = run_one(emulator, store, job)
    original, result = _pixels(job.image_paths[0]), _pixels(done.result_paths[0])
    assert (result[mask == 0] != original[mask == 0]).any(axis=-1).mean() > 0.9


@pytest.mark.parametrize("style", ["run", "direct"])
@pytest.mark.parametrize("body", ["html", "bomb"])
def test_a_result_that_is_not_an_image_ends_unreadable_never_offline_never_resent(emulator, store, tmp_path,
                                                                                 style, body):
    emulator.behaviour.result_body = body
    job = run_one(emulator, store, edit_job(tmp_path, style=style), offline_retry=0.05)
    assert job.state is JobState.UNREADABLE, job.error
    assert "not a usable image" in job.error and "run was created" in job.error
    assert "Nothing was sent" not in (job.error or "") + (job.advice or "")
    assert job.raw_answer and "kept in" in job.advice and job.result_paths == []
    time.sleep(0.3)  # the offline timer would have fired by now
    assert store.get(job.id).state is JobState.UNREADABLE
    assert emulator.runs_created == 1


def test_a_create_refused_never_says_a_run_was_created(emulator, store, tmp_path):
    emulator.inject(Fault("create", "429", count=50))
    job = run_one(emulator, store, edit_job(tmp_path))
    assert job.state is JobState.FAILED and "run was created" not in job.error
    assert emulator.runs_created == 0
