"""What the jobs panel and the history panel share: lists of EditJob rows painted by hand.

Both panels hold EditJob snapshots in a list model and paint every row with a delegate (no
widget per row, uniform heights), a rounded thumbnail on the left and three lines of text, so
lists of hundreds of edits scroll smoothly. The model skeleton, the delegate's painting set-up,
the thumbnail, the list view's configuration, the state colours and the "are you sure"
question live here once; each panel only says what its rows show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QPainter,
    QPainterPath,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLabel,
    QListView,
    QMenu,
    QMessageBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from desktop_editor.jobs.model import EditJob, JobState
from desktop_editor.ui.common.binding import set_tone, tone_color
from desktop_editor.ui.common.job_bridge import ThumbnailCache
from desktop_editor.ui.common.message_boxes import question_box

JobRole = Qt.ItemDataRole.UserRole + 1
LINE_GAP = 3
_WHITESPACE = re.compile(r"\s+")  # prompts may hold newlines: one line per row


# ----- words and colours for states -------------------------------------------------------------


def state_tone(state: JobState) -> str:
    """The colour meaning of a state: done is good, failed bad, unknown or stopped need attention."""
    if state is JobState.DONE:
        return "ok"
    if state is JobState.FAILED:
        return "error"
    if state in (JobState.OUTCOME_UNKNOWN, JobState.STOPPED, JobState.UNREADABLE):
        return "warning"
    if state.is_final:
        return "muted"
    return "accent"


def short_label(state: JobState) -> str:
    """The state's label up to its first comma or parenthesis ("Outcome unknown", "Stopped waiting");
    the rest of the story is on the row's third line and in the details."""
    if state is JobState.UNREADABLE:
        return "No readable image"  # "Finished" alone would read as success
    return state.label.split(",")[0].split(" (")[0]


KNOWN_RUN_STATUSES = frozenset({"queued", "dispatching", "running"})


def service_status(job: EditJob) -> str | None:
    """A status the service reported that no source names, shown as it is while the job waits."""
    status = job.run_status
    if status and not job.state.is_final and status not in KNOWN_RUN_STATUSES:
        return status
    return None


def copy_actions(menu: QMenu, job: EditJob) -> dict[QAction, str]:
    """"Copy answer" (when the service's answer was kept), "Copy run id" and "Copy reference"
    added to `menu`; returns each action with the text it copies."""
    actions: dict[QAction, str] = {}
    if job.raw_answer:
        actions[menu.addAction("Copy answer")] = job.raw_answer
    if job.run_id:
        actions[menu.addAction("Copy run id")] = job.run_id
    actions[menu.addAction("Copy reference")] = job.client_ref
    return actions


def copy_text(text: str) -> None:
    QApplication.clipboard().setText(text)


def followed_elsewhere(job: EditJob) -> bool:
    """Whether another window or command is running this job (it is only followed here)."""
    return bool(job.elsewhere) and not job.state.is_final


def job_short_label(job: EditJob) -> str:
    """`short_label` of the job's state, or "In another window" ("... command") for a job
    another process runs: its stage is in the details."""
    if followed_elsewhere(job):
        return "In another " + job.elsewhere.removeprefix("running in another ").split(" (")[0]
    return short_label(job.state)


def job_state_text(job: EditJob) -> str:
    """The state's full label, with who runs it when another process does."""
    if followed_elsewhere(job):
        return f"{job.state.label}, {job.elsewhere}; followed here read-only"
    return job.state.label


def confirm(parent: QWidget, title: str, text: str, informative: str, accept: str, reject: str = "Cancel") -> bool:
    """A Yes/No question with buttons named for what they do; True when accepted.

    The safe answer is the default: these questions guard actions that can cost money.
    """
    return question_box(parent, title, text, informative, accept, reject).exec() == QMessageBox.StandardButton.Yes


# ----- the model --------------------------------------------------------------------------------


class JobListModel(QAbstractListModel):
    """EditJob snapshots in display order; `JobRole` gives the job, `role_data` the rest."""

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._jobs: list[EditJob] = []

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008,N802
        return 0 if parent.isValid() else len(self._jobs)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._jobs):
            return None
        job = self._jobs[index.row()]
        return job if role == JobRole else self.role_data(job, role)

    def role_data(self, job: EditJob, role: int) -> Any:
        """Display, tooltip and accessibility texts of a row; override per list."""
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return job.params.prompt or job.params.model
        return None

    def jobs(self) -> list[EditJob]:
        return list(self._jobs)

    def row_of(self, job_id: str) -> int | None:
        return next((row for row, job in enumerate(self._jobs) if job.id == job_id), None)

    def job(self, job_id: str) -> EditJob | None:
        row = self.row_of(job_id)
        return None if row is None else self._jobs[row]


# ----- painting rows ----------------------------------------------------------------------------


@dataclass
class RowPainter:
    """One row being painted: the geometry and colours worked out once, and text helpers.

    `x`..`right` is the text column right of the thumbnail; `top` is the first of three lines.
    """

    painter: QPainter
    widget: QWidget | None
    palette: QPalette
    selected: bool
    text: QColor
    muted: QColor
    rect: QRect
    x: int
    right: int
    base: QFont
    bold: QFont
    line: int
    top: int

    def line_y(self, number: int) -> int:
        """The top of line 0, 1 or 2."""
        return self.top + number * (self.line + LINE_GAP)

    def tone(self, tone: str | None, fallback: QColor | None = None) -> QColor:
        """The colour of a meaning (error, warning, ok, muted, accent); plain text when selected."""
        if self.selected or tone is None or self.widget is None:
            return fallback if fallback is not None else self.text
        return QColor(tone_color(self.widget, tone))

    def text_at(self, y: int, text: str, *, left: int | None = None, right: int | None = None,
                color: QColor | None = None, bold: bool = False,
                align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft) -> int:
        """Draw one line of `text` (elided to fit) between `left` and `right`; returns its width."""
        left = self.x if left is None else left
        right = self.right if right is None else right
        font = self.bold if bold else self.base
        metrics = QFontMetrics(font)
        width = max(0, right - left)
        self.painter.setFont(font)
        self.painter.setPen(color if color is not None else self.text)
        shown = metrics.elidedText(_WHITESPACE.sub(" ", text), Qt.TextElideMode.ElideRight, width)
        self.painter.drawText(QRect(left, y, width, self.line), align | Qt.AlignmentFlag.AlignVCenter, shown)
        return metrics.horizontalAdvance(shown)


class JobRowDelegate(QStyledItemDelegate):
    """Paints the parts every job row shares (background, thumbnail, fonts, three text lines)
    and leaves what the lines say to `paint_text` of a subclass."""

    row_height = 68
    thumb = 48

    def __init__(self, thumbnails: ThumbnailCache, parent: Any = None):
        super().__init__(parent)
        self._thumbs = thumbnails

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        return QSize(max(200, option.rect.width()), self.row_height)

    def thumbnail_path(self, job: EditJob) -> str | Path | None:
        """The file whose thumbnail the row shows (the input by default)."""
        return job.image_paths[0] if job.image_paths else None

    def text_right(self, option: QStyleOptionViewItem, rect: QRect) -> int:
        """Where the text column ends (subclasses keep room for a star, say)."""
        return rect.right()

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        job: EditJob | None = index.data(JobRole)
        if job is None:
            return
        widget = option.widget
        style = widget.style() if widget else QApplication.style()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette: QPalette = option.palette
        text = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        muted = QColor(text)
        muted.setAlphaF(0.62)
        rect = option.rect.adjusted(8, 0, -10, 0)
        thumb_rect = QRect(rect.left(), rect.top() + (rect.height() - self.thumb) // 2, self.thumb, self.thumb)
        draw_thumbnail(painter, thumb_rect, self._thumbs.get(self.thumbnail_path(job)), palette)
        base = QFont(option.font)
        bold = QFont(base)
        bold.setWeight(QFont.Weight.DemiBold)
        line = QFontMetrics(base).height()
        row = RowPainter(
            painter=painter, widget=widget, palette=palette, selected=selected, text=text, muted=muted,
            rect=rect, x=thumb_rect.right() + 12, right=self.text_right(option, rect), base=base, bold=bold,
            line=line, top=rect.top() + (rect.height() - (3 * line + 2 * LINE_GAP)) // 2,
        )
        self.paint_text(row, job)
        painter.restore()

    def paint_text(self, row: RowPainter, job: EditJob) -> None:
        """Draw the row's three lines; override."""
        row.text_at(row.line_y(0), job.params.prompt, bold=True)


def draw_thumbnail(painter: QPainter, rect: QRect, image: QImage | None, palette: QPalette) -> None:
    """A rounded square thumbnail, centre-cropped; a faint tile while it loads or when unreadable."""
    path = QPainterPath()
    path.addRoundedRect(QRectF(rect), 5, 5)
    painter.save()
    painter.setClipPath(path)
    tile = QColor(palette.color(QPalette.ColorRole.Text))
    tile.setAlphaF(0.08)
    painter.fillRect(rect, tile)
    if image is not None and not image.isNull():
        # Thumbnails are small (cached at about twice the row's size): cropping in the paint
        # call is cheaper than keeping a second, cropped copy.
        side = min(image.width(), image.height())
        source = QRectF((image.width() - side) / 2, (image.height() - side) / 2, side, side)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(QRectF(rect), image, source)
    painter.restore()


# ----- the view ---------------------------------------------------------------------------------


def setup_job_list(view: QListView, model: JobListModel, delegate: JobRowDelegate, name: str) -> None:
    """The list settings both panels use: one selected row, pixel scrolling, no sideways scroll."""
    view.setModel(model)
    view.setItemDelegate(delegate)
    view.setUniformItemSizes(True)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setAccessibleName(name)


def current_job(view: QListView) -> EditJob | None:
    """The job of the view's current row, if any."""
    index = view.currentIndex()
    return index.data(JobRole) if index.isValid() else None


def select_row(view: QListView, model: JobListModel, job_id: str) -> bool:
    """Make the row of `job_id` current and visible; False when it is not listed."""
    row = model.row_of(job_id)
    if row is None:
        return False
    index = model.index(row)
    view.setCurrentIndex(index)
    view.scrollTo(index)
    return True


def empty_state_label(text: str = "") -> QLabel:
    """The centred, muted sentence a list shows instead of rows when it is empty."""
    label = QLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    set_tone(label, "muted")
    return label
