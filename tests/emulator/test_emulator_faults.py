"""Injected faults: error statuses, dropped and truncated connections, slow and broken answers."""

from __future__ import annotations

import http.client
import time

import pytest
import requests
from emulator_support import Api, data_uri, image

from desktop_editor.emulator import Fault


@pytest.mark.parametrize(("kind", "code"), [("429", "RATE_LIMITED"), ("500", "INTERNAL_ERROR"), ("502", "BAD_GATEWAY"),
                                            ("503", "MODEL_UNAVAILABLE"), ("504", "GATEWAY_TIMEOUT")])
def test_status_faults_answer_once_then_recover(api: Api, kind: str, code: str) -> None:
    api.emu.inject(Fault("create", kind))
    first = api.create()
    assert first.status_code == int(kind) and first.json()["code"] == code
    assert "Retry-After" not in first.headers
    assert api.emu.runs_created == 0  # refused before anything happened
    assert api.create().status_code == 201


@pytest.mark.parametrize(("kind", "retry_after", "header"), [("429", 1.2, "2"), ("503", 3, "3"), ("429", None, None)])
def test_retry_after_only_when_asked(api: Api, kind: str, retry_after: float | None, header: str | None) -> None:
    api.emu.inject(Fault("auth_me", kind, retry_after=retry_after))
    assert api.get("/v1/auth/me").headers.get("Retry-After") == header


def test_faults_match_by_route_in_order_and_count(api: Api) -> None:
    api.emu.inject(Fault("get_run", "500", count=2))
    api.emu.inject(Fault("any", "502"))
    assert api.create().status_code == 502  # the get_run fault does not match a create; "any" does
    run_id = api.create().json()["id"]
    statuses = [api.get(f"/v1/runs/{run_id}").status_code for _ in range(3)]
    assert statuses == [500, 500, 200]


def test_any_route_fault(api: Api) -> None:
    api.emu.inject(Fault("any", "503"))
    assert api.get("/v1/auth/me").status_code == 503
    assert api.get("/v1/auth/me").status_code == 200


def test_drop_before_read_does_not_create_the_run(api: Api) -> None:
    api.emu.inject(Fault("create", "drop_before_read"))
    with pytest.raises(requests.ConnectionError):
        api.create()
    assert api.emu.runs_created == 0
    dropped = api.emu.requests[-1]
    assert dropped.route == "create" and dropped.body == b""
    assert api.create().status_code == 201


def test_drop_after_read_creates_the_run_but_never_answers(api: Api) -> None:
    api.emu.inject(Fault("create", "drop_after_read"))
    body = {"input": {"prompt": "make it blue", "image_urls": [data_uri(image())]}, "client_ref": "retry-me"}
    with pytest.raises(requests.ConnectionError):
        api.post("/v1/models/openai/gpt-image-2/edit/runs", body)
    assert api.emu.runs_created == 1
    [run] = api.emu.run_by_client_ref("retry-me")
    assert api.wait(run["id"])["status_code"] == "succeeded"


def test_truncate_sends_fewer_bytes_than_announced(api: Api) -> None:
    run = api.wait(api.create().json()["id"])
    url = run["output"]["outputs"][0]["url"]
    api.emu.inject(Fault("download", "truncate"))
    connection = http.client.HTTPConnection("127.0.0.1", api.emu.port, timeout=5)
    try:
        connection.request("GET", url.removeprefix(api.emu.base_url))
        response = connection.getresponse()
        announced = int(response.headers["Content-Length"])
        with pytest.raises(http.client.IncompleteRead) as caught:
            response.read()
        assert 0 < len(caught.value.partial) < announced
    finally:
        connection.close()
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        api.emu.inject(Fault("download", "truncate"))
        requests.get(url, timeout=5)
    assert len(requests.get(url, timeout=5).content) == announced


def test_slow_fault_delays_a_normal_answer(api: Api) -> None:
    api.emu.inject(Fault("auth_me", "slow", delay=0.25))
    started = time.monotonic()
    answer = api.get("/v1/auth/me")
    assert time.monotonic() - started >= 0.25 and answer.status_code == 200
    with pytest.raises(requests.Timeout):
        api.emu.inject(Fault("auth_me", "slow", delay=0.5))
        api.get("/v1/auth/me", timeout=0.1)


def test_malformed_json_fault(api: Api) -> None:
    run_id = api.create().json()["id"]
    api.emu.inject(Fault("get_run", "malformed_json"))
    answer = api.get(f"/v1/runs/{run_id}")
    assert answer.status_code == 200
    with pytest.raises(requests.JSONDecodeError):
        answer.json()


def test_expired_fault_on_a_download(api: Api) -> None:
    run = api.wait(api.create().json()["id"])
    api.emu.inject(Fault("download", "expired"))
    url = run["output"]["outputs"][0]["url"]
    answer = requests.get(url, timeout=5)
    assert answer.status_code == 403 and "Request has expired" in answer.text
    assert requests.get(url, timeout=5).status_code == 200


def test_faults_on_upload_routes(api: Api) -> None:
    api.emu.inject(Fault("asset_create", "429"))
    body = {"filename": "a.png", "mime_type": "image/png", "size_bytes": 4}
    assert api.post("/v1/asset-uploads", body).status_code == 429
    declared = api.post("/v1/asset-uploads", body).json()
    api.emu.inject(Fault("upload_put", "drop_before_read"))
    with pytest.raises(requests.ConnectionError):
        requests.put(declared["upload_url"], data=b"abcd", headers={"Content-Type": "image/png"}, timeout=5)
    assert requests.put(declared["upload_url"], data=b"abcd", headers={"Content-Type": "image/png"}, timeout=5).ok
    api.emu.inject(Fault("asset_confirm", "500"))
    assert api.post(f"/v1/asset-uploads/{declared['asset_id']}/confirmations").status_code == 500
    assert api.post(f"/v1/asset-uploads/{declared['asset_id']}/confirmations").status_code == 201


def test_bad_faults_are_refused_at_once() -> None:
    with pytest.raises(ValueError):
        Fault("create", "418")
    with pytest.raises(ValueError):
        Fault("poll", "500")
    with pytest.raises(ValueError):
        Fault("create", "500", count=0)

