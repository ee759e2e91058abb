"""Telling the designer that an edit finished while they were in another app.

High-quality edits take minutes, so the designer often switches away. A desktop notification
(through the system tray, where there is one) says when a job is done; when the window is active
the jobs panel already shows it, so nothing pops up. Without a tray, the status bar carries it.
"""

from __future__ import annotations

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMainWindow, QSystemTrayIcon, QWidget

from desktop_editor.jobs.model import EditJob, JobState

_TRAY_ATTR = "_desktop_editor_tray"
MESSAGE_MS = 8000


def notification_text(job: EditJob) -> tuple[str, str]:
    """(title, body) for a finished job, plain and short."""
    prompt = " ".join((job.params.prompt or "").split())
    if len(prompt) > 80:
        prompt = prompt[:77] + "…"
    if job.state is JobState.DONE:
        n = len(job.result_paths)
        title = "Edit finished"
        body = f"{n} result{'s' if n != 1 else ''} saved" + (f": “{prompt}”" if prompt else ".")
    elif job.state is JobState.FAILED:
        title = "Edit failed"
        body = job.error or "The edit failed."
    elif job.state is JobState.UNREADABLE:
        title = "No image in the answer"
        body = job.error or job.state.label
    elif job.state is JobState.OUTCOME_UNKNOWN:
        title = "Edit outcome unknown"
        body = job.error or "The edit may have been accepted and charged; check your Runflow account."
    elif job.state is JobState.CANCELED:
        title = "Edit cancelled"
        body = job.state.label + "."
    else:
        title = "Edit stopped"
        body = job.error or job.state.label
    return title, body


def _tray(window: QWidget) -> QSystemTrayIcon:
    """One tray icon per window, created on first use and shown only while notifications are used."""
    tray = getattr(window, _TRAY_ATTR, None)
    if tray is None:
        icon = window.windowIcon()
        if icon.isNull():
            icon = QApplication.windowIcon()
        tray = QSystemTrayIcon(icon if not icon.isNull() else QIcon(), window)
        tray.setToolTip(QApplication.applicationDisplayName() or "Desktop Editor")

        def bring_back() -> None:
            window.showNormal()
            window.raise_()
            window.activateWindow()

        tray.messageClicked.connect(bring_back)
        setattr(window, _TRAY_ATTR, tray)
    if not tray.isVisible():
        tray.show()
    return tray


def notify_finished(window: QWidget, job: EditJob) -> str | None:
    """Notify that `job` finished, unless the window is active. Returns how: "tray", "status" or None.

    Call from the GUI thread (e.g. a slot on `JobsController.job_finished`).
    """
    if window.isActiveWindow() or not job.state.is_final:
        return None
    title, body = notification_text(job)
    QApplication.alert(window)  # flash the taskbar entry where the platform supports it
    if QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages():
        kind = QSystemTrayIcon.MessageIcon.Information if job.state is JobState.DONE else QSystemTrayIcon.MessageIcon.Warning
        _tray(window).showMessage(title, body, kind, MESSAGE_MS)
        return "tray"
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(f"{title}: {body}", 2 * MESSAGE_MS)
        return "status"
    return None
