"""Hostile result downloads: time and peak memory of each misbehaviour beside well-behaved floors.

Each case runs in a fresh child process (so its peak RSS is its own): an in-process emulator on
127.0.0.1 plays the result URL, and the real client fetches and checks one finished run's
result into a temporary folder, as a job does. The floors are well-behaved downloads measured
in the same run: a small result, and a 3840x2160 noise PNG (the largest gpt-image-2 output, the
worst case for its size). The probe rows time the result check alone on noise PNGs at 8.3, 33
and 64 MP (the pixel limit) and on a 60000x60000 bomb header. Prints one JSON object.

    python benchmarks/bench_hostile.py
    python benchmarks/bench_hostile.py --cases html endless
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

import numpy as np
from PIL import Image

CASES = ("image_small", "image_4k", "html", "bomb", "mislabelled", "huge", "endless", "drip")
PROBES = ((3840, 2160), (7680, 4320), (8000, 8000))
KEY = "rf_test_bench_hostile"


def noise_png(width: int, height: int) -> bytes:
    rng = np.random.default_rng(width)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (height, width, 3), dtype=np.uint8), "RGB").save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


class RssSampler:
    """The highest resident size seen while the block runs, sampled every 5 ms (Linux)."""

    def __enter__(self) -> RssSampler:
        self.baseline = self.peak = current_rss_mb()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._done.wait(0.005):
            self.peak = max(self.peak, current_rss_mb())

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, current_rss_mb())

    @property
    def growth_mb(self) -> float:
        return round(self.peak - self.baseline, 1)


def run_case(case: str) -> dict:
    """One download in this process: seconds, peak memory, and how it ended."""
    from desktop_editor.api import ClientConfig, RunflowClient
    from desktop_editor.emulator import Behaviour, Emulator

    body = "image" if case.startswith("image") else case
    size = (3840, 2160) if case == "image_4k" else (64, 48)
    with Emulator(api_keys={KEY}, behaviour=Behaviour(run_duration=0.05, drip_interval=0.5)) as emu, \
            tempfile.TemporaryDirectory() as folder:
        config = ClientConfig(api_key=KEY, base_url=emu.base_url, poll_interval=0.05, inline_limit=64 * 1024,
                              download_grace=3.0)  # the drip's overall limit, shortened for the benchmark
        client = RunflowClient(config)
        image = client.media_url(noise_png(*size), filename="in.png", mime_type="image/png")
        run = client.wait_for_run(client.create_run("openai/gpt-image-2/edit", {"prompt": "bench it", "image_urls": [image]}).id)
        emu.behaviour.result_body = body
        tracemalloc.start()
        started = time.perf_counter()
        with RssSampler() as rss:
            try:
                results = client.fetch_results(run, folder=Path(folder))
                outcome = f"result {results[0].file_name} ({len(results[0].data)} bytes)"
                del results
            except Exception as exc:  # noqa: BLE001 - every ending is a row
                outcome = f"{type(exc).__name__}: {exc}"
        seconds = time.perf_counter() - started
        _, traced = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        downloads = sum(1 for r in emu.requests if r.path.startswith("/_results/"))
        return {
            "case": case,
            "seconds": round(seconds, 3),
            "python_peak_mb": round(traced / 2**20, 1),
            "rss_growth_mb": rss.growth_mb,  # peak resident size during the fetch, above where it began
            "download_requests": downloads,
            "outcome": outcome[:200],
        }


def run_probes() -> list[dict]:
    from desktop_editor.api.result_check import ResultCheckError, check_result_file
    from desktop_editor.emulator.hostile import bomb_png

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for width, height in PROBES:
            path = Path(folder) / f"{width}x{height}.png"
            path.write_bytes(noise_png(width, height))
            started = time.perf_counter()
            with RssSampler() as rss:
                checked = check_result_file(path)
            rows.append({"probe": f"{width}x{height} PNG ({width * height / 1e6:.1f} MP)",
                         "file_mb": round(path.stat().st_size / 2**20, 1),
                         "seconds": round(time.perf_counter() - started, 3), "rss_growth_mb": rss.growth_mb,
                         "passed": checked.extension})
            path.unlink()
        path = Path(folder) / "bomb.png"
        path.write_bytes(bomb_png())
        started = time.perf_counter()
        try:
            check_result_file(path)
            verdict = "passed (wrong)"
        except ResultCheckError as exc:
            verdict = str(exc)
        rows.append({"probe": "60000x60000 bomb header", "file_mb": round(path.stat().st_size / 2**20, 4),
                     "seconds": round(time.perf_counter() - started, 4), "passed": verdict})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="*", default=list(CASES), choices=CASES)
    parser.add_argument("--child", choices=CASES + ("probes",), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "probes":
        print(json.dumps(run_probes()))
        return
    if args.child:
        print(json.dumps(run_case(args.child)))
        return
    rows = []
    for case in args.cases:
        done = subprocess.run([sys.executable, __file__, "--child", case], capture_output=True, text=True, timeout=600)
        rows.append(json.loads(done.stdout) if done.returncode == 0 else {"case": case, "error": done.stderr[-500:]})
    probes = subprocess.run([sys.executable, __file__, "--child", "probes"], capture_output=True, text=True, timeout=600)
    print(json.dumps({
        "downloads": rows,
        "probes": json.loads(probes.stdout) if probes.returncode == 0 else probes.stderr[-500:],
        "note": "rss_growth_mb: peak resident size during the fetch (or probe) above where it began; compare "
                "each case with the floors image_small and image_4k of the same run",
    }, indent=2))


if __name__ == "__main__":
    main()
