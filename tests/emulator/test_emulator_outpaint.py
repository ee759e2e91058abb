"""The emulator plays outpainting: an edge-long mask is filled continuing the photo at the seam
and drifting toward the prompt's colour away from it, the same bytes every time."""

import numpy as np
from PIL import Image

from desktop_editor.emulator.editing import EditSpec, _colour, decode_image, render
from desktop_editor.emulator.outpaint import is_outpaint


def _spec(prompt="a misty forest"):
    image = np.zeros((200, 300, 3), np.uint8)
    image[..., 0] = 40
    image[..., 1] = np.linspace(60, 200, 200, dtype=np.uint8)[:, None]  # a vertical gradient
    image[..., 2] = 90
    image[:, 200:] = 0  # the new area as a client might send it: anything
    alpha = np.full((200, 300), 255, np.uint8)
    alpha[:, 200:] = 0  # edit the right third: a whole border column is masked
    mask = Image.fromarray(np.dstack([np.zeros((200, 300, 3), np.uint8), alpha]), "RGBA")
    return EditSpec(Image.fromarray(image, "RGB"), mask, prompt, 1, "png", None), image


def test_outpaint_continues_the_edge_and_paints_the_prompt_far_away():
    spec, image = _spec()
    [rendered] = render(spec, 1)
    out = np.asarray(decode_image(rendered.data).convert("RGB")).astype(int)
    seam_gap = np.abs(out[:, 201] - image[:, 199].astype(int)).mean()
    assert seam_gap < 25, f"the new area does not continue the photo at the seam ({seam_gap:.1f})"
    assert np.corrcoef(out[:, 202, 1], image[:, 199, 1])[0, 1] > 0.9, "the edge's gradient is not carried on"
    colour = np.array(_colour(spec.prompt, 0))
    far = out[:, 290:].reshape(-1, 3).mean(axis=0)
    near = out[:, 201:205].reshape(-1, 3).mean(axis=0)
    assert np.abs(far - colour).sum() < np.abs(near - colour).sum(), "the far area is not the prompt's"
    assert rendered.data == render(spec, 1)[0].data, "not deterministic"
    other, _ = _spec("a sunny beach")
    assert render(other, 1)[0].data != rendered.data


def test_interior_masks_are_not_outpaintings():
    area = np.zeros((50, 60), bool)
    area[10:40, 10:50] = True
    assert not is_outpaint(area)
    area[:, 55:] = True
    assert is_outpaint(area)
