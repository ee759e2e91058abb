"""Result URLs that misbehave on purpose (`Behaviour.result_body`), as a client receives them."""

from __future__ import annotations

import io
import socket
import time
from urllib.parse import urlsplit

import pytest
import requests
from emulator_support import Api
from PIL import Image

from desktop_editor.emulator import Behaviour
from desktop_editor.emulator.hostile import BOMB_SIDE, HUGE_BYTES


def result_url(api: Api) -> str:
    run = api.wait(api.create().json()["id"])
    return run["output"]["outputs"][0]["url"]


def fetch(api: Api, body: str, **kw) -> requests.Response:
    url = result_url(api)
    api.emu.behaviour.result_body = body
    return requests.get(url, timeout=10, **kw)  # no Authorization, like a presigned download


def test_the_default_is_the_image_as_labelled(api: Api) -> None:
    answer = fetch(api, "image")
    assert answer.headers["Content-Type"] == "image/png" and answer.content.startswith(b"\x89PNG")


def test_html_is_labelled_as_an_image(api: Api) -> None:
    answer = fetch(api, "html")
    assert answer.headers["Content-Type"] == "image/png" and answer.content.startswith(b"<!DOCTYPE html>")


def test_a_bomb_is_small_but_claims_a_huge_size(api: Api) -> None:
    answer = fetch(api, "bomb")
    assert len(answer.content) < 2000
    assert int.from_bytes(answer.content[16:20], "big") == int.from_bytes(answer.content[20:24], "big") == BOMB_SIDE


def test_mislabelled_bytes_are_webp_said_to_be_png(api: Api) -> None:
    answer = fetch(api, "mislabelled")
    assert answer.headers["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(answer.content)) as img:
        assert img.format == "WEBP" and img.size == (64, 48)


def test_a_drip_sends_the_image_one_byte_at_a_time(api: Api) -> None:
    api.emu.behaviour.drip_interval = 0.2
    with fetch(api, "drip", stream=True) as answer:
        total = int(answer.headers["Content-Length"])
        started = time.monotonic()
        first = answer.raw.read(3)
        assert first == b"\x89PN" and 0.3 < time.monotonic() - started < 2
        assert total > 100


def test_an_endless_body_has_no_length_and_does_not_end(api: Api) -> None:
    with fetch(api, "endless", stream=True) as answer:
        assert "Content-Length" not in answer.headers
        received = 0
        for chunk in answer.iter_content(1 << 20):
            received += len(chunk)
            if received > 20 << 20:
                break
        assert received > 20 << 20


def test_a_huge_body_announces_300_mb(api: Api) -> None:
    with fetch(api, "huge", stream=True) as answer:
        assert int(answer.headers["Content-Length"]) == HUGE_BYTES


def test_a_client_hanging_up_on_a_drip_frees_the_server(api: Api) -> None:
    api.emu.behaviour.drip_interval = 0.05
    url = result_url(api)
    api.emu.behaviour.result_body = "drip"
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port)) as sock:
        sock.sendall(f"GET {parts.path}?{parts.query} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert sock.recv(10).startswith(b"HTTP/1.")
    api.emu.behaviour.result_body = "image"
    assert requests.get(url, timeout=5).status_code == 200  # still serving


def test_result_body_is_checked() -> None:
    with pytest.raises(ValueError, match="result_body"):
        Behaviour(result_body="gzip bomb")
