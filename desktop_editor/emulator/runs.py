"""The life of a run: creation, lazily computed progress, completion and presentation.

Progress is derived from timestamps whenever someone looks, so no background threads are
needed and a test controls timing with `Behaviour.run_duration` alone. The fake edit is
rendered once, the first time a successful run is seen complete.
"""

from __future__ import annotations

import base64
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .behaviour import Behaviour
from .editing import EditSpec, RenderedImage, render, seed_for

# In-flight statuses begin at these fractions of the run's duration ("queued" at 0).
DISPATCHING_AT = 0.2
RUNNING_AT = 0.4
CHARGED = ("succeeded", "partial_succeeded")
FAILED = ("failed", "errored")
FAILURE_STAGE = "INFERENCE"

LinkMaker = Callable[[str, str], str]  # (run id, file name) -> presigned URL


@dataclass
class RunRecord:
    """A stored run: the public Run object plus what is needed to finish it."""

    run: dict
    created: float  # epoch seconds
    duration: float
    outcome: str
    quality: str
    sync_mode: bool
    spec: EditSpec | None  # dropped once rendered
    results: list[RenderedImage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def started(self) -> float:
        return self.created + RUNNING_AT * self.duration

    def status_at(self, now: float) -> str:
        elapsed = now - self.created
        if elapsed >= self.duration:
            return self.outcome
        if elapsed >= RUNNING_AT * self.duration:
            return "running"
        return "dispatching" if elapsed >= DISPATCHING_AT * self.duration else "queued"

    def charged_at(self, now: float) -> bool:
        """Billing happens when a run completes, whether or not anyone looks at it."""
        return self.outcome in CHARGED and now >= self.created + self.duration

    def result_named(self, name: str) -> RenderedImage | None:
        for index, image in enumerate(self.results):
            if _file_name(index, image) == name:
                return image
        return None


def new_run(body: dict, spec: EditSpec, behaviour: Behaviour, now: float) -> RunRecord:
    """A queued run for a checked run-style `body` ({"input", "client_ref"?, "metadata"?})."""
    data = body["input"]
    run = {
        "id": str(uuid.uuid4()),
        "status_code": "queued",
        "input": data,
        "output": None,
        "cost": None,
        "cost_breakdown": None,
        "duration_ms": None,
        "request_id": uuid.uuid4().hex,
        "client_ref": body.get("client_ref"),
        "created_at": _iso(now),
        "started_at": None,
        "completed_at": None,
        "metadata": body.get("metadata") or {},
        "failure_code": None,
        "failure_message": None,
        "failure_stage_code": None,
    }
    return RunRecord(
        run=run,
        created=now,
        duration=max(behaviour.run_duration, 0.0),
        outcome=behaviour.outcome,
        quality=data.get("quality", "high"),
        sync_mode=data.get("sync_mode", False),
        spec=spec,
    )


def refresh(record: RunRecord, behaviour: Behaviour, link: LinkMaker, now: float) -> dict:
    """Bring the stored Run up to `now` and return a copy of it; a finished run gets its
    output rebuilt with fresh result URLs on every call, as the real API re-signs them."""
    with record.lock:
        run = record.run
        status = record.status_at(now)
        if status != record.outcome:
            if status == "running":
                run["started_at"] = _iso(record.started)
                status = behaviour.unknown_status or status
            run["status_code"] = status
            return dict(run)
        if run["completed_at"] is None:
            _complete(record, behaviour)
        run["status_code"] = behaviour.cancel_spelling if status == "canceled" else status
        if record.results:
            run["output"] = _shape(_items(record, link), behaviour.output_shape, record)
        return dict(run)


def present(run: dict, behaviour: Behaviour) -> dict:
    """A Run object as the service answers it: under the id and status keys, and with the
    failure shape, that the behaviour plays (stored runs keep the documented keys)."""
    shown = dict(run)
    shown[behaviour.id_key] = shown.pop("id")
    shown[behaviour.status_key] = shown.pop("status_code")
    message, code = shown.get("failure_message"), shown.get("failure_code")
    failed = shown[behaviour.status_key] in FAILED
    if failed and behaviour.failure_shape == "error_object":
        shown.update(failure_code=None, failure_message=None, error={"message": message, "code": code})
    elif failed and behaviour.failure_shape == "error_string":
        shown.update(failure_code=None, failure_message=None, error=message)
    return shown


def direct_result(record: RunRecord, link: LinkMaker, behaviour: Behaviour) -> object:
    """The synchronous answer for the direct style: fal's {"images": [...], "seed", ...} by
    default, or the output in whichever other shape the behaviour plays."""
    if behaviour.output_shape == "outputs":
        return {
            "images": _items(record, link),
            "seed": seed_for(record.run["input"].get("prompt") or ""),
            "request_id": record.run["request_id"],
            "cost": record.run["cost"],
        }
    output = _shape(_items(record, link), behaviour.output_shape, record)
    if isinstance(output, dict):
        output.update(request_id=record.run["request_id"], cost=record.run["cost"])
    return output


def _complete(record: RunRecord, behaviour: Behaviour) -> None:
    """One-time work when a run is first seen terminal: render, bill, or fail."""
    run = record.run
    spec = record.spec
    assert spec is not None, "a run completes only once"
    run["started_at"] = _iso(record.started)
    run["completed_at"] = _iso(record.created + record.duration)
    run["duration_ms"] = round(record.duration * 1000)
    if record.outcome in CHARGED:
        count = spec.num_images if record.outcome == "succeeded" else max(spec.num_images - 1, 1)
        record.results = render(spec, count)
        price = behaviour.price_per_image.get(record.quality, behaviour.price_per_image["high"])
        run["cost"] = round(price * count, 6)
        run["cost_breakdown"] = [
            {"item": f"{record.quality} quality image", "quantity": count, "unit_price": price, "amount": run["cost"]}
        ]
        if count < spec.num_images:
            run["failure_message"] = f"{spec.num_images - count} of {spec.num_images} images could not be generated."
    elif record.outcome in FAILED:
        run["cost"] = 0.0
        run["failure_code"] = behaviour.failure_code
        run["failure_message"] = behaviour.failure_message
        run["failure_stage_code"] = FAILURE_STAGE
    # canceled: nothing billed, cost stays null (the other reading of "no cost" than failed's 0)
    record.spec = None


def _file_name(index: int, image: RenderedImage) -> str:
    return f"{index}.{image.extension}"


def _items(record: RunRecord, link: LinkMaker) -> list[dict]:
    """fal-style image entries; with sync_mode the URL is the image itself as a data: URI."""
    items = []
    for index, image in enumerate(record.results):
        name = _file_name(index, image)
        if record.sync_mode:
            url = f"data:{image.content_type};base64,{base64.b64encode(image.data).decode()}"
        else:
            url = link(record.run["id"], name)
        items.append({
            "url": url,
            "content_type": image.content_type,
            "file_name": name,
            "file_size": len(image.data),
            "width": image.width,
            "height": image.height,
        })
    return items


def _shape(items: list[dict], shape: str, record: RunRecord) -> object:
    """The run output in one of the shapes of behaviour.OUTPUT_SHAPES."""
    extras = {
        "seed": seed_for(record.run["input"].get("prompt") or ""),
        "timing": {"inference": record.duration},
        "nsfw_detected": None,
    }
    urls = [item["url"] for item in items]
    if shape == "string":
        return urls[0]
    if shape == "outputs":
        outputs = [{"type": "image", **{k: v for k, v in item.items() if k != "file_size"}} for item in items]
        return {"outputs": outputs, **extras}
    array = shape.partition("_")[0]
    if shape in ("outputs_strings", "images_strings", "image_urls"):
        return {shape.removesuffix("_strings"): urls, **extras}
    if shape in ("outputs_image_url", "images_image_url"):
        return {array: [{"image_url": url} for url in urls], **extras}
    if shape == "image_urls_objects":
        return {"image_urls": [{"url": url} for url in urls], **extras}
    if shape == "images":
        return {"images": items, **extras}
    if shape == "image":
        return {"image": items[0], **extras}
    if shape == "image_string":
        return {"image": urls[0], **extras}
    if shape == "unknown_nested":
        return {"result": {"artifacts": [{"kind": "picture", "location": {"href": url}} for url in urls]}, **extras}
    if shape == "no_image":
        return {"result": "completed", "message": "Your image is ready.", **extras}
    return {shape: urls[0], **extras}  # "image_url", "url" or "output_url"


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat()
