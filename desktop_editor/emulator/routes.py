"""The API's routes: what each request means, independent of sockets and faults.

Every route returns a finished `Response` (or raises `ApiError`), so the HTTP layer can
still drop or truncate it when a fault says so.
"""

from __future__ import annotations

import hashlib
import re
import time
import traceback
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Protocol
from urllib.parse import quote

from .behaviour import Behaviour
from .catalog import find_model
from .exchange import Incoming, Route
from .hostile import result_response
from .responses import (
    ApiError,
    Response,
    api_error,
    expired_error,
    json_response,
    storage_error,
)
from .runs import CHARGED, LinkMaker, RunRecord, direct_result, new_run, present
from .state import Asset, State
from .urls import ASSETS_PREFIX, UPLOADS_PREFIX, check_result, check_upload, upload_url
from .validation import check_asset_request, check_input, check_run_body, parse_json


class Service(Protocol):
    """The state the routes read and change, and what they ask of the service playing the API
    (the Emulator is one): its runs and assets, its behaviour, its address, its keys."""

    state: State
    behaviour: Behaviour

    @property
    def base_url(self) -> str: ...

    def accepts_key(self, key: str) -> bool: ...

    def asset_bytes(self, url: str) -> bytes | None: ...

    def result_link(self, now: float) -> LinkMaker: ...

    def current_run(self, record: RunRecord) -> dict: ...


Handler = Callable[[Service, Incoming], Response]


def auth_me(emu: Service, req: Incoming) -> Response:
    return json_response(200, {
        "id": "usr_emulator",
        "email": "demo@example.com",
        "name": "Emulator Demo",
        "organization_id": req.headers.get("x-organization-id", "org_emulator"),
        "credits": 100.0,
    })


def create_run(emu: Service, req: Incoming) -> Response:
    model = _model(req.params["model"], short_names=False)
    body = parse_json(req.body)
    data = check_run_body(body)
    spec = check_input(model, data, emu.asset_bytes, "input.")
    record = new_run(body, spec, emu.behaviour, time.time())
    emu.state.add_run(record)
    return json_response(201, present(record.run, emu.behaviour))


def run_direct(emu: Service, req: Incoming) -> Response:
    """The synchronous compatibility style: wait for the run and answer fal's shape."""
    model = _model(req.params["model"], short_names=True)
    data = parse_json(req.body)
    spec = check_input(model, data, emu.asset_bytes, "")
    record = new_run({"input": data}, spec, emu.behaviour, time.time())
    emu.state.add_run(record)
    time.sleep(max(record.created + record.duration - time.time(), 0.0))
    run = emu.current_run(record)
    if record.outcome in CHARGED:
        return json_response(200, direct_result(record, emu.result_link(time.time()), emu.behaviour))
    if record.outcome in ("failed", "errored"):
        raise api_error(500, run["failure_code"], run["failure_message"])
    raise api_error(409, "RUN_CANCELED", "The run was canceled.")


def get_run(emu: Service, req: Incoming) -> Response:
    record = emu.state.run(req.params["run_id"])
    if record is None:
        raise api_error(404, "RUN_NOT_FOUND", f"Run {req.params['run_id']} was not found.")
    return json_response(200, present(emu.current_run(record), emu.behaviour))


def create_asset(emu: Service, req: Incoming) -> Response:
    filename, mime_type, size = check_asset_request(parse_json(req.body))
    asset = Asset(str(uuid.uuid4()), filename, mime_type, size, _now_iso())
    emu.state.add_asset(asset)
    prefix = emu.behaviour.upload_url_prefix or emu.base_url + UPLOADS_PREFIX
    return json_response(201, {"asset_id": asset.id, "upload_url": upload_url(prefix, emu.state.secret, asset.id)})


def put_upload(emu: Service, req: Incoming) -> Response:
    """The presigned PUT: no auth, but the signed Content-Type and size must match."""
    _refuse_authorization(req)
    asset = emu.state.asset(req.params["asset_id"])
    if asset is None:
        raise storage_error(404, "NoSuchUpload", "The specified upload does not exist.")
    if not check_upload(emu.state.secret, asset.id, req.query):
        raise storage_error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match.")
    if "chunked" in req.headers.get("transfer-encoding", ""):
        raise storage_error(
            501, "NotImplemented", "A header you provided implies functionality that is not implemented: Transfer-Encoding"
        )
    content_type = req.headers.get("content-type", "")
    if content_type != asset.mime_type:
        raise storage_error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            f"Check your key and signing method. (signed Content-Type {asset.mime_type!r}, got {content_type!r})",
        )
    if len(req.body) != asset.size_bytes:
        raise storage_error(
            400, "InvalidRequest", f"Received {len(req.body)} bytes, but {asset.size_bytes} were declared."
        )
    asset.data = req.body
    return Response(200, headers={"ETag": f'"{hashlib.md5(req.body, usedforsecurity=False).hexdigest()}"'})


def confirm_asset(emu: Service, req: Incoming) -> Response:
    asset = emu.state.asset(req.params["asset_id"])
    if asset is None:
        raise api_error(404, "ASSET_NOT_FOUND", f"Asset upload {req.params['asset_id']} was not found.")
    if asset.data is None:
        raise api_error(409, "UPLOAD_INCOMPLETE", "Nothing has been uploaded for this asset yet.")
    asset.confirmed = True
    url = f"{emu.base_url}{ASSETS_PREFIX}{asset.id}/{quote(asset.filename)}"
    return json_response(201, {
        "id": asset.id,
        "name": asset.filename,
        "url": url,
        "mime_type": asset.mime_type,
        "size_bytes": asset.size_bytes,
        "thumbnail_url": url,
        "created_at": asset.created_at,
    })


def download_asset(emu: Service, req: Incoming) -> Response:
    asset = emu.state.asset(req.params["asset_id"])
    if asset is None or not asset.confirmed or asset.data is None:
        raise storage_error(404, "NoSuchKey", "The specified key does not exist.")
    return Response(200, asset.data, asset.mime_type)


def download_result(emu: Service, req: Incoming) -> Response:
    """A result file behind a presigned, expiring URL (no auth)."""
    _refuse_authorization(req)
    run_id, name = req.params["run_id"], req.params["name"]
    record = emu.state.run(run_id)
    image = record.result_named(name) if record is not None and not record.sync_mode else None
    if image is None:
        raise storage_error(404, "NoSuchKey", "The specified key does not exist.")
    problem = check_result(emu.state.secret, run_id, name, req.query, time.time())
    if problem == "expired":
        raise expired_error()
    if problem == "signature":
        raise storage_error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match.")
    time.sleep(emu.behaviour.download_delay)
    return result_response(emu.behaviour.result_body, image.data, image.content_type,
                           drip_interval=emu.behaviour.drip_interval)


# (method, path pattern, fault route name, handler)
ROUTES: list[tuple[str, re.Pattern[str], str, Handler]] = [
    ("GET", re.compile(r"/v1/auth/me"), "auth_me", auth_me),
    ("POST", re.compile(r"/v1/models/(?P<model>.+)/runs"), "create", create_run),
    ("POST", re.compile(r"/v1/run/(?P<model>.+)"), "create", run_direct),
    ("GET", re.compile(r"/v1/runs/(?P<run_id>[^/]+)"), "get_run", get_run),
    ("POST", re.compile(r"/v1/asset-uploads"), "asset_create", create_asset),
    ("POST", re.compile(r"/v1/asset-uploads/(?P<asset_id>[^/]+)/confirmations"), "asset_confirm", confirm_asset),
    ("PUT", re.compile(r"/_uploads/(?P<asset_id>[^/]+)"), "upload_put", put_upload),
    ("GET", re.compile(r"/_results/(?P<run_id>[^/]+)/(?P<name>[^/]+)"), "download", download_result),
    ("GET", re.compile(r"/_assets/(?P<asset_id>[^/]+)/(?P<name>[^/]+)"), "asset_get", download_asset),
]


def classify(method: str, path: str) -> Route:
    """The route (fault route name, handler, path parameters); Route("unknown", None, {}) if
    nothing matches.

    Known before the body is read, so a fault can act without reading it.
    """
    for route_method, pattern, name, handler in ROUTES:
        match = pattern.fullmatch(path)
        if match and route_method == method:
            return Route(name, handler, match.groupdict())
    return Route("unknown", None, {})


def answer(emu: Service, handler: Handler | None, req: Incoming) -> Response:
    """Authenticate /v1 routes, run the handler, and turn errors into responses."""
    try:
        if req.path.startswith("/v1/"):
            _authenticate(emu, req)
        if handler is None:
            raise api_error(404, "NOT_FOUND", f"No route for {req.method} {req.path}.")
        return handler(emu, req)
    except ApiError as error:
        return error.response
    except Exception as exc:  # a bug here must still answer, like a real 500
        traceback.print_exc()
        return api_error(500, "INTERNAL_ERROR", f"Emulator error: {exc}").response


def _authenticate(emu: Service, req: Incoming) -> None:
    scheme, _, key = req.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not emu.accepts_key(key.strip()):
        raise api_error(401, "UNAUTHORIZED", "A valid API key is required: Authorization: Bearer <key>.")


def _refuse_authorization(req: Incoming) -> None:
    """Presigned URLs carry their own signature; like S3, refuse a second auth mechanism, so a
    client leaking its API key to storage fails loudly (the request log still shows it)."""
    if "authorization" in req.headers:
        raise storage_error(
            400, "InvalidArgument", "Only one auth mechanism allowed; the query signature or the Authorization header."
        )


def _model(name: str, *, short_names: bool) -> str:
    model = find_model(name, short_names=short_names)
    if model is None:
        raise api_error(404, "MODEL_NOT_FOUND", f"Model {name} was not found.")
    return model


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat()
