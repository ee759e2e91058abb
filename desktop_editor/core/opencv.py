"""OpenCV, imported the first time it is used instead of while the window starts.

`import cv2` costs ~60 ms even with numpy loaded, and nothing needs it until the designer
fills, selects or refines: `from desktop_editor.core.opencv import cv2` gives an object that
imports the real module on first attribute access. The app calls `preload()` after its first
paint, so the first use does not pay the import on the window's thread either.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any


class _OpenCV:
    """Stands for the `cv2` module; every attribute comes from the real one."""

    _module: ModuleType | None = None

    def __getattr__(self, name: str) -> Any:
        module = _OpenCV._module
        if module is None:
            import cv2 as module  # a plain import, so the bundler's analysis still finds OpenCV

            _OpenCV._module = module
        return getattr(module, name)


cv2: Any = _OpenCV()


def preload(then: Callable[[], None] | None = None) -> threading.Thread:
    """Import OpenCV, and numpy's masked arrays, on a background thread now (returns the thread),
    then call `then` on that thread.

    numpy imports `numpy.ma` the first time `np.unique` runs (select object's tidying does):
    40 ms holding the GIL, which would freeze the window once in the middle of a selection.
    """

    def load() -> None:
        import numpy.ma  # noqa: F401 - imported for its side effect

        _ = cv2.__version__
        if then is not None:
            then()

    thread = threading.Thread(target=load, name="preload-opencv", daemon=True)
    thread.start()
    return thread
