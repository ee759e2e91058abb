"""Fixtures for the emulator tests: a running emulator (fast runs) and a client for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from emulator_support import Api

from desktop_editor.emulator import Behaviour, Emulator


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(behaviour=Behaviour(run_duration=0.1)) as emulator:
        yield emulator


@pytest.fixture
def api(emu: Emulator) -> Iterator[Api]:
    client = Api(emu)
    yield client
    client.close()
