"""Small pieces of the main window's chrome: the jobs indicator, the Demo badge and banner, and
the switch between painting the mask and comparing a result.

They only show what they are told (counts, times, a flag) and report clicks through signals,
so the window decides what they mean.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from desktop_editor.ui.panels.jobs_panel import format_elapsed

DEMO_BADGE_TEXT = "DEMO"  # short, so status messages beside it are not cut off; the tooltip says more
DEMO_BANNER_TEXT = (
    "<b>Demo mode.</b> Edits run on the built-in emulator of the Runflow service: results are "
    "emulated, nothing is sent and nothing is charged."
)


class JobsIndicator(QWidget):
    """"2 edits running · 1:05" with a busy bar, for the status bar; hidden when nothing runs.

    The elapsed time is the oldest running edit's, so a long high-quality edit is visible at a
    glance; it ticks once a second while something runs and costs nothing otherwise.

    Signals:
        clicked(): the indicator was clicked (the window shows the jobs panel).
    """

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._count = 0
        self._oldest: float | None = None
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)  # busy: the service reports no percentage
        self.bar.setTextVisible(False)
        self.bar.setFixedSize(QSize(72, 8))
        self.bar.setAccessibleName("Edits running")
        self.label = QLabel(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.bar, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.label)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Edits in progress; click to show the Jobs panel")
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._refresh)
        self.hide()

    def set_running(self, count: int, oldest_started: float | None) -> None:
        """`count` edits are in flight; the oldest started at `oldest_started` (epoch seconds)."""
        self._count = max(0, count)
        self._oldest = oldest_started
        self.setVisible(self._count > 0)
        if self._count and not self._timer.isActive():
            self._timer.start()
        elif not self._count:
            self._timer.stop()
        self._refresh()

    def count(self) -> int:
        return self._count

    def text(self) -> str:
        return self.label.text()

    @Slot()
    def _refresh(self) -> None:
        if not self._count:
            self.label.clear()
            return
        text = f"{self._count} edit{'s' if self._count != 1 else ''} running"
        if self._oldest is not None:
            text += f" · {format_elapsed(time.time() - self._oldest)}"
        self.label.setText(text)

    def mousePressEvent(self, event) -> None:  # noqa: ANN001 - QMouseEvent
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mousePressEvent(event)


def demo_badge() -> QLabel:
    """The permanent "DEMO" pill for the status bar (styled by the theme's `#demo_badge`)."""
    badge = QLabel(DEMO_BADGE_TEXT)
    badge.setObjectName("demo_badge")
    badge.setToolTip(
        "No API key is set, so the app runs on its built-in emulator: results are made up locally, "
        "nothing is sent to Runflow and nothing is charged. Add a key in Settings to edit for real."
    )
    badge.setAccessibleName("Demo mode: results are emulated")
    return badge


class DemoBanner(QFrame):
    """A thin strip above the picture saying that results are emulated, with "Add API key…".

    Signals:
        add_key_requested(): the designer wants to enter an API key (open Settings).
    """

    add_key_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("demo_banner")
        self.setAutoFillBackground(True)
        self.label = QLabel(DEMO_BANNER_TEXT, self)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setWordWrap(True)  # in a narrow window (150% scale) on two lines, never cut
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.label.setSizePolicy(policy)
        self.label.setToolTip(self.label.text().replace("<b>", "").replace("</b>", ""))
        self.button = QPushButton("Add API key…", self)
        self.button.setToolTip("Open Settings to enter your Runflow API key (stored in the system keyring)")
        self.button.clicked.connect(self.add_key_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 4, 8, 4)
        layout.setSpacing(10)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)


class ViewSwitch(QFrame):
    """Two segmented buttons, "Mask" and "Compare", driven by two checkable actions."""

    def __init__(self, mask_action: QAction, compare_action: QAction, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("view_switch")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        self.buttons: list[QToolButton] = []
        for action in (mask_action, compare_action):
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setIconSize(QSize(16, 16))
            button.setAutoRaise(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            layout.addWidget(button)
            self.buttons.append(button)
