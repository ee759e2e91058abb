"""The results of an image as a strip of thumbnails, with Save, Save As, Copy, Show in folder
and "Use as input".

A job can return several images, and an image gets several jobs; the strip shows them grouped
by job (a caption per job), so variations made by separate edits sit side by side. The designer
flicks through them, compares the selected one with the original, and keeps the good ones.
Results the job already wrote into the output folder carry a "Saved" mark: Save on them only
says where the file is, so no second copy with another name appears. Saving encodes a 4K image (hundreds of
milliseconds) and writes it, so it runs on a worker; the strip reports the saved path or a
sentence about what went wrong, and a failed save never removes or changes the result, so the
designer can simply try another folder.

The strip keeps what it shows and what its commands do; the result item and the pixel work
behind it are `result_items`', a tile and a job's group box `result_tile`'s, the commands'
names, buttons and enabling `result_actions`', the Save As questions `result_save_dialog`'s,
and the keys are the window's action registry's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from PySide6.QtCore import QEvent, QStandardPaths, Qt, Signal, Slot
from PySide6.QtGui import QAction, QContextMenuEvent, QGuiApplication, QImage, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QScrollArea,
    QSizePolicy,
    QWidget,
)

from desktop_editor.core.filenames import free_path
from desktop_editor.core.result_export import ExportError, file_name, format_for_path
from desktop_editor.ui.common.binding import set_tone
from desktop_editor.ui.common.desktop import feedback_for, show_folder
from desktop_editor.ui.common.image_tasks import TaskRunner
from desktop_editor.ui.panels.result_actions import ResultActions
from desktop_editor.ui.panels.result_items import (
    ResultItem,
    clipboard_image,
    make_thumbnail,
    save_error_message,
    save_item_new,
    save_item_to,
    thumbnail_key,
)
from desktop_editor.ui.panels.result_save_dialog import ask_save_target
from desktop_editor.ui.panels.result_tile import THUMB_SIZE, GroupCaption, ResultTile, caption_height, group_box

__all__ = ["ResultItem", "ResultsStrip"]


class ResultsStrip(QWidget):
    """Thumbnails of one job's results, the selected one's actions, and saving on a worker.

    Keys: Left/Right select while the strip has focus (moving in a list, like a list view's
    arrows). Save, Save As and Copy have their keys in the window's action registry
    (`result.save`, `result.save_as`, `result.copy` in ui.window.actions), which calls the
    slots here on the page where those keys mean the result, so one key never means two
    things on a page.
    `save_action`, `save_as_action`, `copy_action` and `use_as_input_action` act on the
    selected result and may be put in the window's menus.

    Signals:
        result_selected(int): the designer selected this result (also after set_results).
        use_as_input_requested(int): "Use as input" on this result.
        result_saved(str): a result was written to this path.
        already_saved(str): Save on a result already saved at this path; nothing was written.
        save_failed(str): saving failed; a sentence for the designer (the result is kept).
        result_copied(int): this result is now on the clipboard.
    """

    result_selected = Signal(int)
    use_as_input_requested = Signal(int)
    result_saved = Signal(str)
    already_saved = Signal(str)
    save_failed = Signal(str)
    result_copied = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._items: list[ResultItem] = []
        self._tiles: list[ResultTile] = []
        self._group_boxes: list[QWidget] = []
        self._generation = 0
        self._thumbnails: dict[object, QImage] = {}  # by thumbnail_key, for the results shown
        self._output_dir: Path | None = None
        self._save_format = "png"
        self._last_quality = 95  # Save As asks for JPEG/WebP quality, starting from the last answer
        self.layers_action: QAction | None = None
        self._tasks = TaskRunner(self, max_threads=2)
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self._group.idClicked.connect(self._on_tile_clicked)

        self._commands = ResultActions(self, save=self.save_selected, save_as=self.save_selected_as,
                                       copy=self.copy_selected, use_as_input=self._on_use_as_input,
                                       show_in_folder=self.show_selected_in_folder)
        self.save_action, self.save_as_action = self._commands.save, self._commands.save_as
        self.copy_action, self.use_as_input_action = self._commands.copy, self._commands.use_as_input
        self.show_in_folder_action = self._commands.show_in_folder

        self._tile_row = QWidget()
        self._tile_layout = QHBoxLayout(self._tile_row)
        self._tile_layout.setContentsMargins(4, 2, 4, 2)
        self._tile_layout.setSpacing(4)
        self.empty_label = QLabel(
            "The results of your edits appear here. Pick one to compare it with the original, "
            "then save it, copy it or continue editing from it."
        )
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setMaximumWidth(460)
        set_tone(self.empty_label, "muted")
        self._tile_layout.addStretch(1)
        self._tile_layout.addWidget(self.empty_label)
        self._tile_layout.addStretch(1)
        self._scroll = QScrollArea(self)
        self._scroll.setWidget(self._tile_row)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self._scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._scroll.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        tile_height = THUMB_SIZE.height() + 32 + caption_height(self)
        self._scroll.setFixedHeight(tile_height + 4 + self._scroll.horizontalScrollBar().sizeHint().height())

        buttons, self.buttons = self._commands.button_column(self)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 8, 4)
        layout.setSpacing(10)
        layout.addWidget(self._scroll, 1)
        layout.addLayout(buttons)
        # Fixed height, explicit minimum: a strip shown on its own as a window never changes its size
        # hints as results come and go.
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumSize(320, max(self._scroll.height(), layout.sizeHint().height()) + 8)
        self._update_actions()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # light/dark switch: draw the icons again
            self._commands.redraw_icons(self.palette().buttonText().color().name())

    # ----- contents --------------------------------------------------------------------------

    def set_results(self, results: list[ResultItem], select: int | None = 0) -> None:
        """Show `results` in this order, consecutive items of one `group` under one caption;
        select and announce `select` unless it is None.

        Thumbnails are made on a worker and appear as they are ready; a result shown before
        keeps its thumbnail (results are never rewritten), so a job finishing does not decode
        every earlier result again. The new tiles are built off screen and shown group by
        group, so the row is laid out once rather than once per tile.
        """
        self._generation += 1
        generation = self._generation
        for tile in self._tiles:
            self._group.removeButton(tile)
        for box in self._group_boxes:
            box.hide()
            box.deleteLater()
        self._items = list(results)
        self._tiles = []
        self._group_boxes = []
        self._thumbnails = {key: image for key, image in self._thumbnails.items()
                            if key in {thumbnail_key(item) for item in self._items}}
        row: QHBoxLayout | None = None
        for index, item in enumerate(self._items):
            if row is None or item.group != self._items[index - 1].group:
                box, row = group_box(item.group_label, caption_height(self))
                self._group_boxes.append(box)
            tile = ResultTile(index, item.label or f"Result {index + 1}", row.parentWidget())
            self._group.addButton(tile, index)
            row.addWidget(tile)
            self._tiles.append(tile)
            self._show_saved_state(index)
            cached = self._thumbnails.get(thumbnail_key(item))
            if cached is not None:
                tile.thumbnail = cached
                continue
            self._tasks.submit(
                lambda item=item: make_thumbnail(item, THUMB_SIZE * 2),
                lambda image, index=index: self._on_thumbnail_ready(generation, index, image),
                lambda exc, index=index: self._on_thumbnail_failed(generation, index, exc),
            )
        for position, box in enumerate(self._group_boxes):
            self._tile_layout.insertWidget(position, box)
            box.show()
        self.empty_label.setVisible(not self._items)
        self._update_actions()
        if select is not None and 0 <= select < len(self._tiles):
            self.select(select)

    def clear(self) -> None:
        self.set_results([], select=None)

    def captions(self) -> list[str]:
        """The group captions, in order (full text)."""
        return [box.findChild(GroupCaption, "result_group_caption").caption for box in self._group_boxes]

    def _show_saved_state(self, index: int) -> None:
        """The tile's mark and tooltip say whether and where the result is saved."""
        tile, item = self._tiles[index], self._items[index]
        saved = item.saved_file()
        tile.saved = saved is not None
        where = f"Saved to {saved}" if saved is not None else "Not saved yet: Save writes it to the output folder"
        tile.setToolTip(f"{tile.label}\n{where}")
        tile.update()

    def set_numbers(self, colours: list[str] | None) -> None:
        """Show each tile's number in a coloured badge (Mix mode: the keys 1-9 pick them), or not."""
        for tile in self._tiles:
            tile.number_colour = colours[tile.index % len(colours)] if colours and tile.index < 9 else ""
            tile.update()

    def save_format(self) -> str:
        return self._save_format

    def results(self) -> list[ResultItem]:
        return list(self._items)

    def count(self) -> int:
        return len(self._items)

    def tiles(self) -> list[QAbstractButton]:
        """The thumbnail buttons, in order."""
        return list(self._tiles)

    def selected_index(self) -> int:
        """The selected result's index, or -1."""
        return self._group.checkedId()


    def select(self, index: int) -> None:
        """Select result `index` and emit result_selected (also when it was already selected)."""
        if not 0 <= index < len(self._tiles):
            raise IndexError(index)
        self._tiles[index].setChecked(True)
        self._scroll.ensureWidgetVisible(self._tiles[index], 8, 0)
        self._update_actions()
        self.result_selected.emit(index)

    def use_window_actions(self, actions: Mapping[str, QAction],
                           set_tip: Callable[[QAction, str | None], None]) -> None:
        """Show the window's Save, Save As, Copy and Use as input (by those names: "save",
        "save_as", "copy", "use_as_input") on the buttons and in the menu instead of the strip's
        own, so they name the keys the window gives them (see `ResultActions.adopt`)."""
        self._commands.adopt(actions, set_tip)
        self.save_action, self.save_as_action = self._commands.save, self._commands.save_as
        self.copy_action, self.use_as_input_action = self._commands.copy, self._commands.use_as_input
        self._update_actions()

    # ----- where and how to save -------------------------------------------------------------

    def set_output_dir(self, folder: str | Path | None) -> None:
        """Where Save writes. Unset: next to the result's file, else the Pictures folder."""
        self._output_dir = Path(folder) if folder else None

    def output_dir(self, index: int | None = None) -> Path:
        if self._output_dir is not None:
            return self._output_dir
        if index is not None and 0 <= index < len(self._items) and self._items[index].path is not None:
            return Path(self._items[index].path).parent
        pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
        return Path(pictures or Path.home()) / "Desktop Editor"

    def set_save_format(self, fmt: str) -> None:
        """Format for Save: 'png' (default, lossless), 'jpeg' or 'webp'."""
        fmt = fmt.lower()
        if fmt not in ("png", "jpeg", "jpg", "webp"):
            raise ValueError(f"unknown format {fmt!r}")
        self._save_format = "jpeg" if fmt == "jpg" else fmt

    # ----- actions ---------------------------------------------------------------------------

    @Slot()
    def save_selected(self) -> None:
        """Save the selected result into the output folder under a new name, on a worker."""
        index = self.selected_index()
        if index < 0:
            return
        item = self._items[index]
        saved = item.saved_file()
        if saved is not None:  # already kept: a second copy under another name helps no one
            self.already_saved.emit(str(saved))
            return
        folder = self.output_dir(index)
        fmt = self._save_format
        stem = item.suggested_stem(index)
        self._start_save(index, lambda: save_item_new(item, folder, stem, fmt), str(folder))

    @Slot()
    def save_selected_as(self) -> None:
        """Ask for a file name (the format follows the extension), then save there."""
        index = self.selected_index()
        if index < 0:
            return
        suggested = self.proposed_path(index)
        answer = ask_save_target(self, suggested, self._last_quality)
        if answer is None:
            return
        target, quality = answer
        if target.suffix.lower() in (".jpg", ".jpeg", ".webp"):
            self._last_quality = quality
        self.save_to(index, target, quality=quality)

    def proposed_path(self, index: int) -> Path:
        """What Save As proposes for result `index`: a result already saved keeps its saved file's
        name and format (cat-edit-3.jpg), else the Save name in the Save format; numbered where
        that file exists, so pressing Enter never replaces the saved result with a re-encoded copy."""
        item = self._items[index]
        saved = item.saved_file()
        if saved is not None:
            return free_path(saved.parent, saved.name)
        return free_path(self.output_dir(index), file_name(item.suggested_stem(index), self._save_format))

    def save_to(self, index: int, path: str | Path, *, quality: int = 95) -> None:
        """Save result `index` to exactly `path` (format from its extension), on a worker.

        For a path the designer chose and confirmed; an existing file there is replaced atomically.
        """
        item = self._items[index]
        target = Path(path)
        try:
            format_for_path(target)
        except ExportError as exc:
            self.save_failed.emit(str(exc))
            return
        self._start_save(index, lambda: save_item_to(item, target, quality), str(target.parent))

    @Slot()
    def show_selected_in_folder(self) -> bool:
        """Open the folder of the selected result's saved file (says so when no file manager answers)."""
        index = self.selected_index()
        saved = self._items[index].saved_file() if index >= 0 else None
        if saved is None:
            return False
        return show_folder(saved.parent, feedback_for(self))

    @Slot()
    def copy_selected(self) -> None:
        """Put the selected result on the clipboard (converted on a worker if needed)."""
        index = self.selected_index()
        if index < 0:
            return
        item = self._items[index]
        if isinstance(item.image, QImage) and not item.image.isNull():
            self._on_copy_ready(index, item.image)
            return
        generation = self._generation
        self._tasks.submit(
            lambda: clipboard_image(item),
            lambda image: self._on_copy_ready(index, image) if generation == self._generation else None,
            lambda exc: self.save_failed.emit(f"Could not copy the result: {exc}"),
        )

    def context_menu(self, index: int) -> QMenu:
        """The menu for result `index` (selects it first)."""
        if index != self.selected_index():
            self.select(index)
        menu = QMenu(self)
        for action in (self.save_action, self.save_as_action, self.copy_action, self.show_in_folder_action):
            menu.addAction(action)
        if self.layers_action is not None:  # the window's Save as Layers (all results of the image)
            menu.addAction(self.layers_action)
        menu.addSeparator()
        menu.addAction(self.use_as_input_action)
        return menu

    # ----- events ----------------------------------------------------------------------------

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        child = self.childAt(event.pos())
        while child is not None and not isinstance(child, ResultTile):
            child = child.parentWidget()
        if child is None:
            super().contextMenuEvent(event)
            return
        menu = self.context_menu(child.index)
        menu.exec(event.globalPos())
        menu.deleteLater()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        index = self.selected_index()
        if event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right) and self._tiles:
            step = -1 if event.key() == Qt.Key.Key_Left else 1
            self.select(min(len(self._tiles) - 1, max(0, (index if index >= 0 else 0) + step)))
            event.accept()
            return
        super().keyPressEvent(event)

    # ----- internals -------------------------------------------------------------------------

    def _start_save(self, index: int, work, where: str) -> None:  # noqa: ANN001 - a callable returning Path
        tile = self._tiles[index]
        generation = self._generation
        tile.busy = True
        tile.update()
        self._tasks.submit(
            work,
            lambda path: self._on_saved(generation, index, path),
            lambda exc: self._on_save_error(generation, index, exc, where),
        )

    def _update_actions(self) -> None:
        index = self.selected_index()
        self._commands.update(index >= 0, self._items[index].saved_file() if index >= 0 else None)

    def _on_saved(self, generation: int, index: int, path: Path) -> None:
        if generation == self._generation:
            self._items[index].saved_to = Path(path)
            self._tiles[index].busy = False
            self._show_saved_state(index)
            self._update_actions()
        self.result_saved.emit(str(path))

    def _on_save_error(self, generation: int, index: int, exc: BaseException, where: str) -> None:
        if generation == self._generation:
            self._tiles[index].busy = False
            self._tiles[index].update()
        self.save_failed.emit(save_error_message(exc, where))

    def _on_thumbnail_ready(self, generation: int, index: int, image: QImage) -> None:
        if generation == self._generation:
            self._thumbnails[thumbnail_key(self._items[index])] = image
            self._tiles[index].thumbnail = image
            self._tiles[index].update()

    def _on_thumbnail_failed(self, generation: int, index: int, exc: BaseException) -> None:
        if generation == self._generation:
            self._tiles[index].error = "No preview"
            self._tiles[index].setToolTip(f"{self._tiles[index].label}\n{exc}")
            self._tiles[index].update()

    def _on_copy_ready(self, index: int, image: QImage) -> None:
        QGuiApplication.clipboard().setImage(image)
        self.result_copied.emit(index)

    @Slot(int)
    def _on_tile_clicked(self, index: int) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self.select(index)

    @Slot()
    def _on_use_as_input(self) -> None:
        index = self.selected_index()
        if index >= 0:
            self.use_as_input_requested.emit(index)

    def wait_for_background_work(self, msecs: int = -1) -> bool:
        """Block until workers finish (closing, tests); their answers arrive with the next events."""
        return self._tasks.wait(msecs)

