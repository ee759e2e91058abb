"""The window's dock panels: Parameters over Jobs|History on the right, Results at the bottom."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget


# How the right column is shared between Parameters and Jobs|History at first (proportions: the
# window is not laid out yet). A window 850 px tall or more (1400x900 at 100%) gives Jobs and
# History a good four rows with the selected edit's details; a shorter one (a small screen, or
# 150% scale) keeps Parameters' model and prompt in view first.
ROOMY_HEIGHT = 850
ROOMY_SHARES = (330, 500)
SHORT_SHARES = (600, 400)


class Docks:
    """Makes the docks and puts them back in their first places on request."""

    def __init__(self, window: QMainWindow, params: QWidget, jobs: QWidget, history: QWidget, results: QWidget):
        self._window = window
        window.setCorner(Qt.Corner.TopRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        window.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.params = self._dock("Parameters", "params_dock", params)
        self.jobs = self._dock("Jobs", "jobs_dock", jobs)
        self.history = self._dock("History", "history_dock", history)
        self.results = self._dock("Results", "results_dock", results)
        self.all = [self.params, self.jobs, self.history, self.results]
        self.place()

    def _dock(self, title: str, name: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self._window)
        dock.setObjectName(name)  # saveState/restoreState find docks by name
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        return dock

    def place(self) -> None:
        """Every panel in its first place (also View > Panels > Reset Panel Layout)."""
        w = self._window
        right, bottom = Qt.DockWidgetArea.RightDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea
        for dock in self.all:
            dock.setFloating(False)
        w.addDockWidget(right, self.params)
        w.addDockWidget(right, self.jobs)
        w.splitDockWidget(self.params, self.jobs, Qt.Orientation.Vertical)
        w.tabifyDockWidget(self.jobs, self.history)
        w.addDockWidget(bottom, self.results)
        for dock in self.all:
            dock.show()
        self.jobs.raise_()
        w.resizeDocks([self.params], [370], Qt.Orientation.Horizontal)
        screen = w.screen() or QGuiApplication.primaryScreen()
        height = min(w.height(), screen.availableGeometry().height()) if screen is not None else w.height()
        shares = ROOMY_SHARES if height >= ROOMY_HEIGHT else SHORT_SHARES
        w.resizeDocks([self.params, self.jobs], list(shares), Qt.Orientation.Vertical)
