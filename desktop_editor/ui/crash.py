"""Unexpected errors: write them down, tell the designer in plain words, and keep working.

After qutebrowser's `misc/crashsignal.py`: `sys.excepthook` (and `threading.excepthook`) get
every exception nobody caught, from a slot, a paint event or a worker. PySide reports such an
exception and carries on, so the event loop, the open images and their masks survive; the
handler's job is to leave a trace and say something. It writes the traceback to a file in the
data folder, with anything shaped like an API key (and the stored key itself) removed, saves
copies of unsaved masks to a recovery folder when it can, and shows one dialog at a time.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

import desktop_editor
from desktop_editor.jobs import credentials, paths

log = logging.getLogger(__name__)

_KEY_SHAPED = re.compile(r"\brf_(?:live|svc|test)_[A-Za-z0-9_]+")
_BEARER = re.compile(r"(Bearer\s+)[^\s'\"]+", re.IGNORECASE)
REDACTED = "[redacted]"

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def crash_log_dir() -> Path:
    """Where crash reports go: next to the history, in the app's data folder."""
    return paths.data_dir() / "crash-reports"


def redact(text: str) -> str:
    """`text` without API keys: the stored or environment key, key-shaped tokens, bearer tokens."""
    try:
        key = credentials.load_api_key()
    except Exception:  # the keyring itself may be what broke
        key = None
    if key:
        text = text.replace(key, REDACTED)
    text = _KEY_SHAPED.sub(REDACTED, text)
    return _BEARER.sub(lambda m: m.group(1) + REDACTED, text)


class CrashHandler(QObject):
    """Catches uncaught exceptions, logs them to a file and shows a dialog; the app keeps running.

    `save_work()` is called before the dialog shows; it may save copies of unsaved work and
    returns where it put them (shown to the designer).

    Signals:
        crashed(str): an uncaught exception was handled; the path of its report ("" if none).
    """

    crashed = Signal(str)
    _reported = Signal(str, str, str)  # summary, details, report path; emitted on any thread

    def __init__(
        self,
        parent_widget: QWidget | None = None,
        *,
        log_dir: Path | None = None,
        save_work: Callable[[], list[Path]] | None = None,
    ):
        super().__init__(QApplication.instance())
        self._parent_widget = parent_widget
        self._log_dir = log_dir
        self._save_work = save_work
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        self._box: QMessageBox | None = None
        self.suppressed = 0  # errors that came while a dialog was already showing
        self._reported.connect(self._on_reported, Qt.ConnectionType.QueuedConnection)

    def set_window(self, widget: QWidget | None, save_work: Callable[[], list[Path]] | None = None) -> None:
        """The window to parent the dialog to, and what saves its unsaved work (once it exists)."""
        self._parent_widget = widget
        if save_work is not None:
            self._save_work = save_work

    def install(self) -> CrashHandler:
        """Take over `sys.excepthook` and `threading.excepthook`."""
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        sys.excepthook = self.handle
        threading.excepthook = self._handle_thread
        return self

    def uninstall(self) -> None:
        if sys.excepthook == self.handle:
            sys.excepthook = self._previous_hook
        if threading.excepthook == self._handle_thread:
            threading.excepthook = self._previous_thread_hook

    # ----- handling (any thread) -----------------------------------------------------------------

    def handle(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        """The excepthook: log, then ask the GUI thread to tell the designer. Never raises."""
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous_hook(exc_type, exc, tb)
            return
        try:
            details = redact("".join(traceback.format_exception(exc_type, exc, tb)))
            summary = redact(f"{exc_type.__name__}: {exc}".strip())
            report = self._write_report(details)
            log.error("uncaught exception (report: %s)\n%s", report or "not written", details)
            self._reported.emit(summary, details, str(report or ""))
        except Exception:  # the crash handler must never crash
            self._previous_hook(exc_type, exc, tb)

    def _handle_thread(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        self.handle(args.exc_type, args.exc_value, args.exc_traceback)

    def _write_report(self, details: str) -> Path | None:
        folder = self._log_dir or crash_log_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            stamp = time.strftime("%Y%m%d-%H%M%S")
            path = folder / f"crash-{stamp}-{os.getpid()}-{threading.get_ident() % 10000}.txt"
            header = (
                f"Desktop Editor {desktop_editor.__version__} on Python {sys.version.split()[0]}, {sys.platform}\n"
                f"{time.strftime('%Y-%m-%d %H:%M:%S %z')}, thread {threading.current_thread().name}\n\n"
            )
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(header + details)
            return path
        except OSError:
            return None

    # ----- telling (GUI thread) ------------------------------------------------------------------

    @Slot(str, str, str)
    def _on_reported(self, summary: str, details: str, report: str) -> None:
        if self._box is not None:
            self.suppressed += 1
            return
        saved: list[Path] = []
        if self._save_work is not None:
            try:
                saved = list(self._save_work())
            except Exception as exc:  # keep going: the dialog matters more
                log.warning("could not save recovery copies: %s", exc)
        self.show_dialog(summary, details, report, saved)
        self.crashed.emit(report)

    def show_dialog(self, summary: str, details: str, report: str, saved: list[Path]) -> None:
        """Show what happened without blocking: the window stays usable behind the dialog."""
        lines = [summary]
        if saved:
            where = saved[0].parent
            lines.append(f"Copies of {len(saved)} unsaved mask{'s' if len(saved) != 1 else ''} were saved in {where}.")
        if report:
            lines.append(f"A report was written to {report}; please attach it when you report the problem.")
        box = QMessageBox(self._parent_widget)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle("Something went wrong")
        box.setText("An unexpected error interrupted the last action.\n"
                    "Your images and masks are still open, and running edits go on: you can keep working.")
        box.setInformativeText("\n\n".join(lines))
        box.setDetailedText(details)
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(self._on_dialog_finished)
        self._box = box
        box.open()

    @Slot(int)
    def _on_dialog_finished(self, _result: int) -> None:
        self._box = None

    def dialog(self) -> QMessageBox | None:
        """The dialog being shown, if any (tests)."""
        return self._box


def install_crash_handler(window: QWidget | None = None, **kwargs) -> CrashHandler:
    """Install a `CrashHandler` for the running application and return it."""
    handler = CrashHandler(window, **kwargs)
    return handler.install()
