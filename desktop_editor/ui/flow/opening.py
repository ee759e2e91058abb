"""Opening images and projects: from a path, the clipboard or a drop, decoded off the GUI thread.

An image that is already open is brought forward instead of opened twice; a failed open says
why and never touches the documents that are open.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QObject, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from desktop_editor.core.colour import space_summary
from desktop_editor.core.images import (
    OPEN_FILTER_EXTENSIONS,
    ImageLoadError,
    LoadedImage,
    normalise,
)
from desktop_editor.core.project import (
    PROJECT_SUFFIX,
    Project,
    ProjectError,
    load_project,
)
from desktop_editor.ui.common.feedback import Feedback
from desktop_editor.ui.common.job_bridge import start_worker
from desktop_editor.ui.common.imaging import qimage_to_pil
from desktop_editor.ui.flow.loader import DisplayRest, ImageLoader, LoadResult
from desktop_editor.ui.models.document import Document
from desktop_editor.ui.models.document_list import DocumentList

IMAGE_FILTER = "Images ({})".format(" ".join(f"*{ext}" for ext in OPEN_FILTER_EXTENSIONS))
PROJECT_FILTER = f"Desktop Editor projects (*{PROJECT_SUFFIX})"
OPENABLE = {*OPEN_FILTER_EXTENSIONS, PROJECT_SUFFIX}


def opened_line(name: str, loaded: LoadedImage, width: int, height: int) -> tuple[str, int]:
    """The status line for an opened image and how long it shows: its size, its own depth and
    profile when they are not plain 8-bit sRGB, and how its colours were read when something
    was assumed (an unusable profile, CMYK without one), kept longer so it is seen."""
    summary = space_summary(loaded.source.space) if loaded.source is not None else None
    line = f"Opened {name} ({width}×{height}{', ' + summary if summary else ''})."
    return (f"{line} {loaded.note}", 15000) if loaded.note else (line, 4000)


class DocumentOpener(QObject):
    """Turns paths, projects and clipboard images into open documents.

    Signals:
        document_opened(object): a new Document was opened and added to the list.
        open_failed(str, str): opening the path (or "clipboard"/"drop") failed, with the message shown.
        file_opened(str): a file was opened (for the recent files).
    """

    document_opened = Signal(object)
    open_failed = Signal(str, str)
    file_opened = Signal(str)

    def __init__(self, documents: DocumentList, feedback: Feedback, parent: QObject | None = None):
        super().__init__(parent)
        self.documents = documents
        self.feedback = feedback
        self.loader = ImageLoader(self)
        self._pending: dict[int, tuple[str, dict]] = {}
        self._finishing: dict[int, Document] = {}  # opened documents whose display is pending
        self._reading_projects: set[str] = set()
        self.loader.loaded.connect(self._on_image_loaded)
        self.loader.failed.connect(self._on_image_failed)
        self.loader.display_ready.connect(self._on_display_ready)

    def open_path(self, path: str | Path) -> None:
        """Open an image or a project. Images load in the background: watch `document_opened`
        or `open_failed`. An image that is already open is brought forward."""
        path = Path(path)
        if path.suffix.lower() == PROJECT_SUFFIX:
            self.open_project(path)
            return
        for document in self.documents:
            if document.path is not None and same_file(document.path, path):
                self.documents.set_current(document)
                return
        if any(key == str(path) for key, _extra in self._pending.values()):
            return  # already on its way
        self._start_load(str(path), path, {})

    def open_paths(self, paths: list[str | Path]) -> None:
        for path in paths:
            self.open_path(path)

    def open_project(self, path: str | Path) -> None:
        """Open a project: its file is read and its mask decoded in the background (a 45 MP
        mask, or an embedded photo, would hold the window for a fraction of a second), then its
        image is loaded, then its mask, parameters and view applied."""
        path = Path(path)
        for document in self.documents:
            if document.project_path is not None and same_file(document.project_path, path):
                self.documents.set_current(document)
                return
        key = str(path)
        if key in self._reading_projects:
            return  # already on its way
        self._reading_projects.add(key)
        start_worker(load_project, path, owner=self,
                     on_returned=lambda project: self._on_project_read(key, project),
                     on_errored=lambda exc: self._on_project_unreadable(key, exc))

    def _on_project_read(self, key: str, project: Project) -> None:
        self._reading_projects.discard(key)
        source: Path | bytes = project.image_bytes if project.image_bytes is not None else project.image_path  # type: ignore[assignment]
        self._start_load(key, source, {"project": project})

    def _on_project_unreadable(self, key: str, exc: BaseException) -> None:
        self._reading_projects.discard(key)
        message = str(exc) if isinstance(exc, ProjectError) else f"{Path(key).name} could not be read ({exc})."
        self._report_failure(key, "Cannot open project", message)

    def ask_open(self, parent: QWidget, start: str) -> None:
        """File > Open: images or projects, several at once."""
        paths, _filter = QFileDialog.getOpenFileNames(
            parent, "Open Images", start, f"{IMAGE_FILTER};;{PROJECT_FILTER};;All files (*)")
        self.open_paths(paths)

    def ask_open_project(self, parent: QWidget, start: str) -> None:
        path, _filter = QFileDialog.getOpenFileName(parent, "Open Project", start, PROJECT_FILTER)
        if path:
            self.open_project(path)

    def add(self, document: Document) -> None:
        """Add a document made elsewhere (a result used as input) and show it."""
        self.documents.add(document)
        self.document_opened.emit(document)

    def paste(self) -> bool:
        """Open the image on the clipboard (image data, or copied image files) as a new document."""
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None:
            return False
        return self.open_mime(mime, "clipboard")

    def open_mime(self, mime: QMimeData, origin: str) -> bool:
        paths = openable_paths(mime)
        if paths:
            self.open_paths(paths)
            return True
        if mime.hasImage():
            image = QImage(mime.imageData())
            if image.isNull():
                self._report_failure(origin, "Cannot paste image", "The clipboard image could not be read.")
                return False
            try:
                loaded = LoadedImage(image=normalise(qimage_to_pil(image)), source_format="clipboard")
            except (ImageLoadError, OSError, ValueError) as exc:
                self._report_failure(origin, "Cannot paste image", f"The pasted image cannot be used ({exc}).")
                return False
            self.add(Document(loaded, parent=self.parent()))
            return True
        if origin == "clipboard":
            self.feedback.status("The clipboard holds no image.", 4000)
        return False

    def wait(self, msecs: int = -1) -> bool:
        return self.loader.wait(msecs)

    # -- loading ----------------------------------------------------------------------------------

    def _start_load(self, key: str, source: Path | bytes, extra: dict) -> None:
        project: Project | None = extra.get("project")
        # A project with a mix opens straight on the Compare page, which shows the full-size image.
        request = self.loader.load(source, in_parts=project is None or project.mix is None)
        self._pending[request] = (key, extra)
        QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        self.feedback.status(f"Opening {Path(key).name}…", 0)

    @Slot(int, object)
    def _on_image_loaded(self, request: int, result: LoadResult) -> None:
        key, extra = self._pending.pop(request, ("", {}))
        QApplication.restoreOverrideCursor()
        project: Project | None = extra.get("project")
        loaded = result.loaded
        name = None
        if project is not None and loaded.path is None:
            name = project.path.stem if project.path else None
        document = Document(loaded, result.image, levels=result.levels, name=name,
                            display_pending=result.pending, parent=self.parent())
        if result.pending:
            # The worker converts the rest once the document has been shown (or after a while,
            # when it is not: see the loader), so it does not compete with the first paint.
            document.on_display_shown(result.taken.set)
        if project is not None and not self._apply_project(document, project):
            result.taken.set()
            document.deleteLater()
            return
        if result.pending:
            self._finishing[request] = document
        self.add(document)
        self.file_opened.emit(key)
        self.feedback.status(*opened_line(document.name, loaded, document.width, document.height))

    @Slot(int, object)
    def _on_display_ready(self, request: int, rest: DisplayRest) -> None:
        document = self._finishing.pop(request, None)
        if document is not None and document in self.documents:
            document.finish_display(rest.image, rest.levels)

    def _apply_project(self, document: Document, project: Project) -> bool:
        if project.mask is not None:
            if project.mask.shape != (document.height, document.width):
                self._report_failure(
                    str(project.path),
                    "Cannot open project",
                    f"The mask in {project.path.name} is {project.mask.shape[1]}×{project.mask.shape[0]} but its image "
                    f"is now {document.width}×{document.height}; the image has changed since the project was saved.",
                )
                return False
            document.load_mask(project.mask)
        document.params = dict(project.params)
        document.project_path = project.path
        if project.view:
            document.view_state = {k: v for k, v in project.view.items() if k != "expansion"}
            if "expansion" in project.view:
                document.restore_expansion_state(project.view["expansion"])
        if project.mix is not None and project.mix.labels.shape == (document.height, document.width):
            document.mix_state = project.mix
        return True

    @Slot(int, str)
    def _on_image_failed(self, request: int, message: str) -> None:
        key, extra = self._pending.pop(request, ("", {}))
        QApplication.restoreOverrideCursor()
        title = "Cannot open project" if extra.get("project") is not None else "Cannot open image"
        self._report_failure(key, title, message)

    def _report_failure(self, key: str, title: str, message: str) -> None:
        self.feedback.status(message, 6000)
        self.feedback.error(title, message)
        self.open_failed.emit(key, message)


def openable_paths(mime: QMimeData) -> list[str]:
    """The local files in a drop or paste that the app can open."""
    if not mime.hasUrls():
        return []
    paths = []
    for url in mime.urls():
        if url.isLocalFile():
            local = url.toLocalFile()
            if Path(local).suffix.lower() in OPENABLE:
                paths.append(local)
    return paths


def same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b
