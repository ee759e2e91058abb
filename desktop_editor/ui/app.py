"""Starting the desktop app: the QApplication, the theme, the service, the main window and its
first images, the crash handler, and an orderly exit.

One window per user and data folder: a launch while a window runs hands its files to that
window and exits (`single_instance`).

The window shows first; right after its first paint the service connection is made: reading
the settings, opening the history store (SQLite) and, in Demo mode, starting the emulator on
127.0.0.1. All of it is local: no request goes to the network at start, and a key is checked
only when the designer asks (Settings > Check key).
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QMessageBox, QWidget

import desktop_editor
from desktop_editor.api.errors import ConfigurationError
from desktop_editor.core.image_memory import keep_freed_image_memory
from desktop_editor.core.opencv import preload as preload_opencv
from desktop_editor.core.resources import resource_path
from desktop_editor.jobs.paths import data_dir
from desktop_editor.jobs.settings import load_settings
from desktop_editor.ui.common.theme import apply_theme
from desktop_editor.ui.crash import CrashHandler
from desktop_editor.ui.window.main_window import APP_NAME, MainWindow
from desktop_editor.ui.window.recent_files import (
    SETTINGS_APPLICATION,
    SETTINGS_ORGANIZATION,
)
from desktop_editor.ui.window.single_instance import become_the_window
from desktop_editor.ui.window.start_folders import first_start

if TYPE_CHECKING:  # the service connection is made after the first paint (see connect_service)
    from desktop_editor.jobs.service import ServiceConnection

log = logging.getLogger(__name__)

_IMPORTED_AT = time.time()  # the fallback start stamp (see `start_time`)
EXIT_AFTER_SHOW_ENV = "DESKTOP_EDITOR_EXIT_AFTER_SHOW"
START_STAMP_ENV = "DESKTOP_EDITOR_T0"
# An edit that found the service unreachable waits as "offline" and is tried again this often.
OFFLINE_RETRY_S = 30.0


def create_application(argv: list[str]) -> QApplication:
    """The QApplication, named so QSettings and the desktop find it, with the app's theme.

    Qt 6 scales for high-DPI screens by itself; fractional scale factors are passed through
    unrounded so 125% and 150% displays get exactly sized, sharp widgets.
    """
    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(argv)
    app.setOrganizationName(SETTINGS_ORGANIZATION)
    app.setApplicationName(SETTINGS_APPLICATION)
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName("desktop-editor")
    try:
        app.setWindowIcon(QIcon(str(resource_path("icons/desktop-editor.svg"))))
    except FileNotFoundError:  # a stripped-down install without icons still runs
        pass
    apply_theme(app)
    return app  # type: ignore[return-value]


def connect_service(service: ServiceConnection | None = None) -> ServiceConnection | None:
    """The service connection for the window (Demo mode without a key), or None if it cannot be
    set up at all; the window then still opens and paints masks, and says why it cannot send."""
    from desktop_editor.jobs.service import ServiceConnection

    service = service or ServiceConnection(offline_retry=OFFLINE_RETRY_S)
    try:
        service.connect(load_settings())
    except ConfigurationError as exc:  # e.g. a plain-http address: the key is not sent, say why
        log.warning("not connecting: %s", exc)
        service.close()
        raise
    except Exception:  # a broken store or keyring must not stop the app from starting
        log.exception("could not connect to the service")
        try:
            service.close()
        except Exception:
            pass
        return None
    return service


def run_app(argv: list[str]) -> int:
    """Run the editor: open the images and projects named in `argv[1:]`, or at the very first
    start the bundled sample.

    `--smoke` starts, opens the images, paints them once and quits, printing one line
    ("ok NAME WxH" or "failed: MESSAGE"); packaging and the tests use it to check a build.
    With `DESKTOP_EDITOR_EXIT_AFTER_SHOW=1` it prints `shown-after-ms N` once the window has
    painted for the first time and quits (cold-start timing; see `start_time`).
    """
    smoke = "--smoke" in argv
    keep_freed_image_memory()  # fewer and shorter GIL holds on the workers: see the module
    app = create_application(argv)
    paths = [Path(a) for a in argv[1:] if not a.startswith("-")]
    instance = None
    if not smoke and os.environ.get(EXIT_AFTER_SHOW_ENV) != "1":  # checks of a build always start their own
        instance, handed_over = become_the_window(data_dir(), paths)
        if handed_over:
            what = f"opened {', '.join(p.name for p in paths)} there" if paths else "brought it to the front"
            print(f"desktop-editor: already running for this user; {what}.", file=sys.stderr)
            return 0
    crash_handler = None if smoke else CrashHandler().install()
    window = MainWindow()
    if instance is not None:
        instance.files_received.connect(lambda received: receive_files(window, received))
    after_first_paint: list[Callable[[], None]] = []
    if crash_handler is not None:
        crash_handler.set_window(window, window.save_recovery_copies)
    if smoke:
        _arm_smoke_test(app, window)
    if os.environ.get(EXIT_AFTER_SHOW_ENV) == "1":
        after_first_paint.append(_exit_after_show(app, window))
    if paths:
        window.open_paths(paths)
    elif smoke or first_start(window.settings):  # the sample once, not at every start without a file
        try:
            window.open_path(resource_path("sample.jpg"))
        except FileNotFoundError:
            pass

    def attach_service() -> None:
        # After the first paint: the designer sees the window (and the sample decoding on its
        # worker) while the history store opens and, in Demo mode, the emulator starts.
        if not window.isVisible():
            return  # closed before its first paint was even handled (a smoke test, a quick quit)
        try:
            service = connect_service()
        except ConfigurationError as exc:
            window.feedback.error("Not connected", f"{exc} Masks can still be painted and saved.")
            return
        if service is None:
            window.feedback.error("Cannot connect", "The app could not open its history or start its connection; "
                                  "edits cannot be sent. Masks can still be painted and saved.")
            return
        window.attach_service(service)
        if not smoke:
            window.resume_unfinished()

    after_first_paint.append(attach_service)
    # The version is read from the package's metadata (70-90 ms): nothing before the first paint shows it.
    after_first_paint.append(lambda: app.setApplicationVersion(desktop_editor.__version__))
    after_first_paint.append(lambda: wrap_inner_widgets(window))
    after_first_paint.append(freeze_startup_objects)
    # Fill, selection and refine then start at once; the modules' objects are frozen in turn.
    after_first_paint.append(lambda: preload_opencv(then=gc.freeze))
    app.installEventFilter(_FirstPaint(window, after_first_paint))
    window.show()
    try:
        return app.exec()
    finally:
        window.shutdown()  # closed already, or the app was told to quit: no questions here
        if instance is not None:
            instance.close()
        if crash_handler is not None:
            crash_handler.uninstall()


def receive_files(window: MainWindow, paths: list[Path]) -> None:
    """Files a later launch handed over ("Open with" in a file manager): open them here and
    bring the window to the front."""
    if paths:
        window.open_paths(paths)
    if window.isMinimized():
        window.showNormal()
    window.raise_()
    window.activateWindow()


def wrap_inner_widgets(window: QWidget) -> None:
    """Give the widgets Qt made inside the window's scroll areas (their viewports) their Python
    wrappers now, while the designer is only looking at the new window.

    The first wrapper PySide makes for a widget created in C++ loads every widget class it had
    left to load lazily: 24 ms, and 37 ms when it happened in the middle of the first edit (the
    jobs list repainting its viewport for a thumbnail). Each later one takes microseconds.
    """
    for area in window.findChildren(QAbstractScrollArea):
        area.viewport()


def freeze_startup_objects() -> None:
    """Keep everything made at start (modules, classes, the window's widgets and their Python
    wrappers: most of the heap) out of later garbage collections.

    A full collection walks every tracked object with the GIL held, wherever it happens to be
    triggered: measured at 20-22 ms in the middle of four 4K edits, which the window's thread
    waits out. After freezing, a collection only walks what was made since. Objects frozen
    here live for the whole session anyway; garbage is collected first so none is kept.
    Measured in the window with OpenCV loaded: a full collection 58 ms unfrozen, 0.01 ms frozen.
    """
    gc.collect()
    gc.freeze()


def start_time() -> float:
    """When this start began, in epoch seconds: `DESKTOP_EDITOR_T0` if the launcher set it,
    else the process's start (Linux), else when this module was imported."""
    stamp = os.environ.get(START_STAMP_ENV)
    if stamp:
        try:
            return float(stamp)
        except ValueError:
            pass
    try:
        stat = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return time.time() - uptime + int(stat[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return _IMPORTED_AT


class _FirstPaint(QObject):
    """Runs `actions` in order, from the event loop, once a widget of `window` has first painted."""

    def __init__(self, window: MainWindow, actions: list[Callable[[], None]]):
        super().__init__(window)
        self._window = window
        self._actions = actions
        self._fired = False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if not self._fired and event.type() == QEvent.Type.Paint and obj.isWidgetType() and obj.window() is self._window:
            self._fired = True
            # An application-wide filter costs a Python call per event: remove it at once.
            QTimer.singleShot(0, self._remove)
            for action in self._actions:
                QTimer.singleShot(0, action)  # after this paint pass has been flushed, in order
        return False

    def _remove(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


def _exit_after_show(app: QApplication, window: MainWindow) -> Callable[[], None]:
    """What DESKTOP_EDITOR_EXIT_AFTER_SHOW=1 does after the first paint: report and quit."""
    started = start_time()

    def report() -> None:
        print(f"shown-after-ms {round((time.time() - started) * 1000)}", flush=True)
        for document in window.documents():
            document.mark_saved()
        app.quit()

    return report


def _arm_smoke_test(app: QApplication, window: MainWindow) -> None:
    def fail(message: str, code: int = 1) -> None:
        print(f"failed: {message}", flush=True)
        app.exit(code)

    def opened(document) -> None:
        # Quit once the canvas has painted the document, proving the whole path works.
        start = window.canvas.paint_count

        def check() -> None:
            if window.canvas.paint_count > start:
                print(f"ok {document.name} {document.width}x{document.height}", flush=True)
                window.close()
                app.exit(0)
            else:
                QTimer.singleShot(20, check)

        window.canvas.viewport().update()
        QTimer.singleShot(0, check)

    window.feedback.answer_with(lambda _message: QMessageBox.StandardButton.Ok)  # no modal boxes
    window.document_opened.connect(opened)
    window.open_failed.connect(lambda _path, message: fail(message))
    QTimer.singleShot(30000, lambda: fail("timed out", 2))


def main() -> int:
    return run_app(sys.argv)
