"""Spotting the same paid edit sent twice in a row (Ctrl+Enter pressed three times).

An edit is "the same" when the document, its image, the mask (by its revision: hashing a
24 MP mask took 44 ms of the window's time on every Generate), the parameters, the references
and the saving options are all equal. Sending one again within `REPEAT_WINDOW_S`
is more likely a double press than a wish to pay twice, so the flow asks first (once; the
designer may tell it not to ask again). Qt-free: the flow hands in plain values.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Hashable
from dataclasses import asdict
from typing import Any

from desktop_editor.core.params import EditParams
from desktop_editor.jobs.model import JobOptions

REPEAT_WINDOW_S = 120.0
_KEPT = 50


def edit_fingerprint(
    document: Hashable, image: object, mask_revision: int | None, params: EditParams, options: JobOptions,
    references: tuple = (),
) -> str:
    """A digest of everything that makes two sends the same paid edit.

    The image counts by identity (a document's pixels are replaced, never changed in place),
    the mask by the document's revision of it (None: sent without one).
    """
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{id(document)}:{id(image)}:{mask_revision}".encode())
    described: dict[str, Any] = {"params": params.to_dict(), "options": asdict(options), "refs": [str(r) for r in references]}
    digest.update(json.dumps(described, sort_keys=True, default=str).encode())
    return digest.hexdigest()


class RepeatGuard:
    """Remembers when each recent edit was sent; says whether one was sent a moment ago."""

    def __init__(self, window_s: float = REPEAT_WINDOW_S, clock=time.monotonic):
        self.window_s = window_s
        self._clock = clock
        self._sent: dict[str, float] = {}

    def seconds_since(self, fingerprint: str) -> float | None:
        """How long ago the same edit was sent, if within the window; else None."""
        sent = self._sent.get(fingerprint)
        if sent is None:
            return None
        ago = self._clock() - sent
        return ago if ago <= self.window_s else None

    def remember(self, fingerprint: str) -> None:
        self._sent[fingerprint] = self._clock()
        if len(self._sent) > _KEPT:
            for old in sorted(self._sent, key=self._sent.get)[: len(self._sent) - _KEPT]:
                del self._sent[old]
