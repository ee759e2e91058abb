"""A Runflow-compatible HTTP server on 127.0.0.1 for tests, demos and offline work.

It speaks the API described in runflow-api.md, plays each disputed reading of it on demand
(`Behaviour`), misbehaves on request (`Fault`), and records every request so tests can check
what the client really sent. Stdlib HTTP server, Pillow and numpy only; no Qt.
"""

from .behaviour import Behaviour, Fault
from .cli import main, serve_forever
from .emulator import Emulator
from .state import RecordedRequest

__all__ = ["Behaviour", "Emulator", "Fault", "RecordedRequest", "main", "serve_forever"]
