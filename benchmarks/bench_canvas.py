"""Canvas benchmark: stroke latency, undo-history memory and time to open a 4K JPEG.

Run: python benchmarks/bench_canvas.py   (offscreen; prints one JSON object)

- stroke latency: a 60 px brush is dragged over a 3840x2160 and a 7680x4320 image in the real
  main window. Each sample is the time from sending one synthetic mouse-move event to the canvas
  having finished painting the area it changed (events are processed until the viewport's paint
  count moves on). Measured at 100% zoom and with the image fitted in the window, 3 rounds of
  600 events each; p99 is the best round's (a shared machine preempts single rounds), every
  round's p99 and the CPU time of this thread are reported too. The floor is the raw cost of
  one anti-aliased, soft (radial gradient) QPainter dab of the same size on a mask QImage of
  the same size, measured the same way; the ratio compares the p99 of both.
- memory: extra resident memory (from /proc/self/statm) after 200 typical strokes on the 4K
  image, and after undoing all of them.
- open: time from `open_path()` on a 4K JPEG to the canvas having painted it.

The figures are printed with their targets; the script never fails.
"""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402
from PySide6.QtCore import QEvent, QEventLoop, QPointF, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QBrush, QColor, QImage, QMouseEvent, QPainter, QRadialGradient  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_editor.core.images import LoadedImage  # noqa: E402
from desktop_editor.ui.models.document import Document  # noqa: E402
from desktop_editor.ui.window.main_window import MainWindow  # noqa: E402

BRUSH = 60
EVENTS = 600
ROUNDS = 3
WINDOW = (1600, 1000)
TARGETS = {"4k": {"p99_ms": 4.0}, "8k": {"p99_ms": 8.0}}
TARGET_RATIO = 10.0
TARGET_HISTORY_MIB = 64.0
TARGET_OPEN_MS = 400.0


def rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def photo(width: int, height: int, seed: int = 0) -> Image.Image:
    """A photo-like picture: smooth gradients with fine noise (JPEG-realistic to decode)."""
    rng = np.random.default_rng(seed)
    x = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    y = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    base = np.empty((height, width, 3), np.float32)
    base[..., 0] = 200 * x + 40 * np.sin(y * 9)
    base[..., 1] = 160 * y + 50 * np.cos(x * 7)
    base[..., 2] = 120 + 80 * np.sin((x + y) * 5)
    base += rng.normal(0, 6, (height, width, 1)).astype(np.float32)
    return Image.fromarray(np.clip(base, 0, 255).astype(np.uint8), "RGB")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(q / 100.0 * len(ordered)) - 1))
    return ordered[index]


def wait_for_paint(app: QApplication, canvas, before: int, timeout: float = 2.0) -> None:
    deadline = time.perf_counter() + timeout
    while canvas.paint_count == before and time.perf_counter() < deadline:
        app.processEvents()


def mouse(kind: QEvent.Type, pos: QPointF, button: Qt.MouseButton, buttons: Qt.MouseButton) -> QMouseEvent:
    return QMouseEvent(kind, pos, pos, button, buttons, Qt.KeyboardModifier.NoModifier)


def stroke_path(center: QPointF, radius: float, count: int) -> list[QPointF]:
    """A smooth loop (Lissajous) through the viewport, about 4-6 px between events."""
    points = []
    for i in range(count):
        t = i / count * 2 * math.pi
        points.append(QPointF(center.x() + radius * math.sin(3 * t), center.y() + radius * 0.6 * math.sin(2 * t)))
    return points


def measure_latency(app: QApplication, window: MainWindow, zoom: float | None) -> dict:
    """ROUNDS strokes of EVENTS moves each; the best round's p99 filters out other processes
    preempting this one on a shared machine (each round's figure is reported too)."""
    canvas = window.canvas
    viewport = canvas.viewport()
    if zoom is None:
        canvas.fit_to_window()
    else:
        canvas.set_zoom(zoom)
    document = canvas.document()
    canvas.center_on(QPointF(document.width / 2, document.height / 2))
    app.processEvents()
    center = QPointF(viewport.width() / 2, viewport.height() / 2)
    path = stroke_path(center, min(viewport.width(), viewport.height()) * 0.4, EVENTS + 20)
    rounds: list[list[float]] = []
    cpu: list[float] = []
    for _ in range(ROUNDS):
        samples: list[float] = []
        before = canvas.paint_count
        app.sendEvent(viewport, mouse(QEvent.Type.MouseButtonPress, path[0], Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton))
        wait_for_paint(app, canvas, before)
        for i, point in enumerate(path[1:]):
            before = canvas.paint_count
            start, start_cpu = time.perf_counter(), time.thread_time()
            app.sendEvent(viewport, mouse(QEvent.Type.MouseMove, point, Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton))
            wait_for_paint(app, canvas, before)
            elapsed, elapsed_cpu = time.perf_counter() - start, time.thread_time() - start_cpu
            if i >= 20:  # the first events warm caches (pyramid levels, allocations)
                samples.append(elapsed * 1000)
                cpu.append(elapsed_cpu * 1000)
        app.sendEvent(viewport, mouse(QEvent.Type.MouseButtonRelease, path[-1], Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton))
        app.processEvents()
        document.undo_stack.undo()  # start each round from the same empty mask
        rounds.append(samples)
    every = [x for r in rounds for x in r]
    p99s = [percentile(r, 99) for r in rounds]
    return {
        "zoom_percent": round(canvas.zoom() * 100, 1),
        "events": len(every),
        "p50_ms": round(percentile(every, 50), 3),
        "p99_ms": round(min(p99s), 3),
        "p99_ms_each_round": [round(v, 3) for v in p99s],
        "max_ms": round(max(every), 3),
        "cpu_p50_ms": round(percentile(cpu, 50), 3),
        "cpu_p99_ms": round(percentile(cpu, 99), 3),
    }


def measure_floor(width: int, height: int) -> dict:
    """One soft, anti-aliased 60 px QPainter dab on a mask image of the same size."""
    mask = QImage(width, height, QImage.Format.Format_Grayscale8)
    mask.fill(0)
    r = BRUSH / 2
    rounds: list[list[float]] = []
    cpu: list[float] = []
    for _ in range(ROUNDS):
        samples = []
        for i in range(EVENTS + 20):
            c = QPointF(500 + (i * 5) % 2000 + 0.3, 500 + (i * 3) % 1000 + 0.6)
            start, start_cpu = time.perf_counter(), time.thread_time()
            painter = QPainter(mask)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            gradient = QRadialGradient(c, r)
            gradient.setColorAt(0.0, QColor(255, 255, 255))
            gradient.setColorAt(0.8, QColor(255, 255, 255))
            gradient.setColorAt(1.0, QColor(255, 255, 255, 0))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(gradient))
            painter.drawEllipse(c, r, r)
            painter.end()
            if i >= 20:
                samples.append((time.perf_counter() - start) * 1000)
                cpu.append((time.thread_time() - start_cpu) * 1000)
        rounds.append(samples)
    every = [x for r_ in rounds for x in r_]
    return {
        "p50_ms": round(percentile(every, 50), 4),
        "p99_ms": round(min(percentile(r_, 99) for r_ in rounds), 4),
        "cpu_p50_ms": round(percentile(cpu, 50), 4),
        "cpu_p99_ms": round(percentile(cpu, 99), 4),
    }


def latency_section(app: QApplication, window: MainWindow, key: str, width: int, height: int) -> dict:
    document = Document(LoadedImage(image=photo(width, height, seed=width)), parent=window)
    window.add_document(document)
    app.processEvents()
    window.canvas.tools.set_current("brush")
    window.canvas.tools.settings.brush_size = BRUSH
    window.canvas.tools.settings.hardness = 0.8
    at_100 = measure_latency(app, window, 1.0)
    fitted = measure_latency(app, window, None)
    floor = measure_floor(width, height)
    target = TARGETS[key]["p99_ms"]
    ratio = max(at_100["p99_ms"], fitted["p99_ms"]) / floor["p99_ms"]
    result = {
        "image": f"{width}x{height}",
        "brush_px": BRUSH,
        "at_100_percent": at_100,
        "fitted": fitted,
        "floor_qpainter_dab": floor,
        "target_p99_ms": target,
        "meets_p99_target": max(at_100["p99_ms"], fitted["p99_ms"]) <= target,
        "ratio_p99_to_floor_p99": round(ratio, 2),
        "ratio_p99_to_floor_p50": round(max(at_100["p99_ms"], fitted["p99_ms"]) / floor["p50_ms"], 2),
        "target_ratio": TARGET_RATIO,
        "meets_ratio_target": ratio <= TARGET_RATIO,
    }
    window.close_document(document, ask=False)
    app.processEvents()
    return result


def memory_section(app: QApplication, window: MainWindow) -> dict:
    document = Document(LoadedImage(image=photo(3840, 2160, seed=7)), parent=window)
    window.add_document(document)
    canvas = window.canvas
    canvas.fit_to_window()
    canvas.tools.set_current("brush")
    canvas.tools.settings.brush_size = BRUSH
    canvas.tools.settings.hardness = 0.8
    viewport = canvas.viewport()
    app.processEvents()
    rng = np.random.default_rng(3)

    def one_stroke() -> None:
        # A typical stroke: a wavy line 300-800 image px long somewhere on the picture.
        x0, y0 = rng.uniform(200, 3600), rng.uniform(200, 1900)
        angle, length = rng.uniform(0, 2 * math.pi), rng.uniform(300, 800)
        points = []
        for i in range(40):
            t = i / 39
            px = x0 + math.cos(angle) * length * t + 40 * math.sin(t * 9)
            py = y0 + math.sin(angle) * length * t + 40 * math.cos(t * 7)
            points.append(canvas.map_from_image(QPointF(px, py)))
        app.sendEvent(viewport, mouse(QEvent.Type.MouseButtonPress, points[0], Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton))
        for p in points[1:]:
            app.sendEvent(viewport, mouse(QEvent.Type.MouseMove, p, Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton))
        app.sendEvent(viewport, mouse(QEvent.Type.MouseButtonRelease, points[-1], Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton))
        app.processEvents()

    for _ in range(5):  # warm up allocators and caches, then start from an empty mask and history
        one_stroke()
    while document.undo_stack.canUndo():
        document.undo_stack.undo()
    document.undo_stack.clear()
    app.processEvents()
    baseline = rss_bytes()
    for _ in range(200):
        one_stroke()
    after_strokes = rss_bytes()
    history = document.history_bytes()
    steps = document.undo_stack.count()
    while document.undo_stack.canUndo():
        document.undo_stack.undo()
    app.processEvents()
    after_undo = rss_bytes()
    mib = 1024 * 1024
    extra = (after_strokes - baseline) / mib
    result = {
        "image": "3840x2160",
        "strokes": 200,
        "undo_steps": steps,
        "history_held_mib": round(history / mib, 3),
        "extra_rss_after_strokes_mib": round(extra, 1),
        "extra_rss_after_undo_all_mib": round((after_undo - baseline) / mib, 1),
        "mask_empty_after_undo_all": not document.mask_pixels().any(),
        "target_mib": TARGET_HISTORY_MIB,
        "meets_target": extra <= TARGET_HISTORY_MIB,
    }
    window.close_document(document, ask=False)
    app.processEvents()
    return result


def open_section(app: QApplication, settings: QSettings, folder: Path) -> dict:
    path = folder / "photo_4k.jpg"
    photo(3840, 2160, seed=11).save(path, quality=92)
    runs = []
    for _ in range(3):
        window = MainWindow(settings=settings)
        window.resize(*WINDOW)
        window.show()
        app.processEvents()
        opened = []
        loop = QEventLoop()
        window.document_opened.connect(opened.append)
        window.document_opened.connect(loop.quit)
        QTimer.singleShot(10000, loop.quit)
        start = time.perf_counter()
        window.open_path(path)
        loop.exec()  # sleeps while the worker decodes, as the app's event loop would
        before = window.canvas.paint_count
        wait_for_paint(app, window.canvas, before)
        runs.append((time.perf_counter() - start) * 1000)
        window.close_document(opened[0], ask=False) if opened else None
        window.close()
        window.deleteLater()
        app.processEvents()
    median = statistics.median(runs)
    return {
        "image": "3840x2160 JPEG q92",
        "file_mib": round(path.stat().st_size / 1024 / 1024, 2),
        "runs_ms": [round(r, 1) for r in runs],
        "median_ms": round(median, 1),
        "target_ms": TARGET_OPEN_MS,
        "meets_target": median <= TARGET_OPEN_MS,
    }


def main() -> int:
    from desktop_editor.core.image_memory import keep_freed_image_memory

    keep_freed_image_memory()  # as the app and the command line do at start
    app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        settings = QSettings(str(folder / "bench.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings=settings)
        window.resize(*WINDOW)
        window.show()
        app.processEvents()
        memory = memory_section(app, window)  # first, so earlier sections' freed memory cannot hide growth
        report = {
            "benchmark": "canvas",
            "platform": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}, offscreen, {os.cpu_count()} CPUs",
            "load_average": os.getloadavg()[0],
            "window": f"{WINDOW[0]}x{WINDOW[1]}",
            "viewport": f"{window.canvas.viewport().width()}x{window.canvas.viewport().height()}",
            "stroke_latency": {
                "4k": latency_section(app, window, "4k", 3840, 2160),
                "8k": latency_section(app, window, "8k", 7680, 4320),
            },
            "memory_200_strokes": memory,
        }
        window.close()
        report["open_4k_jpeg"] = open_section(app, settings, folder)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
