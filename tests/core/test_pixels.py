"""Strip-wise conversions must give exactly what numpy's one-piece conversion gives."""

import numpy as np
import pytest
from PIL import Image

from desktop_editor.core.pixels import STRIP_ROWS, band, strips, to_array


def _random(mode: str, size=(37, 2 * STRIP_ROWS + 13)) -> Image.Image:
    rng = np.random.default_rng(1)
    bands = len(Image.new(mode, (1, 1)).getbands())
    shape = (size[1], size[0]) if bands == 1 else (size[1], size[0], bands)
    return Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8), mode)


def test_strips_cover_every_row_once():
    rows = [r for top, bottom in strips(2 * STRIP_ROWS + 5) for r in range(top, bottom)]
    assert rows == list(range(2 * STRIP_ROWS + 5))
    assert list(strips(0)) == []


@pytest.mark.parametrize("mode", ["L", "LA", "RGB", "RGBA"])
def test_to_array_matches_numpy(mode):
    img = _random(mode)
    out = to_array(img)
    assert out.dtype == np.uint8 and out.flags.writeable
    assert np.array_equal(out, np.asarray(img))


def test_to_array_of_other_modes_falls_back_to_numpy():
    img = Image.fromarray(np.arange(12, dtype=np.uint16).reshape(3, 4) * 5000)
    assert np.array_equal(to_array(img), np.asarray(img))


def test_band_reads_one_channel():
    img = _random("RGBA")
    assert np.array_equal(band(img, "A"), np.asarray(img)[..., 3])
    assert np.array_equal(band(img, "G"), np.asarray(img)[..., 1])
    with pytest.raises(ValueError):
        band(img.convert("RGB"), "A")
