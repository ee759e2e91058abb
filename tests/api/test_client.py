"""The client against the emulator over real HTTP on 127.0.0.1, one behaviour at a time."""

import io
import socket
import threading
import time

import numpy as np
import pytest
from PIL import Image

from api_helpers import KEY, fast_config, noise_png, png_bytes
from desktop_editor.api import RunflowClient, from_data_uri, to_data_uri
from desktop_editor.api.errors import (
    AuthError,
    ConfigurationError,
    OutcomeUnknownError,
    RateLimitedError,
    RunFailedError,
    RunTimeoutError,
    ServiceUnavailableError,
    ServiceUnreachableError,
    ValidationError,
    WaitAborted,
)
from desktop_editor.core import masks
from desktop_editor.core.params import EditParams
from desktop_editor.emulator import Fault

MODEL = "openai/gpt-image-2/edit"


def edit_input(num_images=1, **extra):
    params = EditParams(prompt="paint it red", num_images=num_images, **extra)
    return params.model_input([to_data_uri(png_bytes(), "image/png")], None)


def creates(emulator):
    return [r for r in emulator.requests if r.method == "POST" and r.path.split("?")[0].endswith("/runs")]


def header(req, name):
    return {k.lower(): v for k, v in req.headers.items()}.get(name.lower())


def test_check_key(client, emulator):
    assert isinstance(client.check_key(), dict)
    bad = RunflowClient(fast_config(emulator.base_url, api_key="rf_test_wrong"))
    with pytest.raises(AuthError):
        bad.check_key()


def test_key_never_in_repr_or_errors(emulator):
    c = RunflowClient(fast_config(emulator.base_url, api_key="rf_test_wrong"))
    assert "rf_test_wrong" not in repr(c) and "rf_test_wrong" not in repr(c.config)
    with pytest.raises(AuthError) as info:
        c.check_key()
    assert "rf_test_wrong" not in str(info.value) and "rf_test_wrong" not in repr(info.value)


def test_missing_or_malformed_key_is_refused_before_sending():
    with pytest.raises(ConfigurationError, match="No Runflow API key"):
        RunflowClient(fast_config("http://127.0.0.1:9", api_key=""))
    with pytest.raises(ConfigurationError):
        RunflowClient(fast_config("http://127.0.0.1:9", api_key="rf live key!"))


def test_run_lifecycle_and_body(client, emulator):
    run = client.create_run(MODEL, edit_input(), client_ref="ref-1", metadata={"a": 1})
    assert run.status == "queued" and run.client_ref == "ref-1"
    seen = []
    done = client.wait_for_run(run.id, on_update=lambda r: seen.append(r.status))
    assert done.status == "succeeded" and seen[-1] == "succeeded" and len(seen) >= 2
    body = creates(emulator)[0].json
    assert body["client_ref"] == "ref-1" and body["input"]["prompt"] == "paint it red"
    assert creates(emulator)[0].path.startswith("/v1/models/openai/gpt-image-2/edit/runs")
    assert header(creates(emulator)[0], "Authorization") == f"Bearer {KEY}"
    results = client.fetch_results(done)
    assert len(results) == 1 and Image.open(io.BytesIO(results[0].data)).size == (64, 48)
    assert done.cost == pytest.approx(0.133)


@pytest.mark.parametrize("shape", ["outputs", "images", "image", "url", "output_url", "image_urls"])
def test_every_output_shape(client, emulator, shape):
    emulator.behaviour.output_shape = shape
    run = client.wait_for_run(client.create_run(MODEL, edit_input()).id)
    results = client.fetch_results(run)
    assert len(results) == 1
    Image.open(io.BytesIO(results[0].data)).verify()
    assert "/" not in results[0].file_name and results[0].file_name


def test_several_images(client, emulator):
    run = client.wait_for_run(client.create_run(MODEL, edit_input(num_images=3)).id)
    results = client.fetch_results(run)
    assert [r.index for r in results] == [0, 1, 2]
    assert len({r.data for r in results}) == 3


@pytest.mark.parametrize("spelling", ["canceled", "cancelled"])
def test_cancel_spellings_are_terminal(client, emulator, spelling):
    emulator.behaviour.outcome = "canceled"
    emulator.behaviour.cancel_spelling = spelling
    run = client.create_run(MODEL, edit_input())
    with pytest.raises(RunFailedError) as info:
        client.wait_for_run(run.id)
    assert info.value.run_status == spelling


def test_failed_run_carries_failure(client, emulator):
    emulator.behaviour.outcome = "failed"
    run = client.create_run(MODEL, edit_input())
    with pytest.raises(RunFailedError) as info:
        client.wait_for_run(run.id)
    assert info.value.failure_code == "MODEL_ERROR"
    assert "could not process" in str(info.value)


def test_partial_success_keeps_existing_images(client, emulator):
    emulator.behaviour.outcome = "partial_succeeded"
    run = client.wait_for_run(client.create_run(MODEL, edit_input(num_images=3)).id)
    assert run.status == "partial_succeeded"
    assert len(client.fetch_results(run)) == 2


@pytest.mark.parametrize("retry_after", [None, 1])
def test_create_retried_after_429(client, emulator, retry_after):
    emulator.inject(Fault(route="create", kind="429", count=2, retry_after=retry_after))
    started = time.monotonic()
    run = client.create_run(MODEL, edit_input())
    elapsed = time.monotonic() - started
    assert run.id and emulator.runs_created == 1 and len(creates(emulator)) == 3
    if retry_after:
        assert elapsed >= 2 * retry_after  # the header was honoured
    else:
        assert elapsed < 1.5


def test_429_storm_gives_up_with_rate_limited(client, emulator):
    emulator.inject(Fault(route="create", kind="429", count=50))
    with pytest.raises(RateLimitedError):
        client.create_run(MODEL, edit_input())
    assert emulator.runs_created == 0
    assert len(creates(emulator)) == client.config.max_retries + 1


def test_create_retried_after_503(client, emulator):
    emulator.inject(Fault(route="create", kind="503", count=2))
    client.create_run(MODEL, edit_input())
    assert emulator.runs_created == 1


@pytest.mark.parametrize("kind", ["500", "502", "504", "drop_after_read", "drop_before_read", "malformed_json"])
def test_ambiguous_create_is_never_resent(client, emulator, kind):
    emulator.inject(Fault(route="create", kind=kind))
    with pytest.raises(OutcomeUnknownError) as info:
        client.create_run(MODEL, edit_input(), client_ref="ref-ambiguous")
    assert info.value.client_ref == "ref-ambiguous" and "ref-ambiguous" in str(info.value)
    assert len(creates(emulator)) == 1
    if kind == "drop_after_read":
        assert emulator.runs_created == 1 and emulator.run_by_client_ref("ref-ambiguous")


def test_read_timeout_on_create_is_outcome_unknown(emulator):
    client = RunflowClient(fast_config(emulator.base_url, read_timeout=0.3))
    emulator.inject(Fault(route="create", kind="slow", delay=1.0))
    with pytest.raises(OutcomeUnknownError):
        client.create_run(MODEL, edit_input())
    time.sleep(1.0)
    assert len(creates(emulator)) == 1


def test_connection_refused_is_unreachable_and_safe():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = RunflowClient(fast_config(f"http://127.0.0.1:{port}", max_retries=2))
    with pytest.raises(ServiceUnreachableError):
        client.create_run(MODEL, edit_input())


@pytest.mark.parametrize("kind", ["500", "502", "503", "504", "429", "malformed_json", "drop_after_read", "truncate"])
def test_poll_faults_do_not_end_the_wait(client, emulator, kind):
    run = client.create_run(MODEL, edit_input())
    emulator.inject(Fault(route="get_run", kind=kind, count=3))
    assert client.wait_for_run(run.id).status == "succeeded"


def test_poll_read_timeout_is_retried(emulator):
    client = RunflowClient(fast_config(emulator.base_url, read_timeout=0.3))
    run = client.create_run(MODEL, edit_input())
    emulator.inject(Fault(route="get_run", kind="slow", delay=0.8))
    assert client.wait_for_run(run.id).status == "succeeded"


def test_long_outage_on_get_run_raises_after_retries(client, emulator):
    emulator.inject(Fault(route="get_run", kind="500", count=100))
    with pytest.raises(ServiceUnavailableError):
        client.get_run("x")


def test_wait_timeout_and_abort(client, emulator):
    emulator.behaviour.run_duration = 30
    run = client.create_run(MODEL, edit_input())
    with pytest.raises(RunTimeoutError) as info:
        client.wait_for_run(run.id, timeout=0.2)
    assert info.value.run_id == run.id and "may still finish" in str(info.value)
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    with pytest.raises(WaitAborted):
        client.wait_for_run(run.id, cancel=cancel)


def test_truncated_download_is_retried(client, emulator):
    run = client.wait_for_run(client.create_run(MODEL, edit_input()).id)
    emulator.inject(Fault(route="download", kind="truncate"))
    results = client.fetch_results(run)
    Image.open(io.BytesIO(results[0].data)).load()


def test_expired_url_is_renewed_once(client, emulator):
    run = client.wait_for_run(client.create_run(MODEL, edit_input()).id)
    gets_before = sum(1 for r in emulator.requests if r.path.startswith("/v1/runs/"))
    emulator.inject(Fault(route="download", kind="expired"))
    results = client.fetch_results(run)
    assert len(results) == 1
    gets_after = sum(1 for r in emulator.requests if r.path.startswith("/v1/runs/"))
    assert gets_after == gets_before + 1


def test_url_expiry_by_time(client, emulator):
    emulator.behaviour.url_ttl = 0.05
    run = client.wait_for_run(client.create_run(MODEL, edit_input()).id)
    time.sleep(0.2)
    emulator.behaviour.url_ttl = 600
    assert len(client.fetch_results(run)) == 1


def test_download_never_carries_authorization(client, emulator):
    run = client.wait_for_run(client.create_run(MODEL, edit_input(num_images=2)).id)
    client.fetch_results(run)
    downloads = [r for r in emulator.requests if r.method == "GET" and not r.path.startswith("/v1/")]
    assert len(downloads) == 2
    assert all(header(r, "Authorization") is None for r in downloads)


def test_small_media_inline_large_through_upload(emulator):
    small = RunflowClient(fast_config(emulator.base_url))
    assert small.media_url(png_bytes(), filename="a.png", mime_type="image/png").startswith("data:image/png;base64,")
    big = RunflowClient(fast_config(emulator.base_url, inline_limit=1000))
    data = noise_png((200, 200))
    url = big.media_url(data, filename="../evil name.png", mime_type="image/png")
    assert url.startswith(emulator.base_url)
    puts = [r for r in emulator.requests if r.method == "PUT"]
    assert len(puts) == 1 and puts[0].body == data
    assert header(puts[0], "Authorization") is None
    assert header(puts[0], "Content-Type") == "image/png"
    run = big.wait_for_run(big.create_run(MODEL, EditParams(prompt="ok").model_input([url], None)).id)
    assert len(big.fetch_results(run)) == 1


def test_mask_sent_in_openai_convention(client, emulator):
    mask = masks.empty_mask((64, 48))
    mask[10:20, 5:30] = 255
    mask_url = client.media_url(masks.encode_mask_png(mask), filename="m.png", mime_type="image/png")
    image_url = to_data_uri(noise_png(), "image/png")
    run = client.create_run(MODEL, EditParams(prompt="ok").model_input([image_url], mask_url))
    sent = creates(emulator)[0].json["input"]["mask_url"]
    img = Image.open(io.BytesIO(from_data_uri(sent)[0]))
    assert img.mode == "RGBA"
    alpha = np.asarray(img.getchannel("A"))
    assert (alpha[10:20, 5:30] == 0).all() and alpha[30, 40] == 255
    done = client.wait_for_run(run.id)
    result = np.asarray(Image.open(io.BytesIO(client.fetch_results(done)[0].data)).convert("RGB")).astype(int)
    original = np.asarray(Image.open(io.BytesIO(noise_png())).convert("RGB")).astype(int)
    inside = np.abs(result[10:20, 5:30] - original[10:20, 5:30]).mean()
    outside = np.abs(result[25:, :] - original[25:, :]).mean()
    assert inside > 20 and outside < inside / 4


def test_service_validation_errors_carry_fields(client, emulator):
    with pytest.raises(ValidationError) as info:
        client.create_run(MODEL, {"prompt": "x", "image_urls": []})
    fields = {e.field for e in info.value.field_errors}
    assert any("prompt" in f for f in fields) and any("image_urls" in f for f in fields)
    assert emulator.runs_created == 0


def test_organization_header(emulator):
    client = RunflowClient(fast_config(emulator.base_url, organization_id="org_42"))
    client.check_key()
    assert header(emulator.requests[-1], "X-Organization-Id") == "org_42"


def test_direct_style(client, emulator):
    answer = client.run_direct(MODEL, edit_input(num_images=2))
    results = client.results_from_direct(answer)
    assert len(results) == 2 and emulator.runs_created == 1
    assert any(r.path.startswith("/v1/run/gpt-image-2/edit") for r in emulator.requests)


def test_sync_mode_results_are_data_uris(client, emulator):
    run = client.wait_for_run(client.create_run(MODEL, edit_input(sync_mode=True)).id)
    assert run.images[0].url.startswith("data:")
    Image.open(io.BytesIO(client.fetch_results(run)[0].data)).verify()
