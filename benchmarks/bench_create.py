"""How long a paid create request stays open: media inline in its body vs uploaded first.

While a create is on the wire its fate is unknown: a connection that drops then leaves a run
that may be charged and that we cannot find. The window lasts as long as the request body
takes to travel (plus the service's answer), so it grows with inline media. This measures it
for a 12 MP photo sent the way the job runner sends it (scaled to the model's limits, as a PNG),
against the emulator in its own process on 127.0.0.1, and for small bodies of the sizes a mask
or a thumbnail has, which is how the inline limit was chosen. Loopback moves hundreds of MB/s,
so each figure is also given at a modest uplink (`--uplink-mbit`), where the body's travel
time dominates. What remains of an uploaded create on loopback is the service's own work inside
the request (the emulator fetches and decodes the 8 MP input before answering), the same either
way. Prints one JSON object; never fails.

    python benchmarks/bench_create.py
    python benchmarks/bench_create.py --repeat 5 --uplink-mbit 20
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from desktop_editor.api import ClientConfig, RunflowClient, to_data_uri
from desktop_editor.core.params import EditParams
from desktop_editor.jobs.model import EditJob
from desktop_editor.jobs.prepare import prepare_edit

sys.path.insert(0, str(Path(__file__).parent))
from bench_batch import free_port, wait_until_listening  # noqa: E402

KEY = "rf_test_bench_create"
MODEL = "openai/gpt-image-2/edit"
PHOTO_SIZE = (4000, 3000)  # 12 MP
SMALL_BODIES_KIB = (4, 16, 32, 64, 128, 256)
TARGET_OPEN_S = 1.0  # the create of a 12 MP photo should be open no longer than this at the uplink


def make_photo(path: Path) -> Path:
    """A 12 MP JPEG that compresses like a photo (smooth shapes plus sensor noise), not like noise."""
    rng = np.random.default_rng(12)
    small = rng.integers(0, 255, (30, 40, 3), dtype=np.uint8)
    base = np.asarray(Image.fromarray(small).resize(PHOTO_SIZE, Image.Resampling.BICUBIC), dtype=np.int16)
    noisy = np.clip(base + rng.normal(0, 6, base.shape), 0, 255).astype(np.uint8)
    Image.fromarray(noisy).save(path, quality=92)
    return path


def noise_png(nbytes: int) -> bytes:
    """A PNG of about `nbytes` (noise does not compress), standing in for a mask or a small image."""
    import io

    side = max(8, int((nbytes / 3) ** 0.5))
    rng = np.random.default_rng(nbytes)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (side, side, 3), dtype=np.uint8)).save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def timed_create(client: RunflowClient, image_url: str) -> tuple[float, int]:
    """Seconds the create request was open, and the size of its JSON body."""
    model_input = EditParams(prompt="replace the sky with a warm sunset").model_input([image_url], None)
    body = len(json.dumps({"input": model_input, "client_ref": "x", "metadata": {"app": "bench"}}))
    started = time.perf_counter()
    client.create_run(MODEL, model_input)
    return time.perf_counter() - started, body


def on_uplink(seconds: float, body_bytes: int, mbit: float) -> float:
    """The same request on an uplink of `mbit`: the body's travel time added to what was measured."""
    return seconds + body_bytes * 8 / (mbit * 1e6)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--uplink-mbit", type=float, default=10.0, help="the modest uplink the figures are given at")
    args = parser.parse_args()

    port = free_port()
    emulator = subprocess.Popen(
        [sys.executable, "-m", "desktop_editor.emulator", "--port", str(port), "--run-duration", "30"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_listening(port)
        client = RunflowClient(ClientConfig(api_key=KEY, base_url=f"http://127.0.0.1:{port}", read_timeout=300))
        with tempfile.TemporaryDirectory() as folder:
            photo = make_photo(Path(folder) / "photo.jpg")
            upload = prepare_edit(EditJob(params=EditParams(prompt="x"), image_paths=[photo])).images[0]

        inline, uploaded, upload_steps = [], [], []
        for _ in range(args.repeat):
            inline.append(timed_create(client, to_data_uri(upload.data, upload.mime_type)))
            started = time.perf_counter()
            url = client.upload_asset(upload.data, filename=upload.filename, mime_type=upload.mime_type)
            upload_steps.append(time.perf_counter() - started)
            uploaded.append(timed_create(client, url))

        small = {}
        for kib in SMALL_BODIES_KIB:
            data = noise_png(kib * 1024)
            runs = [timed_create(client, to_data_uri(data, "image/png")) for _ in range(args.repeat)]
            seconds, body = statistics.median(r[0] for r in runs), runs[0][1]
            small[f"{kib} KiB"] = {
                "body_bytes": body,
                "create_open_ms_loopback": round(seconds * 1000, 1),
                f"create_open_ms_at_{args.uplink_mbit:g}_mbit": round(on_uplink(seconds, body, args.uplink_mbit) * 1000, 1),
            }
        client.close()
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)

    def figures(samples: list[tuple[float, int]]) -> dict:
        seconds, body = statistics.median(s[0] for s in samples), samples[0][1]
        return {
            "body_bytes": body,
            "create_open_s_loopback": round(seconds, 3),
            f"create_open_s_at_{args.uplink_mbit:g}_mbit": round(on_uplink(seconds, body, args.uplink_mbit), 3),
        }

    inline_figures, uploaded_figures = figures(inline), figures(uploaded)
    key = f"create_open_s_at_{args.uplink_mbit:g}_mbit"
    print(json.dumps({
        "photo": f"{PHOTO_SIZE[0]}x{PHOTO_SIZE[1]} JPEG, sent as {upload.filename} ({len(upload.data):,} bytes)",
        "inline": inline_figures,
        "uploaded": {**uploaded_figures, "upload_steps_s_loopback": round(statistics.median(upload_steps), 3)},
        "shrink_factor": round(inline_figures[key] / uploaded_figures[key], 1),
        "target_uploaded_open_s": TARGET_OPEN_S,
        "uploaded_meets_target": uploaded_figures[key] <= TARGET_OPEN_S,
        "small_bodies": small,
        "inline_limit_bytes": ClientConfig().inline_limit,
    }, indent=2))


if __name__ == "__main__":
    main()
