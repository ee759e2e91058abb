"""How long each image step that runs on a worker thread holds Python's GIL, on 4K images.

Run it as `python benchmarks/bench_gil.py` (or with words, e.g. `24 MP`, for the steps whose
names hold them); it prints one JSON object on stdout and a table on
stderr. A missed target never makes it exit non-zero (a benchmark measures, it does not gate).

Why: the window's thread needs the GIL for every Python slot and paint handler it runs. A worker
that holds the GIL for 80 ms inside one C call (Pillow's ImageChops, split, blend and rank filters
do; numpy's ufuncs and Pillow's codecs, resize and composite do not) freezes the window for those
80 ms even on an idle machine, whatever the thread priorities. The main-window benchmark
(bench_gui.py) sees such freezes only as rare long gaps; this one names the step that caused them.

Method: a probe thread sleeps 1 ms in a loop and records the longest gap between its wake-ups
while one step runs on the main thread. A gap is time the probe could not get the GIL back (plus
scheduling noise of about a millisecond). Each step runs three times; the worst gap and the
median duration are reported. Target: no step holds the GIL longer than 15 ms at a stretch,
which leaves the window's 50 ms stall budget room for two such holds and its own work.
"""

from __future__ import annotations

import io
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

HOLD_TARGET_MS = 15.0
RUNS = 3
SIZE_4K = (3840, 2160)


class GilProbe:
    """A thread that measures how long it is kept from running Python."""

    def __init__(self) -> None:
        self._longest = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="gil-probe", daemon=True)

    def __enter__(self) -> GilProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        last = time.perf_counter()
        while not self._stop.is_set():
            time.sleep(0.001)
            now = time.perf_counter()
            self._longest = max(self._longest, now - last)
            last = now

    def measure(self, step: Callable[[], object]) -> tuple[float, float]:
        """(duration ms, longest GIL hold ms) of one call of `step`."""
        time.sleep(0.02)  # let the probe settle into its rhythm
        self._longest = 0.0
        started = time.perf_counter()
        step()
        duration = time.perf_counter() - started
        time.sleep(0.005)  # the gap that ends after the step still counts
        return duration * 1000, self._longest * 1000


def _photo():
    from PIL import Image

    from desktop_editor.core.resources import resource_path

    with Image.open(resource_path("sample.jpg")) as img:
        return img.convert("RGB").resize(SIZE_4K, Image.Resampling.BICUBIC)


def _mask():
    import numpy as np

    width, height = SIZE_4K
    yy, xx = np.ogrid[:height, :width]
    inside = ((xx - width * 0.6) / (width * 0.18)) ** 2 + ((yy - height * 0.45) / (height * 0.3)) ** 2 <= 1.0
    return np.where(inside, 255, 0).astype(np.uint8)


def _steps(folder: Path) -> dict[str, Callable[[], object]]:
    """Every image step that runs off the GUI thread, with 4K inputs as in the main benchmark."""
    import numpy as np
    from PIL import Image

    from desktop_editor.core import masks
    from desktop_editor.core.composite import composite
    from desktop_editor.core.difference import difference_map
    from desktop_editor.core.export import encode_image
    from desktop_editor.core.images import encode_png, load_image
    from desktop_editor.core.params import EditParams
    from desktop_editor.emulator.editing import EditSpec, render
    from desktop_editor.jobs.model import EditJob, JobOptions
    from desktop_editor.jobs.prepare import _make_sent_copy, finish_result, plan_finish, prepare_edit

    photo, mask = _photo(), _mask()
    jpeg_path, png_path, mask_path = folder / "photo.jpg", folder / "photo.png", folder / "mask.png"
    photo.save(jpeg_path, quality=92)
    photo.save(png_path, compress_level=1)
    mask_path.write_bytes(masks.encode_mask_png(mask))
    edited = np.asarray(photo).copy()
    edited[mask > 0] = (edited[mask > 0] * 0.6 + 80).astype(np.uint8)
    after = Image.fromarray(edited)
    buffer = io.BytesIO()
    after.save(buffer, "PNG", compress_level=1)
    result_png = buffer.getvalue()

    def job(**options: object) -> EditJob:
        return EditJob(params=EditParams(prompt="bench"), image_paths=[str(jpeg_path)], mask_path=str(mask_path),
                       options=JobOptions(out_dir=folder, **options))  # type: ignore[arg-type]

    plain, feathered, matched = job(keep_unmasked=True), job(keep_unmasked=True, feather=8), job(
        keep_unmasked=True, feather=8, colour_match=True)
    prepared = prepare_edit(feathered)
    spec = EditSpec(image=photo, mask=masks.to_openai_image(mask), prompt="bench", num_images=1, output_format="png",
                    size=None)
    steps: dict[str, Callable[[], object]] = {
        "load 4K JPEG": lambda: load_image(jpeg_path),
        "load 4K PNG": lambda: load_image(png_path),
        "prepare edit (job inputs)": lambda: prepare_edit(feathered),
        "composite, hard edge": lambda: composite(photo, after, mask),
        "composite, feather 8": lambda: composite(photo, after, mask, feather=8),
        "composite, colour match": lambda: composite(photo, after, mask, feather=8, colour_match=True),
        "finish result, hard edge": lambda: finish_result(prepared, plain, result_png),
        "finish result, feather 8": lambda: finish_result(prepared, feathered, result_png),
        "finish result, colour match": lambda: finish_result(prepared, matched, result_png),
        "plan the composite (while the service works)": lambda: plan_finish(replace(prepared, composite_plan=None),
                                                                            feathered),
        "sent-size copy (ahead of Generate)": lambda: _make_sent_copy(prepared.original, (2880, 1620)),
        "difference map": lambda: difference_map(photo, after, mask),
        "encode PNG": lambda: encode_png(after),
        "encode JPEG": lambda: encode_image(after, "jpeg"),
        "emulator render (PNG)": lambda: render(spec, 1),
    }
    steps.update(_deep_file_steps(folder))
    steps.update(_selection_steps(photo, mask))
    steps.update(_qt_steps(photo, after, png_path, mask, prepared, feathered, result_png))
    steps.update(_large_result_steps(photo))
    return steps


def _large_result_steps(photo) -> dict[str, Callable[[], object]]:
    """A result composited into a 24 MP photo (a tenth of it masked) and saved as JPEG: the
    pieces run on several threads at once (core.parallel), each of which may hold the GIL."""
    import numpy as np
    from PIL import Image

    from desktop_editor.core.composite import composite_patch, plan_composite
    from desktop_editor.core.striped_jpeg import JpegStrips, encode_with_patch, start_ahead

    size = (6000, 4000)
    large = photo.resize(size, Image.Resampling.BICUBIC)
    yy, xx = np.ogrid[: size[1], : size[0]]
    mask = np.where(((xx - size[0] * 0.58) / (size[0] * 0.2)) ** 2 + ((yy - size[1] * 0.45) / (size[1] * 0.16)) ** 2 <= 1,
                    255, 0).astype(np.uint8)
    result = photo.resize((3525, 2350), Image.Resampling.BICUBIC)
    plan = plan_composite(large, mask, feather=8)
    patch = composite_patch(plan, result)
    strips = JpegStrips(size)
    changed = (plan.rect[1], plan.rect[3])

    def ahead_done():
        ahead = start_ahead(large, strips, changed)
        for future in ahead.futures.values():
            future.result()
        return ahead

    ahead = ahead_done()
    steps: dict[str, Callable[[], object]] = {
        "24 MP: composite patch in bands": lambda: composite_patch(plan, result),
        "24 MP: JPEG strips ahead (service works)": ahead_done,
        "24 MP: JPEG strips under the patch": lambda: encode_with_patch(large, patch, plan.rect, strips, ahead=ahead),
    }
    try:
        from desktop_editor.ui.common.conversions import copy_of, qimage_from_pil
    except ImportError:
        return steps
    shown = qimage_from_pil(large)
    steps["24 MP: spare display frame (copy)"] = lambda: copy_of(shown)
    return steps


def _deep_file_steps(folder: Path) -> dict[str, Callable[[], object]]:
    """Opening a designer's 16-bit files: decoding, and the display copy through the profile."""
    import cv2
    import numpy as np

    from desktop_editor.core.cmyk_tiff import PHOTOMETRIC_SEPARATED, with_photometric
    from desktop_editor.core.colour import standard_cmyk_profile
    from desktop_editor.core.images import load_image
    from desktop_editor.core.tiff_tags import ICC_PROFILE, UNDEFINED, with_tags

    width, height = SIZE_4K
    ramp = np.linspace(0, 65535, width * height * 4, dtype=np.float64).reshape(height, width, 4)
    values = (ramp + np.random.default_rng(1).integers(0, 300, ramp.shape)).clip(0, 65535).astype(np.uint16)
    steps: dict[str, Callable[[], object]] = {}
    prophoto = Path("/usr/share/color/icc/ghostscript/rommrgb.icc")
    if prophoto.exists():
        ok, encoded = cv2.imencode(".tiff", np.ascontiguousarray(values[..., :3]), [cv2.IMWRITE_TIFF_COMPRESSION, 5])
        rgb_path = folder / "prophoto16.tif"
        rgb_path.write_bytes(with_tags(encoded.tobytes(), {ICC_PROFILE: (UNDEFINED, prophoto.read_bytes())}))
        steps["load 4K 16-bit ProPhoto TIFF"] = lambda: load_image(rgb_path)
    if standard_cmyk_profile() is not None:
        ok, encoded = cv2.imencode(".tiff", values, [cv2.IMWRITE_TIFF_COMPRESSION, 5])
        cmyk_path = folder / "cmyk16.tif"
        cmyk_path.write_bytes(with_photometric(encoded.tobytes(), PHOTOMETRIC_SEPARATED).tobytes())
        steps["load 4K 16-bit CMYK LZW TIFF"] = lambda: load_image(cmyk_path)
    return steps


def _selection_steps(photo, mask) -> dict[str, Callable[[], object]]:
    """The smart selection tools' worker-side steps (magic wand, select object, refine edge)."""
    from desktop_editor.core.selection.common import photo_array
    from desktop_editor.core.selection.refine import refine_edge
    from desktop_editor.core.selection.select_object import ObjectHints, select_object
    from desktop_editor.core.selection.wand import PhotoPlanes, WandClick

    pixels = photo_array(photo)
    planes = PhotoPlanes(pixels)
    width, height = SIZE_4K
    box = (int(width * 0.4), int(height * 0.12), int(width * 0.4), int(height * 0.66))
    return {
        "photo array (selection input)": lambda: photo_array(photo),
        "wand: split colour planes": lambda: PhotoPlanes(pixels),
        "wand: click, contiguous": lambda: WandClick(planes, width // 2, height // 2).select(40),
        "wand: click, colour range": lambda: WandClick(planes, width // 2, height // 2).select(40, contiguous=False),
        "select object (box)": lambda: select_object(pixels, ObjectHints(box=box)),
        "refine edge (8 px band)": lambda: refine_edge(pixels, mask, 8),
    }


def _qt_steps(photo, after, png_path: Path, mask, prepared, job, result_png: bytes) -> dict[str, Callable[[], object]]:
    """The ui's worker-side conversions (QImage from Pillow, display levels, thumbnails, the
    canvas's levels, a result shown from memory)."""
    try:
        from PySide6.QtWidgets import QApplication

        from desktop_editor.jobs.prepare import finish_result
        from desktop_editor.ui.canvas.pyramid import level_count, rebuild_mask_levels, reduce_levels
        from desktop_editor.ui.common.conversions import qimage_from_pil
        from desktop_editor.ui.common.job_bridge import load_thumbnail
        from desktop_editor.ui.compare.panes import ImageLevels
        from desktop_editor.ui.flow.result_sets import preview_image
    except ImportError as exc:  # no Qt here: measure the rest
        print(f"Qt steps skipped: {exc}", file=sys.stderr)
        return {}
    QApplication.instance() or QApplication([])
    previews: list = []
    finish_result(prepared, job, result_png, on_preview=previews.append)
    preview = previews[0]
    shown = qimage_from_pil(preview.original)
    shown_levels = ImageLevels.build(shown)
    after_image = preview_image(preview, shown)
    return {
        "QImage from Pillow": lambda: qimage_from_pil(after),
        "display levels (compare view)": lambda: ImageLevels.from_pil(after),
        "thumbnail of a 4K PNG": lambda: load_thumbnail(str(png_path), 160),
        "canvas: reduced levels of a photo": lambda: reduce_levels(after),
        "canvas: mask levels rebuilt": lambda: rebuild_mask_levels(mask, level_count(*SIZE_4K)),
        "result from memory (original's QImage + patch)": lambda: preview_image(preview, shown),
        "its display levels (patched)": lambda: ImageLevels.patched(shown_levels, after_image, preview.rect),
    }


def main() -> int:
    from desktop_editor.core.image_memory import keep_freed_image_memory

    keep_freed_image_memory()  # as the app and the command line do at start
    import PIL
    import numpy

    report: dict = {
        "benchmark": "gil",
        "machine": {"python": platform.python_version(), "pillow": PIL.__version__, "numpy": numpy.__version__,
                    "cpus": os.cpu_count(), "platform": platform.platform()},
        "target_longest_hold_ms": HOLD_TARGET_MS,
        "steps": {},
    }
    from desktop_editor.core.opencv import preload

    preload().join()  # as the app does once its window has painted: imports are not a step's GIL hold
    with tempfile.TemporaryDirectory(prefix="bench-gil-") as tmp, GilProbe() as probe:
        only = [word.lower() for word in sys.argv[1:]]  # names holding any of these words, or all
        for name, step in _steps(Path(tmp)).items():
            if only and not any(word in name.lower() for word in only):
                continue
            runs = [probe.measure(step) for _ in range(RUNS)]
            duration = statistics.median(d for d, _ in runs)
            hold = max(h for _, h in runs)
            report["steps"][name] = {"median_ms": round(duration, 1), "longest_gil_hold_ms": round(hold, 1),
                                     "ok": hold < HOLD_TARGET_MS}
            print(f"{name:34s} {duration:8.1f} ms   longest GIL hold {hold:6.1f} ms"
                  f"{'' if hold < HOLD_TARGET_MS else '   over target'}", file=sys.stderr, flush=True)
    report["ok"] = all(step["ok"] for step in report["steps"].values())
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
