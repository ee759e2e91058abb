"""Client configuration: where the service is, who we are, and how patient to be."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from desktop_editor.api.errors import ConfigurationError

DEFAULT_BASE_URL = "https://api.runflow.io"
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_]+$")


@dataclass(frozen=True)
class ClientConfig:
    """Everything a RunflowClient needs. The key is kept out of repr() and never logged."""

    api_key: str = field(default="", repr=False)
    base_url: str = DEFAULT_BASE_URL
    organization_id: str | None = None
    poll_interval: float = 1.5
    wait_timeout: float = 600.0
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_retries: int = 5
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    # Encoded bytes a medium may take inline in the create body; larger ones are uploaded first.
    # 48 KiB travels in ~40 ms at a 10 Mbit/s uplink, under the three round trips an upload adds;
    # a 12 MP photo inline kept the paid create open ~16 s there (benchmarks/bench_create.py).
    inline_limit: int = 48 * 1024
    # Result downloads (see api.download.DownloadLimits for why these figures).
    download_max_bytes: int = 256 * 1024 * 1024
    download_min_rate: float = 64 * 1024
    download_grace: float = 60.0
    # The key travels in a header: over plain http to another machine anyone on the way reads it.
    allow_cleartext: bool = False

    @classmethod
    def from_env(cls, **overrides) -> ClientConfig:
        """RUNFLOW_API_KEY / RUNFLOW_BASE_URL / RUNFLOW_ORGANIZATION_ID, with explicit overrides winning."""
        env = {
            "api_key": os.environ.get("RUNFLOW_API_KEY", ""),
            "base_url": os.environ.get("RUNFLOW_BASE_URL") or DEFAULT_BASE_URL,
            "organization_id": os.environ.get("RUNFLOW_ORGANIZATION_ID") or None,
        }
        if os.environ.get("RUNFLOW_ALLOW_HTTP", "").strip().lower() in ("1", "true", "yes"):
            env["allow_cleartext"] = True
        env.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**env)

    def with_changes(self, **changes) -> ClientConfig:
        return replace(self, **changes)

    def validated(self) -> ClientConfig:
        """Self, after checking that requests can be made with it."""
        if not self.api_key:
            raise ConfigurationError("No Runflow API key: set RUNFLOW_API_KEY or enter a key in Settings.")
        if not KEY_PATTERN.match(self.api_key):
            raise ConfigurationError("The API key has characters a Runflow key never has (letters, digits and _ only).")
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigurationError(f"The service address '{self.base_url}' is not an http(s) URL.")
        if is_cleartext_remote(self.base_url) and not self.allow_cleartext:
            raise ConfigurationError(cleartext_warning(self.base_url))
        return self

    @property
    def download_limits(self):
        """The size and time limits every result download keeps (api.download.DownloadLimits)."""
        from desktop_editor.api.download import DownloadLimits

        return DownloadLimits(self.download_max_bytes, self.download_min_rate, self.download_grace)

    @property
    def api_origin(self) -> tuple[str, str]:
        parts = urlsplit(self.base_url)
        return parts.scheme, parts.netloc.lower()


_LOOPBACK_NAMES = {"localhost", "ip6-localhost", "ip6-loopback"}


def is_cleartext_remote(base_url: str) -> bool:
    """True for a plain-http address of another machine (the API key would cross the network unencrypted)."""
    import ipaddress

    parts = urlsplit(base_url)
    if parts.scheme != "http":
        return False
    host = (parts.hostname or "").lower()
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True  # a name: it may resolve anywhere


def cleartext_warning(base_url: str) -> str:
    """Why the key was not sent to a plain-http address, and how to allow it anyway."""
    host = urlsplit(base_url).hostname
    return (f"The service address {base_url} is plain http to {host}: the API key would travel unencrypted "
            "and anyone on the network could read it. Use https, or allow it on purpose with --allow-http "
            "(RUNFLOW_ALLOW_HTTP=1), or 'Allow plain http' in Settings.")
