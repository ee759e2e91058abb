"""Result and mix layers: what a designer's editor will show equals what the app composited."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
from PIL import Image

from desktop_editor.core.composite import composite, weight_image
from desktop_editor.core.layered.build import layer_name, mix_layers, original_layer, result_layer
from desktop_editor.core.layered.stack import Layer, LayeredFileError, LayerStack, flatten
from desktop_editor.core.mix import MixPalette, MixStroke, prepare_source, render_all, stack_sources


@pytest.mark.parametrize("feather", [0.0, 6.0])
def test_an_8_bit_result_layer_flattens_to_the_apps_composite_exactly(sample_of, feather):
    sample = sample_of(8, "RGB", feather=feather)
    expected = composite(Image.fromarray(sample.original), Image.fromarray(sample.results[0]), sample.masks[0],
                         feather=feather)
    expected = composite(expected, Image.fromarray(sample.results[1]), sample.masks[1], feather=feather)
    assert np.array_equal(sample.flat, np.asarray(expected))


def test_a_result_layer_is_cropped_to_its_mask_and_masked_by_the_blend_weights(sample):
    layer = sample.stack.layers[1]
    assert layer.offset == (10, 12) and layer.size == (50, 38)
    weights = np.asarray(weight_image(sample.masks[0], 6.0))
    assert np.array_equal(layer.mask, weights[12:50, 10:60])
    assert np.array_equal(layer.pixels, sample.results[0][12:50, 10:60])
    assert layer.mask[0, 0] == 0 and layer.mask[19, 25] == 255  # feathered inside, never outside


def test_a_whole_frame_result_is_a_full_layer_without_mask(sample):
    layer = result_layer(sample.results[0], None, "remade")
    assert layer.mask is None and layer.offset == (0, 0) and layer.pixels is sample.results[0]


def test_an_empty_or_mismatched_mask_is_refused_with_a_sentence(sample):
    with pytest.raises(LayeredFileError, match="empty"):
        result_layer(sample.results[0], np.zeros(sample.masks[0].shape, np.uint8), "x")
    with pytest.raises(LayeredFileError, match="does not match|mask of"):
        result_layer(sample.results[0], sample.masks[0][:10], "x")


def test_layer_names_say_prompt_and_time_and_stay_short():
    when = datetime(2026, 12, 7, 14, 5)
    assert layer_name("  remove\nthe lamp ", when) == "remove the lamp (14:05)"
    assert layer_name("", when) == "Result (14:05)"
    long = layer_name("word " * 40, when)
    assert long.endswith("\u2026 (14:05)") and len(long) <= 60 + 8


def test_a_stack_refuses_layers_of_the_wrong_depth_or_channels(sample):
    bad = LayerStack(sample.stack.width, sample.stack.height, sample.stack.mode, sample.stack.depth, None,
                     [Layer("wrong", np.zeros((4, 4, 5), sample.stack.dtype))])
    with pytest.raises(LayeredFileError, match="channels"):
        bad.validate()
    other = np.uint8 if sample.stack.depth == 16 else np.uint16
    bad.layers = [original_layer(sample.original.astype(other))]
    with pytest.raises(LayeredFileError, match="bit"):
        bad.validate()


def test_flatten_keeps_transparency_when_a_layer_has_it():
    pixels = np.zeros((4, 4, 4), np.uint8)
    pixels[..., 0] = 200
    pixels[..., 3] = 128
    stack = LayerStack(4, 4, "RGB", 8, None, [Layer("half", pixels)])
    flat = flatten(stack)
    assert flat.shape == (4, 4, 4) and flat[0, 0, 3] == 128 and flat[0, 0, 0] == 200


def _painted_mix(sources_rgb: list[np.ndarray], base: int) -> tuple[np.ndarray, MixPalette]:
    palette = MixPalette(len(sources_rgb) + 1)
    labels = np.zeros(sources_rgb[0].shape[:2], np.uint8)
    MixStroke(labels, palette, 2, radius=14, hardness=0.3).segment((30, 30), (90, 40))  # result 2, soft edge
    MixStroke(labels, palette, 3, radius=10, hardness=1.0).segment((40, 70), (110, 80))  # result 3, hard
    return labels, palette


def test_mix_layers_stack_to_the_rendered_mix_within_one_level(sample_of):
    sample = sample_of(8, "RGB")
    original = Image.fromarray(sample.original)
    third = np.full_like(sample.original, 90)
    jobs = [(sample.results[0], sample.masks[0]), (sample.results[1], sample.masks[1]), (third, sample.masks[1])]
    sources = [np.asarray(prepare_source(original, Image.fromarray(r), m, keep_inside_mask=True, feather=6.0))
               for r, m in jobs]
    base = 0
    labels, palette = _painted_mix(sources, base)
    rendered = render_all(labels, stack_sources([Image.fromarray(s) for s in sources], order="RGB"), palette, base)
    names = ["first", "second", "third"]
    weights = np.asarray(weight_image(sample.masks[0], 6.0))
    layers = mix_layers(sources, labels, palette, base, names, base_edit=(sample.results[0], weights))
    assert [layer.name for layer in layers] == names  # base first, then the painted results
    assert layers[0].box == (10, 12, 60, 50)  # the base layer is limited to its own edit
    height, width = sample.original.shape[:2]
    stack = LayerStack(width, height, "RGB", 8, None, [original_layer(sample.original), *layers])
    assert np.abs(flatten(stack).astype(int) - rendered.astype(int)).max() <= 1
    hard = layers[2].mask
    assert hard.max() == 255 and hard[0, 0] == 0  # its painted area, nothing around it


def test_a_result_painted_nowhere_gets_no_layer(sample_of):
    sample = sample_of(8, "RGB")
    sources = [sample.results[0], sample.results[1]]
    palette = MixPalette(3)
    labels = np.zeros(sample.original.shape[:2], np.uint8)
    MixStroke(labels, palette, 1, radius=8).segment((20, 20), (40, 20))  # result 1 = the base's own slot
    layers = mix_layers(sources, labels, palette, 0, ["a", "b"])
    assert [layer.name for layer in layers] == ["a"]
