"""`desktop-editor --self-test`: prove that an installed app works, end to end, in seconds.

It starts the app offscreen, opens the bundled sample in the real main window, paints a mask,
runs one edit through the job system against the in-process emulator (no network, no key, no
cost), checks the saved result (the sample's size, the original outside the mask, changed
inside it), shows it once in the compare view, checks that every image format the app opens
decodes (Pillow and Qt's plugins: a bundle missing a codec fails here), and exits 0. Any failure is one clear line on
stderr and a non-zero exit. Everything it writes (settings, history, results) goes to a
temporary folder that is removed afterwards: the user's data is never read or touched.

It must work from source (`python -m desktop_editor.cli.commands.selftest`), from a pip install and frozen by
PyInstaller (it is how the packages are smoke-tested), so it only uses the app's public pieces
and checks for the optional ones.

Exit codes: 0 passed; 1 a check failed; 2 the app could not even start (missing Qt libraries,
no sample image, ...).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

STEP_TIMEOUT = 20.0  # seconds for any single wait; the whole test normally takes 2 to 4 s
EXIT_PASSED, EXIT_FAILED, EXIT_BROKEN = 0, 1, 2
PROMPT = "self-test edit"
FEATHER = 2


class SelfTestFailure(Exception):
    """A check failed; str() is the one line printed."""

    def __init__(self, message: str, code: int = EXIT_FAILED):
        super().__init__(message)
        self.code = code


def _say(message: str) -> None:
    print(f"self-test: {message}", flush=True)


def isolate_user_dirs(root: Path) -> None:
    """Point every per-user folder the app uses (data, settings, cache, keyring) into `root`.

    Must run before anything computes those folders; the app computes them lazily, so calling
    this first thing in the process is enough.
    """
    for var, sub in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_PICTURES_DIR", "pictures"),
        ("APPDATA", "appdata"),  # Windows
        ("LOCALAPPDATA", "localappdata"),
    ):
        path = root / sub
        path.mkdir(parents=True, exist_ok=True)
        os.environ[var] = str(path)
    os.environ["DESKTOP_EDITOR_KEYRING"] = "memory"  # never the OS keyring
    for var in ("RUNFLOW_API_KEY", "RUNFLOW_BASE_URL", "RUNFLOW_ORGANIZATION_ID"):
        os.environ.pop(var, None)  # the emulator only: never the real service


def _wait(app: Any, done: Callable[[], bool], what: str, timeout: float = STEP_TIMEOUT) -> None:
    """Process Qt events until `done()` is true, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise SelfTestFailure(f"timed out after {timeout:.0f} s waiting for {what}")
        app.processEvents()
        time.sleep(0.005)


def _mask_for(width: int, height: int):
    """An ellipse in the middle of the image, as a brush would paint it (uint8, 255 = edit)."""
    import numpy as np

    yy, xx = np.mgrid[0:height, 0:width]
    cx, cy, rx, ry = width / 2, height / 2, width / 5, height / 5
    inside = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2 <= 1.0
    return np.where(inside, 255, 0).astype(np.uint8)


class _SelfTest:
    def __init__(self, root: Path):
        self.root = root
        self.out_dir = root / "results"
        self.app: Any = None
        self.window: Any = None
        self.emulator: Any = None
        self.manager: Any = None
        self.store: Any = None
        self.started = time.monotonic()

    # -- steps ------------------------------------------------------------------------------

    def step(self, name: str, fn: Callable[[], str | None]) -> None:
        t0 = time.monotonic()
        detail = fn()
        _say(f"{name}: ok{' (' + detail + ')' if detail else ''} [{time.monotonic() - t0:.2f} s]")

    def start_app(self) -> str:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        try:
            from desktop_editor import __version__
            from desktop_editor.ui.app import create_application
        except ImportError as exc:  # Qt, numpy or one of their system libraries is missing
            raise SelfTestFailure(f"the app cannot start: {_one_line(exc)}", EXIT_BROKEN) from exc
        _quiet_offscreen_warnings()
        self.app = create_application([sys.argv[0] if sys.argv else "desktop-editor"])
        return f"version {__version__}, Qt platform {self.app.platformName()}"

    def open_sample(self) -> str:
        from desktop_editor.core.resources import resource_path
        from desktop_editor.ui.window.main_window import MainWindow

        try:
            sample = resource_path("sample.jpg")
        except FileNotFoundError as exc:
            raise SelfTestFailure(f"the bundled sample image is missing: {exc}", EXIT_BROKEN) from exc
        self.window = self._make_window(MainWindow)
        failures: list[str] = []
        if hasattr(self.window, "open_failed"):
            self.window.open_failed.connect(lambda _what, message: failures.append(message))
        self.window.show()
        self.window.open_path(sample)
        _wait(self.app, lambda: failures or self.window.current_document() is not None, "the sample to open")
        if failures:
            raise SelfTestFailure(f"opening the sample failed: {failures[0]}")
        document = self.window.current_document()
        return f"{sample.name}, {document.width}x{document.height}"

    @staticmethod
    def _make_window(main_window_class: Any) -> Any:
        """The main window, with its settings in the temporary folder on every OS (an INI file:
        QSettings' native store on macOS and Windows ignores the redirected folders)."""
        from PySide6.QtCore import QSettings

        settings_file = Path(os.environ["XDG_CONFIG_HOME"]) / "self-test.ini"
        try:
            return main_window_class(settings=QSettings(str(settings_file), QSettings.Format.IniFormat))
        except TypeError:  # a MainWindow without a settings parameter
            return main_window_class()

    def paint_mask(self) -> str:
        document = self.window.current_document()
        mask = _mask_for(document.width, document.height)
        if hasattr(document, "set_mask_array"):
            document.set_mask_array(mask, "Self-test mask")
            painted = document.mask_array()
        else:  # an older or newer document model: use the mask directly
            painted = mask
        if int((painted > 0).sum()) != int((mask > 0).sum()):
            raise SelfTestFailure("the painted mask did not reach the document")
        self.mask = painted
        return f"{100.0 * (painted > 0).mean():.1f}% of the image"

    def generate(self) -> str:
        from desktop_editor.api import ClientConfig, RunflowClient
        from desktop_editor.core.params import EditParams
        from desktop_editor.emulator import Behaviour, Emulator
        from desktop_editor.jobs.manager import JobManager, Snapshot
        from desktop_editor.jobs.model import EditJob, JobOptions, JobState
        from desktop_editor.jobs.store import JobStore

        document = self.window.current_document()
        self.original = document.loaded.image.convert("RGB")
        self.emulator = Emulator(behaviour=Behaviour(run_duration=0.2)).start()
        client = RunflowClient(
            ClientConfig(api_key="rf_test_selftest", base_url=self.emulator.base_url, poll_interval=0.05,
                         wait_timeout=STEP_TIMEOUT)
        )
        self.store = JobStore(self.root / "history.sqlite3")
        self.manager = JobManager(client, self.store, max_workers=1)
        job = EditJob(
            params=EditParams(prompt=PROMPT),
            image_paths=[],
            options=JobOptions(out_dir=self.out_dir, keep_unmasked=True, feather=FEATHER),
            source="self-test",
        )
        job = self.manager.submit(job, Snapshot(image=self.original.copy(), mask=self.mask.copy(), name="sample"))
        _wait(self.app, lambda: self.manager.wait_all(timeout=0.02), "the edit to finish")
        self.job = self.store.get(job.id)
        if self.job.state is not JobState.DONE:
            raise SelfTestFailure(f"the edit ended as {self.job.state.value}: {self.job.error or 'no reason given'}")
        if not self.job.result_paths:
            raise SelfTestFailure("the edit finished without saving a result")
        return f"run {self.job.run_id}, {self.emulator.runs_created} run(s) on the emulator"

    def check_result(self) -> str:
        import numpy as np
        from PIL import Image

        path = Path(self.job.result_paths[0])
        if not path.is_file():
            raise SelfTestFailure(f"the result {path} was not saved")
        if self.out_dir not in path.parents:
            raise SelfTestFailure(f"the result was saved to {path.parent}, not the chosen folder")
        with Image.open(path) as image:
            result = image.convert("RGB")
        if result.size != self.original.size:
            raise SelfTestFailure(f"the result is {result.size}, the sample {self.original.size}")
        before = np.asarray(self.original, dtype=np.int16)
        after = np.asarray(result, dtype=np.int16)
        changed = np.abs(after - before).max(axis=2) > 0
        inside = self.mask > 0
        outside = ~_grow(inside, FEATHER + 2)  # the feathered edge may blend a little outside
        stray = int(changed[outside].sum())
        if stray:
            raise SelfTestFailure(f"{stray} pixels outside the mask changed (they must stay the original's)")
        core = _shrink(inside, FEATHER + 2)
        share = float(changed[core].mean()) if core.any() else 0.0
        if share < 0.9:
            raise SelfTestFailure(f"only {share:.0%} of the pixels inside the mask changed")
        self.result = result
        return f"{path.name}: {result.size[0]}x{result.size[1]}, unchanged outside the mask, {share:.0%} changed inside"

    def image_formats(self) -> str:
        """Every format the app opens decodes, with Pillow and with Qt's plugins (a bundle that
        lost a codec library fails here, not in a designer's hands)."""
        import io

        from PySide6.QtGui import QImage

        small = self.original.resize((64, 48))
        checked = []
        for fmt in ("PNG", "JPEG", "WEBP", "TIFF", "BMP", "GIF"):
            buffer = io.BytesIO()
            try:
                small.save(buffer, fmt)
                from PIL import Image

                with Image.open(io.BytesIO(buffer.getvalue())) as decoded:
                    decoded.load()
            except Exception as exc:
                raise SelfTestFailure(f"Pillow cannot handle {fmt}: {_one_line(exc)}") from exc
            if QImage.fromData(buffer.getvalue()).isNull():
                raise SelfTestFailure(f"Qt cannot read {fmt} (its image format plugin is missing)")
            checked.append(fmt.lower())
        return ", ".join(checked)

    def compare(self) -> str | None:
        try:
            from desktop_editor.ui.compare.view import CompareView
        except ImportError:
            return "no compare view in this version: skipped"
        from desktop_editor.ui.common.conversions import qimage_from_pil

        view = CompareView()
        view.resize(900, 600)
        view.set_images(qimage_from_pil(self.original), qimage_from_pil(self.result), self.mask)
        view.show()
        if hasattr(view, "wait_for_background_work"):
            view.wait_for_background_work(int(STEP_TIMEOUT * 1000))
        self.app.processEvents()
        shot = view.grab()
        if shot.isNull() or shot.width() < 10:
            raise SelfTestFailure("the compare view could not be drawn")
        shot.save(str(self.root / "compare.png"))
        stats = view.stats_text() if hasattr(view, "stats_text") else ""
        view.hide()
        view.deleteLater()
        return f"{shot.width()}x{shot.height()} grabbed{', ' + stats if stats else ''}"

    def close(self) -> None:
        if self.manager is not None:
            self.manager.shutdown(stop_waiting=True, wait=True)
        if self.store is not None:
            self.store.close()
        if self.emulator is not None:
            self.emulator.stop()
        if self.window is not None:
            document = self.window.current_document()
            if document is not None and hasattr(document, "mark_saved"):
                document.mark_saved()  # no "save changes?" question on the way out
            self.window.hide()  # not close(): nothing may ask the (absent) user anything
            self.window.deleteLater()
        if self.app is not None:
            self.app.processEvents()


def _one_line(exc: BaseException) -> str:
    """The telling line of a long message (numpy's import errors span twenty lines)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    original = [line for line in lines if line.lower().startswith("original error")]
    return original[-1] if original else lines[0] if len(lines) == 1 else f"{lines[0]} ... {lines[-1]}"


def _quiet_offscreen_warnings() -> None:
    """Drop the offscreen platform's "does not support propagateSizeHints()" chatter; every
    other Qt message still reaches stderr."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_kind, _context, message: str) -> None:
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def _grow(mask, radius: int):
    """`mask` dilated by `radius` pixels (a square neighbourhood; numpy only)."""
    import numpy as np

    grown = mask.copy()
    padded = np.pad(mask, radius)
    h, w = mask.shape
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            grown |= padded[radius + dy : radius + dy + h, radius + dx : radius + dx + w]
    return grown


def _shrink(mask, radius: int):
    return ~_grow(~mask, radius)


def run_self_test() -> int:
    """Run the self-test; 0 when it passed, else non-zero after one line on stderr."""
    root = Path(tempfile.mkdtemp(prefix="desktop-editor-selftest-"))
    isolate_user_dirs(root)
    test = _SelfTest(root)
    code = EXIT_PASSED
    try:
        test.step("start the app", test.start_app)
        test.step("open the sample", test.open_sample)
        test.step("paint a mask", test.paint_mask)
        test.step("generate on the emulator", test.generate)
        test.step("check the saved result", test.check_result)
        test.step("compare", test.compare)
        test.step("image formats", test.image_formats)
    except SelfTestFailure as exc:
        print(f"desktop-editor: self-test failed: {exc}", file=sys.stderr, flush=True)
        code = exc.code
    except Exception as exc:  # a bug or a broken install: still one line, with what happened
        print(f"desktop-editor: self-test failed: {type(exc).__name__}: {_one_line(exc)}", file=sys.stderr, flush=True)
        code = EXIT_FAILED
    finally:
        try:
            test.close()
        except Exception as exc:  # cleaning up must not hide the verdict
            print(f"desktop-editor: self-test: cleanup: {type(exc).__name__}: {exc}", file=sys.stderr)
        shutil.rmtree(root, ignore_errors=True)
    if code == EXIT_PASSED:
        _say(f"self-test passed in {time.monotonic() - test.started:.1f} s")
    return code


if __name__ == "__main__":
    sys.exit(run_self_test())
