"""Camera-size photos end to end: how long a 24 MP (and a 45 MP) edit keeps the designer waiting.

One edit of a camera JPEG (6000x4000, and 8256x5504 with --sizes), with a mask covering about
10% of the frame and an 8 px feather, is sent from the real main window (the photo opened in it,
the mask set on its document, Generate pressed, "Keep original outside mask" on) to the emulator
in its own process on 127.0.0.1, reached as the service is (an API key, its URL), with a
3-second run. Measured:

- Generate to create sent, pressed 1 s after the mask was set (as a designer's last stroke
  would be; the window makes the sent-size copy meanwhile), and once pressed at once with that
  copy forgotten ("cold"), with its stages (snapshot, prepare: resize to the sent size and
  encode; upload; create), beside a floor: uploading the file's own bytes and creating the run.
- Run ended (the client saw it finished) to result on disk, with its stages (download, decode,
  composite, encode, write), beside a floor measured on the same run: the same job with
  "Keep original outside mask" off, which writes the service's bytes as they came.
- Run ended to result on screen: until the compare view's pane paints the result, whatever way
  the window got it there (the composite handed over in memory, or the file decoded), beside the
  floor above plus Pillow's bare decode of the floor job's file. When the file is lossy (a JPEG)
  its own pixels replace the in-memory result afterwards: that moment is reported too.
- Opening the JPEG in the window to a painted canvas, beside Pillow's own decode of the same
  file, and the memory one open document holds (bytes per pixel of the image, target at most 8):
  resident memory after opening minus before, Pillow's kept blocks and the C library's freed
  memory handed back first (the first open of a run also pays one-time costs: imports, threads).
- The GUI thread's longest stall from each edit's mask being set (after it: setting a whole mask
  at once is the benchmark's doing, a designer's strokes are small) to its result painted (a
  5 ms heartbeat timer), target at most 50 ms.

The client polls every 0.1 s here so "run ended" is when the service's run finished to within
a poll. Prints one JSON object; never fails.

    python benchmarks/bench_camera.py                      # 24 MP and 45 MP
    python benchmarks/bench_camera.py --sizes 24 --repeat 3
    python benchmarks/bench_camera.py --sizes 100           # a 100 MP (GFX100) frame
    python benchmarks/bench_camera.py --open-only          # only opening each size in the window
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PIL import Image, ImageCms, ImageDraw  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from bench_batch import free_port, wait_until_listening  # noqa: E402
from bench_canvas import rss_bytes, settle_memory  # noqa: E402

SIZES = {"24": (6000, 4000), "45": (8256, 5504), "100": (11648, 8736)}
KEY = "rf_test_bench_camera"
MASK_FRACTION = 0.10
FEATHER = 8
EMULATOR_NICE = 10  # added to the emulator's nice value (see main)
RUN_SECONDS = 3.0
PAUSE_S = 1.0  # from the mask being set (the last stroke) to pressing Generate
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

    def longest_until(self, moment: float) -> float | None:
        """The longest gap (ms) among the ticks up to `moment` (perf_counter) and the first after it."""
        ticks = [t for t in self.ticks if t <= moment]
        ticks += [t for t in self.ticks if t > moment][:1]
        return round(float(np.diff(ticks).max()) * 1000, 1) if len(ticks) > 1 else None

    def longest_gap_start(self) -> float | None:
        """When the longest gap began (perf_counter), to tell which step it fell in."""
        if len(self.ticks) < 2:
            return None
        return self.ticks[int(np.argmax(np.diff(self.ticks)))]


class Probe:
    """Times the stages of one job by wrapping the functions the job's code calls."""

    def __init__(self):
        self.stages: dict[str, float] = {}
        self.events: list[tuple[str, float]] = []
        self._patches: list[tuple[object, str, object]] = []

    def add(self, name: str, seconds: float) -> None:
        self.stages[name] = self.stages.get(name, 0.0) + seconds

    def wrap(self, owner: object, attr: str, name: str | None = None, *, timings: bool = False) -> None:
        original = getattr(owner, attr, None)
        if original is None:  # a version without this step
            return
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


def _paint_watch(view):
    """An event filter on the compare view's left pane: `moments` gets the time of the first
    paint showing each new `after` image (by cacheKey) once `set_images` has been given it."""
    from PySide6.QtCore import QEvent, QObject

    class Watch(QObject):
        def __init__(self):
            super().__init__()
            self.moments: list[tuple[int, float]] = []
            self.seen: set[int] = set()

        def eventFilter(self, obj, event):  # noqa: N802 (Qt override)
            if event.type() == QEvent.Type.Paint:
                after = view.after_image()
                if after is not None and after.cacheKey() not in self.seen:
                    self.seen.add(after.cacheKey())
                    self.moments.append((after.cacheKey(), time.perf_counter()))
            return False

    watch = Watch()
    view.panes()[0].installEventFilter(watch)
    return watch


def one_edit(app, window, mask: np.ndarray, *, keep: bool, pause_s: float = PAUSE_S, beat: Heartbeat | None = None) -> dict:
    """Press Generate in the real window (its open camera photo, this mask, set `pause_s`
    before) and follow the edit to the result painted in the compare view; timeline and stages."""
    from PySide6.QtCore import QEventLoop, QTimer

    from desktop_editor.jobs import manager as manager_module
    from desktop_editor.jobs import prepare as prepare_module
    from desktop_editor.jobs import runner as runner_module
    from desktop_editor.jobs.model import FINAL_STATES
    try:  # where the window turns a result into what it shows
        from desktop_editor.ui.flow import result_presenter as flow_module
    except ImportError:  # an older layout
        from desktop_editor.ui.flow import edit_flow as flow_module

    connection = window.flow.connection
    manager, client = connection.manager, connection.client
    probe = Probe()
    probe.wrap(manager_module.JobManager, "_write_snapshot", "snapshot")
    probe.wrap(runner_module, "prepare_edit", "prepare", timings=True)
    probe.wrap(prepare_module, "_sent_image", "sent_copy_made")  # ahead of Generate, or in prepare
    probe.wrap(runner_module, "finish_result", "finish", timings=True)
    probe.wrap(runner_module, "write_new_file", "write")
    probe.wrap(client, "fetch_results", "download")
    probe.wrap(flow_module, "preview_image", "ui_result_from_memory")
    probe.wrap(flow_module, "load_image", "ui_decode_file")
    probe.wrap(flow_module, "qimage_from_pil", "ui_to_qimage")
    events: list[tuple[str, float]] = []
    ids: list[str] = []

    def listener(job) -> None:
        if ids and job.id != ids[0]:
            return
        now = time.perf_counter()
        events.append((job.state.value, now))
        if job.result_paths and not any(e[0] == "on_disk" for e in events):
            events.append(("on_disk", now))

    manager.add_listener(listener)
    document = window.current_document()
    window.show_mask_page()
    window.params_panel.prompt_edit.setPlainText("replace the mug with a glass of water")
    window.params_panel.set_options(keep_unmasked=keep, feather=FEATHER, colour_match=False, region_padding=None)
    document.set_mask_array(mask.copy(), "benchmark mask")
    view = window.compare_view
    watch = _paint_watch(view)
    if beat is not None:  # from here: setting a whole 24 MP mask at once is the benchmark's, not a stroke
        beat.start()
    pause = QEventLoop()
    QTimer.singleShot(int(pause_s * 1000), pause.quit)  # the designer's last stroke to Generate
    pause.exec()
    for _ in range(5):
        app.processEvents()
    loop = QEventLoop()
    flow = window.flow

    def check() -> None:
        job = window.jobs_panel.job(ids[0]) if ids else None
        flow_busy = flow.results.busy() if hasattr(flow, "results") else flow._tasks.busy()
        if job is not None and job.state in FINAL_STATES and not flow_busy and not view._tasks.busy() \
                and len(watch.moments) >= 1:
            QTimer.singleShot(200, loop.quit)  # and painted
        else:
            QTimer.singleShot(10, check)

    stall = stall_start = None
    ticks_seen: Heartbeat | None = beat
    try:
        started = time.perf_counter()
        job_id = window.generate()
        if job_id:
            ids.append(job_id)
            QTimer.singleShot(10, check)
            QTimer.singleShot(int((RUN_SECONDS + 120) * 1000), loop.quit)
            loop.exec()
        if beat is not None:
            stall = beat.stop()
            stall_start = beat.longest_gap_start()
    finally:
        manager._listeners.remove(listener)
        view.panes()[0].removeEventFilter(watch)
        probe.undo()
    times: dict[str, float] = {}
    for name, moment in events:
        times.setdefault(name, moment)
    created = next((times[s] for s in ("queued", "running") if s in times), None)
    ended = times.get("downloading")
    job = window.jobs_panel.job(ids[0]) if ids else None
    if job is None or not job.result_paths or ended is None or created is None or not watch.moments:
        return {"error": f"the edit did not finish: {[e[0] for e in events]}"}
    path = Path(job.result_paths[0])
    stages = {k: round(v, 3) for k, v in probe.stages.items()}
    shown_at = watch.moments[0][1]
    out = {
        "saved_as": f"{path.suffix} {path.stat().st_size / 1e6:.1f} MB",
        "generate_to_create_s": round(created - started, 3),
        "run_end_to_disk_s": round(times["on_disk"] - ended, 3),
        "run_end_to_screen_s": round(shown_at - ended, 3),
        "stages_s": stages,
        "longest_stall_ms": stall,
        # When it began, from the run's end (negative: while the service worked).
        "longest_stall_at_s": round(stall_start - ended, 3) if stall_start is not None else None,
        "result_path": path,
    }
    if ticks_seen is not None:  # the stalls until the result is on screen and on disk, before the file's pixels
        out["longest_stall_to_result_ms"] = ticks_seen.longest_until(max(shown_at, times["on_disk"]))
    if len(watch.moments) > 1:  # a lossy file's own pixels, shown after the in-memory result
        out["run_end_to_file_pixels_on_screen_s"] = round(watch.moments[-1][1] - ended, 3)
    return out


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


def document_bytes(document) -> int:
    """What an open document holds: the display image, its reduced levels, the Pillow copy of
    the photo jobs use while it is held (code without `Document.held_bytes` always held it: 4
    bytes a pixel, Pillow pads RGB), the mask and its reduced levels (the undo history is empty
    right after opening), and the spare mask kept ready for the current image's Generate (one in
    all, see ui.models.mask_copies)."""
    held = getattr(document, "held_bytes", None)
    if held is not None:
        parts = held()
        total = parts["display"] + parts["levels"] + parts["photo"] + parts["source"] + parts["mask"]
    else:
        total = document.image.sizeInBytes() + sum(level.sizeInBytes() for level in document.image_levels)
        total += document.mask_buffer().nbytes + 4 * document.width * document.height
    total += document.width * document.height
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
    from desktop_editor.ui.app import freeze_startup_objects, wrap_inner_widgets
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
        wrap_inner_widgets(window)  # as the app does once its window has painted
        freeze_startup_objects()
        beat = Heartbeat()
        beat.start()
        spin(1000)  # the floor: the same heartbeat with the window idle, in the same run
        idle_floor = beat.stop()
        for _ in range(repeat):
            floors.append(pillow_decode(path))
            settle_memory()
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
            spin(1000)  # what the opening lets go is freed on a background thread meanwhile
            gc.collect()
            held.append(rss_bytes() - before_rss)
            if opened:
                accounted.append(document_bytes(opened[0]))
                window.close_document(opened[0], ask=False)
            del document, opened
            from PySide6.QtCore import QCoreApplication, QEvent

            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # the closed document goes
            spin(300)
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


def open_window(app, folder: Path, port: int):
    """The real main window connected to the emulator at `port` (as to the service, with a key),
    saving results into `folder`/results with feather 8 and "Keep original outside mask" on."""
    from PySide6.QtCore import QSettings

    from desktop_editor.jobs.service import ServiceConnection
    from desktop_editor.jobs.settings import AppSettings
    from desktop_editor.jobs.store import JobStore
    from desktop_editor.ui.window.main_window import MainWindow

    os.environ["RUNFLOW_API_KEY"] = KEY
    os.environ["DESKTOP_EDITOR_KEYRING"] = "memory"
    preferences = AppSettings(base_url=f"http://127.0.0.1:{port}", output_dir=str(folder / "results"),
                              feather=FEATHER, keep_unmasked=True, ask_before_repeating=False)
    service = ServiceConnection(store=JobStore(folder / "history.sqlite3"))
    service.connect(preferences, poll_interval=0.1, read_timeout=300)
    window = MainWindow(settings=QSettings(str(folder / "window.ini"), QSettings.Format.IniFormat), service=service,
                        preferences=preferences, settings_file=folder / "settings.json")
    window.resize(1440, 900)
    window.show()
    app.processEvents()
    return window


def open_document(app, window, path: Path):
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    window.document_opened.connect(loop.quit)
    QTimer.singleShot(60000, loop.quit)
    window.open_path(path)
    loop.exec()
    window.document_opened.disconnect(loop.quit)
    for _ in range(20):  # let the opening settle (thumbnails, first paints) before measuring
        app.processEvents()
        time.sleep(0.01)
    return window.current_document()


def camera_section(app, window, folder: Path, label: str, size: tuple[int, int], repeat: int) -> dict:
    source = make_photo(folder / f"camera_{label}.jpg", size)
    mask = make_mask(folder / f"camera_{label}_mask.png", size)
    document = open_document(app, window, source)
    client = window.flow.connection.client
    beat = Heartbeat()
    keep_runs, plain_runs, floors_send, floors_decode, stalls = [], [], [], [], []
    for _index in range(repeat):
        keep_runs.append(one_edit(app, window, mask, keep=True, beat=beat))
        plain_runs.append(one_edit(app, window, mask, keep=False, beat=beat))
        stalls.extend(r["longest_stall_ms"] for r in (keep_runs[-1], plain_runs[-1]) if r.get("longest_stall_ms"))
        floors_send.append(send_floor(client, source))
        if "result_path" in plain_runs[-1]:
            floors_decode.append(pillow_decode(plain_runs[-1]["result_path"]))
    # Generate pressed before the window made the sent-size copy ahead (forgotten here): the
    # copy is made in the job's prepare, as every time before it was made ahead.
    from desktop_editor.jobs import prepare as prepare_module

    if hasattr(prepare_module, "_sent_copies"):  # (a version that makes no copy ahead)
        prepare_module._sent_copies.clear()
    cold = one_edit(app, window, mask, keep=True, pause_s=0.0)
    window.close_document(document, ask=False)
    app.processEvents()
    gc.collect()

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
        "run_end_to_file_pixels_on_screen_s": median(keep_runs, "run_end_to_file_pixels_on_screen_s"),
        "run_end_to_disk_s": disk,
        "run_end_to_disk_floor_s": floor_disk,
        "run_end_to_disk_target_s": TARGETS["run_end_to_disk_s"],
        "generate_to_create_s": create,
        "generate_to_create_floor_s": round(statistics.median(floors_send), 3),
        "generate_to_create_target_s": TARGETS["generate_to_create_s"],
        "generate_to_create_cold_s": cold.get("generate_to_create_s"),
        "cold_prepare_stages_s": {k: v for k, v in cold.get("stages_s", {}).items() if k.startswith(("prepare", "sent", "snapshot"))},
        "mask_to_generate_pause_s": PAUSE_S,
        "stages_s": stage_medians(keep_runs),
        "floor_job_stages_s": stage_medians(plain_runs),
        "floor_job_saved_as": plain_runs[-1].get("saved_as"),
        "floor_job_run_end_to_screen_s": median(plain_runs, "run_end_to_screen_s"),
        "longest_stall_ms": max(stalls) if stalls else None,
        "longest_stall_to_result_ms": max((r["longest_stall_to_result_ms"] for r in keep_runs + plain_runs
                                           if r.get("longest_stall_to_result_ms") is not None), default=None),
        "stall_target_ms": TARGETS["stall_ms"],
        "runs": [{k: v for k, v in r.items() if k not in ("result_path", "stages_s")} for r in keep_runs],
        **({"errors": errors} if errors else {}),
        "_source_path": source,
    }


def main() -> int:
    from desktop_editor.core.image_memory import keep_freed_image_memory

    keep_freed_image_memory()  # as the app and the command line do at start
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="24,45", help="megapixel sizes to run: 24, 45 or both")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--skip-open", action="store_true", help="leave out opening the photo in a second window")
    parser.add_argument("--open-only", action="store_true", help="only open each size in the window")
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    port = free_port()
    report: dict = {
        "benchmark": "camera",
        "platform": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} CPUs",
        "load_average_start": round(os.getloadavg()[0], 2),
        "run_seconds": RUN_SECONDS,
        "emulator_nice": EMULATOR_NICE,
        "poll_interval_s": 0.1,
    }
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache"),
                         ("XDG_STATE_HOME", "state")):  # job snapshots, history, settings: never the real ones
            os.environ[var] = str(folder / sub)
        # The emulator stands in for a remote service, whose work costs this machine nothing:
        # at a lower CPU priority its receiving and rendering of 45 MP images weighs less on the
        # window it serves (it still shares the two cores).
        emulator = subprocess.Popen(
            [sys.executable, "-m", "desktop_editor.emulator", "--port", str(port), "--run-duration", str(RUN_SECONDS)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=(lambda: os.nice(EMULATOR_NICE)) if hasattr(os, "nice") else None,
        )
        try:
            wait_until_listening(port)
            window = open_window(app, folder, port)
            from desktop_editor.core.opencv import preload
            from desktop_editor.ui.app import freeze_startup_objects, wrap_inner_widgets

            # As the app does once its window has painted: no import mid-edit, and what start
            # made is kept out of later garbage collections.
            preload().join()
            wrap_inner_widgets(window)
            freeze_startup_objects()
            try:
                for label in [s.strip() for s in args.sizes.split(",") if s.strip()]:
                    if args.open_only:
                        source = make_photo(folder / f"camera_{label}.jpg", SIZES[label])
                        report[f"{label}mp"] = {"open_in_window": open_in_window(app, source, max(3, args.repeat))}
                        continue
                    section = camera_section(app, window, folder, label, SIZES[label], args.repeat)
                    source = section.pop("_source_path")
                    if not args.skip_open:
                        section["open_in_window"] = open_in_window(app, source, max(2, args.repeat))
                    report[f"{label}mp"] = section
            finally:
                window.shutdown()
                window.close()
                app.processEvents()
        finally:
            emulator.terminate()
            emulator.wait(timeout=10)
    report["load_average_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
