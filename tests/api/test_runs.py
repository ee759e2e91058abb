"""Parsing every output shape and error body runflow-api.md allows, without a server."""

import pytest

from desktop_editor.api.errors import (
    AuthError,
    InsufficientCreditError,
    NotFoundError,
    RateLimitedError,
    ServiceUnavailableError,
    ValidationError,
    advice_for,
    error_from_response,
)
from desktop_editor.api.runs import Run, find_image_links, parse_output_images


U1, U2, U = "https://cdn.example/1.png", "https://cdn.example/2.png", "https://cdn.example/r.png"


@pytest.mark.parametrize(
    "output, urls",
    [
        ({"outputs": [{"type": "image", "url": U1}, {"type": "image", "url": U2}], "seed": None}, [U1, U2]),
        ({"outputs": [{"type": "text", "url": "https://x/t"}, {"type": "image", "url": U}]}, [U]),
        ({"images": [{"url": U, "content_type": "image/webp", "width": 3, "height": 4}]}, [U]),
        ({"image_urls": [U1, U2]}, [U1, U2]),
        ({"image": {"url": U}}, [U]),
        ({"url": U}, [U]),
        ({"output_url": U}, [U]),
        ({"outputs": [], "image_urls": [U]}, [U]),
        ({"outputs": None, "seed": 1}, []),
        ({"image": "pending"}, []),  # a word is not an address
        (None, []),
        ("garbage", []),
        (U, [U]),
        ("data:image/png;base64,AAAA", ["data:image/png;base64,AAAA"]),
    ],
)
def test_output_shapes(output, urls):
    assert [i.url for i in parse_output_images(output)] == urls


def test_fal_item_fields():
    (img,) = parse_output_images({"images": [{"url": U, "content_type": "image/webp", "file_name": "a.webp", "width": 3, "height": 4}]})
    assert (img.content_type, img.file_name, img.width, img.height) == ("image/webp", "a.webp", 3, 4)


def test_unknown_shape_is_searched_whole():
    answer = {"result": {"files": [{"href": U1}, {"href": U1}], "preview": "data:image/png;base64,AA"},
              "log": "data:text/plain;base64,AA", "note": "done"}
    assert [i.url for i in find_image_links(answer)] == [U1, "data:image/png;base64,AA"]
    assert parse_output_images(answer) == []


@pytest.mark.parametrize(
    "answer, run_id, status",
    [({"id": "a", "status_code": "queued"}, "a", "queued"), ({"run_id": "b", "status": "RUNNING"}, "b", "running"),
     ({"run_id": 7, "status": "errored"}, "7", "errored")],
)
def test_id_and_status_spellings(answer, run_id, status):
    run = Run.from_json(answer)
    assert (run.id, run.status) == (run_id, status)


@pytest.mark.parametrize(
    "answer, code, message",
    [({"failure_code": "C", "failure_message": "m"}, "C", "m"),
     ({"error": {"message": "m", "code": "C"}}, "C", "m"),
     ({"error": "m"}, None, "m"),
     ({"failure_message": None, "error": None}, None, None)],
)
def test_failure_detail_spellings(answer, code, message):
    run = Run.from_json({"id": "r", "status": "errored", **answer})
    assert (run.failure_code, run.failure_message) == (code, message)
    assert run.is_terminal and not run.succeeded


def test_unknown_status_is_neither_terminal_nor_known():
    run = Run.from_json({"id": "r", "status": "warming_up"})
    assert not run.is_terminal and not run.is_known_status and run.status == "warming_up"


@pytest.mark.parametrize("status", ["canceled", "cancelled", "CANCELLED"])
def test_both_cancel_spellings_terminal(status):
    run = Run.from_json({"id": "r", "status_code": status})
    assert run.is_terminal and run.canceled and not run.succeeded


def test_run_fields_and_error_fallback():
    run = Run.from_json({"id": "r", "status_code": "failed", "error": {"message": "boom"}, "cost": "0.5"})
    assert run.failure_message == "boom" and run.cost == 0.5 and run.is_terminal
    assert Run.from_json({"id": "r", "status_code": "partial_succeeded"}).succeeded
    assert not Run.from_json({"id": "r", "status_code": "dispatching"}).is_terminal


@pytest.mark.parametrize(
    "status, cls",
    [(401, AuthError), (402, InsufficientCreditError), (404, NotFoundError), (422, ValidationError),
     (429, RateLimitedError), (500, ServiceUnavailableError), (503, ServiceUnavailableError)],
)
def test_error_mapping(status, cls):
    exc = error_from_response(status, {"code": "X", "message": "msg"})
    assert type(exc) is cls and exc.status == status and "msg" in str(exc)


def test_validation_details_and_advice():
    exc = error_from_response(422, {"message": "Invalid", "errors": [{"field": "input.prompt", "message": "too short"}]})
    assert exc.field_errors[0].field == "input.prompt" and "input.prompt: too short" in str(exc)
    assert "credit" in advice_for(error_from_response(402, None)).lower()
    assert str(error_from_response(418, "not json")) == "The service answered with HTTP 418."
