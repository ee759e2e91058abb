"""The fake edit: strong inside the mask, mostly (not entirely) untouched outside, deterministic."""

from __future__ import annotations

import numpy as np
import requests
from emulator_support import Api, data_uri, decode, image, mask

from desktop_editor.emulator.editing import EditSpec, render

BOX = (8, 8, 32, 24)


def _spec(prompt: str = "paint it", with_mask: bool = True, **changes: object) -> EditSpec:
    values = {"image": image(), "mask": mask(box=BOX) if with_mask else None, "prompt": prompt, "num_images": 1,
              "output_format": "png", "size": None}
    values.update(changes)
    return EditSpec(**values)


def _pixels(data: bytes) -> np.ndarray:
    return np.asarray(decode(data).convert("RGB"), dtype=np.int16)


def test_inside_changes_strongly_outside_mostly_kept() -> None:
    source = np.asarray(image(), dtype=np.int16)
    out = _pixels(render(_spec(), 1)[0].data)
    inside = np.zeros(source.shape[:2], bool)
    inside[BOX[1]:BOX[3], BOX[0]:BOX[2]] = True
    difference = np.abs(out - source).max(axis=2)
    assert difference[inside].mean() > 40
    changed_outside = (difference[~inside] > 0).mean()
    assert 0 < changed_outside < 0.03  # a sparse stray pattern, like the real model


def test_without_a_mask_the_whole_image_changes() -> None:
    source = np.asarray(image(), dtype=np.int16)
    out = _pixels(render(_spec(with_mask=False), 1)[0].data)
    assert (np.abs(out - source).max(axis=2) > 20).mean() > 0.99


def test_same_input_same_bytes_and_outputs_differ_by_prompt_and_index() -> None:
    first = render(_spec(), 2)
    again = render(_spec(), 2)
    other = render(_spec(prompt="something else"), 1)
    assert [r.data for r in first] == [r.data for r in again]
    assert first[0].data != first[1].data
    assert first[0].data != other[0].data


def test_explicit_size_resizes_image_and_mask() -> None:
    result = render(_spec(image=image((128, 96)), mask=mask((128, 96)), size=(1024, 768)), 1)[0]
    assert (result.width, result.height) == (1024, 768)
    assert decode(result.data).size == (1024, 768)


def test_formats_and_alpha_free_output() -> None:
    for fmt, pillow in (("png", "PNG"), ("jpeg", "JPEG"), ("webp", "WEBP")):
        result = render(_spec(output_format=fmt, image=image().convert("RGBA")), 1)[0]
        assert decode(result.data).format == pillow
        assert result.content_type == f"image/{fmt}"


def test_edit_over_http_is_deterministic(api: Api) -> None:
    urls = []
    for _ in range(2):
        run = api.wait(api.create(mask_url=data_uri(mask(box=BOX))).json()["id"])
        urls.append(run["output"]["outputs"][0]["url"])
    first, second = (requests.get(url, timeout=5).content for url in urls)
    assert first == second
    out = decode(first).convert("RGB")
    assert out.getpixel((0, 47)) == image().getpixel((0, 47))
    assert out.getpixel((10, 10)) != image().getpixel((10, 10))
