"""The Run object and the many shapes a run's output may take.

runflow-api.md lists several output shapes seen in the wild (`outputs[].url`, fal's `images[]`,
`image.url`, `url`, `output_url`, `image_urls[]`); which one the service uses is not settled,
so every reader accepts all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

IN_FLIGHT = frozenset({"queued", "dispatching", "running"})
SUCCEEDED = frozenset({"succeeded", "partial_succeeded"})
CANCELED = frozenset({"canceled", "cancelled"})
TERMINAL = SUCCEEDED | CANCELED | {"failed"}


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
    def succeeded(self) -> bool:
        return self.status in SUCCEEDED

    @property
    def canceled(self) -> bool:
        return self.status in CANCELED

    @property
    def images(self) -> list[OutputImage]:
        return parse_output_images(self.output)

    @classmethod
    def from_json(cls, data: dict) -> Run:
        status = str(data.get("status_code") or data.get("status") or "").lower()
        error = data.get("error") if isinstance(data.get("error"), dict) else {}
        return cls(
            id=str(data.get("id") or ""),
            status=status,
            client_ref=data.get("client_ref"),
            cost=_number(data.get("cost")),
            failure_code=data.get("failure_code") or error.get("code"),
            failure_message=data.get("failure_message") or error.get("message"),
            output=data.get("output"),
            raw=data,
        )


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


def _item(entry: Any) -> OutputImage | None:
    if isinstance(entry, str) and entry:
        return OutputImage(url=entry)
    if isinstance(entry, dict):
        url = entry.get("url") or entry.get("uri") or entry.get("image_url")
        if isinstance(url, str) and url:
            return OutputImage(
                url=url,
                content_type=entry.get("content_type") or entry.get("mime_type"),
                file_name=entry.get("file_name") or entry.get("filename"),
                width=_int(entry.get("width")),
                height=_int(entry.get("height")),
            )
    return None


def parse_output_images(output: Any) -> list[OutputImage]:
    """Every image a run output points to, in order, whichever documented shape it uses."""
    if not isinstance(output, dict):
        return []
    for key in ("outputs", "images", "image_urls"):
        entries = output.get(key)
        if isinstance(entries, list):
            items = [img for entry in entries if _is_image_entry(entry) and (img := _item(entry))]
            if items:
                return items
    for key in ("image", "url", "output_url"):
        img = _item(output.get(key))
        if img is not None:
            return [img]
    return []


def _is_image_entry(entry: Any) -> bool:
    """`outputs[]` items carry a type; skip anything explicitly not an image."""
    kind = entry.get("type") if isinstance(entry, dict) else None
    return not isinstance(kind, str) or kind in ("image", "")
