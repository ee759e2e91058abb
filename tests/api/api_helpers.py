"""Helpers shared by the client tests (a plain module: conftest is for fixtures)."""

import io

import numpy as np
from PIL import Image

from desktop_editor.api import ClientConfig

KEY = "rf_test_secretkey123"
def fast_config(base_url: str, **changes) -> ClientConfig:
    config = ClientConfig(
        api_key=KEY,
        base_url=base_url,
        poll_interval=0.03,
        wait_timeout=15,
        read_timeout=5,
        connect_timeout=2,
        backoff_base=0.01,
        backoff_max=0.05,
    )
    return config.with_changes(**changes)


def png_bytes(size=(64, 48), colour=(30, 120, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


def noise_png(size=(64, 48), seed=0) -> bytes:
    rng = np.random.default_rng(seed)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8), "RGB").save(buf, "PNG")
    return buf.getvalue()
