"""The app's settings: where the service is, where results go, and the designer's defaults.

Stored as a small JSON file in the platform's config folder so it can be read, diffed and
deleted by hand. The API key is never part of it: keys live in the OS keyring
(`jobs.credentials`), and `load` drops any key-like field a hand-edited file may contain.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from desktop_editor.api.config import DEFAULT_BASE_URL
from desktop_editor.core.export import SAVE_FORMATS
from desktop_editor.core.params import DEFAULT_PRICES, QUALITIES, EditParams
from desktop_editor.jobs.model import JobOptions
from desktop_editor.jobs.paths import APP_NAME, default_output_dir

log = logging.getLogger(__name__)

MAX_RECENT_PROMPTS = 15
# Field names that must never reach the settings file, even if a user puts them there.
_SECRET_FIELDS = frozenset({"api_key", "key", "token", "password", "secret"})


def settings_path() -> Path:
    """The settings file under the platform's config folder (not the data folder: it is small and hand-editable)."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "settings.json"


def _default_prices() -> dict[str, float]:
    return dict(DEFAULT_PRICES)


@dataclass
class AppSettings:
    """Everything the designer can set except the API key.

    `prices` are per output image by quality; they start at the listed prices and are editable
    because listings change and the estimate before sending must match the designer's bill.
    """

    base_url: str = DEFAULT_BASE_URL
    # Send the key to a plain-http address of another machine (unencrypted): only on purpose.
    allow_cleartext: bool = False
    organization_id: str = ""
    output_dir: str = field(default_factory=lambda: str(default_output_dir()))
    default_params: EditParams = field(default_factory=EditParams)
    prices: dict[str, float] = field(default_factory=_default_prices)
    keep_unmasked: bool = True
    feather: int = 4
    colour_match: bool = False
    # How a composited result is saved into the output folder (core.export.SAVE_FORMATS):
    # like the original by default, so a camera JPEG is not written as a 30 MB PNG.
    save_format: str = "source"
    max_concurrent: int = 4
    recent_prompts: list[str] = field(default_factory=list)
    ask_before_repeating: bool = True  # the same paid edit sent again within two minutes: ask first
    # Saved images say in their XMP that AI made them (IPTC Digital Source Type, model, run);
    # the prompt only when allowed, as prompts can be private.
    provenance: bool = True
    prompt_in_provenance: bool = False

    # ----- derived -----------------------------------------------------------------------------

    def job_options(
        self,
        *,
        keep_unmasked: bool | None = None,
        feather: float | None = None,
        colour_match: bool | None = None,
        region_padding: int | None = None,
        **_ignored: Any,
    ) -> JobOptions:
        """JobOptions for one edit: the panel's choices where given, else these defaults.

        Accepts the dict from `ParamsPanel.options()` as keyword arguments.
        """
        return JobOptions(
            out_dir=Path(self.output_dir).expanduser(),
            keep_unmasked=self.keep_unmasked if keep_unmasked is None else keep_unmasked,
            feather=float(self.feather if feather is None else feather),
            colour_match=self.colour_match if colour_match is None else colour_match,
            region_padding=region_padding,
            save_format=self.save_format if self.save_format in SAVE_FORMATS else "source",
            provenance=self.provenance,
            prompt_in_provenance=self.prompt_in_provenance,
        )

    def with_recent_prompt(self, prompt: str) -> AppSettings:
        """A copy with `prompt` first in the recent list (no duplicates, bounded)."""
        text = prompt.strip()
        if not text:
            return self
        recent = [text, *(p for p in self.recent_prompts if p != text)][:MAX_RECENT_PROMPTS]
        return replace(self, recent_prompts=recent)

    # ----- JSON --------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["default_params"] = self.default_params.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AppSettings:
        """Settings from parsed JSON; unknown, secret or malformed fields fall back to defaults."""
        defaults = cls()
        known = {f.name for f in fields(cls)}
        clean: dict[str, Any] = {}
        for name, value in data.items():
            if name.lower() in _SECRET_FIELDS:
                log.warning("ignoring a '%s' field in the settings file: keys belong in the keyring", name)
                continue
            if name in known:
                clean[name] = value
        out = replace(defaults)
        for name, value in clean.items():
            try:
                setattr(out, name, _coerce(name, value, getattr(defaults, name)))
            except (TypeError, ValueError) as exc:
                log.warning("settings: ignoring bad value for %s (%s)", name, exc)
        return out


def _coerce(name: str, value: Any, default: Any) -> Any:
    """`value` in the type of `default`; raises TypeError/ValueError when it cannot be."""
    if name == "default_params":
        if not isinstance(value, dict):
            raise TypeError("expected an object")
        return EditParams.from_dict(value)
    if name == "prices":
        if not isinstance(value, dict):
            raise TypeError("expected an object")
        prices = dict(default)
        for quality, price in value.items():
            if quality in QUALITIES and isinstance(price, (int, float)) and not isinstance(price, bool) and price >= 0:
                prices[quality] = float(price)
        return prices
    if name == "recent_prompts":
        if not isinstance(value, list):
            raise TypeError("expected a list")
        return [str(p) for p in value if isinstance(p, str) and p.strip()][:MAX_RECENT_PROMPTS]
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise TypeError("expected true or false")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError("expected a number")
        return max(0, int(value))
    if isinstance(default, str):
        if value is None:
            return ""
        if not isinstance(value, str):
            raise TypeError("expected text")
        return value
    return value


def load_settings(path: Path | None = None) -> AppSettings:
    """The saved settings, or defaults when there are none or the file is unreadable.

    A broken settings file must never stop the app from starting; it is logged and ignored.
    """
    path = path or settings_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return AppSettings()
    except (OSError, ValueError) as exc:
        log.warning("settings file %s could not be read (%s); using defaults", path, exc)
        return AppSettings()
    if not isinstance(data, dict):
        log.warning("settings file %s is not a JSON object; using defaults", path)
        return AppSettings()
    return AppSettings.from_dict(data)


def save_settings(settings: AppSettings, path: Path | None = None) -> Path:
    """Write the settings atomically (temp file + rename), so a crash never leaves half a file."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(settings.to_dict(), indent=2, sort_keys=True)
    fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
