import pytest

from desktop_editor.core.params import (
    EditParams,
    ParamsError,
    fit_within_limits,
    nearest_valid_size,
    size_problems,
)


def fields(params: EditParams, images: int = 1) -> dict[str, str]:
    return {p.field: p.message for p in params.problems(images)}


def test_defaults_with_prompt_are_valid():
    EditParams(prompt="make the sky pink").check(1)


@pytest.mark.parametrize("prompt", ["", " ", "a"])
def test_prompt_too_short(prompt):
    assert "prompt" in fields(EditParams(prompt=prompt))


def test_prompt_too_long_names_the_limit():
    message = fields(EditParams(prompt="x" * 32_001))["prompt"]
    assert "32,001" in message and "32,000" in message


def test_prompt_at_limits_ok():
    assert fields(EditParams(prompt="ab")) == {}
    assert fields(EditParams(prompt="x" * 32_000)) == {}


@pytest.mark.parametrize("count, ok", [(0, False), (1, True), (16, True), (17, False)])
def test_image_count(count, ok):
    assert ("image_urls" not in fields(EditParams(prompt="ok"), count)) is ok


@pytest.mark.parametrize("n, ok", [(0, False), (1, True), (4, True), (5, False)])
def test_num_images(n, ok):
    assert ("num_images" not in fields(EditParams(prompt="ok", num_images=n))) is ok


def test_bad_format_and_quality():
    f = fields(EditParams(prompt="ok", output_format="gif", quality="ultra"))
    assert "output_format" in f and "quality" in f


def test_auto_quality_accepted():
    assert fields(EditParams(prompt="ok", quality="auto")) == {}


def test_width_not_multiple_of_16_offers_neighbours():
    msg = fields(EditParams(prompt="ok", image_size="1000x1024"))["image_size"]
    assert "Width 1000 is not a multiple of 16; nearest valid: 992 or 1008" in msg


@pytest.mark.parametrize(
    "size, fragment",
    [
        ("4096x1024", "longest edge"),
        ("3072x1008", "3:1"),
        ("768x768", "at least 655,360"),
        ("3840x2176", "at most 8,294,400"),
    ],
)
def test_size_rules(size, fragment):
    assert fragment in fields(EditParams(prompt="ok", image_size=size))["image_size"]


@pytest.mark.parametrize("size", ["auto", "square_hd", "landscape_4_3", "1536x1024", "3840x2160", "1024x640", "2160x720"])
def test_valid_sizes(size):
    assert fields(EditParams(prompt="ok", image_size=size)) == {}


def test_garbage_size_explained():
    assert "not understood" in fields(EditParams(prompt="ok", image_size="big"))["image_size"]


@pytest.mark.parametrize("w, h", [(1000, 1000), (5000, 100), (100, 100), (4000, 4000), (3841, 2161)])
def test_nearest_valid_size_is_valid(w, h):
    nw, nh = nearest_valid_size(w, h)
    assert size_problems(nw, nh) == []


def test_nearest_valid_size_keeps_close():
    assert nearest_valid_size(1000, 1000) in {(992, 992), (1008, 1008)}
    assert nearest_valid_size(1920, 1080) in {(1920, 1072), (1920, 1088)}
    assert nearest_valid_size(768, 768) == (816, 816)  # grows to the pixel minimum


def test_gpt15_has_own_sizes_and_mask_field():
    params = EditParams(prompt="ok", model="openai/gpt-image-1.5/edit", image_size="1536x1024",
                        options={"input_fidelity": "high"})
    params.check(1)
    body = params.model_input(["data:a"], "data:m")
    assert body["mask_image_url"] == "data:m" and "mask_url" not in body
    assert body["image_size"] == "1536x1024" and body["input_fidelity"] == "high"
    assert "background" not in body  # no choice made: the model's own default applies
    assert "image_size" in fields(params.with_changes(image_size="2048x1024"))
    assert "background" in fields(params.with_changes(options={"background": "green"}))


def test_gpt2_model_input_uses_object_for_explicit_size():
    body = EditParams(prompt="ok", image_size="1536x1024", num_images=2).model_input(["u1", "u2"], "m")
    assert body == {
        "image_urls": ["u1", "u2"],
        "prompt": "ok",
        "mask_url": "m",
        "num_images": 2,
        "output_format": "png",
        "image_size": {"width": 1536, "height": 1024},
        "quality": "high",
    }


def test_utility_models_need_no_prompt_and_take_one_image():
    params = EditParams(model="runflow/tag-removal")
    params.check(1)
    assert params.model_input(["u"], "ignored") == {"image_url": "u"}
    assert "image_url" in fields(params, images=2)  # no references: one image only


def test_product_isolation_options_defaults_and_optional_prompt():
    params = EditParams(model="runflow/product-isolation")
    params.check(1)
    assert params.model_input(["u"], "ignored") == {"image_url": "u", "aspect_ratio": "1:1", "resolution": "1K"}
    chosen = params.with_changes(prompt="the bottle only", options={"aspect_ratio": "4:5", "resolution": "2K"})
    assert chosen.model_input(["u"], None) == {
        "image_url": "u", "aspect_ratio": "4:5", "resolution": "2K", "prompt": "the bottle only",
    }
    assert "prompt" in fields(params.with_changes(prompt="x"))  # optional, but still 2 characters when given


def test_options_the_model_does_not_take_are_named():
    problems = fields(EditParams(prompt="ok", options={"aspect_ratio": "1:1"}))
    assert "aspect_ratio" in problems and "GPT Image 2 Edit has no option 'aspect_ratio'" in problems["aspect_ratio"]
    problems = fields(EditParams(model="runflow/product-isolation", options={"aspect_ratio": "7:3"}))
    assert "21:9" in problems["aspect_ratio"]


def test_parse_options():
    from desktop_editor.core.params import parse_options

    assert parse_options(["aspect_ratio=4:5", " resolution = 2K "]) == {"aspect_ratio": "4:5", "resolution": "2K"}
    with pytest.raises(ValueError, match="key=value"):
        parse_options(["aspect_ratio"])


def test_unknown_model():
    with pytest.raises(ParamsError, match="Unknown model"):
        EditParams(prompt="ok", model="nope/model").check(1)


def test_check_lists_every_problem():
    with pytest.raises(ParamsError) as info:
        EditParams(prompt="", num_images=9).check(1)
    assert {p.field for p in info.value.problems} == {"prompt", "num_images"}


def test_fit_within_limits():
    assert fit_within_limits(7680, 4320) == (3840, 2160)
    assert fit_within_limits(1000, 800) == (1000, 800)
    w, h = fit_within_limits(3840, 3840)
    assert w * h <= 8_294_400 and w == h


def test_estimated_cost():
    assert EditParams(prompt="ok", num_images=3).estimated_cost() == pytest.approx(0.399)
    assert EditParams(prompt="ok", quality="low").estimated_cost() == pytest.approx(0.009)
    assert EditParams(model="runflow/tag-removal").estimated_cost() is None


def test_round_trip_dict():
    p = EditParams(prompt="ok", num_images=2, image_size="1024x1024", options={"input_fidelity": "low"})
    assert EditParams.from_dict({**p.to_dict(), "unknown": 1}) == p


def test_history_written_before_options_reads_them():
    old = {"prompt": "ok", "model": "openai/gpt-image-1.5/edit", "input_fidelity": "high", "background": None}
    assert EditParams.from_dict(old).options == {"input_fidelity": "high"}
