"""Desktop Editor: precise, masked AI image edits with the Runflow GPT Image 2 Edit model."""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

try:
    __version__ = _version("desktop-editor")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
