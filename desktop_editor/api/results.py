"""Downloading a finished run's results: each one streamed to a file, checked, then handed over.

Every result is fetched into a folder (the job's, when the caller names one), so a retried or
huge download never piles up in memory, and is judged by its bytes (`result_check`) before it is
called a result. One that fails is kept aside in that folder under an `unreadable-` name and
reported in a BadResultError together with the results that passed: the run is over on the
service, so nothing is sent again and nothing is waited for.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import requests
from PIL import Image

from desktop_editor.api.download import (
    DownloadLimits,
    ExpiredLinkError,
    RefusedLinkError,
    TooLargeError,
    TooSlowError,
    stream_to_file,
)
from desktop_editor.api.config import ClientConfig
from desktop_editor.api.errors import BadResultError, DownloadError
from desktop_editor.api.image_bytes import from_data_uri
from desktop_editor.api.result_check import ResultCheckError, check_result_file
from desktop_editor.core.cpu import image_work
from desktop_editor.core.filenames import safe_filename

log = logging.getLogger(__name__)

_NOT_RETRIED = (ExpiredLinkError, RefusedLinkError, TooLargeError, TooSlowError)


@dataclass(frozen=True)
class ResultImage:
    """One downloaded, checked result: its bytes as the service made them and a safe file name
    whose extension is what the bytes are (never what a header called them)."""

    index: int
    data: bytes
    content_type: str | None
    file_name: str
    # The picture as the check decoded it, when that is what opening the bytes gives
    # (`result_check.plain_pixels`): compositing it needs no second decode.
    pixels: Image.Image | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class RejectedResult:
    """A result that is not a usable image: why, and where its raw bytes were kept."""

    index: int
    reason: str
    kept: Path | None


def default_download_folder() -> Path:
    """Where downloads go when the caller names no folder (a script using the client directly)."""
    path = Path(tempfile.gettempdir()) / "desktop-editor-downloads"
    path.mkdir(parents=True, exist_ok=True)
    return path


class DownloadingClient(Protocol):
    """What the fetcher needs of the client (RunflowClient): its settings, this thread's
    session, its pause between attempts and its abort signal."""

    config: ClientConfig

    @property
    def aborted(self) -> threading.Event: ...

    def session(self) -> requests.Session: ...

    def pause(self, delay: float, cancel: threading.Event | None = None, *, run_id: str | None = None,
              message: str = "") -> None: ...

    def backoff(self, attempt: int, retry_after: float | None) -> float: ...


class ResultFetcher:
    """Fetches the results of one run (or direct answer) into `folder` for one client."""

    def __init__(self, client: DownloadingClient, *, run_id: str | None, folder: Path | None,
                 cancel: threading.Event | None, limits: DownloadLimits):
        self.client = client
        self.run_id = run_id
        self.folder = folder if folder is not None else default_download_folder()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.cancel = cancel
        self.limits = limits

    def fetch(self, url: str, index: int, file_name: str | None) -> ResultImage | RejectedResult:
        """The checked result behind `url`, or why it is not one (its bytes kept aside).

        Raises ExpiredLinkError / RefusedLinkError (the link, not the image), DownloadError or
        TooSlowError (the run stays resumable), WaitAborted.
        """
        part = self.folder / f".download-{index + 1}-{uuid.uuid4().hex[:8]}.part"
        try:
            try:
                self._download(url, part)
            except TooLargeError as exc:
                return RejectedResult(index, str(exc), None)
            try:
                with image_work():
                    checked = check_result_file(part)
            except ResultCheckError as exc:
                return RejectedResult(index, str(exc), self._keep_aside(part, index))
            data = part.read_bytes()
        finally:
            part.unlink(missing_ok=True)
        stem = f"{str(self.run_id or 'direct')[:8]}-{index + 1}"
        if file_name:
            stem = safe_filename(file_name, default=stem).rsplit(".", 1)[0] or stem
        return ResultImage(index=index, data=data, content_type=checked.content_type,
                           file_name=f"{stem}.{checked.extension}", pixels=checked.pixels)

    def _download(self, url: str, dest: Path) -> None:
        if url.startswith("data:"):
            data, _ = from_data_uri(url)
            if len(data) > self.limits.max_bytes:
                raise TooLargeError(f"The result is larger than any image should be ({len(data)} bytes).")
            dest.write_bytes(data)
            return
        if url.partition(":")[0].lower() not in ("http", "https"):
            raise RefusedLinkError("The service gave a result address that is not http(s).")
        config = self.client.config
        stops = tuple(e for e in (self.cancel, self.client.aborted) if e is not None)
        last: Exception | None = None
        for attempt in range(config.max_retries + 1):
            if attempt:
                self.client.pause(self.client.backoff(attempt - 1, None), self.cancel, run_id=self.run_id,
                                  message="Stopped downloading; resume the job to fetch the result.")
            try:
                stream_to_file(self.client.session(), url, dest, timeouts=(config.connect_timeout, config.read_timeout),
                               limits=self.limits, stops=stops, run_id=self.run_id)
                return
            except _NOT_RETRIED:
                raise
            except (requests.RequestException, DownloadError) as exc:
                last = exc
                log.warning("download attempt %d failed: %s", attempt + 1, exc)
        raise DownloadError(f"The result could not be downloaded ({last}).")

    def _keep_aside(self, part: Path, index: int) -> Path | None:
        """The rejected bytes under a name that says so, beside the job's other files."""
        kept = self.folder / f"unreadable-result-{index + 1}-{uuid.uuid4().hex[:6]}.bin"
        try:
            os.replace(part, kept)
        except OSError:
            log.warning("could not keep the unreadable result of run %s", self.run_id, exc_info=True)
            return None
        return kept


def split_results(found: list[ResultImage | RejectedResult], *, run_id: str | None,
                  raw_answer: object) -> list[ResultImage]:
    """The usable results; BadResultError (carrying them) when any result was rejected."""
    good = [r for r in found if isinstance(r, ResultImage)]
    bad = [r for r in found if isinstance(r, RejectedResult)]
    if not bad:
        return good
    first = bad[0].reason
    if len(found) == 1:
        message = f"The run finished, but its result is not a usable image. {first}"
    else:
        message = f"The run finished, but {len(bad)} of its {len(found)} results are not usable images. {first}"
    raise BadResultError(message, run_id=run_id, raw_answer=raw_answer, results=good, rejected=bad)
