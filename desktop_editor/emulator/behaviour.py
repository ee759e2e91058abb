"""Switchable behaviours and one-shot faults.

Tests flip these at any moment to make the emulator play each reading of the Runflow API
that the sources disagree on, and every answer Runflow's own client code is written to read
(run id keys, status keys, terminal statuses, failure shapes, output shapes), plus answers in
no known shape at all, and each way a network can fail, so the client's tolerance is proven
against a real HTTP server.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

OUTCOMES = ("succeeded", "failed", "errored", "partial_succeeded", "canceled")
CANCEL_SPELLINGS = ("canceled", "cancelled")
ID_KEYS = ("id", "run_id")  # where a run names itself
STATUS_KEYS = ("status_code", "status")  # where a run says how it stands
FAILURE_SHAPES = (
    "failure_fields",  # failure_code / failure_message (the documented Run object)
    "error_object",  # only error: {"message", "code"}
    "error_string",  # only error: "message"
)
# How a finished run's `output` is laid out. The first group is every shape Runflow's own client
# code reads; the last two are shapes nobody wrote down, to prove no paid result is lost to them.
OUTPUT_SHAPES = (
    "outputs",  # {"outputs": [{"type": "image", "url", ...}]} (documented)
    "outputs_strings",  # {"outputs": ["url", ...]}
    "outputs_image_url",  # {"outputs": [{"image_url": "url"}]}
    "images",  # {"images": [{"url", ...}]} (fal)
    "images_strings",  # {"images": ["url", ...]}
    "images_image_url",  # {"images": [{"image_url": "url"}]}
    "image_urls",  # {"image_urls": ["url", ...]}
    "image_urls_objects",  # {"image_urls": [{"url": "url"}]}
    "image",  # {"image": {"url", ...}}
    "image_string",  # {"image": "url"}
    "image_url",  # {"image_url": "url"}
    "url",  # {"url": "url"}
    "output_url",  # {"output_url": "url"}
    "string",  # "url": the output is the URL itself
    "unknown_nested",  # the URLs deep in keys no source names
    "no_image",  # a success whose output holds no image at all
)

# What a result URL sends instead of the image (the misbehaviours a client must survive).
RESULT_BODIES = (
    "image",  # the image, labelled as what it is
    "html",  # an HTML error page labelled image/png
    "bomb",  # a small PNG whose header claims 60000x60000 pixels
    "drip",  # the image, one byte every `drip_interval` seconds
    "mislabelled",  # the image as WebP bytes, labelled image/png
    "endless",  # bytes without end and without a Content-Length
    "huge",  # a body announced (and sent) as 300 MB
)

FAULT_ROUTES = (
    "create", "get_run", "download", "upload_put", "asset_create", "asset_confirm", "auth_me", "any",
)
STATUS_FAULTS = ("429", "500", "502", "503", "504")
FAULT_KINDS = STATUS_FAULTS + (
    "drop_before_read", "drop_after_read", "truncate", "slow", "malformed_json", "expired",
)


def _default_prices() -> dict[str, float]:
    return {"low": 0.009, "medium": 0.034, "high": 0.133, "auto": 0.133}


@dataclass
class Behaviour:
    """How the emulator answers; read afresh on every request, so tests may change it live.

    A run's duration and outcome are fixed when it is created (its fate is sealed then, as on
    the real service); presentation (id and status keys, failure and output shapes, cancel
    spelling, URL lifetime) follows the behaviour current at each answer.
    """

    latency: float = 0.0
    run_duration: float = 0.3
    outcome: str = "succeeded"
    cancel_spelling: str = "canceled"
    id_key: str = "id"
    status_key: str = "status_code"
    failure_shape: str = "failure_fields"
    output_shape: str = "outputs"
    unknown_status: str | None = None  # reported while running instead of "running", e.g. "warming_up"
    url_ttl: float = 600.0
    download_delay: float = 0.0
    price_per_image: dict[str, float] = field(default_factory=_default_prices)
    failure_code: str = "MODEL_ERROR"
    failure_message: str = "The model could not process the image."
    upload_url_prefix: str | None = None  # replaces "{base_url}/_uploads" in upload URLs
    result_body: str = "image"  # what result URLs send: one of RESULT_BODIES
    drip_interval: float = 1.0  # seconds between the bytes of a "drip" body

    def __post_init__(self) -> None:
        _check_choice("outcome", self.outcome, OUTCOMES)
        _check_choice("cancel_spelling", self.cancel_spelling, CANCEL_SPELLINGS)
        _check_choice("output_shape", self.output_shape, OUTPUT_SHAPES)
        _check_choice("id_key", self.id_key, ID_KEYS)
        _check_choice("status_key", self.status_key, STATUS_KEYS)
        _check_choice("failure_shape", self.failure_shape, FAILURE_SHAPES)
        _check_choice("result_body", self.result_body, RESULT_BODIES)


@dataclass(frozen=True)
class Fault:
    """A misbehaviour for the next `count` requests to `route`.

    Status faults, "malformed_json" and "expired" answer in place of the request, which is not
    carried out; "slow", "truncate" and "drop_after_read" carry it out first (a run really is
    created); "drop_before_read" hangs up without reading the body. `delay` is waited before
    any fault acts (for "slow" it is the whole fault). A 429 or 503 carries Retry-After only
    when `retry_after` is given, because the real header may be absent.
    """

    route: str
    kind: str
    count: int = 1
    retry_after: float | None = None
    delay: float = 0.0

    def __post_init__(self) -> None:
        _check_choice("route", self.route, FAULT_ROUTES)
        _check_choice("kind", self.kind, FAULT_KINDS)
        if self.count < 1:
            raise ValueError(f"count must be at least 1, got {self.count}")


class FaultQueue:
    """Thread-safe queue of injected faults, consumed in order by matching route."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[list] = []  # [fault, remaining uses]

    def push(self, fault: Fault) -> None:
        with self._lock:
            self._pending.append([fault, fault.count])

    def take(self, route: str) -> Fault | None:
        """Use up one shot of the first fault aimed at `route` (or at any route)."""
        with self._lock:
            for entry in self._pending:
                fault = entry[0]
                if fault.route in (route, "any"):
                    entry[1] -= 1
                    if entry[1] == 0:
                        self._pending.remove(entry)
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
