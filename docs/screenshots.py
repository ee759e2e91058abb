#!/usr/bin/env python3
"""Make the guide's pictures from the real window: `python docs/screenshots.py`.

Rerun it whenever the window changes. It starts the app offscreen (on the X display instead when
DISPLAY is set, e.g. under `xvfb-run`), in Demo mode on the built-in emulator, with every user
folder (settings, history, results, keyring) in a temporary directory that is removed afterwards:
your own data is never read or touched, and nothing is charged. It opens the bundled sample,
drives each scene the way a designer would (paint a mask, type a prompt, Generate, wait for the
result, compare, mix, expand, ...), grabs the window and writes small PNGs (palette images, a
few hundred KB at most) to docs/images/. Then it copies the guide and its pictures into the
package (`docs/ship_guide.py`), where Help > User Guide reads them.

    python docs/screenshots.py                # every scene
    python docs/screenshots.py compare mix    # only these scenes (names as listed by --list)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
WINDOW_SIZE = (1400, 900)
MAX_WIDTH = 1400  # pictures wider than this are scaled down before they are quantised
MAX_BYTES = 400_000
TIMEOUT_S = 60.0
PROMPT = "Turn the espresso into a cappuccino with a leaf of latte art"

sys.path.insert(0, str(ROOT))  # this checkout's package, not an installed copy


def _isolate(root: Path) -> None:
    """Every per-user folder into `root`, before anything in the app computes one."""
    from desktop_editor.cli.commands.selftest import isolate_user_dirs

    os.environ["HOME"] = str(root / "home")
    (root / "home").mkdir(parents=True, exist_ok=True)
    isolate_user_dirs(root)
    if not os.environ.get("DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


class Director:
    """The app, one window in Demo mode, and the scenes it plays."""

    def __init__(self, root: Path, out: Path):
        from PySide6.QtCore import QSettings

        from desktop_editor.cli.commands.selftest import _quiet_offscreen_warnings as quiet_offscreen_warnings
        from desktop_editor.jobs.service import ServiceConnection
        from desktop_editor.jobs.settings import AppSettings
        from desktop_editor.jobs.store import JobStore
        from desktop_editor.ui.app import create_application
        from desktop_editor.ui.window.main_window import MainWindow

        self.root, self.out = root, out
        quiet_offscreen_warnings()
        self.app = create_application(["desktop-editor"])
        # Written as a designer would see it (HOME is the temporary folder's): no temporary path shows.
        preferences = AppSettings(output_dir="~/Pictures/Desktop Editor")
        self.service = ServiceConnection(store=JobStore(root / "history.sqlite3"), demo_run_duration=1.0)
        self.service.connect(preferences, poll_interval=0.1)
        self.window = MainWindow(settings=QSettings(str(root / "window.ini"), QSettings.Format.IniFormat),
                                 service=self.service, preferences=preferences, settings_file=root / "settings.json")
        self.window.resize(*WINDOW_SIZE)
        self.window.show()
        self.document = None
        self.written: list[Path] = []

    # -- waiting and grabbing -------------------------------------------------------------------

    def wait(self, done: Callable[[], bool], what: str, timeout: float = TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                raise RuntimeError(f"timed out waiting for {what}")
            self.app.processEvents()
            time.sleep(0.01)

    def settle(self, seconds: float = 0.4) -> None:
        """Let workers finish and the window repaint (smart tools, display levels, animations)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.01)

    def save(self, name: str, widget=None) -> Path:
        """Grab `widget` (the window by default) and write it as a small palette PNG."""
        from desktop_editor.ui.common.conversions import pil_from_qimage

        self.settle()
        return self.write(name, pil_from_qimage((widget or self.window).grab().toImage()))

    def write(self, name: str, image) -> Path:  # noqa: ANN001 (a PIL image; PIL is imported late)
        """Write `image` as docs/images/NAME.png: scaled to MAX_WIDTH at most, then quantised to a
        palette of its own colours (dithered) small enough to stay under MAX_BYTES."""
        from PIL import Image

        image = image.convert("RGB")
        if image.width > MAX_WIDTH:
            image = image.resize((MAX_WIDTH, round(image.height * MAX_WIDTH / image.width)), Image.Resampling.LANCZOS)
        path = self.out / f"{name}.png"
        for colours in (256, 128, 64):
            palette = image.quantize(colors=colours, method=Image.Quantize.MEDIANCUT)
            image.quantize(palette=palette, dither=Image.Dither.FLOYDSTEINBERG).save(path, optimize=True)
            if path.stat().st_size <= MAX_BYTES:
                break
        self.written.append(path)
        print(f"  {path.name}: {image.width}x{image.height}, {path.stat().st_size // 1024} KB")
        return path

    # -- driving the window -----------------------------------------------------------------------

    def open_sample(self) -> None:
        from desktop_editor.core.resources import resource_path

        if self.document is None:
            self.window.open_path(resource_path("sample.jpg"))
            self.wait(lambda: self.window.current_document() is not None, "the sample to open")
            self.document = self.window.current_document()
            self.settle(1.0)  # the full-size image arrives after the small display levels
        self.window.show_mask_page()

    def at(self, x: float, y: float):
        from PySide6.QtCore import QPointF

        return self.window.canvas.map_from_image(QPointF(x, y)).toPoint()

    def drag(self, widget, points, modifiers=None) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        mods = modifiers or Qt.KeyboardModifier.NoModifier
        QTest.mousePress(widget, Qt.MouseButton.LeftButton, mods, points[0])
        for point in points[1:]:
            QTest.mouseMove(widget, point)
        QTest.mouseRelease(widget, Qt.MouseButton.LeftButton, mods, points[-1])

    def paint(self, points, size: int = 60) -> None:
        """A brush stroke through image points, as mouse events on the canvas."""
        canvas = self.window.canvas
        canvas.tools.set_current("brush")
        canvas.tools.settings.brush_size = size
        canvas.tools.settings.hardness = 0.8
        self.drag(canvas.viewport(), [self.at(x, y) for x, y in points])

    def clear_mask(self) -> None:
        if self.document.mask_array().any():
            self.window.actions["mask.clear"].trigger()

    def paint_the_crema(self) -> None:
        self.clear_mask()
        for y in (115, 140, 165):
            self.paint([(220, y), (290, y - 8), (360, y)], size=48)

    def generate(self, prompt: str = PROMPT, images: int = 1) -> str:
        from desktop_editor.jobs.model import JobState

        panel = self.window.params_panel
        panel.prompt_edit.setPlainText(prompt)
        panel.set_params(replace(panel.params(), num_images=images))
        submitted: list[str] = []
        self.window.flow.job_submitted.connect(submitted.append)
        self.window.actions["edit.generate"].trigger()
        self.wait(lambda: bool(submitted), "the edit to be sent")
        job_id = submitted[0]
        self.wait(lambda: (job := self.window.jobs_panel.job(job_id)) is not None and job.state.is_final,
                  "the edit to finish")
        job = self.window.jobs_panel.job(job_id)
        if job.state is not JobState.DONE:
            raise RuntimeError(f"the edit ended as {job.state.value}: {job.error}")
        self.wait(lambda: self.window.is_compare_page() and self.window.compare_view.after_image() is not None,
                  "the result in the compare view")
        self.settle(1.0)
        return job_id

    # -- the scenes -------------------------------------------------------------------------------

    def scene_first_edit(self) -> None:
        """Demo mode, the sample open, the crema painted and a prompt typed: ready to Generate."""
        self.open_sample()
        self.paint_the_crema()
        self.window.params_panel.prompt_edit.setPlainText(PROMPT)
        self.save("first-edit")

    def scene_selecting(self) -> None:
        """Select Object: a box dragged around the spoon becomes its mask."""
        self.open_sample()
        self.clear_mask()
        self.window.actions["tool.object"].trigger()
        canvas = self.window.canvas
        self.drag(canvas.viewport(), [self.at(318, 62), self.at(370, 200), self.at(428, 330)])
        self.wait(lambda: not canvas.tools.current.work.busy(), "select object")
        self.save("selecting")
        self.window.actions["mask.refine_edge"].trigger()
        self.wait(lambda: not self.window.refine_edge.work.busy(), "refine edge")
        self.save("refine-edge")
        self.window.actions["refine_edge.apply"].trigger()
        self.window.actions["mask.select_subject"].trigger()
        self.wait(lambda: not canvas.tools.tool("object").work.busy(), "select subject")
        self.window.status.clearMessage()  # "Selecting the subject…" outlives the selection by seconds
        self.save("select-subject")

    def scene_compare(self) -> None:
        """One result back from the emulator, compared with the original by a wipe."""
        from desktop_editor.ui.compare.modes import CompareMode

        self.open_sample()
        self.paint_the_crema()
        self.generate()
        self.window.compare_view.set_mode(CompareMode.SIDE_BY_SIDE)
        self.save("side-by-side")
        self.window.compare_view.set_mode(CompareMode.WIPE)
        self.save("window")  # the README's picture
        self.save("results", self.window.docks.results)

    def scene_layers(self) -> None:
        """The File menu open on Save as Layers, over the Compare page of an edit's results (the
        menu is its own window: it is grabbed apart and drawn where it opened)."""
        from desktop_editor.ui.common.conversions import pil_from_qimage

        if self.window.compare_view.after_image() is None:
            self.scene_compare()
        self.window.show_compare_page()
        bar = self.window.menuBar()
        file_action = next(a for a in bar.actions() if a.text() == "&File")
        menu = file_action.menu()
        menu.popup(bar.mapToGlobal(bar.actionGeometry(file_action).bottomLeft()))
        menu.setActiveAction(self.window.actions["file.save_layers"])
        self.settle(0.6)
        picture = pil_from_qimage(self.window.grab().toImage()).convert("RGB")
        at = self.window.mapFromGlobal(menu.pos())
        picture.paste(pil_from_qimage(menu.grab().toImage()).convert("RGB"), (at.x(), at.y()))
        menu.hide()
        self.write("layers", picture)

    def scene_mix(self) -> None:
        """Two variations, mixed by painting the second one over half of the cup."""
        from PySide6.QtCore import QPointF

        from desktop_editor.ui.compare.modes import CompareMode

        self.open_sample()
        self.paint_the_crema()
        self.generate("Latte art: a heart, then a leaf", images=2)
        sessions: list[object] = []
        self.window.mixing.mix_ready.connect(sessions.append)
        self.window.compare_view.set_mode(CompareMode.MIX)
        self.wait(lambda: bool(sessions), "Mix mode")
        session = sessions[0]
        session.set_source(2)
        session.settings.brush_size = 70
        pane = self.window.compare_view.panes()[0]
        self.drag(pane, [pane.image_to_widget(QPointF(x, y)).toPoint() for x, y in ((300, 110), (350, 150), (330, 185))])
        self.save("mix")
        self.window.compare_view.set_mode(CompareMode.WIPE)

    def scene_expand(self) -> None:
        """Crop/Expand framing the photo to 9:16: the new area as a checkerboard, masked."""
        self.open_sample()
        self.clear_mask()
        self.window.actions["tool.expand"].trigger()
        options = self.window.options_bar.expand_options
        options.aspect_combo.setCurrentText("9:16")
        panel = self.window.params_panel
        panel.set_params(replace(panel.params(), num_images=1))
        self.window.params_panel.prompt_edit.setPlainText("More of the wooden table above and below the cup")
        self.window.actions["view.fit"].trigger()
        self.save("expand")
        self.window.actions["edit.undo"].trigger()
        self.window.actions["tool.brush"].trigger()

    def scene_files(self) -> None:
        """A 16-bit ProPhoto RGB TIFF (made here from the sample) open beside it, the status bar
        naming its depth and profile. Without Debian's ghostscript profiles, an untagged one."""
        import io

        import numpy as np
        import tifffile
        from PIL import Image, ImageCms

        from desktop_editor.core.resources import resource_path

        self.open_sample()
        photo = Image.open(resource_path("sample.jpg")).convert("RGB")
        prophoto = Path("/usr/share/color/icc/ghostscript/rommrgb.icc")
        icc = b""
        if prophoto.is_file():
            icc = prophoto.read_bytes()
            photo = ImageCms.profileToProfile(photo, ImageCms.createProfile("sRGB"),
                                              ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                                              renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC)
        deep = np.asarray(photo, dtype=np.uint16) * 257  # 8 bits widened to 16, as a raw converter would hand over
        path = self.root / "espresso-prophoto.tif"
        extratags = [(34675, "B", len(icc), icc, True)] if icc else []
        tifffile.imwrite(path, deep, photometric="rgb", compression="zlib", extratags=extratags)
        opened: list[object] = []
        self.window.document_opened.connect(opened.append)
        self.window.open_path(path)
        self.wait(lambda: bool(opened), "the TIFF to open")
        self.settle(1.0)
        self.save("files")
        self.window.close_document(opened[0], ask=False)
        self.window.set_current_document(self.document)

    def scene_jobs(self) -> None:
        """The Jobs panel while an edit runs (its cost, Stop waiting), and the History panel."""
        from desktop_editor.jobs.model import JobState

        self.open_sample()
        self.paint_the_crema()
        emulator = self.service.emulator
        emulator.behaviour.run_duration = 6.0
        submitted: list[str] = []
        self.window.flow.job_submitted.connect(submitted.append)
        self.window.params_panel.prompt_edit.setPlainText("A cortado in a glass, same saucer")
        self.window.actions["edit.generate"].trigger()
        self.wait(lambda: bool(submitted), "the edit to be sent")
        self.wait(lambda: (job := self.window.jobs_panel.job(submitted[0])) is not None
                  and job.state is JobState.RUNNING, "the edit to run")
        self.window.docks.jobs.show()
        self.window.docks.jobs.raise_()
        self.window.jobs_panel.select_job(submitted[0])  # Stop waiting is for the selected edit
        self.settle(1.5)
        self.save("jobs")
        self.wait(lambda: self.window.jobs_panel.job(submitted[0]).state.is_final, "the edit to finish")
        emulator.behaviour.run_duration = 1.0
        self.window.docks.history.show()
        self.window.docks.history.raise_()
        self.save("history", self.window.docks.history)
        self.window.docks.jobs.raise_()

    def scene_settings(self) -> None:
        dialog = self.window.open_settings()
        dialog.tabs.setCurrentIndex(1)  # Defaults: what most designers come to change
        self.settle(0.5)
        self.save("settings", dialog)
        dialog.reject()

    def scene_keys(self) -> None:
        dialog = self.window.show_shortcuts()
        dialog.resize(720, 640)
        self.save("shortcuts", dialog)
        dialog.close()

    def scene_masks_preview(self) -> None:
        """The contact sheet `batch --auto-mask ... --masks-preview` writes before asking to send
        (run for real; with no terminal to answer its question, the batch sends nothing)."""
        from PIL import Image

        from desktop_editor.core.resources import resource_path

        photos = self.root / "catalogue"
        photos.mkdir(exist_ok=True)
        shutil.copy(resource_path("sample.jpg"), photos / "espresso.jpg")
        for name in ("astronaut.png", "chelsea.png"):
            shutil.copy(ROOT / "tests" / "data" / name, photos / name)
        sheet = self.root / "sheet.png"
        command = [sys.executable, "-m", "desktop_editor", "batch", "--images", str(photos),
                   "--auto-mask", "object:10%,5%,80%,90%", "--masks-preview", str(sheet),
                   "--prompt", "a marble table top", "--out", str(self.root / "batch")]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env,
                              timeout=300, check=False)
        if not sheet.is_file():
            raise RuntimeError(f"batch --masks-preview wrote no contact sheet: {done.stderr.strip()}")
        with Image.open(sheet) as image:
            self.write("masks-preview", image)

    def close(self) -> None:
        """Leave without questions: nothing here is the designer's to save."""
        for document in self.window.documents():
            document.mark_saved()
        self.window.hide()
        self.window.shutdown()
        self.app.processEvents()

SCENES = ("first_edit", "selecting", "compare", "layers", "mix", "expand", "files", "jobs", "settings", "keys", "masks_preview")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenes", nargs="*", help="scenes to play (default: all)")
    parser.add_argument("--list", action="store_true", help="list the scenes and exit")
    parser.add_argument("--out", type=Path, default=IMAGES, help="where to write the PNGs (default: docs/images)")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(SCENES))
        return 0
    unknown = [s for s in args.scenes if s not in SCENES]
    if unknown:
        parser.error(f"unknown scene(s): {', '.join(unknown)} (see --list)")
    root = Path(tempfile.mkdtemp(prefix="desktop-editor-screenshots-"))
    _isolate(root)
    args.out.mkdir(parents=True, exist_ok=True)
    director = None
    try:
        director = Director(root, args.out)
        for name in args.scenes or SCENES:
            print(f"{name}:")
            getattr(director, f"scene_{name}")()
        print(f"{len(director.written)} pictures written to {args.out}")
    finally:
        if director is not None:
            director.close()
        shutil.rmtree(root, ignore_errors=True)
    if args.out == IMAGES:
        from ship_guide import refresh_key_table, ship_guide  # next to this script

        refresh_key_table()
        print(f"guide copied into {ship_guide().relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
