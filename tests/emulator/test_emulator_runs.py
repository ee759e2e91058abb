"""Run style: lifecycle over time, output shapes, outcomes, billing counters."""

from __future__ import annotations

import base64
import time

import pytest
import requests

from emulator_support import KEY, MODEL, TERMINAL, Api, data_uri, decode, image
from desktop_editor.emulator.behaviour import OUTPUT_SHAPES
from desktop_editor.emulator import Behaviour, Emulator


def test_v1_routes_need_a_valid_bearer_key(emu: Emulator) -> None:
    url = emu.base_url + "/v1/auth/me"
    assert requests.get(url, timeout=5).status_code == 401
    assert requests.get(url, headers={"Authorization": "Bearer sk-not-runflow"}, timeout=5).status_code == 401
    assert requests.get(url, headers={"Authorization": "Basic rf_test_x"}, timeout=5).status_code == 401
    answer = requests.get(url, timeout=5, headers={"Authorization": f"Bearer {KEY}", "X-Organization-Id": "org_42"})
    assert answer.status_code == 200
    assert answer.json()["organization_id"] == "org_42"
    assert emu.requests[-1].header("X-Organization-Id") == "org_42"
    unauthorized = requests.post(emu.base_url + f"/v1/models/{MODEL}/runs", json={}, timeout=5)
    assert unauthorized.status_code == 401
    assert unauthorized.json()["code"] == "UNAUTHORIZED"


def test_an_explicit_key_set_accepts_only_those_keys() -> None:
    with Emulator(api_keys={"rf_live_only"}) as emu:
        url = emu.base_url + "/v1/auth/me"
        assert requests.get(url, headers={"Authorization": "Bearer rf_live_only"}, timeout=5).status_code == 200
        assert requests.get(url, headers={"Authorization": f"Bearer {KEY}"}, timeout=5).status_code == 401


def test_unknown_model_route_and_run(api: Api) -> None:
    assert api.create(model="openai/dall-e-3/edit").json()["code"] == "MODEL_NOT_FOUND"
    assert api.get("/v1/runs/00000000-0000-0000-0000-000000000000").json()["code"] == "RUN_NOT_FOUND"
    assert api.get("/v1/nothing-here").status_code == 404


def test_malformed_json_is_a_400(api: Api) -> None:
    answer = api.session.post(
        api.emu.base_url + f"/v1/models/{MODEL}/runs", data=b"{not json", timeout=5,
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 400


def test_run_moves_through_statuses_to_succeeded(api: Api) -> None:
    api.emu.behaviour.run_duration = 0.5
    created = api.create(num_images=2, quality="medium")
    assert created.status_code == 201
    run = created.json()
    assert run["status_code"] == "queued"
    for key in ("id", "input", "output", "cost", "cost_breakdown", "duration_ms", "request_id", "client_ref",
                "created_at", "started_at", "completed_at", "metadata", "failure_code", "failure_message",
                "failure_stage_code"):
        assert key in run
    assert run["created_at"].endswith("+00:00")
    seen = []
    while not seen or seen[-1] != "succeeded":
        status = api.get(f"/v1/runs/{run['id']}").json()["status_code"]
        if not seen or seen[-1] != status:
            seen.append(status)
        time.sleep(0.02)
    assert seen == ["queued", "dispatching", "running", "succeeded"]
    done = api.get(f"/v1/runs/{run['id']}").json()
    assert done["cost"] == pytest.approx(2 * 0.034)
    assert done["duration_ms"] == 500
    assert done["completed_at"].endswith("+00:00") and done["started_at"]
    outputs = done["output"]["outputs"]
    assert len(outputs) == 2
    assert {"seed", "timing", "nsfw_detected"} <= set(done["output"])
    assert outputs[0]["type"] == "image" and outputs[0]["content_type"] == "image/png"
    assert (outputs[0]["width"], outputs[0]["height"]) == (64, 48)
    assert api.emu.runs_created == 1 and api.emu.runs_charged == 1


def _first_url(output, shape: str) -> str:
    """Where each shape puts the first image, written out by hand for every shape."""
    return {
        "outputs": lambda: output["outputs"][0]["url"],
        "outputs_strings": lambda: output["outputs"][0],
        "outputs_image_url": lambda: output["outputs"][0]["image_url"],
        "images": lambda: output["images"][0]["url"],
        "images_strings": lambda: output["images"][0],
        "images_image_url": lambda: output["images"][0]["image_url"],
        "image_urls": lambda: output["image_urls"][0],
        "image_urls_objects": lambda: output["image_urls"][0]["url"],
        "image": lambda: output["image"]["url"],
        "image_string": lambda: output["image"],
        "image_url": lambda: output["image_url"],
        "url": lambda: output["url"],
        "output_url": lambda: output["output_url"],
        "string": lambda: output,
        "unknown_nested": lambda: output["result"]["artifacts"][0]["location"]["href"],
    }[shape]()


@pytest.mark.parametrize("shape", [s for s in OUTPUT_SHAPES if s != "no_image"])
def test_each_output_shape_leads_to_a_downloadable_image(api: Api, shape: str) -> None:
    api.emu.behaviour.output_shape = shape
    run = api.wait(api.create().json()["id"])
    url = _first_url(run["output"], shape)
    picture = decode(requests.get(url, timeout=5).content)
    assert picture.size == (64, 48)
    if shape == "images":
        item = run["output"]["images"][0]
        assert {"content_type", "file_name", "file_size", "width", "height"} <= set(item)


def test_a_success_may_hold_no_image_at_all(api: Api) -> None:
    api.emu.behaviour.output_shape = "no_image"
    run = api.wait(api.create().json()["id"])
    assert run["status_code"] == "succeeded" and "http" not in str(run["output"])
    assert api.emu.runs_charged == 1


def test_id_and_status_keys(api: Api) -> None:
    api.emu.behaviour.id_key, api.emu.behaviour.status_key = "run_id", "status"
    created = api.create().json()
    assert "id" not in created and "status_code" not in created and created["status"] == "queued"
    run = api.get(f"/v1/runs/{created['run_id']}").json()
    assert run["run_id"] == created["run_id"] and "status" in run and "status_code" not in run


def test_an_unknown_status_is_played_while_running(api: Api) -> None:
    api.emu.behaviour.run_duration = 1.0
    api.emu.behaviour.unknown_status = "warming_up"
    run_id = api.create().json()["id"]
    seen = set()
    while (status := api.get(f"/v1/runs/{run_id}").json()["status_code"]) not in TERMINAL:
        seen.add(status)
    assert "warming_up" in seen and "running" not in seen and status == "succeeded"


@pytest.mark.parametrize("spelling", ["canceled", "cancelled"])
def test_canceled_runs_use_the_configured_spelling_and_are_not_charged(api: Api, spelling: str) -> None:
    api.emu.behaviour.outcome = "canceled"
    api.emu.behaviour.cancel_spelling = spelling
    run = api.wait(api.create().json()["id"])
    assert run["status_code"] == spelling
    assert run["output"] is None and run["cost"] is None
    assert api.emu.runs_created == 1 and api.emu.runs_charged == 0


@pytest.mark.parametrize("outcome", ["failed", "errored"])
def test_failed_runs_carry_failure_details_and_cost_nothing(api: Api, outcome: str) -> None:
    api.emu.behaviour.outcome = outcome
    run = api.wait(api.create().json()["id"])
    assert run["status_code"] == outcome
    assert run["failure_code"] == "MODEL_ERROR"
    assert run["failure_message"] == "The model could not process the image."
    assert run["failure_stage_code"]
    assert run["output"] is None and run["cost"] == 0
    assert api.emu.runs_charged == 0


@pytest.mark.parametrize(
    "shape, expected",
    [
        ("error_object", {"error": {"message": "The model could not process the image.", "code": "MODEL_ERROR"}}),
        ("error_string", {"error": "The model could not process the image."}),
    ],
)
def test_failure_shapes(api: Api, shape: str, expected: dict) -> None:
    api.emu.behaviour.outcome = "errored"
    api.emu.behaviour.failure_shape = shape
    run = api.wait(api.create().json()["id"])
    assert run["failure_code"] is None and run["failure_message"] is None
    assert {k: run[k] for k in expected} == expected


@pytest.mark.parametrize(("asked", "made"), [(3, 2), (1, 1)])
def test_partial_runs_make_fewer_images_and_cost_only_those(api: Api, asked: int, made: int) -> None:
    api.emu.behaviour.outcome = "partial_succeeded"
    run = api.wait(api.create(num_images=asked, quality="low").json()["id"])
    assert run["status_code"] == "partial_succeeded"
    assert len(run["output"]["outputs"]) == made
    assert run["cost"] == pytest.approx(made * 0.009)
    assert api.emu.runs_charged == 1


def test_runs_are_charged_on_completion_even_if_never_polled(api: Api) -> None:
    api.create()
    assert api.emu.runs_charged == 0
    time.sleep(0.15)
    assert api.emu.runs_charged == 1


def test_client_ref_and_metadata_are_kept(api: Api) -> None:
    body = {"input": {"prompt": "hi there", "image_urls": [data_uri(image())]}, "client_ref": "job-7",
            "metadata": {"tab": 3}}
    run = api.post(f"/v1/models/{MODEL}/runs", body).json()
    assert run["client_ref"] == "job-7" and run["metadata"] == {"tab": 3}
    assert [r["id"] for r in api.emu.run_by_client_ref("job-7")] == [run["id"]]
    assert api.emu.run_by_client_ref("other") == []
    assert api.emu.requests[-1].json["client_ref"] == "job-7"


def test_sync_mode_returns_data_uris(api: Api) -> None:
    run = api.wait(api.create(sync_mode=True, output_format="webp").json()["id"])
    url = run["output"]["outputs"][0]["url"]
    assert url.startswith("data:image/webp;base64,")
    assert decode(base64.b64decode(url.split(",", 1)[1])).format == "WEBP"


@pytest.mark.parametrize(("fmt", "pillow"), [("png", "PNG"), ("jpeg", "JPEG"), ("webp", "WEBP")])
def test_output_format_is_honoured(api: Api, fmt: str, pillow: str) -> None:
    run = api.wait(api.create(output_format=fmt).json()["id"])
    item = run["output"]["outputs"][0]
    answer = requests.get(item["url"], timeout=5)
    assert answer.headers["Content-Type"] == item["content_type"] == f"image/{fmt}"
    assert decode(answer.content).format == pillow


@pytest.mark.parametrize(
    ("size", "expected"), [("square_hd", (1024, 1024)), ({"width": 1024, "height": 640}, (1024, 640))]
)
def test_requested_sizes_resize_the_output(api: Api, size: object, expected: tuple[int, int]) -> None:
    run = api.wait(api.create(image_size=size, quality="low").json()["id"])
    item = run["output"]["outputs"][0]
    assert (item["width"], item["height"]) == expected
    assert decode(requests.get(item["url"], timeout=5).content).size == expected


def test_reset_forgets_everything(api: Api) -> None:
    api.create()
    api.emu.reset()
    assert api.emu.runs == {} and api.emu.requests == [] and api.emu.runs_created == 0


def test_runs_property_shows_current_state() -> None:
    with Emulator(behaviour=Behaviour(run_duration=0.0)) as emu:
        api = Api(emu)
        run_id = api.create().json()["id"]
        api.close()
        assert emu.runs[run_id]["status_code"] == "succeeded"
