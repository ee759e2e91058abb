"""One exception hierarchy for everything the Runflow service (or the road to it) can say.

Each class maps a row of the error table in runflow-api.md, so callers decide by type
(retry, ask for a key, show the balance problem) and show `str(exc)` to the designer.
No exception ever carries the API key.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class RunflowError(Exception):
    """Base of every client error; str() is one human sentence."""

    def __init__(
        self, message: str, *, status: int | None = None, code: str | None = None, retry_after: float | None = None
    ):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.retry_after = retry_after  # seconds the service asked us to wait, when it said

    def __str__(self) -> str:
        return self.message


class ConfigurationError(RunflowError):
    """The client cannot be used as configured (no API key, bad base URL)."""


class BadRequestError(RunflowError):
    """400: the service could not understand the request."""


class AuthError(RunflowError):
    """401: the API key is missing or wrong."""


class InsufficientCreditError(RunflowError):
    """402: the account has no credit left for this edit."""


class PermissionDeniedError(RunflowError):
    """403: the key may not do this (or the account e-mail is not verified)."""


class NotFoundError(RunflowError):
    """404: the run or model does not exist (any more)."""


class ValidationError(RunflowError):
    """422: the service rejected the inputs; `field_errors` says which and why."""

    def __init__(self, message: str, field_errors: list[FieldError] | None = None, **kw):
        super().__init__(message, **kw)
        self.field_errors = list(field_errors or [])


class RateLimitedError(RunflowError):
    """429 that outlasted our retries."""


class ServiceUnavailableError(RunflowError):
    """5xx (or 503 MODEL_UNAVAILABLE) that outlasted our retries."""


class ServiceUnreachableError(RunflowError):
    """No connection could be made to the service (offline, DNS, refused)."""


class ResponseFormatError(RunflowError):
    """The service answered with something that is not the documented JSON."""


class OutcomeUnknownError(RunflowError):
    """A create may or may not have been accepted (and charged); it is never re-sent automatically.

    `client_ref` identifies the attempt so the designer (or support) can find it.
    """

    def __init__(self, message: str, client_ref: str | None, *, raw_answer: object = None, **kw):
        super().__init__(message, **kw)
        self.client_ref = client_ref
        self.raw_answer = raw_answer  # what the service did say, when it said something we could not use


class RunFailedError(RunflowError):
    """The run ended without images: failed, or canceled by the service."""

    def __init__(self, message: str, *, run_id: str, run_status: str, failure_code: str | None = None, **kw):
        super().__init__(message, code=failure_code, **kw)
        self.run_id = run_id
        self.run_status = run_status
        self.failure_code = failure_code


class UnreadableAnswerError(RunflowError):
    """The run finished (and may be charged), but no image could be found in its answer.

    Not a failure of the road: sending again would pay twice, and waiting changes nothing.
    `raw_answer` is the whole answer as parsed JSON, kept so the designer (or support) can read it.
    """

    def __init__(self, message: str, *, run_id: str | None, raw_answer: object, **kw):
        super().__init__(message, **kw)
        self.run_id = run_id
        self.raw_answer = raw_answer


class BadResultError(UnreadableAnswerError):
    """The run finished, but one or more of its downloaded results is not a usable image.

    `results` holds the results that did pass (saved like any other), `rejected` each one that
    did not: its index, why, and where its raw bytes were kept (None when none were read).
    """

    def __init__(self, message: str, *, run_id: str | None, raw_answer: object, results: list, rejected: list, **kw):
        super().__init__(message, run_id=run_id, raw_answer=raw_answer, **kw)
        self.results = results
        self.rejected = rejected


class RunTimeoutError(RunflowError):
    """We stopped waiting; the run may still finish (and be charged) on the service."""

    def __init__(self, message: str, *, run_id: str, **kw):
        super().__init__(message, **kw)
        self.run_id = run_id


class DownloadError(RunflowError):
    """A result image could not be fetched (expired URL, broken transfer, not an image)."""


class WaitAborted(RunflowError):
    """The caller asked to stop waiting; the run may still finish on the service."""

    def __init__(self, message: str, *, run_id: str | None = None):
        super().__init__(message)
        self.run_id = run_id


_BY_STATUS: dict[int, type[RunflowError]] = {
    400: BadRequestError,
    401: AuthError,
    402: InsufficientCreditError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: ValidationError,
    429: RateLimitedError,
}

_ADVICE: dict[type[RunflowError], str] = {
    AuthError: "Check the API key in Settings (or RUNFLOW_API_KEY).",
    InsufficientCreditError: "Add credit to your Runflow account, then try again.",
    PermissionDeniedError: "This key is not allowed to do that; check the account or organization.",
    RateLimitedError: "The service is busy; try again in a minute.",
    ServiceUnavailableError: "The service is having trouble; try again later.",
}


def advice_for(exc: RunflowError) -> str:
    """What the designer can do about an error, or '' when there is nothing to add."""
    for cls, text in _ADVICE.items():
        if isinstance(exc, cls):
            return text
    return ""


def error_from_response(status: int, body: object, *, retry_after: float | None = None) -> RunflowError:
    """Build the matching exception from an error response's status and parsed JSON body."""
    code = message = None
    field_errors: list[FieldError] = []
    if isinstance(body, dict):
        code = body.get("code") if isinstance(body.get("code"), str) else None
        nested = body.get("error") if isinstance(body.get("error"), dict) else {}
        for candidate in (body.get("message"), body.get("detail"), nested.get("message")):
            if isinstance(candidate, str) and candidate.strip():
                message = candidate.strip()
                break
        for item in body.get("errors") or []:
            if isinstance(item, dict):
                field = str(item.get("field") or item.get("loc") or item.get("path") or "")
                text = str(item.get("message") or item.get("msg") or item)
                field_errors.append(FieldError(field, text))
            else:
                field_errors.append(FieldError("", str(item)))
    cls = _BY_STATUS.get(status) or (ServiceUnavailableError if status >= 500 else RunflowError)
    if not message:
        message = {
            401: "The API key was refused.",
            402: "Your Runflow account does not have enough credit.",
            403: "Permission denied.",
            404: "Not found.",
            422: "The service rejected the request.",
            429: "Too many requests.",
        }.get(status, f"The service answered with HTTP {status}.")
    if field_errors and cls is ValidationError:
        details = "; ".join(f"{e.field}: {e.message}" if e.field else e.message for e in field_errors)
        message = f"{message} ({details})"
    if cls is ValidationError:
        return ValidationError(message, field_errors, status=status, code=code, retry_after=retry_after)
    return cls(message, status=status, code=code, retry_after=retry_after)
