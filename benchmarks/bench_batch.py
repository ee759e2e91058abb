"""Batch throughput: wall time of an N-image batch at several concurrencies, beside the ideal.

The emulator runs in its own process (so its CPU does not count as the client's); every run
takes `--run-duration` seconds there. The client side is the real job system (JobManager with
its journal), as `desktop-editor batch` uses it. Prints one JSON object; never fails.

    python benchmarks/bench_batch.py                 # 50 images, 2 s runs, concurrency 1, 4, 8
    python benchmarks/bench_batch.py --images 12 --run-duration 0.5
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from desktop_editor.api import ClientConfig, RunflowClient
from desktop_editor.core import masks
from desktop_editor.core.params import EditParams
from desktop_editor.jobs.manager import JobManager
from desktop_editor.jobs.model import EditJob, JobOptions, JobState
from desktop_editor.jobs.store import JobStore


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_listening(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the emulator did not start")


def make_inputs(folder: Path, count: int, size: tuple[int, int]) -> list[tuple[Path, Path]]:
    rng = np.random.default_rng(0)
    pairs = []
    for i in range(count):
        image = folder / f"product{i:03d}.jpg"
        Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)).save(image, quality=90)
        m = masks.empty_mask(size)
        m[size[1] // 4 : size[1] // 2, size[0] // 4 : size[0] // 2] = 255
        mask = folder / f"product{i:03d}_mask.png"
        mask.write_bytes(masks.encode_mask_png(m))
        pairs.append((image, mask))
    return pairs


def run_batch(base_url: str, pairs, concurrency: int, workdir: Path) -> dict:
    store = JobStore(workdir / f"history-{concurrency}.sqlite3")
    client = RunflowClient(ClientConfig(api_key="rf_test_bench", base_url=base_url, poll_interval=0.25))
    manager = JobManager(client, store, max_workers=concurrency)
    out = workdir / f"out-{concurrency}"
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for image, mask in pairs:
        manager.submit(EditJob(params=EditParams(prompt="remove the price tag"), image_paths=[image], mask_path=mask,
                               options=JobOptions(out_dir=out, keep_unmasked=True, feather=2), source="batch"))
    manager.wait_all()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    manager.shutdown()
    states = [j.state for j in store.jobs()]
    store.close()
    return {
        "concurrency": concurrency,
        "wall_s": round(wall, 2),
        "done": states.count(JobState.DONE),
        "client_cpu_s_per_job": round(cpu / len(pairs), 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=50)
    parser.add_argument("--run-duration", type=float, default=2.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--size", default="1024x768", help="input size WxH")
    args = parser.parse_args(argv)
    width, height = map(int, args.size.lower().split("x"))
    port = free_port()
    emulator = subprocess.Popen(
        [sys.executable, "-m", "desktop_editor.emulator", "--port", str(port), "--run-duration", str(args.run_duration)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_listening(port)
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            pairs = make_inputs(workdir, args.images, (width, height))
            rows = []
            for concurrency in args.concurrency:
                row = run_batch(f"http://127.0.0.1:{port}", pairs, concurrency, workdir)
                ideal = args.images * args.run_duration / concurrency
                row["ideal_s"] = round(ideal, 2)
                row["ratio_to_ideal"] = round(row["wall_s"] / ideal, 3)
                rows.append(row)
    finally:
        emulator.terminate()
        emulator.wait(10)
    print(json.dumps({"benchmark": "batch", "images": args.images, "run_duration_s": args.run_duration,
                      "input_size": args.size, "results": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
