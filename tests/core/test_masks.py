import io

import numpy as np
import pytest
from PIL import Image

from desktop_editor.core import masks
from desktop_editor.core.masks import MaskConvention, MaskError


def square_mask(size=(40, 30)) -> np.ndarray:
    m = masks.empty_mask(size)
    m[5:15, 10:25] = 255
    return m


def test_openai_encoding_alpha_zero_where_edit():
    m = square_mask()
    img = Image.open(io.BytesIO(masks.encode_mask_png(m)))
    assert img.mode == "RGBA" and img.size == (40, 30)
    alpha = np.asarray(img.getchannel("A"))
    assert (alpha[m > 0] == 0).all() and (alpha[m == 0] == 255).all()


def test_soft_edges_are_inside_the_sent_edit_area():
    m = square_mask()
    m[20, 20] = 3
    alpha = np.asarray(masks.to_openai_image(m).getchannel("A"))
    assert alpha[20, 20] == 0


@pytest.mark.parametrize("convention", list(MaskConvention))
def test_round_trip_both_conventions(tmp_path, convention):
    m = square_mask()
    path = tmp_path / f"m-{convention.value}.png"
    path.write_bytes(masks.encode_mask_png(m, convention))
    assert np.array_equal(masks.load_mask(path), m)


def test_black_white_keeps_soft_values(tmp_path):
    m = square_mask()
    m[0, 0] = 128
    path = tmp_path / "soft.png"
    path.write_bytes(masks.encode_mask_png(m, MaskConvention.BLACK_WHITE))
    assert masks.load_mask(path)[0, 0] == 128


def test_rgb_white_means_edit():
    img = Image.new("RGB", (10, 10), "black")
    img.paste("white", (0, 0, 5, 10))
    m = masks.mask_from_image(img)
    assert (m[:, :5] == 255).all() and (m[:, 5:] == 0).all()


def test_opaque_rgba_read_by_whiteness():
    img = Image.new("RGBA", (10, 10), (0, 0, 0, 255))
    img.paste((255, 255, 255, 255), (0, 0, 3, 10))
    m = masks.mask_from_image(img)
    assert (m[:, :3] == 255).all() and (m[:, 3:] == 0).all()


def test_wrong_size_refused_or_rescaled():
    m = square_mask((40, 30))
    with pytest.raises(MaskError, match="40x30.*80x60"):
        masks.fit_mask(m, (80, 60))
    scaled = masks.fit_mask(m, (80, 60), rescale=True)
    assert scaled.shape == (60, 80) and scaled[20, 30] == 255 and scaled[50, 5] == 0


def test_bad_mask_file(bad_files):
    with pytest.raises(MaskError):
        masks.load_mask(bad_files["text_as_png"])


def test_coverage_and_empty():
    m = square_mask()
    assert masks.coverage(m) == pytest.approx(150 / 1200)
    assert not masks.is_empty(m) and masks.is_empty(masks.empty_mask((3, 3)))


def test_is_empty_sees_a_single_pixel_anywhere_in_any_layout():
    for shape in [(1, 1), (3, 5), (7, 13), (64, 64), (37, 1001)]:
        blank = np.zeros(shape, np.uint8)
        assert masks.is_empty(blank)
        for y, x in [(0, 0), (shape[0] - 1, shape[1] - 1), (shape[0] // 2, shape[1] // 3)]:
            m = blank.copy()
            m[y, x] = 1
            assert not masks.is_empty(m)
            assert not masks.is_empty(m[:, ::-1])  # not contiguous: read plainly
        assert masks.is_empty(blank.astype(bool))


def test_encoded_masks_decode_to_the_conventions_pixels():
    rng = np.random.default_rng(3)
    mask = ((rng.random((301, 517)) > 0.7) * rng.integers(1, 256, (301, 517))).astype(np.uint8)
    for convention, mode in ((masks.MaskConvention.OPENAI, "RGBA"), (masks.MaskConvention.BLACK_WHITE, "L")):
        with Image.open(io.BytesIO(masks.encode_mask_png(mask[:, 3:], convention))) as decoded:
            assert decoded.format == "PNG" and decoded.mode == mode
            assert np.array_equal(np.asarray(decoded), np.asarray(masks.to_image(mask[:, 3:], convention)))


def test_a_grey_mask_with_a_grey_profile_keeps_its_own_levels(tmp_path):
    from colour_images import ghostscript_profile

    from desktop_editor.core.masks import load_mask

    levels = np.tile(np.arange(0, 256, dtype=np.uint8), (4, 1))
    path = tmp_path / "mask.png"
    Image.fromarray(levels, "L").save(path, icc_profile=ghostscript_profile("ps_gray.icc"))
    assert np.array_equal(load_mask(path), levels)
