"""Request checks, answered the way the API does: 400 for unreadable JSON, 422 with per-field
errors for everything else.

Written independently of desktop_editor.core so the emulator is a second opinion on the
rules, not an echo of the client's own.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from PIL import Image

from .catalog import MODELS, ModelSpec, isolation_frame
from .editing import EditSpec, decode_image, has_alpha
from .responses import api_error

MAX_FILE_BYTES = 52_428_800  # 50 MiB: the limit for both data: URIs and uploads
PROMPT_RANGE = (2, 32_000)
IMAGE_URLS_RANGE = (1, 16)
NUM_IMAGES_RANGE = (1, 4)
SIZE_MULTIPLE = 16
MAX_EDGE = 3840
MAX_ASPECT = 3.0
PIXELS_RANGE = (655_360, 8_294_400)

RUN_BODY_FIELDS = ("input", "client_ref", "metadata", "callback_url")
ASSET_FIELDS = ("filename", "mime_type", "size_bytes")

AssetLookup = Callable[[str], bytes | None]  # URL -> bytes of an own confirmed asset, or None


class _Problems:
    """Collects field errors so one 422 reports all of them, like the API."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.errors: list[dict[str, str]] = []

    def add(self, field: str, message: str) -> None:
        self.errors.append({"field": self.prefix + field, "message": message})

    def raise_if_any(self) -> None:
        if self.errors:
            summary = "; ".join(f"{e['field']}: {e['message']}" for e in self.errors)
            raise api_error(422, "VALIDATION_ERROR", f"Invalid request: {summary}", self.errors)


def parse_json(body: bytes) -> Any:
    """The decoded body, or a 400 if it is not JSON at all."""
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise api_error(400, "BAD_REQUEST", f"Malformed JSON body: {exc}") from exc


def check_run_body(body: Any) -> dict:
    """Check the run-style envelope; returns its `input` object."""
    problems = _Problems("")
    if not isinstance(body, dict):
        problems.add("body", "the request body must be a JSON object")
        problems.raise_if_any()
    for name in body:
        if name not in RUN_BODY_FIELDS:
            problems.add(name, "unknown field")
    if not isinstance(body.get("input"), dict):
        problems.add("input", "input is required and must be an object")
    if body.get("client_ref") is not None and not isinstance(body["client_ref"], str):
        problems.add("client_ref", "client_ref must be a string")
    if body.get("metadata") is not None and not isinstance(body["metadata"], dict):
        problems.add("metadata", "metadata must be an object")
    if body.get("callback_url") is not None and not isinstance(body["callback_url"], str):
        problems.add("callback_url", "callback_url must be a string")
    problems.raise_if_any()
    return body["input"]


def check_input(model: str, data: Any, lookup_asset: AssetLookup, prefix: str) -> EditSpec:
    """Check a model input and fetch its images; returns what the fake edit needs.

    `prefix` is how field names are reported: "input." in the run style, "" in the direct
    style whose body is the input itself.
    """
    spec = MODELS[model]
    problems = _Problems(prefix)
    if not isinstance(data, dict):
        problems.add("body", "the model input must be a JSON object")
        problems.raise_if_any()
    for name in data:
        if name not in spec.fields:
            problems.add(name, f"unknown field for {model}")
    _check_prompt(data, spec, problems)
    urls = _check_images(data, spec, problems)
    _check_options(data, spec, problems)
    size = None
    if "image_size" in data and spec.size_names is not None:
        size = _check_size(data["image_size"], spec, problems)
    problems.raise_if_any()

    image = _fetch_image(spec.image_field, urls, lookup_asset, problems)
    mask = None
    if spec.mask_field and data.get(spec.mask_field) is not None:
        mask = _fetch_mask(spec.mask_field, data[spec.mask_field], image, lookup_asset, problems)
    problems.raise_if_any()
    frame = None
    if spec.reframes:
        frame = isolation_frame(data.get("aspect_ratio", "1:1"), data.get("resolution", "1K"))
    return EditSpec(
        image=image,
        mask=mask,
        prompt=data.get("prompt") or "",
        num_images=data.get("num_images", 1),
        output_format=data.get("output_format", "png"),
        size=size,
        frame=frame,
    )


def check_asset_request(body: Any) -> tuple[str, str, int]:
    """Check POST /v1/asset-uploads; returns (filename, mime_type, size_bytes)."""
    problems = _Problems("")
    if not isinstance(body, dict):
        problems.add("body", "the request body must be a JSON object")
        problems.raise_if_any()
    for name in ("filename", "mime_type"):
        if not isinstance(body.get(name), str) or not body[name].strip():
            problems.add(name, f"{name} is required and must be a non-empty string")
    if isinstance(body.get("mime_type"), str) and "/" not in body["mime_type"]:
        problems.add("mime_type", "mime_type must look like type/subtype")
    size = body.get("size_bytes")
    if not _is_int(size) or not 1 <= size <= MAX_FILE_BYTES:
        problems.add("size_bytes", f"size_bytes must be an integer from 1 to {MAX_FILE_BYTES}")
    for name in body:
        if name not in ASSET_FIELDS:
            problems.add(name, "unknown field")
    problems.raise_if_any()
    return body["filename"], body["mime_type"], size


def explicit_size_problems(width: int, height: int) -> list[str]:
    """Every gpt-image-2 explicit-size rule that `width` x `height` breaks."""
    problems = []
    if width % SIZE_MULTIPLE or height % SIZE_MULTIPLE:
        problems.append(f"width and height must be multiples of {SIZE_MULTIPLE}, got {width}x{height}")
    if max(width, height) > MAX_EDGE:
        problems.append(f"the longest edge must be at most {MAX_EDGE} pixels, got {max(width, height)}")
    if max(width, height) > MAX_ASPECT * min(width, height):
        problems.append(f"the aspect ratio must be between 1:3 and 3:1, got {width}x{height}")
    if not PIXELS_RANGE[0] <= width * height <= PIXELS_RANGE[1]:
        problems.append(
            f"the image must have {PIXELS_RANGE[0]:,} to {PIXELS_RANGE[1]:,} pixels, got {width * height:,}"
        )
    return problems


def decode_data_uri(url: str) -> bytes:
    """The bytes of a base64 data: URI; ValueError says why not."""
    header, comma, payload = url.partition(",")
    if not comma or not header.endswith(";base64"):
        raise ValueError("only base64 data: URIs are supported")
    if len(payload) * 3 // 4 > MAX_FILE_BYTES:
        raise ValueError("the data is larger than 50 MiB")
    try:
        return base64.b64decode(payload, validate=True)
    except binascii.Error as exc:
        raise ValueError(f"invalid base64 ({exc})") from exc


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_prompt(data: dict, spec: ModelSpec, problems: _Problems) -> None:
    prompt = data.get("prompt")
    if spec.prompt == "none":
        return  # an unknown field, already reported
    if prompt is None:
        if spec.prompt == "required":
            problems.add("prompt", "prompt is required")
    elif not isinstance(prompt, str) or not PROMPT_RANGE[0] <= len(prompt) <= PROMPT_RANGE[1]:
        problems.add("prompt", f"prompt must be a string of {PROMPT_RANGE[0]} to {PROMPT_RANGE[1]} characters")


def _check_images(data: dict, spec: ModelSpec, problems: _Problems) -> list[str]:
    """The image URLs to fetch (first = edited), recording what is wrong with the field."""
    name = spec.image_field
    value = data.get(name)
    if name == "image_url":
        if not isinstance(value, str) or not value:
            problems.add(name, "image_url is required: the URL of one image")
            return []
        return [value]
    low, high = IMAGE_URLS_RANGE
    if not isinstance(value, list) or not low <= len(value) <= high:
        problems.add(name, f"image_urls is required: a list of {low} to {high} image URLs")
        return []
    if not all(isinstance(url, str) and url for url in value):
        problems.add(name, "every entry of image_urls must be a non-empty string")
        return []
    return value


def _check_options(data: dict, spec: ModelSpec, problems: _Problems) -> None:
    for name, allowed in spec.choices.items():
        if name in data and data[name] not in allowed:
            problems.add(name, f"{name} must be one of {', '.join(allowed)}")
    if "num_images" in data:
        count = data["num_images"]
        low, high = NUM_IMAGES_RANGE
        if not _is_int(count) or not low <= count <= high:
            problems.add("num_images", f"num_images must be an integer from {low} to {high}")
    if "sync_mode" in data and not isinstance(data["sync_mode"], bool):
        problems.add("sync_mode", "sync_mode must be true or false")
    if spec.mask_field and data.get(spec.mask_field) is not None and not isinstance(data[spec.mask_field], str):
        problems.add(spec.mask_field, f"{spec.mask_field} must be a URL or null")


def _check_size(value: Any, spec: ModelSpec, problems: _Problems) -> tuple[int, int] | None:
    """The requested output size (None for "auto"), recording any problem."""
    names = spec.size_names
    if value == "auto":
        return None
    if isinstance(value, str) and value in names:
        return names[value]
    if spec.explicit_sizes and isinstance(value, dict):
        width, height = value.get("width"), value.get("height")
        if set(value) != {"width", "height"} or not (_is_int(width) and _is_int(height)) or min(width, height) < 1:
            problems.add("image_size", "an explicit image_size must be {\"width\": int, \"height\": int}")
            return None
        for message in explicit_size_problems(width, height):
            problems.add("image_size", message)
        return width, height
    allowed = ", ".join(["auto", *names] + (["{width, height}"] if spec.explicit_sizes else []))
    problems.add("image_size", f"image_size must be one of {allowed}")
    return None


def _fetch(url: str, lookup_asset: AssetLookup) -> bytes:
    if url.startswith("data:"):
        return decode_data_uri(url)
    data = lookup_asset(url)
    if data is None:
        raise ValueError("only data: URIs and confirmed asset URLs of this service are reachable")
    return data


def _fetch_image(name: str, urls: list[str], lookup_asset: AssetLookup, problems: _Problems) -> Image.Image | None:
    """Fetch and decode every input image; returns the first (the one being edited)."""
    first = None
    for index, url in enumerate(urls):
        where = f"{name}[{index}]" if name == "image_urls" else name
        try:
            image = decode_image(_fetch(url, lookup_asset))
        except ValueError as exc:
            problems.add(where, f"could not fetch {where}: {exc}")
            continue
        if index == 0:
            first = image
    return first


def _fetch_mask(
    field: str, url: str, image: Image.Image | None, lookup_asset: AssetLookup, problems: _Problems
) -> Image.Image | None:
    try:
        mask = decode_image(_fetch(url, lookup_asset))
    except ValueError as exc:
        problems.add(field, f"could not fetch {field}: {exc}")
        return None
    if mask.format != "PNG" or not has_alpha(mask):
        problems.add(field, "mask must be a PNG with an alpha channel")
    elif image is not None and mask.size != image.size:
        problems.add(field, "mask size {}x{} does not match image size {}x{}".format(*mask.size, *image.size))
    return mask
