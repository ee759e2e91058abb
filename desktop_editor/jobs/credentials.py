"""Where the API key lives: the OS keyring, or the environment, never a plain file.

`RUNFLOW_API_KEY` wins over the keyring so scripts and CI can override a stored key.
Keyring back ends can be missing (a bare Linux box with no Secret Service); then the key can
only come from the environment, and saving says so instead of writing it anywhere else.
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)

SERVICE = "desktop-editor"
ACCOUNT = "runflow-api-key"
_memory: dict[str, str] = {}  # DESKTOP_EDITOR_KEYRING=memory: tests, never a file
_session: dict[str, str] = {}  # "use for this session only": held in memory until the app quits


class KeyStoreError(Exception):
    """The key could not be stored; str() is a sentence for the designer."""


def _use_memory() -> bool:
    return os.environ.get("DESKTOP_EDITOR_KEYRING") == "memory"


def load_api_key() -> str | None:
    """The key to use: environment first, then the keyring; None when there is none."""
    env = os.environ.get("RUNFLOW_API_KEY")
    if env:
        return env
    if ACCOUNT in _session:
        return _session[ACCOUNT]
    if _use_memory():
        return _memory.get(ACCOUNT)
    try:
        import keyring

        return keyring.get_password(SERVICE, ACCOUNT)
    except Exception as exc:  # any back-end failure means "no stored key", not a crash
        log.info("no keyring available: %s", type(exc).__name__)
        return None


def use_for_session(key: str | None) -> None:
    """Use `key` until the app quits without storing it anywhere (no keyring on this system).

    None forgets it. A key saved to the keyring later replaces it.
    """
    if key:
        _session[ACCOUNT] = key
    else:
        _session.pop(ACCOUNT, None)


def has_session_key() -> bool:
    return ACCOUNT in _session


def save_api_key(key: str | None) -> None:
    """Store (or with None/'' remove) the key in the OS keyring (and forget a session-only key).

    Raises KeyStoreError when a key cannot be stored; removing one never raises."""
    _session.pop(ACCOUNT, None)
    if _use_memory():
        if key:
            _memory[ACCOUNT] = key
        else:
            _memory.pop(ACCOUNT, None)
        return
    try:
        import keyring

        if key:
            keyring.set_password(SERVICE, ACCOUNT, key)
        else:
            try:
                keyring.delete_password(SERVICE, ACCOUNT)
            except keyring.errors.PasswordDeleteError:
                pass
    except Exception as exc:
        if not key:
            # No keyring: nothing can be stored there, so nothing is left to remove. Clearing a
            # session-only key must work here (the way back to Demo mode without quitting).
            log.info("no keyring to remove the key from: %s", type(exc).__name__)
            return
        raise KeyStoreError(
            "The system keyring is not available, so the key cannot be stored safely. "
            "Set RUNFLOW_API_KEY in your environment instead."
        ) from exc
