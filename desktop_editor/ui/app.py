"""Starting the desktop app: the QApplication, the theme, the main window and its first images."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from desktop_editor import __version__
from desktop_editor.core.resources import resource_path
from desktop_editor.ui.main_window import APP_NAME, MainWindow
from desktop_editor.ui.recent_files import SETTINGS_APPLICATION, SETTINGS_ORGANIZATION
from desktop_editor.ui.theme import apply_theme


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
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("desktop-editor")
    apply_theme(app)
    return app  # type: ignore[return-value]


def run_app(argv: list[str]) -> int:
    """Run the editor: open the images and projects named in `argv[1:]`, or the bundled sample.

    `--smoke` starts, opens the images, paints them once and quits, printing one line
    ("ok NAME WxH" or "failed: MESSAGE"); packaging and the tests use it to check a build.
    """
    smoke = "--smoke" in argv
    app = create_application(argv)
    window = MainWindow()
    if smoke:
        _arm_smoke_test(app, window)
    paths = [Path(a) for a in argv[1:] if not a.startswith("-")]
    if paths:
        window.open_paths(paths)
    else:
        try:
            window.open_path(resource_path("sample.jpg"))
        except FileNotFoundError:
            pass
    window.show()
    return app.exec()


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

    window.show_error = lambda title, message: None  # type: ignore[method-assign]  # no modal boxes
    window.document_opened.connect(opened)
    window.open_failed.connect(lambda _path, message: fail(message))
    QTimer.singleShot(30000, lambda: fail("timed out", 2))


def main() -> int:
    return run_app(sys.argv)
