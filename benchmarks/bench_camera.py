"""Camera-size photos end to end: how long a 24 MP (and a 45 MP) edit keeps the designer waiting.

One edit of a camera JPEG (6000x4000, and 8256x5504 with --sizes), with a mask covering about
10% of the frame and an 8 px feather, goes through the job manager exactly as the window sends
it (a snapshot of the opened image, "Keep original outside mask" on) against the emulator in its
own process on 127.0.0.1, with a 3-second run. Measured:

- Generate to create sent, with its stages (snapshot, prepare: load, resize to the sent size and
  encode; upload; create), beside a floor: uploading the file's own bytes and creating the run.
- Run ended (the client saw it finished) to result on disk, with its stages (download, decode,
  resize, composite, encode, write), beside a floor measured on the same run: the same job with
  "Keep original outside mask" off, which writes the service's bytes as they came.
- Run ended to result on screen: on disk plus what the compare view does before it paints (the
  result decoded and turned into a QImage, on a worker in the designer's own slot), beside the
  floor above plus Pillow's bare decode of the saved file.
- Opening the JPEG (24 and 45 MP) in the window to a painted canvas, beside Pillow's own decode of the same
  file, and the memory one open document holds (bytes per pixel of the image).
- The GUI thread's longest stall throughout (a 5 ms heartbeat timer), target at most 50 ms.

The client polls every 0.1 s here so "run ended" is when the service's run finished to within
a poll. Prints one JSON object; never fails.

    python benchmarks/bench_camera.py                      # 24 MP and 45 MP
    python benchmarks/bench_camera.py --sizes 24 --repeat 3
    python benchmarks/bench_camera.py --open-only          # only opening each size in the window
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PIL import Image, ImageCms, ImageDraw  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from bench_batch import free_port, wait_until_listening  # noqa: E402

SIZES = {"24": (6000, 4000), "45": (8256, 5504)}
KEY = "rf_test_bench_camera"
MASK_FRACTION = 0.10
FEATHER = 8
RUN_SECONDS = 3.0
HEARTBEAT_MS = 5
TARGETS = {"run_end_to_screen_s": 1.0, "run_end_to_disk_s": 2.0, "generate_to_create_s": 1.0,
           "open_45mp_vs_pillow": 2.0, "stall_ms": 50.0}


def make_photo(path: Path, size: tuple[int, int], seed: int = 16) -> Path:
    """A camera-like JPEG (smooth shapes plus sensor noise, q92, sRGB profile, 300 dpi), built in
    strips so a 45 MP one does not take gigabytes of float noise."""
    width, height = size
    rng = np.random.default_rng(seed)
    small = Image.fromarray(rng.integers(0, 255, (24, 36, 3), dtype=np.uint8))
    smooth = small.resize(size, Image.Resampling.BICUBIC)
    out = np.empty((height, width, 3), dtype=np.uint8)
    for top in range(0, height, 512):
        bottom = min(height, top + 512)
        strip = np.asarray(smooth.crop((0, top, width, bottom)), dtype=np.int16)
        noise = rng.integers(-6, 7, strip.shape, dtype=np.int16)
        out[top:bottom] = np.clip(strip + noise, 0, 255).astype(np.uint8)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.fromarray(out).save(path, quality=92, icc_profile=icc, dpi=(300, 300))
    return path


def make_mask(path: Path, size: tuple[int, int]) -> np.ndarray:
    """An ellipse covering MASK_FRACTION of the frame, off centre (255 = edit)."""
    width, height = size
    rx = width * 0.2
    ry = MASK_FRACTION * width * height / (np.pi * rx)
    cx, cy = width * 0.58, height * 0.45
    img = Image.new("L", size, 0)
    ImageDraw.Draw(img).ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=255)
    img.save(path)
    return np.asarray(img)


class Heartbeat:
    """A 5 ms timer on the GUI thread; the longest gap between its ticks is the worst stall."""

    def __init__(self):
        from PySide6.QtCore import Qt, QTimer

        self.ticks: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(lambda: self.ticks.append(time.perf_counter()))

    def start(self) -> None:
        self.ticks.clear()
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        gaps = np.diff(self.ticks) if len(self.ticks) > 1 else np.zeros(1)
        return round(float(gaps.max()) * 1000, 1)


def run_in_loop(app, work) -> object:
    """Run `work()` on a thread while the GUI thread's event loop turns; its return value."""
    from PySide6.QtCore import QEventLoop, QTimer

    box: dict = {}
    loop = QEventLoop()

    def target() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    check = QTimer()  # on the GUI thread: a timer started from another thread would never fire
    check.setInterval(10)
    check.timeout.connect(lambda: None if thread.is_alive() else loop.quit())
    thread.start()
    check.start()
    loop.exec()
    check.stop()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")


class Probe:
    """Times the stages of one job by wrapping the functions the job's code calls."""

    def __init__(self):
        self.stages: dict[str, float] = {}
        self.events: list[tuple[str, float]] = []
        self._patches: list[tuple[object, str, object]] = []

    def add(self, name: str, seconds: float) -> None:
        self.stages[name] = self.stages.get(name, 0.0) + seconds

    def wrap(self, owner: object, attr: str, name: str | None = None, *, timings: bool = False) -> None:
        original = getattr(owner, attr)
        probe = self

        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            if timings:
                found: dict[str, float] = {}
                try:
                    value = original(*args, timings=found, **kwargs)
                except TypeError:  # a version without stage timings
                    value = original(*args, **kwargs)
                for key, seconds in found.items():
                    probe.add(key, seconds)
            else:
                value = original(*args, **kwargs)
            if name:
                probe.add(name, time.perf_counter() - started)
            return value

        self._patches.append((owner, attr, original))
        setattr(owner, attr, staticmethod(wrapper) if isinstance(owner, type) and attr.startswith("_write") else wrapper)

    def undo(self) -> None:
        for owner, attr, original in reversed(self._patches):
            if isinstance(owner, type) and attr.startswith("_write"):
                setattr(owner, attr, staticmethod(original))
            else:
                setattr(owner, attr, original)
        self._patches.clear()


def one_edit(app, client, loaded, mask: np.ndarray, out_dir: Path, *, keep: bool) -> dict:
    """Send one edit through the job manager as the window does; timeline and stages."""
    from desktop_editor.core.params import EditParams
    from desktop_editor.jobs import manager as manager_module
    from desktop_editor.jobs import prepare as prepare_module
    from desktop_editor.jobs import runner as runner_module
    from desktop_editor.jobs.model import FINAL_STATES, EditJob, JobOptions
    from desktop_editor.ui.common.conversions import qimage_from_pil
    from desktop_editor.core.cpu import image_work
    from desktop_editor.core.images import load_image

    probe = Probe()
    probe.wrap(manager_module.JobManager, "_write_snapshot", "snapshot")
    probe.wrap(runner_module, "prepare_edit", "prepare")
    probe.wrap(prepare_module, "load_image", "prepare_load")
    probe.wrap(prepare_module, "_fit", "prepare_resize")
    probe.wrap(prepare_module, "encode_png", "prepare_encode")
    probe.wrap(runner_module, "finish_result", "finish", timings=True)
    probe.wrap(runner_module, "write_new_file", "write")
    probe.wrap(client, "fetch_results", "download")
    manager = manager_module.JobManager(client, max_workers=2)
    events: list[tuple[str, float]] = []
    done = threading.Event()

    def listener(job) -> None:
        now = time.perf_counter()
        events.append((job.state.value, now))
        if job.result_paths and not any(e[0] == "on_disk" for e in events):
            events.append(("on_disk", now))
        if job.state in FINAL_STATES:
            done.set()

    manager.add_listener(listener)
    try:
        snapshot = manager_module.Snapshot(image=loaded.image, mask=mask.copy(), name="camera.jpg", source=loaded)
    except TypeError:  # a version that always re-encodes the snapshot
        snapshot = manager_module.Snapshot(image=loaded.image, mask=mask.copy(), name="camera.jpg")
    params = EditParams(prompt="replace the mug with a glass of water")
    options = JobOptions(out_dir=out_dir, keep_unmasked=keep, feather=FEATHER)

    def work():
        started = time.perf_counter()
        job = manager.submit(EditJob(params=params, image_paths=[], options=options), snapshot)
        done.wait(RUN_SECONDS + 120)
        final = manager.store.get(job.id) if manager.store else None
        manager.wait_all(timeout=60)
        saved_at = next((t for name, t in events if name == "on_disk"), None)
        paths = sorted(out_dir.glob("camera-edit-*"), key=lambda p: p.stat().st_mtime)
        shown_at = None
        if paths and saved_at is not None:
            with image_work(urgent=True):  # what the compare view's worker does before it paints
                qimage_from_pil(load_image(paths[-1]).image)
            shown_at = time.perf_counter()
        return started, paths[-1] if paths else None, saved_at, shown_at, final

    try:
        started, path, saved_at, shown_at, _ = run_in_loop(app, work)
    finally:
        manager.shutdown(stop_waiting=False, wait=True)  # stopping would abort the shared client
        probe.undo()
    times = {}
    for name, moment in events:
        times.setdefault(name, moment)
    created = next((times[s] for s in ("queued", "running") if s in times), None)
    ended = times.get("downloading")
    if path is None or ended is None or created is None:
        return {"error": f"the edit did not finish: {[e[0] for e in events]}"}
    stages = {k: round(v, 3) for k, v in probe.stages.items()}
    return {
        "saved_as": f"{path.suffix} {path.stat().st_size / 1e6:.1f} MB",
        "generate_to_create_s": round(created - started, 3),
        "run_end_to_disk_s": round(saved_at - ended, 3),
        "run_end_to_screen_s": round(shown_at - ended, 3),
        "stages_s": stages,
        "result_path": path,
    }


def send_floor(client, source: Path) -> float:
    """Seconds to upload the file's own bytes and create a run with it: no decode, no encode."""
    from desktop_editor.core.params import EditParams

    started = time.perf_counter()
    data = source.read_bytes()
    url = client.media_url(data, filename=source.name, mime_type="image/jpeg")
    client.create_run("openai/gpt-image-2/edit", EditParams(prompt="replace the sky").model_input([url], None))
    return time.perf_counter() - started


def pillow_decode(path: Path) -> float:
    started = time.perf_counter()
    with Image.open(path) as img:
        img.load()
    return time.perf_counter() - started


def rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def document_bytes(document) -> int:
    """What an open document holds for display: the image, its reduced levels, the mask and
    its reduced levels (the undo history is empty right after opening)."""
    total = document.image.sizeInBytes() + sum(level.sizeInBytes() for level in document.image_levels)
    total += document.mask_buffer().nbytes
    return int(total)


def open_in_window(app, path: Path, repeat: int) -> dict:
    """Time from `open_path` to the canvas having painted it (a large image first shows its
    reduced levels: all a fitted view draws), to the full-size display image being there too,
    the GUI thread's longest stall meanwhile, and the memory the document holds.

    The heartbeat runs only from `open_path` until the canvas has settled (painted, and 300 ms
    more of the event loop turning), so the bench's own work (the Pillow floor, garbage
    collection, closing the document) is not counted as a stall of the app's.
    """
    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from desktop_editor.ui.window.main_window import MainWindow

    runs, full, floors, held, accounted, stalls, stall_times = [], [], [], [], [], [], []

    def spin(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "bench.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings=settings)
        window.resize(1440, 900)
        window.show()
        app.processEvents()
        spin(300)
        beat = Heartbeat()
        beat.start()
        spin(1000)  # the floor: the same heartbeat with the window idle, in the same run
        idle_floor = beat.stop()
        for _ in range(repeat):
            floors.append(pillow_decode(path))
            gc.collect()
            before_rss = rss_bytes()
            opened: list = []
            loop = QEventLoop()
            window.document_opened.connect(opened.append)
            window.document_opened.connect(loop.quit)
            QTimer.singleShot(30000, loop.quit)
            beat.start()
            started = time.perf_counter()
            window.open_path(path)
            loop.exec()
            painted = window.canvas.paint_count
            deadline = time.perf_counter() + 5
            while window.canvas.paint_count == painted and time.perf_counter() < deadline:
                spin(1)
            runs.append(time.perf_counter() - started)
            document = opened[0] if opened else None
            while document is not None and document.display_pending() and time.perf_counter() < deadline + 10:
                spin(2)
            full.append(time.perf_counter() - started)
            spin(300)  # whatever the canvas still does after its first paint counts too
            ticks = list(beat.ticks)
            stalls.append(beat.stop())
            if len(ticks) > 1:
                gaps = np.diff(ticks)
                stall_times.append(round(float(ticks[int(np.argmax(gaps))] - started), 3))
            window.document_opened.disconnect(opened.append)
            window.document_opened.disconnect(loop.quit)
            gc.collect()
            held.append(rss_bytes() - before_rss)
            if opened:
                accounted.append(document_bytes(opened[0]))
                window.close_document(opened[0], ask=False)
            app.processEvents()
            gc.collect()
        window.close()
        window.deleteLater()
        app.processEvents()
    with Image.open(path) as img:
        pixels = img.width * img.height
    median, floor = statistics.median(runs), statistics.median(floors)
    return {
        "open_to_painted_s": round(median, 3),
        "runs_s": [round(r, 3) for r in runs],
        "pillow_decode_s": round(floor, 3),
        "ratio_to_pillow": round(median / floor, 2),
        "full_resolution_ready_s": round(statistics.median(full), 3),
        "target_ratio": TARGETS["open_45mp_vs_pillow"],
        "meets_target": median / floor <= TARGETS["open_45mp_vs_pillow"],
        "held_bytes_per_pixel": round(statistics.median(held) / pixels, 1),
        "document_bytes_per_pixel": round(statistics.median(accounted) / pixels, 2) if accounted else None,
        "longest_stall_ms": max(stalls),
        "stalls_ms": stalls,
        "idle_stall_floor_ms": idle_floor,
        "longest_stall_at_s": stall_times,
        "stall_target_ms": TARGETS["stall_ms"],
    }


def camera_section(app, client, folder: Path, label: str, size: tuple[int, int], repeat: int) -> dict:
    from desktop_editor.core.images import load_image

    source = make_photo(folder / f"camera_{label}.jpg", size)
    mask = make_mask(folder / f"camera_{label}_mask.png", size)
    loaded = load_image(source)  # the open document, as the window holds it
    beat = Heartbeat()
    keep_runs, plain_runs, floors_send, floors_decode, stalls = [], [], [], [], []
    for index in range(repeat):
        out = folder / f"out_{label}_{index}"
        beat.start()
        keep_runs.append(one_edit(app, client, loaded, mask, out / "keep", keep=True))
        plain_runs.append(one_edit(app, client, loaded, mask, out / "plain", keep=False))
        stalls.append(beat.stop())
        floors_send.append(send_floor(client, source))
        if "result_path" in plain_runs[-1]:
            floors_decode.append(pillow_decode(plain_runs[-1]["result_path"]))

    def median(runs: list[dict], key: str) -> float | None:
        values = [r[key] for r in runs if key in r]
        return round(statistics.median(values), 3) if values else None

    def stage_medians(runs: list[dict]) -> dict:
        names = {k for r in runs for k in r.get("stages_s", {})}
        return {k: round(statistics.median(r["stages_s"].get(k, 0.0) for r in runs if "stages_s" in r), 3)
                for k in sorted(names)}

    disk, screen = median(keep_runs, "run_end_to_disk_s"), median(keep_runs, "run_end_to_screen_s")
    create = median(keep_runs, "generate_to_create_s")
    floor_disk = median(plain_runs, "run_end_to_disk_s")
    floor_screen = None if floor_disk is None or not floors_decode else round(floor_disk + statistics.median(floors_decode), 3)
    errors = [r["error"] for r in keep_runs + plain_runs if "error" in r]
    return {
        "source": f"{size[0]}x{size[1]} JPEG q92, {source.stat().st_size / 1e6:.1f} MB, sRGB profile, 300 dpi",
        "mask": f"ellipse, {int(mask.astype(bool).mean() * 100)}% of the frame, feather {FEATHER} px",
        "saved_as": keep_runs[-1].get("saved_as"),
        "run_end_to_screen_s": screen,
        "run_end_to_screen_floor_s": floor_screen,
        "run_end_to_screen_target_s": TARGETS["run_end_to_screen_s"],
        "run_end_to_disk_s": disk,
        "run_end_to_disk_floor_s": floor_disk,
        "run_end_to_disk_target_s": TARGETS["run_end_to_disk_s"],
        "generate_to_create_s": create,
        "generate_to_create_floor_s": round(statistics.median(floors_send), 3),
        "generate_to_create_target_s": TARGETS["generate_to_create_s"],
        "stages_s": stage_medians(keep_runs),
        "floor_job_stages_s": stage_medians(plain_runs),
        "floor_job_saved_as": plain_runs[-1].get("saved_as"),
        "longest_stall_ms": max(stalls),
        "stall_target_ms": TARGETS["stall_ms"],
        "runs": [{k: v for k, v in r.items() if k not in ("result_path", "stages_s")} for r in keep_runs],
        **({"errors": errors} if errors else {}),
        "_source_path": source,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="24,45", help="megapixel sizes to run: 24, 45 or both")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--open-only", action="store_true", help="only open each size in the window")
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    from desktop_editor.api import ClientConfig, RunflowClient

    app = QApplication.instance() or QApplication(sys.argv)
    port = free_port()
    report: dict = {
        "benchmark": "camera",
        "platform": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} CPUs",
        "load_average_start": round(os.getloadavg()[0], 2),
        "run_seconds": RUN_SECONDS,
        "poll_interval_s": 0.1,
    }
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ["XDG_DATA_HOME"] = str(folder / "data")  # job snapshots go here, not the real data folder
        emulator = subprocess.Popen(
            [sys.executable, "-m", "desktop_editor.emulator", "--port", str(port), "--run-duration", str(RUN_SECONDS)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_listening(port)
            client = RunflowClient(ClientConfig(api_key=KEY, base_url=f"http://127.0.0.1:{port}",
                                                poll_interval=0.1, read_timeout=300))
            for label in [s.strip() for s in args.sizes.split(",") if s.strip()]:
                if args.open_only:
                    source = make_photo(folder / f"camera_{label}.jpg", SIZES[label])
                    report[f"{label}mp"] = {"open_in_window": open_in_window(app, source, max(3, args.repeat))}
                    continue
                section = camera_section(app, client, folder, label, SIZES[label], args.repeat)
                source = section.pop("_source_path")
                section["open_in_window"] = open_in_window(app, source, max(2, args.repeat))
                report[f"{label}mp"] = section
            client.close()
        finally:
            emulator.terminate()
            emulator.wait(timeout=10)
    report["load_average_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
