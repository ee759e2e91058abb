import pytest

from api_helpers import KEY, fast_config
from desktop_editor.api import RunflowClient
from desktop_editor.emulator import Behaviour, Emulator


@pytest.fixture
def emulator():
    with Emulator(api_keys={KEY}, behaviour=Behaviour(run_duration=0.15)) as emu:
        yield emu


@pytest.fixture
def client(emulator):
    c = RunflowClient(fast_config(emulator.base_url))
    yield c
    c.close()
