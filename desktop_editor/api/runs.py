"""The Run object and the many shapes a run's answer may take.

Runflow's own client code (runflow-api.md, "What Runflow's own client code does") reads the run
id from `id` or `run_id`, the status from `status_code` or `status`, failure details from
`failure_message` or an `error` object or string, and the output from a plain URL string, an
object holding `image_url`/`url`/`output_url`/`image`, or the arrays `outputs`/`images`/
`image_urls` of strings or objects with `url`/`image_url`. Every reader here accepts all of them.
When none applies, `find_image_links` searches the whole output, so an answer in a shape nobody
wrote down still yields the paid images it holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

IN_FLIGHT = frozenset({"queued", "dispatching", "running"})
SUCCEEDED = frozenset({"succeeded", "partial_succeeded"})
CANCELED = frozenset({"canceled", "cancelled"})
FAILED = frozenset({"failed", "errored"})
TERMINAL = SUCCEEDED | CANCELED | FAILED

_URL_PREFIXES = ("http://", "https://", "data:")
_ARRAY_KEYS = ("outputs", "images", "image_urls")
_SINGLE_KEYS = ("image_url", "url", "output_url", "image")
_ITEM_URL_KEYS = ("url", "image_url", "uri")
_SEARCH_LIMIT = 20_000  # values visited when searching an unknown answer (a guard, not a expected size)


@dataclass(frozen=True)
class OutputImage:
    """Where one result image can be fetched, and what the service said about it."""

    url: str
    content_type: str | None = None
    file_name: str | None = None
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class Run:
    """A run as the service last described it."""

    id: str
    status: str
    client_ref: str | None = None
    cost: float | None = None
    failure_code: str | None = None
    failure_message: str | None = None
    output: Any = None
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def is_known_status(self) -> bool:
        """False for a status no source names: it is shown as it is while polling goes on."""
        return self.status in TERMINAL or self.status in IN_FLIGHT

    @property
    def succeeded(self) -> bool:
        return self.status in SUCCEEDED

    @property
    def canceled(self) -> bool:
        return self.status in CANCELED

    @property
    def images(self) -> list[OutputImage]:
        return parse_output_images(self.output)

    @classmethod
    def from_json(cls, data: dict, *, run_id: str | None = None) -> Run:
        """Read a Run object in any spelling the facts list; `run_id` is used when it names none."""
        code, message = failure_details(data)
        return cls(
            id=str(run_id_of(data) or run_id or ""),
            status=status_of(data),
            client_ref=data.get("client_ref") if isinstance(data.get("client_ref"), str) else None,
            cost=_number(data.get("cost")),
            failure_code=code,
            failure_message=message,
            output=data.get("output"),
            raw=data,
        )


def run_id_of(data: Any) -> str | None:
    """The run id of a create or run answer: `id`, or `run_id` as Runflow's own code also reads."""
    if not isinstance(data, dict):
        return None
    for key in ("id", "run_id"):
        value = data.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
    return None


def status_of(data: dict) -> str:
    """`status_code`, else `status`, lower-cased ("" when neither is a string)."""
    for key in ("status_code", "status"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip().lower()
    return ""


def failure_details(data: dict) -> tuple[str | None, str | None]:
    """(code, message) of a failed run: `failure_code`/`failure_message`, else an `error`
    object's `code`/`message`, else an `error` string."""
    code = _text(data.get("failure_code"))
    message = _text(data.get("failure_message"))
    error = data.get("error")
    if isinstance(error, dict):
        code = code or _text(error.get("code"))
        message = message or _text(error.get("message")) or _text(error.get("detail"))
    elif isinstance(error, str):
        message = message or _text(error)
    return code, message


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dict):  # e.g. {"amount": 0.133, "currency": "USD"}
        return _number(value.get("amount") or value.get("total") or value.get("value"))
    try:
        return float(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _is_link(value: Any) -> bool:
    return isinstance(value, str) and value.strip().lower().startswith(_URL_PREFIXES)


def _item(entry: Any) -> OutputImage | None:
    """One image from a string URL or an object carrying `url` / `image_url` (fal's fields kept)."""
    if _is_link(entry):
        return OutputImage(url=entry.strip())
    if isinstance(entry, dict):
        url = next((entry[k] for k in _ITEM_URL_KEYS if _is_link(entry.get(k))), None)
        if url is not None:
            return OutputImage(
                url=url.strip(),
                content_type=_text(entry.get("content_type")) or _text(entry.get("mime_type")),
                file_name=_text(entry.get("file_name")) or _text(entry.get("filename")),
                width=_int(entry.get("width")),
                height=_int(entry.get("height")),
            )
    return None


def parse_output_images(output: Any) -> list[OutputImage]:
    """Every image a run output points to, in order, whichever known shape it uses:
    a plain URL string; the arrays `outputs`, `images`, `image_urls` of strings or objects;
    or one of `image_url`, `url`, `output_url`, `image` holding a string or an object."""
    if isinstance(output, str):
        item = _item(output)
        return [item] if item else []
    if isinstance(output, list):  # a bare list of outputs: read like the arrays
        return [img for entry in output if _is_image_entry(entry) and (img := _item(entry))]
    if not isinstance(output, dict):
        return []
    for key in _ARRAY_KEYS:
        entries = output.get(key)
        if isinstance(entries, list):
            items = [img for entry in entries if _is_image_entry(entry) and (img := _item(entry))]
            if items:
                return items
    for key in _SINGLE_KEYS:
        img = _item(output.get(key))
        if img is not None:
            return [img]
    return []


def _is_image_entry(entry: Any) -> bool:
    """`outputs[]` items carry a type; skip anything explicitly not an image."""
    kind = entry.get("type") if isinstance(entry, dict) else None
    return not isinstance(kind, str) or kind in ("image", "")


def find_image_links(answer: Any) -> list[OutputImage]:
    """Every http(s) URL and data: URI anywhere in an answer, in document order, without repeats.

    The last resort for an answer in no known shape: the caller fetches each and keeps what
    turns out to be an image, so a paid result is never lost to an unexpected layout. Data URIs
    that say they are not images are left out; URLs cannot be judged before fetching.
    """
    found: list[OutputImage] = []
    seen: set[str] = set()
    for value in _strings(answer):
        link = value.strip()
        if link in seen or not _is_link(link):
            continue
        if link[:5].lower() == "data:" and not link[5:11].lower() == "image/":
            continue
        seen.add(link)
        found.append(OutputImage(url=link))
    return found


def _strings(value: Any) -> Iterator[str]:
    """The strings in a JSON value, depth first, visiting at most _SEARCH_LIMIT values."""
    stack = [value]
    visited = 0
    while stack and visited < _SEARCH_LIMIT:
        current = stack.pop()
        visited += 1
        if isinstance(current, str):
            yield current
        elif isinstance(current, dict):
            stack.extend(reversed(list(current.values())))
        elif isinstance(current, list):
            stack.extend(reversed(current))
