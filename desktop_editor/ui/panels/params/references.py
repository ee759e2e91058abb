"""The images section: the image being edited, then the reference images sent after it.

The edited image is shown first and fixed; reference images (for models that take a list of
images) are added from files, reordered by dragging and removed, up to the service's limit.
Thumbnails load off the GUI thread through the shared `ThumbnailCache`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_editor.core.params import MAX_INPUT_IMAGES, ModelSpec
from desktop_editor.ui.common.binding import set_tone
from desktop_editor.ui.common.job_bridge import ThumbnailCache
from desktop_editor.ui.models.params_model import takes_references
from desktop_editor.ui.panels.params.form import (
    ElidedLabel,
    problem_label,
    section_header,
    show_problem,
)

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff);;All files (*)"
THUMB = 36


class ReferencesSection(QWidget):
    """The edited image and the reference images, in the order they are sent.

    Signals:
        references_changed(object): the list of reference image paths changed (added, removed, reordered).
    """

    references_changed = Signal(object)

    def __init__(self, thumbnails: ThumbnailCache, parent: QWidget | None = None):
        super().__init__(parent)
        self.thumbnails = thumbnails
        self.thumbnails.thumbnail_ready.connect(self._on_thumbnail_ready)
        self._references: list[Path] = []
        self._takes_references = True
        self._open_name: str | None = None
        self._open_path: str | None = None
        self.note = ""  # why some images were not added, until the list changes again

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(section_header("Images"))
        head.addStretch(1)
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Images sent")
        self.count_label.setContentsMargins(0, 8, 0, 0)  # level with the header's text
        set_tone(self.count_label, "muted")
        head.addWidget(self.count_label, 0, Qt.AlignmentFlag.AlignBottom)
        lay.addLayout(head)

        self.open_row = QWidget()
        orow = QHBoxLayout(self.open_row)
        orow.setContentsMargins(4, 2, 4, 2)
        orow.setSpacing(8)
        self.open_thumb = QLabel()
        self.open_thumb.setFixedSize(THUMB, THUMB)
        self.open_thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.open_name = ElidedLabel()
        # What the open image is in this edit: the one sent with the mask painted on it.
        self.open_role = QLabel("with your mask")
        self.open_role.setToolTip("The open image is edited where your mask is painted; references guide the edit")
        set_tone(self.open_role, "muted")
        orow.addWidget(self.open_thumb)
        orow.addWidget(self.open_name, 1)
        orow.addWidget(self.open_role)
        lay.addWidget(self.open_row)

        self.refs_list = QListWidget()
        self.refs_list.setIconSize(QSize(THUMB, THUMB))
        self.refs_list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.refs_list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.refs_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.refs_list.setUniformItemSizes(True)
        self.refs_list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.refs_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.refs_list.setToolTip("Reference images, sent after the edited image. Drag to reorder.")
        self.refs_list.setAccessibleName("Reference images")
        self.refs_list.model().rowsMoved.connect(self._on_reordered)
        self.refs_list.itemSelectionChanged.connect(self._on_selection_changed)
        lay.addWidget(self.refs_list)

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        self.add_button = QPushButton("Add references…")
        self.add_button.setToolTip("Add images that guide the edit (style, objects to insert)")
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setEnabled(False)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        lay.addLayout(buttons)
        self.problem = problem_label()
        lay.addWidget(self.problem)

    # ----- the edited image --------------------------------------------------------------------

    @property
    def open_image_name(self) -> str | None:
        return self._open_name

    def set_open_image(self, name: str | None, path: str | Path | None = None, thumbnail: QImage | None = None) -> None:
        """Show the image being edited first (fixed, never reordered or removed); None: no image."""
        self._open_name = name
        self._open_path = str(path) if path else None
        self.open_name.setText(name or "")
        self.open_name.setToolTip(str(path) if path else (name or ""))
        if name is None:
            self.open_thumb.clear()
        elif thumbnail is not None and not thumbnail.isNull():
            self._set_open_thumbnail(thumbnail)
        elif path:
            image = self.thumbnails.get(path)
            if image is not None:
                self._set_open_thumbnail(image)

    def _set_open_thumbnail(self, image: QImage) -> None:
        self.open_thumb.setPixmap(thumb_icon(image, self._background()).pixmap(THUMB, THUMB))

    # ----- reference images --------------------------------------------------------------------

    def paths(self) -> list[Path]:
        """Reference images in the order they will be sent (none for a model that takes one image)."""
        return list(self._references) if self._takes_references else []

    def set_paths(self, paths: list[str | Path]) -> None:
        """Replace the reference images (e.g. when a job is reopened or another image is shown)."""
        self._references = []
        self.note = ""
        self._add([Path(p) for p in paths])

    def add_paths(self, paths: list[str | Path]) -> int:
        """Append reference images, up to the service's limit in all; returns how many were added."""
        self.note = ""
        return self._add([Path(p) for p in paths])

    def show_spec(self, spec: ModelSpec) -> None:
        """References are offered only to models that take a list of images."""
        self._takes_references = takes_references(spec)
        self._show_list()

    def show_state(self, image_count: int, messages: list[str]) -> None:
        """How many images go out, and what is wrong with them (or why some were not added)."""
        self.count_label.setText(f"{max(image_count, 1)} of {MAX_INPUT_IMAGES}")
        no_image = self._open_name is None
        self.open_row.setVisible(not no_image)
        shown = [] if no_image else list(messages)
        if self.note:
            shown.append(self.note)
        show_problem(self.problem, shown, tone="error" if messages else "warning")

    def _add(self, paths: list[Path]) -> int:
        room = MAX_INPUT_IMAGES - 1 - len(self._references)
        known = {p.resolve() if p.is_absolute() else p for p in self._references}
        fresh = [p for p in paths if (p.resolve() if p.is_absolute() else p) not in known]
        added = fresh[: max(0, room)]
        if len(fresh) > len(added):
            left = len(fresh) - len(added)
            self.note = (
                f"At most {MAX_INPUT_IMAGES} images can be sent with one edit; "
                f"{left} {'image was' if left == 1 else 'images were'} not added."
            )
        self._references.extend(added)
        self._rebuild_list()
        return len(added)

    def _rebuild_list(self) -> None:
        self.refs_list.blockSignals(True)
        self.refs_list.clear()
        for path in self._references:
            item = QListWidgetItem(path.name)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path))
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
            )
            item.setIcon(thumb_icon(self.thumbnails.get(path), self._background()))
            self.refs_list.addItem(item)
        self.refs_list.blockSignals(False)
        count = len(self._references)
        row_height = max(THUMB + 6, self.refs_list.sizeHintForRow(0) if count else 0)
        self.refs_list.setFixedHeight(min(count, 4) * row_height + 2 * self.refs_list.frameWidth() + 2)
        self._show_list()
        self.add_button.setEnabled(count < MAX_INPUT_IMAGES - 1)
        self.references_changed.emit(list(self._references))

    def _show_list(self) -> None:
        listed = self._takes_references and bool(self._references)
        self.refs_list.setVisible(listed)
        self.remove_button.setVisible(listed)
        self.remove_button.setEnabled(bool(self.refs_list.selectedItems()))
        self.add_button.setVisible(self._takes_references)
        self.count_label.setVisible(self._takes_references)

    @Slot()
    def _on_reordered(self, *_args: Any) -> None:
        self._references = [
            Path(self.refs_list.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.refs_list.count())
        ]
        self.references_changed.emit(list(self._references))

    @Slot()
    def _on_selection_changed(self) -> None:
        self.remove_button.setEnabled(bool(self.refs_list.selectedItems()))

    @Slot()
    def _on_add_clicked(self) -> None:
        start = str(self._references[-1].parent) if self._references else ""
        files, _ = QFileDialog.getOpenFileNames(self, "Add reference images", start, IMAGE_FILTER)
        if files:
            self.add_paths(files)

    @Slot()
    def _on_remove_clicked(self) -> None:
        rows = sorted((self.refs_list.row(i) for i in self.refs_list.selectedItems()), reverse=True)
        for row in rows:
            del self._references[row]
        self.note = ""
        self._rebuild_list()

    @Slot(str)
    def _on_thumbnail_ready(self, path: str) -> None:
        image = self.thumbnails.get(path)
        if image is None:
            return
        if self._open_path == path:
            self._set_open_thumbnail(image)
        for i in range(self.refs_list.count()):
            item = self.refs_list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == path:
                item.setIcon(thumb_icon(image, self._background()))

    def _background(self) -> QColor:
        return self.palette().color(self.backgroundRole())


def thumb_icon(image: QImage | None, background: QColor) -> QIcon:
    """A square icon with the thumbnail centred (or a neutral tile while it loads)."""
    scale = 2
    size = THUMB * scale
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    if image is None or image.isNull():
        tile = QColor(background).lighter(130) if background.lightness() < 128 else QColor(background).darker(110)
        painter.setBrush(tile)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawRoundedRect(0, 0, size, size, 6, 6)
    else:
        scaled = image.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        painter.drawImage((size - scaled.width()) // 2, (size - scaled.height()) // 2, scaled)
    painter.end()
    pixmap.setDevicePixelRatio(scale)
    return QIcon(pixmap)


__all__ = ["IMAGE_FILTER", "THUMB", "ReferencesSection", "thumb_icon"]
