"""The Runflow client (requests, no Qt): usable from the app, the command line or a script.

Names are imported on first use, so importing a submodule (or `desktop_editor.jobs.settings`)
does not pay for `requests` at start-up.
"""

from importlib import import_module

_EXPORTS = {
    "ClientConfig": "desktop_editor.api.config",
    "DEFAULT_BASE_URL": "desktop_editor.api.config",
    "OutputImage": "desktop_editor.api.runs",
    "ResultImage": "desktop_editor.api.results",
    "Run": "desktop_editor.api.runs",
    "RunflowClient": "desktop_editor.api.client",
    "from_data_uri": "desktop_editor.api.image_bytes",
    "parse_output_images": "desktop_editor.api.runs",
    "to_data_uri": "desktop_editor.api.image_bytes",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'desktop_editor.api' has no attribute {name!r}")
