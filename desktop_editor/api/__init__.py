"""The Runflow client (requests, no Qt): usable from the app, the command line or a script."""

from desktop_editor.api.client import ResultImage, RunflowClient, from_data_uri, to_data_uri
from desktop_editor.api.config import DEFAULT_BASE_URL, ClientConfig
from desktop_editor.api.runs import OutputImage, Run, parse_output_images

__all__ = [
    "ClientConfig",
    "DEFAULT_BASE_URL",
    "OutputImage",
    "ResultImage",
    "Run",
    "RunflowClient",
    "from_data_uri",
    "parse_output_images",
    "to_data_uri",
]
