"""The three-step upload, presigned PUTs and result URLs that need no auth and expire."""

from __future__ import annotations

import time

import pytest
import requests
from emulator_support import MODEL, Api, decode, encode, image, mask

PNG = encode(image())


def _declare(api: Api, data: bytes = PNG, mime: str = "image/png") -> dict:
    answer = api.post("/v1/asset-uploads", {"filename": "photo one.png", "mime_type": mime, "size_bytes": len(data)})
    assert answer.status_code == 201
    return answer.json()


def test_upload_flow_makes_a_usable_asset(api: Api) -> None:
    declared = _declare(api)
    assert declared["upload_url"].startswith(api.emu.base_url + "/_uploads/")
    early = api.post(f"/v1/asset-uploads/{declared['asset_id']}/confirmations")
    assert early.status_code == 409
    put = requests.put(declared["upload_url"], data=PNG, headers={"Content-Type": "image/png"}, timeout=5)
    assert put.status_code == 200 and put.headers["ETag"]
    confirmed = api.post(f"/v1/asset-uploads/{declared['asset_id']}/confirmations")
    assert confirmed.status_code == 201
    asset = confirmed.json()
    assert {"id", "name", "url", "mime_type", "size_bytes", "thumbnail_url", "created_at"} <= set(asset)
    assert asset["size_bytes"] == len(PNG) and asset["name"] == "photo one.png"
    assert requests.get(asset["url"], timeout=5).content == PNG

    run = api.wait(api.create(image_urls=[asset["url"]]).json()["id"])
    assert run["status_code"] == "succeeded"
    put_request = next(r for r in api.emu.requests if r.route == "upload_put")
    assert put_request.header("Authorization") is None
    assert put_request.body == PNG


def test_upload_put_checks_content_type_size_and_signature(api: Api) -> None:
    declared = _declare(api)
    url = declared["upload_url"]
    wrong_type = requests.put(url, data=PNG, headers={"Content-Type": "application/octet-stream"}, timeout=5)
    assert wrong_type.status_code == 403 and "SignatureDoesNotMatch" in wrong_type.text
    wrong_size = requests.put(url, data=PNG[:-1], headers={"Content-Type": "image/png"}, timeout=5)
    assert wrong_size.status_code == 400
    unsigned = requests.put(url.split("?")[0], data=PNG, headers={"Content-Type": "image/png"}, timeout=5)
    assert unsigned.status_code == 403
    chunked = requests.put(url, data=iter([PNG]), headers={"Content-Type": "image/png"}, timeout=5)
    assert chunked.status_code == 501
    assert api.post(f"/v1/asset-uploads/{declared['asset_id']}/confirmations").status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"filename": "a.png", "mime_type": "image/png", "size_bytes": 52_428_801}, "size_bytes"),
        ({"filename": "a.png", "mime_type": "image/png", "size_bytes": 0}, "size_bytes"),
        ({"filename": "", "mime_type": "image/png", "size_bytes": 10}, "filename"),
        ({"filename": "a.png", "mime_type": "png", "size_bytes": 10}, "mime_type"),
    ],
)
def test_asset_declaration_rules(api: Api, body: dict, field: str) -> None:
    answer = api.post("/v1/asset-uploads", body)
    assert answer.status_code == 422
    assert field in {error["field"] for error in answer.json()["errors"]}


def test_unconfirmed_or_foreign_assets_are_not_fetchable(api: Api) -> None:
    declared = _declare(api)
    requests.put(declared["upload_url"], data=PNG, headers={"Content-Type": "image/png"}, timeout=5)
    unconfirmed = f"{api.emu.base_url}/_assets/{declared['asset_id']}/photo.png"
    errors = api.create(image_urls=[unconfirmed]).json()["errors"]
    assert errors[0]["message"].startswith("could not fetch image_urls[0]")
    assert requests.get(unconfirmed, timeout=5).status_code == 404


def test_upload_url_prefix_is_configurable(api: Api) -> None:
    api.emu.behaviour.upload_url_prefix = "http://127.0.0.1:9/storage"
    assert _declare(api)["upload_url"].startswith("http://127.0.0.1:9/storage/")


def test_result_downloads_need_no_auth_and_are_recorded(api: Api) -> None:
    run = api.wait(api.create().json()["id"])
    url = run["output"]["outputs"][0]["url"]
    assert decode(requests.get(url, timeout=5).content).size == (64, 48)
    download = [r for r in api.emu.requests if r.route == "download"]
    assert len(download) == 1 and "authorization" not in download[0].headers


def test_result_urls_expire_and_a_fresh_get_resigns_them(api: Api) -> None:
    api.emu.behaviour.url_ttl = 0.3
    run = api.wait(api.create().json()["id"])
    url = run["output"]["outputs"][0]["url"]
    time.sleep(0.35)
    expired = requests.get(url, timeout=5)
    assert expired.status_code == 403 and "Request has expired" in expired.text
    fresh = api.get(f"/v1/runs/{run['id']}").json()["output"]["outputs"][0]["url"]
    assert fresh != url
    assert requests.get(fresh, timeout=5).status_code == 200


def test_tampered_or_unknown_result_urls(api: Api) -> None:
    run = api.wait(api.create().json()["id"])
    url = run["output"]["outputs"][0]["url"]
    assert requests.get(url.replace("expires=", "expires=9"), timeout=5).status_code == 403
    assert requests.get(url.replace("/0.png", "/7.png"), timeout=5).status_code == 404
    assert requests.get(f"{api.emu.base_url}/_results/nope/0.png", timeout=5).status_code == 404


def test_download_delay_slows_result_files(api: Api) -> None:
    api.emu.behaviour.download_delay = 0.2
    run = api.wait(api.create().json()["id"])
    started = time.monotonic()
    requests.get(run["output"]["outputs"][0]["url"], timeout=5)
    assert time.monotonic() - started >= 0.2


def test_an_uploaded_mask_is_usable(api: Api) -> None:
    data = encode(mask())
    declared = _declare(api, data)
    requests.put(declared["upload_url"], data=data, headers={"Content-Type": "image/png"}, timeout=5)
    asset = api.post(f"/v1/asset-uploads/{declared['asset_id']}/confirmations").json()
    body = {"input": {"prompt": "blue", "image_urls": [asset["url"]], "mask_url": asset["url"]}}
    # The mask is also an image: the point is that asset URLs work for mask_url too.
    assert api.post(f"/v1/models/{MODEL}/runs", body).status_code == 201


def test_presigned_urls_refuse_an_authorization_header(api: Api) -> None:
    run = api.wait(api.create().json()["id"])
    leaked = {"Authorization": "Bearer rf_test_emulator_key"}
    assert api.session.get(run["output"]["outputs"][0]["url"], timeout=5).status_code == 400
    declared = _declare(api)
    put = requests.put(declared["upload_url"], data=PNG, headers={"Content-Type": "image/png", **leaked}, timeout=5)
    assert put.status_code == 400 and "InvalidArgument" in put.text
    assert [r.header("authorization") for r in api.emu.requests if r.route in ("download", "upload_put")] == [
        leaked["Authorization"], leaked["Authorization"]]
