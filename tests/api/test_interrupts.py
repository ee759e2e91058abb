"""A poll, an upload or a download blocked on a silent server ends within a second of a stop
(a job's cancel, or the client's abort at quit), over real HTTP to the emulator."""

import threading
import time

import pytest

from api_helpers import fast_config, noise_png
from desktop_editor.api import RunflowClient, to_data_uri
from desktop_editor.api.errors import WaitAborted
from desktop_editor.emulator import Fault

MODEL = "openai/gpt-image-2/edit"


def stopped_within(call, stop, *, after=0.5):
    """Run `call` on a thread, stop it `after` seconds in; the exception and how long it took."""
    caught: list[BaseException] = []

    def target():
        try:
            call()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            caught.append(exc)

    worker = threading.Thread(target=target)
    worker.start()
    time.sleep(after)
    assert worker.is_alive(), "the call did not block"
    started = time.monotonic()
    stop()
    worker.join(10)
    assert not worker.is_alive()
    return caught[0] if caught else None, time.monotonic() - started


@pytest.mark.parametrize("how", ["cancel", "abort"])
def test_a_hanging_poll_stops_within_a_second(emulator, how):
    client = RunflowClient(fast_config(emulator.base_url, read_timeout=30))
    run = client.create_run(MODEL, {"prompt": "paint it red", "image_urls": [to_data_uri(noise_png(), "image/png")]})
    emulator.inject(Fault("get_run", "slow", delay=20))
    cancel = threading.Event()
    exc, took = stopped_within(lambda: client.wait_for_run(run.id, cancel=cancel),
                               cancel.set if how == "cancel" else client.abort)
    assert isinstance(exc, WaitAborted) and exc.run_id == run.id and took < 1.0


def test_a_hanging_upload_stops_within_a_second(emulator):
    client = RunflowClient(fast_config(emulator.base_url, read_timeout=30, inline_limit=10))
    emulator.inject(Fault("upload_put", "slow", delay=20))
    cancel = threading.Event()
    exc, took = stopped_within(
        lambda: client.media_url(noise_png((300, 200)), filename="p.png", mime_type="image/png", cancel=cancel),
        cancel.set)
    assert isinstance(exc, WaitAborted) and took < 1.0
    assert not [r for r in emulator.requests if r.path.startswith("/v1/models/")]  # nothing created


def test_a_create_is_never_cut_off(emulator):
    """A stop during a create waits for its answer: cutting it would make its fate unknown."""
    client = RunflowClient(fast_config(emulator.base_url, read_timeout=30))
    emulator.inject(Fault("create", "slow", delay=1.5))
    cancel = threading.Event()
    result: list = []
    create = lambda: result.append(client.create_run(  # noqa: E731
        MODEL, {"prompt": "paint it red", "image_urls": [to_data_uri(noise_png(), "image/png")]}, cancel=cancel))
    exc, took = stopped_within(create, cancel.set, after=0.3)
    assert exc is None and result[0].id and took > 0.8
