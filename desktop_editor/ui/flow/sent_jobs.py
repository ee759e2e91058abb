"""What this session remembers of the edits it sent, until each one ends.

Submitting writes it; following a job and previewing its result read it. Plain dictionaries
keyed by job id: which open image an edit was made of, the mask it was sent with, when it was
sent, and the input's thumbnail until the job's own copy of the input is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

    from desktop_editor.ui.models.document import Document


class SentJobs:
    """Per-job bookkeeping of the edits sent from this window (no Qt signals)."""

    def __init__(self) -> None:
        self.documents: dict[str, Document] = {}
        self.sent_at: dict[str, float] = {}  # time.monotonic() when this session sent the job
        self.masks: dict[str, np.ndarray | None] = {}
        self.input_thumbnails: dict[str, QImage] = {}  # a sent job's input, until its file is known

    def forget(self, job_id: str) -> None:
        """An edit that was never sent (its journal write was refused): nothing of it is kept."""
        for kept in (self.documents, self.masks, self.sent_at, self.input_thumbnails):
            kept.pop(job_id, None)

    def forget_document(self, document: Document) -> None:
        """A document closed: its running jobs finish unattached."""
        for job_id in [j for j, d in self.documents.items() if d is document]:
            del self.documents[job_id]
