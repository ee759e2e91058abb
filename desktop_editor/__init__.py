"""Desktop Editor: precise, masked AI image edits with the Runflow GPT Image 2 Edit model.

`__version__` is read from the installed package's metadata when first asked for (PEP 562):
importing `importlib.metadata` and finding the distribution took 70-90 ms of every start, before
the window's first paint, which does not show the version.
"""

from __future__ import annotations

_version: str | None = None


def __getattr__(name: str) -> str:
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    global _version
    if _version is None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            _version = version("desktop-editor")
        except PackageNotFoundError:  # running from a source tree that was never installed
            _version = "0.0.0+source"
    return _version
