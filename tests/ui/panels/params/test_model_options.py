"""The rows of each model's own fields, built from the catalogue, reach the parameters."""

from __future__ import annotations

from params_helpers import choose


def test_product_isolation_choices_reach_the_parameters(panel):
    choose(panel.model_combo, "runflow/product-isolation")
    assert panel.output_section.options.combos["aspect_ratio"].currentData() == "1:1"  # what Runflow's own code sends
    assert panel.output_section.options.combos["resolution"].currentData() == "1K"
    assert "OPTIONAL" in panel.prompt_section.header.text() and panel.is_valid()
    choose(panel.output_section.options.combos["aspect_ratio"], "4:5")
    panel.model.prompt = "the bottle only"
    params = panel.params()
    assert params.options == {"aspect_ratio": "4:5"} and params.prompt == "the bottle only"
    assert params.model_input(["u"], None) == {
        "image_url": "u", "aspect_ratio": "4:5", "resolution": "1K", "prompt": "the bottle only",
    }
