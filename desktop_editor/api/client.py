"""The Runflow client: plain methods, typed results, careful retries. No Qt, usable from a script.

Money decides the retry rules. Reads (polls, downloads) are always safe to repeat. A create is
repeated only when the service clearly did not take it (429, 503, or no connection was ever
made); when the request may have reached the service (read timeout, dropped connection,
500/502/504, an unreadable 2xx) the client raises OutcomeUnknownError with the client_ref and
never sends it again by itself.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from contextlib import nullcontext
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote, urlsplit

import requests
import urllib3

from desktop_editor.api.config import ClientConfig, is_cleartext_remote
from desktop_editor.api.errors import (
    DownloadError,
    OutcomeUnknownError,
    RateLimitedError,
    ResponseFormatError,
    RunFailedError,
    RunflowError,
    RunTimeoutError,
    ServiceUnavailableError,
    ServiceUnreachableError,
    UnreadableAnswerError,
    WaitAborted,
    error_from_response,
)
from desktop_editor.api.download import ExpiredLinkError, RefusedLinkError
from desktop_editor.api.image_bytes import to_data_uri
from desktop_editor.api.interrupt import SocketRegistry, interrupt_on, tracked_session
from desktop_editor.api.results import RejectedResult, ResultFetcher, ResultImage, split_results
from desktop_editor.api.runs import (
    Run,
    find_image_links,
    parse_output_images,
    run_id_of,
)

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 52_428_800
MAX_RETRY_AFTER = 120.0
RENEWALS = 3  # fresh URLs fetched for one image before giving up (the run, and the job, stay resumable)
_UNREADABLE = "The run finished, but its answer held no image we could read"


class RunflowClient:
    """Speaks the Runflow HTTP API. Thread-safe: each thread gets its own connection pool."""

    def __init__(self, config: ClientConfig | None = None, *, user_agent: str = "desktop-editor"):
        self.config = (config or ClientConfig.from_env()).validated()
        self._local = threading.local()
        self._user_agent = user_agent
        self._aborted = threading.Event()
        if is_cleartext_remote(self.config.base_url):  # allowed on purpose, or validated() refused it
            log.warning("the API key goes unencrypted to %s (plain http allowed on purpose)", self.config.base_url)

    def __repr__(self) -> str:
        return f"RunflowClient(base_url={self.config.base_url!r})"

    # ----- plumbing -------------------------------------------------------------------------

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            self._local.sockets = SocketRegistry()
            session = tracked_session(self._local.sockets)
            session.trust_env = False  # no proxy or netrc credentials sneaking in
            session.headers["User-Agent"] = self._user_agent
            self._local.session = session
        return session

    def close(self) -> None:
        session = getattr(self._local, "session", None)
        if session is not None:
            session.close()
            self._local.session = None

    def abort(self) -> None:
        """Stop every wait of this client at once: each pause between attempts, now or later,
        raises WaitAborted (the app is quitting; nothing is left waiting for a retry)."""
        self._aborted.set()

    def _pause(self, delay: float, cancel: threading.Event | None = None, *, run_id: str | None = None,
               message: str = "Stopped waiting.") -> None:
        """Sleep between attempts; WaitAborted as soon as `cancel` is set or the client aborted."""
        event = cancel if cancel is not None else self._aborted
        if self._aborted.is_set() or event.wait(delay) or self._aborted.is_set():
            raise WaitAborted(message, run_id=run_id)

    def _interruptible(self, cancel: threading.Event | None):
        """A context in which this thread's requests end at once when `cancel` is set or the
        client aborted (never used around a create: see api.interrupt)."""
        self._session()
        stops = (self._aborted,) if cancel is None else (cancel, self._aborted)
        return interrupt_on(stops, self._local.sockets)

    def _url(self, path: str) -> str:
        return self.config.base_url.rstrip("/") + path

    def _api_headers(self) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.config.api_key}", "Accept": "application/json"}
        if self.config.organization_id:
            headers["X-Organization-Id"] = self.config.organization_id
        return headers

    def _is_api_url(self, url: str) -> bool:
        parts = urlsplit(url)
        return (parts.scheme, parts.netloc.lower()) == self.config.api_origin

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(MAX_RETRY_AFTER, retry_after) + random.uniform(0, self.config.backoff_base)
        cap = min(self.config.backoff_max, self.config.backoff_base * (2**attempt))
        return random.uniform(cap / 2, cap)  # exponential backoff with jitter

    @staticmethod
    def _retry_after(response: requests.Response) -> float | None:
        value = response.headers.get("Retry-After")
        if not value:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            from email.utils import parsedate_to_datetime

            try:
                return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
            except (TypeError, ValueError):
                return None

    @staticmethod
    def _never_connected(exc: requests.RequestException) -> bool:
        """True when the request provably never reached the service (so a create is safe to resend)."""
        if isinstance(exc, requests.ConnectTimeout):
            return True
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        return isinstance(reason, urllib3.exceptions.NewConnectionError)

    def _request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        paid: bool = False,
        client_ref: str | None = None,
        cancel: threading.Event | None = None,
        read_timeout: float | None = None,
    ) -> Any:
        """One API call with the retry rules above; returns the parsed JSON body."""
        url = self._url(path)
        attempts = self.config.max_retries + 1
        last_error: RunflowError | None = None
        for attempt in range(attempts):
            if attempt:
                delay = self._backoff(attempt - 1, last_error.retry_after if last_error else None)
                log.info("retrying %s %s in %.1fs (%s)", method, path, delay, last_error)
                self._pause(delay, cancel)  # a create retried here was provably not taken
            try:
                with nullcontext() if paid else self._interruptible(cancel):
                    response = self._session().request(
                        method,
                        url,
                        json=body,
                        headers=self._api_headers(),
                        timeout=(self.config.connect_timeout, read_timeout or self.config.read_timeout),
                        allow_redirects=False,
                    )
                    if not paid:
                        response.content  # read here, where a stop still cuts it off
            except requests.RequestException as exc:
                if paid and not self._never_connected(exc):
                    raise self._unknown(client_ref, "the connection broke before the service answered") from exc
                last_error = ServiceUnreachableError(
                    f"Cannot reach the Runflow service at {self.config.base_url} ({type(exc).__name__})."
                )
                continue
            status = response.status_code
            if 200 <= status < 300:
                try:
                    return response.json() if response.content else {}
                except ValueError as exc:
                    if paid:
                        raise self._unknown(client_ref, "the service's answer could not be read") from exc
                    last_error = ResponseFormatError("The service sent an answer that is not valid JSON.")
                    continue
            parsed = self._json_or_none(response)
            error = error_from_response(status, parsed, retry_after=self._retry_after(response))
            if status == 429:
                last_error = error
                continue
            if status >= 500:
                if paid and status != 503:
                    raise self._unknown(client_ref, f"the service answered HTTP {status}") from error
                last_error = error
                continue
            raise error
        assert last_error is not None
        if isinstance(last_error, RateLimitedError):
            last_error.message = f"{last_error.message} (still rate limited after {attempts} attempts)"
        raise last_error

    @staticmethod
    def _json_or_none(response: requests.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            return None

    @staticmethod
    def _unknown(client_ref: str | None, why: str, raw_answer: object = None) -> OutcomeUnknownError:
        return OutcomeUnknownError(
            f"The edit may have been accepted and charged: {why}. It was not sent again. "
            f"Reference: {client_ref}.",
            client_ref,
            raw_answer=raw_answer,
        )

    # ----- account --------------------------------------------------------------------------

    def check_key(self) -> dict:
        """The account behind the key (GET /v1/auth/me); raises AuthError for a bad key."""
        return self._request("GET", "/v1/auth/me")

    # ----- runs -----------------------------------------------------------------------------

    @staticmethod
    def new_client_ref() -> str:
        return f"de-{uuid.uuid4()}"

    def create_run(
        self,
        model: str,
        model_input: dict,
        *,
        client_ref: str | None = None,
        metadata: dict | None = None,
        cancel: threading.Event | None = None,
    ) -> Run:
        """Start a run (run style). Paid: see the module docstring for what happens on failure.

        `cancel` (or `abort`) stops the retries of a create the service clearly did not take
        (429, 503, no connection) with WaitAborted: nothing was created then."""
        client_ref = client_ref or self.new_client_ref()
        body: dict[str, Any] = {"input": model_input, "client_ref": client_ref}
        if metadata:
            body["metadata"] = metadata
        data = self._request(
            "POST", f"/v1/models/{quote(model)}/runs", body=body, paid=True, client_ref=client_ref, cancel=cancel
        )
        if run_id_of(data) is None:
            raise self._unknown(client_ref, "the service's answer named no run (neither id nor run_id)", data)
        return Run.from_json(data)

    def get_run(self, run_id: str, *, cancel: threading.Event | None = None) -> Run:
        """The run as the service describes it now (a poll: safe to repeat, stopped by `cancel`)."""
        data = self._request("GET", f"/v1/runs/{quote(run_id)}", cancel=cancel)
        if not isinstance(data, dict):
            raise ResponseFormatError("The service described the run in an unexpected form.")
        return Run.from_json(data, run_id=run_id)

    def wait_for_run(
        self,
        run_id: str,
        *,
        timeout: float | None = None,
        poll_interval: float | None = None,
        on_update: Callable[[Run], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Run:
        """Poll until the run ends. Returns a succeeded (or partially succeeded) run.

        Passing trouble on the road (unreachable, 5xx, unreadable answers) does not end the wait:
        the run is paid for and still exists, so polling goes on until `timeout`. So does a
        status no source names: `on_update` hears it as it is, and the next poll may say more.

        Raises:
            RunFailedError: the run failed, errored or was canceled by the service.
            RunTimeoutError: `timeout` passed; the run may still finish.
            WaitAborted: `cancel` was set.
        """
        timeout = self.config.wait_timeout if timeout is None else timeout
        interval = self.config.poll_interval if poll_interval is None else poll_interval
        deadline = time.monotonic() + timeout
        while True:
            try:
                run = self.get_run(run_id, cancel=cancel)
            except WaitAborted:  # stopped mid-poll (or between its retries)
                raise WaitAborted("Stopped waiting. The service may still finish and charge this edit.",
                                  run_id=run_id) from None
            except (ServiceUnavailableError, ServiceUnreachableError, ResponseFormatError, RateLimitedError) as exc:
                log.warning("poll of run %s failed, will keep waiting: %s", run_id, exc)
            else:
                if on_update is not None:
                    on_update(run)
                if run.is_terminal:
                    return self.check_terminal(run)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RunTimeoutError(
                    f"Run {run_id} is still not finished after {timeout:.0f} s. It may still finish "
                    "and be charged on the service.",
                    run_id=run_id,
                )
            self._pause(min(interval, remaining), cancel, run_id=run_id,
                        message="Stopped waiting. The service may still finish and charge this edit.")

    @staticmethod
    def check_terminal(run: Run) -> Run:
        """The run itself if it succeeded; RunFailedError for failed, errored and canceled runs."""
        if run.succeeded:
            return run
        if run.canceled:
            message = run.failure_message or "The service canceled the run."
        else:
            fallback = "The run ended with an error on the service." if run.status == "errored" else "The run failed on the service."
            message = run.failure_message or fallback
            if run.failure_code:
                message = f"{message} ({run.failure_code})"
        raise RunFailedError(message, run_id=run.id, run_status=run.status, failure_code=run.failure_code)

    def run_direct(self, model: str, model_input: dict, *, client_ref: str | None = None) -> Any:
        """The synchronous direct style (compatibility mode): flat body, answer holds the images.

        The model path drops the `openai/` vendor prefix, as the product pages show it. Any 2xx
        answer means the edit ran: it is returned as parsed, whatever its shape, and
        `results_from_direct` finds the images in it (or says it holds none).
        """
        client_ref = client_ref or self.new_client_ref()
        route = model.split("/", 1)[1] if model.startswith("openai/") else model
        # The answer only comes when the edit is done: wait as long as a whole run may take.
        data = self._request(
            "POST",
            f"/v1/run/{route}",
            body=model_input,
            paid=True,
            client_ref=client_ref,
            read_timeout=max(self.config.read_timeout, self.config.wait_timeout),
        )
        return data

    # ----- uploads --------------------------------------------------------------------------

    def upload_asset(self, data: bytes, *, filename: str, mime_type: str, cancel: threading.Event | None = None) -> str:
        """The three-step asset upload; returns the URL to pass to the model. `cancel` (or
        `abort`) ends it within a fraction of a second with WaitAborted: nothing is charged."""
        if len(data) > MAX_UPLOAD_BYTES:
            raise RunflowError(f"{filename} is {len(data) / 2**20:.1f} MiB; the service takes at most 50 MiB.")
        slot = self._request(
            "POST",
            "/v1/asset-uploads",
            body={"filename": filename, "mime_type": mime_type, "size_bytes": len(data)},
            cancel=cancel,
        )
        try:
            asset_id, upload_url = slot["asset_id"], slot["upload_url"]
        except (KeyError, TypeError) as exc:
            raise ResponseFormatError("The service's upload answer had no asset_id/upload_url.") from exc
        self._put_upload(upload_url, data, mime_type, cancel)
        confirmed = self._request("POST", f"/v1/asset-uploads/{quote(str(asset_id))}/confirmations", body={},
                                  cancel=cancel)
        url = confirmed.get("url") if isinstance(confirmed, dict) else None
        if not isinstance(url, str) or not url:
            raise ResponseFormatError("The service confirmed the upload without a URL.")
        return url

    def _put_upload(self, upload_url: str, data: bytes, mime_type: str, cancel: threading.Event | None = None) -> None:
        """PUT to the presigned URL: no Authorization header, Content-Type exactly as declared."""
        last: Exception | None = None
        for attempt in range(self.config.max_retries + 1):
            if attempt:
                self._pause(self._backoff(attempt - 1, None), cancel, message="Stopped uploading.")
            try:
                with self._interruptible(cancel):
                    response = self._session().put(
                        upload_url,
                        data=data,
                        headers={"Content-Type": mime_type},
                        timeout=(self.config.connect_timeout, max(self.config.read_timeout, 120.0)),
                        allow_redirects=False,
                    )
            except requests.RequestException as exc:
                last = exc
                continue
            if response.ok:
                return
            if response.status_code in (429,) or response.status_code >= 500:
                last = RunflowError(f"upload answered HTTP {response.status_code}")
                continue
            raise RunflowError(f"The upload was refused (HTTP {response.status_code}): {response.text[:200]}")
        raise ServiceUnreachableError(f"The upload did not go through after several attempts ({last}).")

    def media_url(self, data: bytes, *, filename: str, mime_type: str, cancel: threading.Event | None = None) -> str:
        """A URL the model can read: an inline data URI when small, an uploaded asset otherwise.

        The limit is low on purpose (ClientConfig.inline_limit): the create is the one request
        whose fate can be unknown, and it stays open while its body travels. Uploads are free
        to retry, so anything bigger than a small mask goes that way and the create stays short.
        """
        if len(data) * 4 / 3 <= self.config.inline_limit:
            return to_data_uri(data, mime_type)
        return self.upload_asset(data, filename=filename, mime_type=mime_type, cancel=cancel)

    # ----- results --------------------------------------------------------------------------

    @property
    def aborted(self) -> threading.Event:
        """Set once `abort` was called: every download of this client watches it too."""
        return self._aborted

    def session(self) -> requests.Session:
        """This thread's HTTP session (for result downloads, which carry no API key)."""
        return self._session()

    def pause(self, delay: float, cancel: threading.Event | None = None, *, run_id: str | None = None,
              message: str = "Stopped waiting.") -> None:
        """Sleep between attempts; WaitAborted as soon as `cancel` is set or the client aborted."""
        self._pause(delay, cancel, run_id=run_id, message=message)

    def backoff(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before retry `attempt + 1`."""
        return self._backoff(attempt, retry_after)

    def _fetcher(self, run_id: str | None, folder: Path | None, cancel: threading.Event | None) -> ResultFetcher:
        return ResultFetcher(self, run_id=run_id, folder=folder, cancel=cancel, limits=self.config.download_limits)

    def fetch_results(self, run: Run, *, cancel: threading.Event | None = None,
                      folder: Path | None = None) -> list[ResultImage]:
        """Download and check every image of a finished run at once (URLs expire).

        Each image is streamed into `folder` (the job's own, for a job) and checked before it is
        called a result (`result_check`). An expired URL (403/404) is renewed by fetching the run
        again, a few times per image. An answer in no known shape is searched whole (`_salvage`).

        Raises:
            BadResultError: the run succeeded but a result is not a usable image (kept aside).
            UnreadableAnswerError: the run succeeded but its answer holds no image we can read.
            DownloadError: an image could not be fetched (the run stays resumable).
            WaitAborted: `cancel` was set (or the client aborted) during a download.
        """
        images = run.images
        fetcher = self._fetcher(run.id, folder, cancel)
        if not images:
            return self._salvage(run.output, run.raw, run.id, fetcher, renew=lambda: self.get_run(run.id).output)
        found: list[ResultImage | RejectedResult] = []
        for index, image in enumerate(images):
            for renewal in range(RENEWALS + 1):
                try:
                    found.append(fetcher.fetch(image.url, index, image.file_name))
                    break
                except ExpiredLinkError as exc:
                    if renewal == RENEWALS:
                        raise DownloadError(f"The result URL kept expiring after renewing it ({exc}).") from None
                    fresh = self.get_run(run.id, cancel=cancel).images
                    if index >= len(fresh):
                        raise DownloadError("A result URL expired and the service no longer lists that image.") from None
                    image = fresh[index]
        return split_results(found, run_id=run.id, raw_answer=run.raw)

    def results_from_direct(self, answer: Any, *, folder: Path | None = None,
                            cancel: threading.Event | None = None) -> list[ResultImage]:
        """Download the images of a direct-style answer (no run to renew URLs from)."""
        request_id = answer.get("request_id") if isinstance(answer, dict) else None
        images = parse_output_images(answer)
        fetcher = self._fetcher(request_id, folder, cancel)
        if not images:
            return self._salvage(answer, answer, request_id, fetcher, renew=None)
        found: list[ResultImage | RejectedResult] = []
        for index, image in enumerate(images):
            try:
                found.append(fetcher.fetch(image.url, index, image.file_name))
            except ExpiredLinkError as exc:
                raise DownloadError(f"A result URL had already expired ({exc}).") from None
        return split_results(found, run_id=request_id, raw_answer=answer)

    def _salvage(
        self,
        output: Any,
        raw: Any,
        run_id: str | None,
        fetcher: ResultFetcher,
        *,
        renew: Callable[[], Any] | None,
    ) -> list[ResultImage]:
        """Every image found anywhere in an answer of no known shape, else UnreadableAnswerError.

        Each link is fetched (without the API key, like every download) and kept only when its
        bytes pass the result check. A link that answers 403/404 may have expired: the run is
        fetched once more and searched again. When nothing was found and a link could not be
        fetched at all, DownloadError is raised: the run exists, so the job can go on later
        without paying twice.
        """
        for attempt in range(2):
            results: list[ResultImage] = []
            expired = False
            unreachable: DownloadError | None = None
            for image in find_image_links(output):
                try:
                    found = fetcher.fetch(image.url, len(results), None)
                except ExpiredLinkError:
                    expired = True
                    continue
                except RefusedLinkError:
                    continue  # a definite "no": whatever it points to, it is not our image
                except DownloadError as exc:
                    if not image.url.startswith("data:"):  # a broken data URI is simply not an image
                        unreachable = exc
                    continue
                if isinstance(found, RejectedResult):
                    log.info("a link in run %s's answer is not an image; skipped", run_id)
                    if found.kept is not None:
                        found.kept.unlink(missing_ok=True)  # a guess that missed, not a paid result
                    continue
                results.append(found)
            if results:
                log.warning("run %s answered in an unknown shape; %d image(s) found by searching it", run_id, len(results))
                return results
            if unreachable is not None:
                raise DownloadError(f"A link in the service's answer could not be fetched ({unreachable}).")
            if not expired or renew is None or attempt:
                break
            output = renew()
        raise UnreadableAnswerError(f"{_UNREADABLE}.", run_id=run_id, raw_answer=raw)
