"""Helpers for the emulator tests: small images, data URIs, an authenticated API client."""

from __future__ import annotations

import base64
import io
import time

import requests
from PIL import Image

from desktop_editor.emulator import Emulator

KEY = "rf_test_emulator_key"
MODEL = "openai/gpt-image-2/edit"
TERMINAL = {"succeeded", "failed", "errored", "canceled", "cancelled", "partial_succeeded"}


def image(size: tuple[int, int] = (64, 48), colour: tuple[int, int, int] = (90, 140, 170)) -> Image.Image:
    """A small RGB test image with some structure (a lighter block) so resizes are visible."""
    img = Image.new("RGB", size, colour)
    img.paste((170, 110, 60), (size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2))
    return img


def mask(size: tuple[int, int] = (64, 48), box: tuple[int, int, int, int] = (8, 8, 32, 24)) -> Image.Image:
    """RGBA mask: alpha 0 inside `box` (edit), 255 elsewhere (keep)."""
    img = Image.new("RGBA", size, (0, 0, 0, 255))
    img.paste((0, 0, 0, 0), box)
    return img


def encode(img: Image.Image, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, fmt)
    return buffer.getvalue()


def data_uri(img: Image.Image, fmt: str = "PNG") -> str:
    return f"data:image/{fmt.lower()};base64,{base64.b64encode(encode(img, fmt)).decode()}"


def decode(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


class Api:
    """Thin authenticated client for the emulator under test."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {KEY}"

    def post(self, path: str, body: object = None, timeout: float = 10) -> requests.Response:
        return self.session.post(self.emu.base_url + path, json=body, timeout=timeout)

    def get(self, path: str, timeout: float = 10) -> requests.Response:
        return self.session.get(self.emu.base_url + path, timeout=timeout)

    def create(self, model: str = MODEL, **inputs: object) -> requests.Response:
        body = {"input": {"prompt": "make it blue", "image_urls": [data_uri(image())], **inputs}}
        return self.post(f"/v1/models/{model}/runs", body)

    def wait(self, run_id: str, timeout: float = 5.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.get(f"/v1/runs/{run_id}").json()
            if run["status_code"] in TERMINAL:
                return run
            time.sleep(0.02)
        raise AssertionError(f"run {run_id} did not finish")

    def close(self) -> None:
        self.session.close()
