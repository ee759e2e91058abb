"""Run the emulator in the foreground: `python -m desktop_editor.emulator --port N`."""

from __future__ import annotations

import argparse
import threading
from collections.abc import Sequence

from .behaviour import (
    FAILURE_SHAPES,
    ID_KEYS,
    OUTCOMES,
    OUTPUT_SHAPES,
    RESULT_BODIES,
    STATUS_KEYS,
    Behaviour,
)
from .emulator import Emulator

DEFAULT_PORT = 8787


def serve_forever(port: int, host: str = "127.0.0.1", behaviour: Behaviour | None = None) -> None:
    """Serve until Ctrl+C, announcing the address on one stdout line (requests log to stderr)."""
    emulator = Emulator(port, behaviour=behaviour, host=host, verbose=True).start()
    print(f"Runflow emulator listening on {emulator.base_url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and serve until Ctrl+C; returns the exit status."""
    defaults = Behaviour()
    parser = argparse.ArgumentParser(
        prog="python -m desktop_editor.emulator",
        description="A local Runflow-compatible image-edit API on 127.0.0.1, for tests, demos and offline work.",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (0: any free port; default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--run-duration", type=float, default=defaults.run_duration, help="seconds from creation to a finished run"
    )
    parser.add_argument("--latency", type=float, default=defaults.latency, help="seconds added before every answer")
    parser.add_argument("--outcome", choices=OUTCOMES, default=defaults.outcome, help="how every run ends")
    parser.add_argument("--output-shape", choices=OUTPUT_SHAPES, default=defaults.output_shape, help="run output shape")
    parser.add_argument("--id-key", choices=ID_KEYS, default=defaults.id_key, help="where a run names itself")
    parser.add_argument("--status-key", choices=STATUS_KEYS, default=defaults.status_key, help="where a run's status is")
    parser.add_argument(
        "--failure-shape", choices=FAILURE_SHAPES, default=defaults.failure_shape, help="how a failed run says why"
    )
    parser.add_argument("--unknown-status", metavar="NAME", help="a status no source names, reported while running")
    parser.add_argument("--result-body", choices=RESULT_BODIES, default=defaults.result_body,
                        help="what result URLs send (a misbehaviour to test a client against)")
    args = parser.parse_args(argv)
    behaviour = Behaviour(
        latency=args.latency,
        run_duration=args.run_duration,
        outcome=args.outcome,
        output_shape=args.output_shape,
        id_key=args.id_key,
        status_key=args.status_key,
        failure_shape=args.failure_shape,
        unknown_status=args.unknown_status,
        result_body=args.result_body,
    )
    serve_forever(args.port, behaviour=behaviour)
    return 0
