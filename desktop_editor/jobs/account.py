"""Checking an API key against the service before the designer relies on it.

Blocking (one HTTP request): the window calls it on a worker thread. The key is used for the
request and dropped; it never appears in the result, an exception message or a log line.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_editor.api.config import DEFAULT_BASE_URL, ClientConfig
from desktop_editor.api.errors import (
    AuthError,
    ConfigurationError,
    PermissionDeniedError,
    RunflowError,
    ServiceUnreachableError,
)


@dataclass(frozen=True)
class AccountCheck:
    """The outcome of a key check: `ok`, and a sentence the designer can act on."""

    ok: bool
    message: str
    account: str | None = None  # e-mail or name of the account behind the key, when known


def check_key(
    api_key: str, base_url: str = DEFAULT_BASE_URL, organization_id: str | None = None, *, timeout: float = 15.0,
    allow_cleartext: bool = False,
) -> AccountCheck:
    """Ask GET /v1/auth/me whether `api_key` is accepted. Never raises for service trouble.

    One attempt with short timeouts: a designer pressing "Check key" wants an answer in seconds,
    not five retries with backoff.
    """
    key = (api_key or "").strip()
    if not key:
        return AccountCheck(False, "Enter an API key first.")
    config = ClientConfig(
        api_key=key,
        base_url=(base_url or DEFAULT_BASE_URL).strip().rstrip("/"),
        organization_id=(organization_id or "").strip() or None,
        connect_timeout=min(timeout, 10.0),
        read_timeout=timeout,
        max_retries=0,
        allow_cleartext=allow_cleartext,
    )
    from desktop_editor.api.client import (
        RunflowClient,  # on the worker: requests loads only when needed
    )

    try:
        client = RunflowClient(config.validated())
    except ConfigurationError as exc:
        return AccountCheck(False, str(exc))
    try:
        me = client.check_key()
    except AuthError:
        return AccountCheck(False, "The key was refused by the service. Copy it again from your Runflow account.")
    except PermissionDeniedError as exc:
        return AccountCheck(False, f"The key is valid but not allowed here: {exc}")
    except ServiceUnreachableError:
        return AccountCheck(False, f"Could not reach {config.base_url}. Check the address and your connection.")
    except RunflowError as exc:
        return AccountCheck(False, f"The service could not check the key: {exc}")
    finally:
        client.close()
    who = None
    if isinstance(me, dict):
        who = next((str(me[k]) for k in ("email", "name", "id") if isinstance(me.get(k), str) and me[k]), None)
    org = me.get("organization_id") if isinstance(me, dict) else None
    message = "Key accepted" + (f" for {who}" if who else "") + (f" (organization {org})" if org else "") + "."
    return AccountCheck(True, message, who)
