"""Presigned-style URLs for result files and uploads.

Real result and upload URLs point at object storage: they need no Authorization header,
carry a signature, and result URLs expire. Signing them here lets the emulator refuse
tampered or stale links exactly where a real client would meet those failures.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qs

RESULTS_PREFIX = "/_results/"
UPLOADS_PREFIX = "/_uploads/"
ASSETS_PREFIX = "/_assets/"


def sign(secret: bytes, subject: str) -> str:
    return hmac.new(secret, subject.encode(), hashlib.sha256).hexdigest()[:32]


def result_url(base_url: str, secret: bytes, run_id: str, name: str, expires: float) -> str:
    stamp = f"{expires:.3f}"
    signature = sign(secret, f"result:{run_id}/{name}:{stamp}")
    return f"{base_url}{RESULTS_PREFIX}{run_id}/{name}?expires={stamp}&signature={signature}"


def check_result(secret: bytes, run_id: str, name: str, query: str, now: float) -> str | None:
    """None if the link is good, else an S3-like reason ("signature" or "expired")."""
    params = parse_qs(query)
    stamp = params.get("expires", [""])[0]
    given = params.get("signature", [""])[0]
    if not stamp or not hmac.compare_digest(given, sign(secret, f"result:{run_id}/{name}:{stamp}")):
        return "signature"
    return "expired" if float(stamp) < now else None


def upload_url(prefix: str, secret: bytes, asset_id: str) -> str:
    return f"{prefix.rstrip('/')}/{asset_id}?signature={sign(secret, f'upload:{asset_id}')}"


def check_upload(secret: bytes, asset_id: str, query: str) -> bool:
    given = parse_qs(query).get("signature", [""])[0]
    return hmac.compare_digest(given, sign(secret, f"upload:{asset_id}"))


def own_asset_id(url: str, base_url: str) -> str | None:
    """The asset id if `url` is one of this emulator's asset URLs, else None."""
    prefix = base_url + ASSETS_PREFIX
    if not url.startswith(prefix):
        return None
    return url[len(prefix):].split("/", 1)[0] or None
