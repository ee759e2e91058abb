"""The parameters model without a panel: what it sends for each model, and how a choice reads."""

from __future__ import annotations

from desktop_editor.core.params import EditParams
from desktop_editor.ui.models.params_model import ParamsModel, size_allowed
from desktop_editor.ui.models.params_text import format_money, sent_text


def test_fields_a_model_does_not_take_are_sent_at_their_defaults(qtbot):
    model = ParamsModel()
    model.update(prompt="cut the label", num_images=3, output_format="webp", image_size="1536x1008",
                 quality="low", sync_mode=True, model_options={"aspect_ratio": "4:5", "background": "opaque"})
    assert model.params() == EditParams(prompt="cut the label", num_images=3, output_format="webp",
                                        image_size="1536x1008", quality="low", sync_mode=True)
    model.model = "runflow/product-isolation"
    assert model.params() == EditParams(prompt="cut the label", model="runflow/product-isolation",
                                        options={"aspect_ratio": "4:5"})
    model.model = "runflow/tag-removal"
    assert model.params() == EditParams(prompt="", model="runflow/tag-removal")


def test_set_params_announces_each_change_once(qtbot):
    model = ParamsModel()
    seen: list[str] = []
    model.changed.connect(seen.append)
    model.set_params(EditParams(prompt="snow", model="openai/gpt-image-1.5/edit", options={"input_fidelity": "high"}))
    assert seen == ["model", "prompt", "model_options"]
    assert model.params().options == {"input_fidelity": "high"}
    model.set_params(EditParams(prompt="snow", model="no/such-model"))
    assert model.model == "openai/gpt-image-2/edit"  # an unknown model falls back to the default


def test_sizes_each_model_takes():
    gpt2, gpt15 = EditParams().spec, EditParams(model="openai/gpt-image-1.5/edit").spec
    assert size_allowed(gpt2, "1000x1000") and size_allowed(gpt2, " auto ") and size_allowed(gpt2, "square_hd")
    assert size_allowed(gpt15, "1536x1024") and not size_allowed(gpt15, "1536x1008")


def test_the_size_sent_and_the_result_promised():
    params = EditParams(image_size="landscape_4_3")
    assert sent_text(params, None) == ""
    assert sent_text(params, (7680, 4320)) == "Sent as 3840x2160 (scaled down from 7680x4320); result 1024x768"
    assert sent_text(params, (800, 600), size_ok=False) == "Sent as 800x600"
    assert sent_text(params, (800, 600), region_padding=32) == (
        "Sent as the region around the mask (+32 px), at most 800x600"
    )
    assert format_money(0.009) == "$0.009" and format_money(1.333) == "$1.33"
