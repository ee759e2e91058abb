"""Copies of a camera-size mask made on the window's thread without waiting for fresh memory.

Generate copies the mask it sends. The first copy of a 45 MP mask into newly mapped memory took
the window's thread 61-89 ms (the system providing 11,000 fresh pages), a stall the designer
feels the moment they press Generate; into memory already touched it takes 5 ms. So one spare
array of the shape last asked for is kept ready, made on a background thread (filling it
releases the GIL), and replaced after each use. It costs one byte per pixel of one image.
"""

from __future__ import annotations

import threading

import numpy as np


class SpareMasks:
    """One ready array of the latest shape asked for; made again in the background once taken."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._shape: tuple[int, int] | None = None
        self._ready: np.ndarray | None = None
        self._making = False

    def prepare(self, shape: tuple[int, int]) -> None:
        """Have an array of `shape` ready soon (an earlier shape's spare is dropped)."""
        with self._lock:
            if self._shape != shape:
                self._shape, self._ready = shape, None
            if self._ready is not None or self._making:
                return
            self._making = True
        threading.Thread(target=self._make, args=(shape,), name="spare-mask", daemon=True).start()

    def copy(self, mask: np.ndarray) -> np.ndarray:
        """An independent copy of `mask` (uint8, C order), into the spare when one is ready."""
        shape = (int(mask.shape[0]), int(mask.shape[1]))
        with self._lock:
            spare = self._ready if self._shape == shape and mask.ndim == 2 else None
            self._ready = None if spare is not None else self._ready
        if spare is None:
            out = np.array(mask, dtype=np.uint8, order="C", copy=True)
        else:
            np.copyto(spare, mask)
            out = spare
        self.prepare(shape)
        return out

    def _make(self, shape: tuple[int, int]) -> None:
        made = np.empty(shape, np.uint8)
        made[...] = 0  # touch every page now, with the GIL released
        with self._lock:
            self._making = False
            if self._shape == shape and self._ready is None:
                self._ready = made
                return
            wanted = self._shape
        if wanted is not None and wanted != shape:  # asked for another shape meanwhile
            self.prepare(wanted)

    def ready(self) -> bool:
        """Whether a spare is waiting (tests)."""
        with self._lock:
            return self._ready is not None


spare_masks = SpareMasks()
