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
from desktop_editor.api.runs import Run, parse_output_images


@pytest.mark.parametrize(
    "output, urls",
    [
        ({"outputs": [{"type": "image", "url": "u1"}, {"type": "image", "url": "u2"}], "seed": None}, ["u1", "u2"]),
        ({"outputs": [{"type": "text", "url": "t"}, {"type": "image", "url": "u"}]}, ["u"]),
        ({"images": [{"url": "u", "content_type": "image/webp", "width": 3, "height": 4}]}, ["u"]),
        ({"image_urls": ["a", "b"]}, ["a", "b"]),
        ({"image": {"url": "u"}}, ["u"]),
        ({"url": "u"}, ["u"]),
        ({"output_url": "u"}, ["u"]),
        ({"outputs": [], "image_urls": ["fallback"]}, ["fallback"]),
        ({"outputs": None, "seed": 1}, []),
        (None, []),
        ("garbage", []),
    ],
)
def test_output_shapes(output, urls):
    assert [i.url for i in parse_output_images(output)] == urls


def test_fal_item_fields():
    (img,) = parse_output_images({"images": [{"url": "u", "content_type": "image/webp", "file_name": "a.webp", "width": 3, "height": 4}]})
    assert (img.content_type, img.file_name, img.width, img.height) == ("image/webp", "a.webp", 3, 4)


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
