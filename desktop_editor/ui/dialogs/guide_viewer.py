"""Help > User Guide: the guide shipped with the app, shown as it reads on the web.

A `QTextBrowser` renders the Markdown itself (Qt's own Markdown reader), so the guide needs no
web view, no browser and no network, and it is the same text and pictures as docs/guide.md.
What Qt's reader leaves out is added here: links to a heading (`#keys`) scroll to that heading
(Qt gives Markdown headings no anchors), web links open in the browser, and the screenshots are
scaled down to the window's width instead of overflowing it.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QImageReader, QResizeEvent, QTextCursor, QTextDocument
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

IMAGE_MARGIN = 36  # px left free beside a picture scaled to the page's width


def heading_slug(text: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    slug = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return slug.replace(" ", "-")


class GuideBrowser(QTextBrowser):
    """A QTextBrowser for one Markdown guide with pictures next to it: web links go to the
    desktop's browser, links inside the guide are followed here."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setOpenLinks(False)
        self.anchorClicked.connect(self.follow)
        self._natural_widths: dict[str, int] = {}

    def load(self, path: Path) -> None:
        """Show the guide at `path`; its pictures are read relative to it."""
        self.setSearchPaths([str(path.parent)])
        self.setSource(QUrl.fromLocalFile(str(path)), QTextDocument.ResourceType.MarkdownResource)
        self.fit_images()

    def follow(self, url: QUrl) -> None:
        """Go where a link points: a heading of the guide, another local page, or the browser."""
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)
            return
        resolved = self.source().resolved(url) if url.isRelative() else url
        if url.path() and resolved.adjusted(QUrl.UrlFormattingOption.RemoveFragment) != \
                self.source().adjusted(QUrl.UrlFormattingOption.RemoveFragment):
            self.load(Path(resolved.toLocalFile()))
        if url.fragment():
            self.scroll_to_heading(url.fragment())

    def heading_slugs(self) -> list[str]:
        """The anchors of the document's headings, in order."""
        document = self.document()
        block, slugs = document.begin(), []
        while block.isValid():
            if block.blockFormat().headingLevel() > 0:
                slugs.append(heading_slug(block.text()))
            block = block.next()
        return slugs

    def scroll_to_heading(self, slug: str) -> bool:
        """Put the heading whose anchor is `slug` at the top of the view; False if there is none."""
        block = self.document().begin()
        while block.isValid():
            if block.blockFormat().headingLevel() > 0 and heading_slug(block.text()) == slug:
                self.setTextCursor(QTextCursor(block))
                top = self.document().documentLayout().blockBoundingRect(block).top()
                self.verticalScrollBar().setValue(round(top))
                return True
            block = block.next()
        return False

    def fit_images(self) -> None:
        """Scale every picture wider than the page down to its width (never up)."""
        room = max(self.viewport().width() - IMAGE_MARGIN, 200)
        document = self.document()
        changed = False
        block = document.begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                fmt = fragment.charFormat()
                if fmt.isImageFormat():
                    image = fmt.toImageFormat()
                    natural = self._natural_width(image.name())
                    width = min(natural, room) if natural else room
                    if abs(image.width() - width) > 0.5:
                        image.setWidth(width)
                        cursor = QTextCursor(document)
                        cursor.setPosition(fragment.position())
                        cursor.setPosition(fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor)
                        cursor.setCharFormat(image)
                        changed = True
                it += 1
            block = block.next()
        if changed:
            # Qt lays the blocks after a changed format out again only as they are painted, and
            # until then reports them with no height: headings could not be scrolled to. Setting
            # the width lays the whole document out at once.
            document.setTextWidth(document.textWidth())

    def _natural_width(self, name: str) -> int:
        if name not in self._natural_widths:
            path = self.source().resolved(QUrl(name)).toLocalFile()
            self._natural_widths[name] = QImageReader(path).size().width() if path else 0
        return max(self._natural_widths[name], 0)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self.fit_images()


class GuideViewer(QDialog):
    """The User Guide window: not modal, so the guide can stay open beside the editor."""

    def __init__(self, guide: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("User Guide")
        self.resize(980, 760)
        self.browser = GuideBrowser(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.browser.load(guide)
