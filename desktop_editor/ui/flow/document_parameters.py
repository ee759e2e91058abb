"""Each open image keeps its own parameters, options and references.

When an image comes forward, the parameters panel shows what it is to be sent with (its own
values, or the designer's defaults for an image that has none yet, never the previous image's);
what the designer then changes in the panel is kept on the image (and saved with its project).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QImage

from desktop_editor.core.params import EditParams
from desktop_editor.ui.models.document import Document

if TYPE_CHECKING:
    from desktop_editor.ui.flow.host import EditHost

log = logging.getLogger(__name__)


def thumbnail_level(document: Document) -> QImage | None:
    """The smallest display level still at least 72 px, for the parameters panel's thumbnail."""
    chosen = None
    for level in document.image_levels:
        if min(level.width(), level.height()) >= 72:
            chosen = level
    return chosen


class DocumentParameters(QObject):
    """Keeps the parameters panel and the current image's own parameters in step (no signals)."""

    def __init__(self, window: EditHost, parent: QObject | None = None):
        super().__init__(parent)
        self.window = window
        self._showing_params_of: Document | None = None

    def show(self, document: Document) -> None:
        """Show the image and what it is to be sent with: its own parameters, options and
        references, or the designer's defaults for an image that has none yet (never the
        previous image's)."""
        panel, prefs = self.window.params_panel, self.window.preferences
        params = prefs.default_params
        if document.params:
            try:
                params = EditParams.from_dict(document.params)
            except (TypeError, ValueError, KeyError) as exc:
                log.warning("ignoring unreadable parameters of %s: %s", document.name, exc)
        options = {"keep_unmasked": prefs.keep_unmasked, "feather": prefs.feather, "colour_match": prefs.colour_match,
                   "region_padding": False}
        options.update(document.edit_options)
        self._showing_params_of = document  # what the panel is about to show is the document's already
        try:
            with panel.batched():  # validated and announced once, not five times (12 ms on each switch)
                panel.set_open_image(document.name, document.path, thumbnail_level(document))
                panel.set_image_size(document.width, document.height)
                panel.set_params(params)
                panel.set_options(**options)
                panel.set_reference_paths(list(document.references))
        finally:
            self._showing_params_of = None

    def _owner_of_panel(self) -> Document | None:
        document = self.window.current_document()
        return None if document is None or document is self._showing_params_of else document

    @Slot(object)
    def on_params_changed(self, params: EditParams) -> None:
        """Each image keeps the parameters last chosen for it (saved with its project)."""
        document = self._owner_of_panel()
        if document is not None:
            document.params = params.to_dict()

    @Slot(object)
    def on_options_changed(self, options: dict) -> None:
        document = self._owner_of_panel()
        if document is not None:
            document.edit_options = dict(options)

    @Slot(object)
    def on_references_changed(self, paths: list) -> None:
        document = self._owner_of_panel()
        if document is not None:
            document.references = [str(p) for p in paths]
