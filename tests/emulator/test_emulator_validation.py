"""422 field errors for each input rule, checked independently of desktop_editor.core."""

from __future__ import annotations

import base64
import struct
import zlib

import pytest
from emulator_support import MODEL, Api, data_uri, encode, image, mask
from PIL import Image

GPT15 = "openai/gpt-image-1.5/edit"


def _field_errors(answer) -> dict[str, str]:
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["code"] == "VALIDATION_ERROR"
    messages: dict[str, str] = {}
    for error in body["errors"]:
        messages[error["field"]] = " | ".join(filter(None, [messages.get(error["field"]), error["message"]]))
    return messages


def _input(**changes: object) -> dict:
    data = {"prompt": "make it blue", "image_urls": [data_uri(image())]}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"prompt": None}, "input.prompt"),
        ({"prompt": "x"}, "input.prompt"),
        ({"prompt": "x" * 32_001}, "input.prompt"),
        ({"image_urls": []}, "input.image_urls"),
        ({"image_urls": "data:image/png;base64,AAAA"}, "input.image_urls"),
        ({"image_urls": ["data:,x"] * 17}, "input.image_urls"),
        ({"num_images": 0}, "input.num_images"),
        ({"num_images": 5}, "input.num_images"),
        ({"num_images": True}, "input.num_images"),
        ({"output_format": "gif"}, "input.output_format"),
        ({"quality": "ultra"}, "input.quality"),
        ({"image_size": "huge"}, "input.image_size"),
        ({"image_size": "1024x1024"}, "input.image_size"),  # a gpt-image-1.5 size
        ({"sync_mode": "yes"}, "input.sync_mode"),
        ({"mask_image_url": "data:,x"}, "input.mask_image_url"),  # gpt-image-1.5's mask field
        ({"seed": 3}, "input.seed"),
    ],
)
def test_each_gpt_image_2_rule(api: Api, changes: dict, field: str) -> None:
    answer = api.post(f"/v1/models/{MODEL}/runs", {"input": _input(**changes)})
    assert field in _field_errors(answer)
    assert api.emu.runs_created == 0


@pytest.mark.parametrize(
    ("width", "height", "fragment"),
    [
        (1000, 1000, "multiples of 16"),
        (4096, 1024, "longest edge"),
        (3840, 1024, "aspect ratio"),  # 3.75:1; the longest edge alone would be fine
        (1024, 3200, "aspect ratio"),
        (768, 768, "pixels"),  # 589,824 < 655,360
    ],
)
def test_explicit_sizes_that_break_a_rule(api: Api, width: int, height: int, fragment: str) -> None:
    answer = api.create(image_size={"width": width, "height": height})
    assert fragment in _field_errors(answer)["input.image_size"]


@pytest.mark.parametrize(("width", "height"), [(3840, 1280), (3840, 2160), (1024, 640)])
def test_explicit_sizes_at_the_limits_are_accepted(width: int, height: int) -> None:
    from desktop_editor.emulator.validation import explicit_size_problems

    assert explicit_size_problems(width, height) == []


def test_gpt_image_1_5_fields(api: Api) -> None:
    ok = {"input": _input(image_size="1536x1024", input_fidelity="high", background="transparent")}
    assert api.post(f"/v1/models/{GPT15}/runs", ok).status_code == 201
    bad = {"input": _input(image_size="square_hd", input_fidelity="max", background="none", mask_url="data:,x")}
    errors = _field_errors(api.post(f"/v1/models/{GPT15}/runs", bad))
    assert {"input.image_size", "input.input_fidelity", "input.background", "input.mask_url"} <= set(errors)


def test_runflow_models_take_one_image_url_and_no_prompt(api: Api) -> None:
    body = {"input": {"image_url": data_uri(image())}}
    assert api.post("/v1/models/runflow/tag-removal/runs", body).status_code == 201
    assert api.post("/v1/models/runflow/product-isolation/runs", body).status_code == 201
    prompted = {"input": {"image_url": data_uri(image()), "prompt": "clean"}}
    assert "input.prompt" in _field_errors(api.post("/v1/models/runflow/tag-removal/runs", prompted))


def test_product_isolation_refuses_a_list_of_images(api: Api) -> None:
    """What the service says to a client that sends the edit models' image_urls to it."""
    body = {"input": {"image_urls": [data_uri(image())]}}
    errors = _field_errors(api.post("/v1/models/runflow/product-isolation/runs", body))
    assert errors["input.image_url"] == "image_url is required: the URL of one image"
    assert errors["input.image_urls"].startswith("unknown field")


def test_product_isolation_options(api: Api) -> None:
    good = {"input": {"image_url": data_uri(image()), "aspect_ratio": "9:16", "resolution": "1K",
                      "prompt": "Isolate the main product."}}
    run = api.wait(api.post("/v1/models/runflow/product-isolation/runs", good).json()["id"])
    output = run["output"]["outputs"][0]
    assert (output["width"], output["height"]) == (576, 1024)  # the frame of the aspect ratio
    bad = {"input": {"image_url": data_uri(image()), "aspect_ratio": "7:3", "resolution": "8K"}}
    errors = _field_errors(api.post("/v1/models/runflow/product-isolation/runs", bad))
    assert {"input.aspect_ratio", "input.resolution"} <= set(errors)


def test_envelope_rules(api: Api) -> None:
    path = f"/v1/models/{MODEL}/runs"
    assert "body" in _field_errors(api.post(path, [1, 2]))
    assert "input" in _field_errors(api.post(path, {"prompt": "no envelope"}))
    assert "metadata" in _field_errors(api.post(path, {"input": _input(), "metadata": "x"}))


def _png_claiming(width: int, height: int) -> bytes:
    data = bytearray(encode(Image.new("L", (8, 8))))
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/cat.png",
        "data:image/png;base64,bm90IGFuIGltYWdl",  # "not an image"
        "data:image/png;base64,%%%",
        "data:image/png,rawtext",
        "data:image/png;base64," + base64.b64encode(_png_claiming(20_000, 20_000)).decode(),
    ],
)
def test_unreachable_or_undecodable_images(api: Api, url: str) -> None:
    errors = _field_errors(api.create(image_urls=[url]))
    assert errors["input.image_urls[0]"].startswith("could not fetch image_urls[0]")


def test_data_uris_over_50_mib_are_refused() -> None:
    from desktop_editor.emulator.validation import decode_data_uri

    with pytest.raises(ValueError, match="50 MiB"):
        decode_data_uri("data:image/png;base64," + "A" * (70 * 1024 * 1024))


def test_mask_must_be_png_with_alpha(api: Api) -> None:
    for bad in (data_uri(mask().convert("L")), data_uri(mask().convert("RGB"), "JPEG")):
        errors = _field_errors(api.create(mask_url=bad))
        assert errors["input.mask_url"] == "mask must be a PNG with an alpha channel"


def test_mask_must_match_the_image_size(api: Api) -> None:
    errors = _field_errors(api.create(mask_url=data_uri(mask((32, 32)))))
    assert errors["input.mask_url"] == "mask size 32x32 does not match image size 64x48"


def test_a_good_mask_is_accepted(api: Api) -> None:
    assert api.create(mask_url=data_uri(mask())).status_code == 201
