"""Direct (synchronous, fal-shaped) style: /v1/run/{model}."""

from __future__ import annotations

import time

import pytest
import requests
from emulator_support import Api, data_uri, decode, image


@pytest.mark.parametrize("path", ["/v1/run/gpt-image-2/edit", "/v1/run/openai/gpt-image-2/edit"])
def test_direct_style_waits_and_answers_fal_shape(api: Api, path: str) -> None:
    started = time.monotonic()
    answer = api.post(path, {"prompt": "make it blue", "image_urls": [data_uri(image())], "num_images": 2})
    assert time.monotonic() - started >= 0.1
    assert answer.status_code == 200
    body = answer.json()
    assert {"images", "seed", "request_id", "cost"} <= set(body)
    assert len(body["images"]) == 2
    item = body["images"][0]
    assert {"url", "content_type", "file_name", "file_size", "width", "height"} <= set(item)
    assert decode(requests.get(item["url"], timeout=5).content).size == (64, 48)
    assert api.emu.runs_created == 1 and api.emu.runs_charged == 1
    assert body["cost"] == pytest.approx(2 * 0.133)


@pytest.mark.parametrize(
    "model, body",
    [
        ("tag-removal", {"image_url": data_uri(image())}),
        ("runflow/product-isolation", {"image_url": data_uri(image()), "prompt": "the mug"}),
        ("gpt-image-1.5/edit", {"prompt": "clean up", "image_urls": [data_uri(image())]}),
    ],
)
def test_direct_style_for_the_other_models(api: Api, model: str, body: dict) -> None:
    answer = api.post(f"/v1/run/{model}", body)
    assert answer.status_code == 200 and len(answer.json()["images"]) == 1


def test_direct_style_errors(api: Api) -> None:
    unknown = api.post("/v1/run/dall-e/edit", {"prompt": "hi", "image_urls": [data_uri(image())]})
    assert unknown.status_code == 404
    invalid = api.post("/v1/run/gpt-image-2/edit", {"image_urls": [data_uri(image())]})
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["field"] == "prompt"  # flat body: no "input." prefix
    api.emu.behaviour.outcome = "failed"
    failed = api.post("/v1/run/gpt-image-2/edit", {"prompt": "hi", "image_urls": [data_uri(image())]})
    assert failed.status_code == 500 and failed.json()["code"] == "MODEL_ERROR"
    assert api.emu.runs_created == 1 and api.emu.runs_charged == 0


def test_direct_style_sync_mode(api: Api) -> None:
    answer = api.post("/v1/run/gpt-image-2/edit",
                      {"prompt": "hi there", "image_urls": [data_uri(image())], "sync_mode": True})
    assert answer.json()["images"][0]["url"].startswith("data:image/png;base64,")
