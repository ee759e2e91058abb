"""Every answer Runflow's own client code reads, played by the emulator over real HTTP: one test
per run id key, status key, terminal status, failure shape and output shape, and the answers
in no known shape (searched whole, or kept when nothing can be read)."""

import io
import time

import pytest
from PIL import Image

from api_helpers import png_bytes
from desktop_editor.api import to_data_uri
from desktop_editor.api.errors import RunFailedError, UnreadableAnswerError
from desktop_editor.core.params import EditParams
from desktop_editor.emulator.behaviour import OUTPUT_SHAPES

MODEL = "openai/gpt-image-2/edit"
SIZE = (64, 48)


def edit_input(**changes):
    return EditParams(prompt="paint it red", **changes).model_input([to_data_uri(png_bytes(SIZE), "image/png")], None)


def finish(client, **changes):
    """Create, wait and download, as the job runner does."""
    run = client.create_run(MODEL, edit_input(**changes))
    return client.fetch_results(client.wait_for_run(run.id))


def assert_one_image(results):
    assert len(results) == 1
    assert Image.open(io.BytesIO(results[0].data)).size == SIZE


@pytest.mark.parametrize("id_key", ["id", "run_id"])
def test_run_id_key(client, emulator, id_key):
    emulator.behaviour.id_key = id_key
    run = client.create_run(MODEL, edit_input())
    assert run.id and run.id in emulator.runs
    assert_one_image(client.fetch_results(client.wait_for_run(run.id)))


@pytest.mark.parametrize("status_key", ["status_code", "status"])
def test_status_key(client, emulator, status_key):
    emulator.behaviour.status_key = status_key
    seen = []
    run = client.create_run(MODEL, edit_input())
    assert run.status == "queued"
    done = client.wait_for_run(run.id, on_update=lambda r: seen.append(r.status))
    assert done.status == "succeeded" and "running" in seen


@pytest.mark.parametrize("outcome", ["succeeded", "partial_succeeded"])
def test_succeeding_terminal_statuses(client, emulator, outcome):
    emulator.behaviour.outcome = outcome
    results = finish(client, num_images=2)
    assert len(results) == (2 if outcome == "succeeded" else 1)


@pytest.mark.parametrize(
    "outcome, spelling", [("failed", "canceled"), ("errored", "canceled"), ("canceled", "canceled"), ("canceled", "cancelled")]
)
def test_failing_terminal_statuses_end_the_wait_at_once(client, emulator, outcome, spelling):
    emulator.behaviour.outcome, emulator.behaviour.cancel_spelling = outcome, spelling
    run = client.create_run(MODEL, edit_input())
    started = time.monotonic()
    with pytest.raises(RunFailedError) as info:
        client.wait_for_run(run.id, timeout=10)
    assert time.monotonic() - started < 3  # not polled until the overall timeout
    assert info.value.run_status == (spelling if outcome == "canceled" else outcome)


@pytest.mark.parametrize("failure_shape", ["failure_fields", "error_object", "error_string"])
def test_failure_details(client, emulator, failure_shape):
    emulator.behaviour.outcome = "errored"
    emulator.behaviour.failure_shape = failure_shape
    run = client.create_run(MODEL, edit_input())
    with pytest.raises(RunFailedError) as info:
        client.wait_for_run(run.id)
    assert "The model could not process the image." in str(info.value)
    if failure_shape != "error_string":  # a plain string carries no code
        assert info.value.failure_code == "MODEL_ERROR"


@pytest.mark.parametrize("shape", [s for s in OUTPUT_SHAPES if s not in ("unknown_nested", "no_image")])
def test_output_shape(client, emulator, shape):
    emulator.behaviour.output_shape = shape
    assert_one_image(finish(client))


@pytest.mark.parametrize("shape", ["outputs", "string", "images_strings", "image_url"])
def test_data_uri_outputs(client, emulator, shape):
    emulator.behaviour.output_shape = shape
    results = finish(client, sync_mode=True)
    assert_one_image(results)
    assert not [r for r in emulator.requests if r.route == "download"]  # the image came inside the answer


def test_unknown_status_is_reported_as_it_is_and_polling_goes_on(client, emulator):
    emulator.behaviour.run_duration = 0.6
    emulator.behaviour.unknown_status = "warming_up"
    seen = []
    run = client.create_run(MODEL, edit_input())
    done = client.wait_for_run(run.id, on_update=lambda r: seen.append(r.status))
    assert "warming_up" in seen and done.status == "succeeded"


def test_answer_in_no_known_shape_is_searched_for_images(client, emulator):
    emulator.behaviour.output_shape = "unknown_nested"
    results = finish(client, num_images=2)
    assert len(results) == 2
    assert all(Image.open(io.BytesIO(r.data)).size == SIZE for r in results)


def test_answer_with_no_image_keeps_the_raw_answer(client, emulator):
    emulator.behaviour.output_shape = "no_image"
    run = client.wait_for_run(client.create_run(MODEL, edit_input()).id)
    with pytest.raises(UnreadableAnswerError) as info:
        client.fetch_results(run)
    assert info.value.run_id == run.id
    assert info.value.raw_answer["output"]["message"] == "Your image is ready."
    assert emulator.runs_created == 1


def test_links_that_are_not_images_are_not_taken_for_results(client, emulator):
    """A searched answer may hold other links: a JSON file, a page that refuses us, text."""
    from desktop_editor.api.runs import Run

    report = client.upload_asset(b'{"steps": 3}', filename="report.json", mime_type="application/json")
    output = {"report": report, "log": emulator.base_url + "/v1/auth/me", "preview": "data:text/plain;base64,aGk="}
    run = Run.from_json({"id": "r", "status": "succeeded", "output": output})
    with pytest.raises(UnreadableAnswerError):
        client.fetch_results(run)
    assert [r for r in emulator.requests if r.path.startswith("/_assets/")]  # it was fetched and judged


@pytest.mark.parametrize("shape", ["outputs", "string", "unknown_nested", "no_image"])
def test_direct_style_reads_the_same_shapes(client, emulator, shape):
    emulator.behaviour.output_shape = shape
    answer = client.run_direct(MODEL, edit_input())
    if shape == "no_image":
        with pytest.raises(UnreadableAnswerError) as info:
            client.results_from_direct(answer)
        assert info.value.raw_answer == answer
    else:
        assert_one_image(client.results_from_direct(answer))
    assert emulator.runs_created == 1
