"""Designers' files through a job: sent as 8-bit sRGB, the result back in the document's own
profile, mode, depth and file kind, the original's values kept bit for bit outside the mask."""

import io

import cv2
import numpy as np
import pytest
from PIL import Image

from colour_images import adobe_rgb, cmyk_profile, display_p3, gradient, prophoto, srgb_of
from desktop_editor.core.colour import SRGB_BYTES, is_srgb
from desktop_editor.core.images import load_image
from desktop_editor.core.params import EditParams
from desktop_editor.core.tiff_tags import ICC_PROFILE, UNDEFINED, with_tags
from desktop_editor.jobs.model import EditJob, JobOptions
from desktop_editor.jobs.prepare import finish_result, prepare_edit

W, H = 96, 64


def _mask():
    mask = np.zeros((H, W), np.uint8)
    mask[20:44, 30:70] = 255
    return mask


def _job(tmp_path, image_path, *, keep=True, save_format="source", feather=4.0):
    mask_path = tmp_path / "mask.png"
    Image.fromarray(_mask()).save(mask_path)
    return EditJob(params=EditParams(prompt="ok"), image_paths=[image_path], mask_path=mask_path,
                   options=JobOptions(out_dir=tmp_path, keep_unmasked=keep, feather=feather, save_format=save_format))


def _service_result(size, seed=9) -> bytes:
    rng = np.random.default_rng(seed)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def _sent(prepared) -> Image.Image:
    return Image.open(io.BytesIO(prepared.images[0].data))


def _outside(mask):
    """Pixels the feathered weights cannot reach: outside the painted area."""
    return mask == 0


def adobe_jpeg(tmp_path):
    values = gradient()
    path = tmp_path / "adobe.jpg"
    Image.fromarray(values).save(path, quality=95, icc_profile=adobe_rgb(), dpi=(300, 300))
    return path


def prophoto_tiff16(tmp_path, compression=5):
    values = gradient(bits=16)
    ok, encoded = cv2.imencode(".tiff", cv2.cvtColor(values, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_TIFF_COMPRESSION, compression])
    path = tmp_path / "lightroom.tif"
    path.write_bytes(with_tags(encoded.tobytes(), {ICC_PROFILE: (UNDEFINED, prophoto())}))
    return path


def p3_heic(tmp_path):
    import pillow_heif

    pillow_heif.register_heif_opener()
    path = tmp_path / "IMG_0001.heic"
    Image.fromarray(gradient()).save(path, "HEIF", quality=-1, icc_profile=display_p3())
    return path


@pytest.mark.parametrize("make,profile", [(adobe_jpeg, adobe_rgb), (prophoto_tiff16, prophoto), (p3_heic, display_p3)])
def test_what_is_sent_is_imagecms_srgb_conversion_tagged_srgb(tmp_path, make, profile):
    path = make(tmp_path)
    loaded = load_image(path)
    prepared = prepare_edit(_job(tmp_path, path))
    own = loaded.source.pixels
    eight = np.clip(np.rint(own / 257.0), 0, 255).astype(np.uint8) if own.dtype == np.uint16 else own
    expected = srgb_of(eight, profile())
    # the displayed copy is the screen's (sRGB) conversion, and it is what is encoded for sending
    assert np.abs(np.asarray(loaded.image).astype(int) - expected).max() <= 1
    sent = _sent(prepared)
    assert sent.info["icc_profile"] == SRGB_BYTES and is_srgb(sent.info["icc_profile"])
    if sent.format == "PNG":
        assert np.abs(np.asarray(sent.convert("RGB")).astype(int) - expected).max() <= 1
    else:  # a JPEG photo goes as JPEG q95: the conversion, plus the encoder's rounding
        assert np.abs(np.asarray(sent).astype(int) - expected).mean() < 2.0


def test_an_adobe_rgb_jpeg_is_never_sent_as_its_own_bytes(tmp_path):
    path = adobe_jpeg(tmp_path)
    assert load_image(path).pristine_bytes is None
    assert prepare_edit(_job(tmp_path, path)).images[0].data != path.read_bytes()


def test_a_16_bit_prophoto_tiff_comes_back_a_16_bit_prophoto_tiff_with_its_values_outside_the_mask(tmp_path):
    path = prophoto_tiff16(tmp_path)
    job = _job(tmp_path, path)
    prepared = prepare_edit(job)
    previews = []
    saved, ext, note = finish_result(prepared, job, _service_result(prepared.sent_size), on_preview=previews.append)
    assert ext == "tif" and note is None
    back = load_image(saved)
    assert back.source.kind == "TIFF" and back.source.space.bits == 16 and back.source.compression == "tiff_lzw"
    assert back.source.space.profile == prophoto()
    original = load_image(path).source.pixels
    outside = _outside(_mask())
    assert np.array_equal(back.source.pixels[outside], original[outside])
    assert not np.array_equal(back.source.pixels[~outside], original[~outside])
    # inside: the service's sRGB converted into ProPhoto, shown again as sRGB, is close to what it sent
    result = np.asarray(Image.open(io.BytesIO(_service_result(prepared.sent_size))))
    shown = np.asarray(back.image)
    assert np.abs(shown[30:34, 40:60].astype(int) - result[30:34, 40:60]).mean() < 3
    assert len(previews) == 1 and not previews[0].exact


def test_a_cmyk_jpeg_stays_cmyk_with_its_profile_and_composites_in_cmyk(tmp_path):
    from desktop_editor.core.document_composite import composite_document
    from desktop_editor.jobs.prepare import plan_finish

    values = gradient(bands=4)
    path = tmp_path / "print.jpg"
    Image.fromarray(values, "CMYK").save(path, quality=95, icc_profile=cmyk_profile())
    job = _job(tmp_path, path)
    prepared = prepare_edit(job)
    data = _service_result(prepared.sent_size)
    saved, ext, _ = finish_result(prepared, job, data)
    assert ext == "jpg"
    back = Image.open(io.BytesIO(saved))
    assert back.mode == "CMYK" and back.info.get("icc_profile") == cmyk_profile()
    # in the document's space, before JPEG's rounding: outside the mask the CMYK values exactly
    plan_finish(prepared, job)
    patch = composite_document(prepared.original.source, prepared.composite_plan, Image.open(io.BytesIO(data)))
    x0, y0, x1, y1 = prepared.composite_plan.rect
    own = prepared.original.source.pixels[y0:y1, x0:x1]
    outside = _outside(_mask()[y0:y1, x0:x1])
    assert np.array_equal(patch[outside], own[outside]) and not np.array_equal(patch, own)


def test_a_cmyk_tiff_comes_back_cmyk_exactly_outside_the_mask(tmp_path):
    values = gradient(bands=4)
    path = tmp_path / "print.tif"
    Image.fromarray(values, "CMYK").save(path, compression="tiff_lzw", icc_profile=cmyk_profile(), dpi=(300, 300))
    job = _job(tmp_path, path)
    prepared = prepare_edit(job)
    saved, ext, _ = finish_result(prepared, job, _service_result(prepared.sent_size))
    back = load_image(saved)
    assert ext == "tif" and back.source.space.mode == "CMYK" and back.source.space.profile == cmyk_profile()
    assert back.source.compression == "tiff_lzw" and back.dpi == pytest.approx((300, 300))
    outside = _outside(_mask())
    assert np.array_equal(back.source.pixels[outside], values[outside])


def test_an_iphone_heic_comes_back_heic_in_display_p3(tmp_path):
    path = p3_heic(tmp_path)
    job = _job(tmp_path, path)
    prepared = prepare_edit(job)
    saved, ext, _ = finish_result(prepared, job, _service_result(prepared.sent_size))
    back = load_image(saved)
    assert ext == "heic" and back.source.kind == "HEIF" and back.source.space.profile == display_p3()


def test_an_adobe_rgb_jpeg_comes_back_an_adobe_rgb_jpeg_with_its_resolution(tmp_path):
    path = adobe_jpeg(tmp_path)
    job = _job(tmp_path, path)
    prepared = prepare_edit(job)
    saved, ext, _ = finish_result(prepared, job, _service_result(prepared.sent_size))
    back = Image.open(io.BytesIO(saved))
    assert ext == "jpg" and back.info.get("icc_profile") == adobe_rgb()
    assert back.info.get("dpi") == pytest.approx((300, 300))


def test_a_16_bit_png_comes_back_a_16_bit_png(tmp_path):
    values = gradient(bits=16)
    path = tmp_path / "deep.png"
    cv2.imwrite(str(path), cv2.cvtColor(values, cv2.COLOR_RGB2BGR))
    job = _job(tmp_path, path)
    prepared = prepare_edit(job)
    saved, ext, _ = finish_result(prepared, job, _service_result(prepared.sent_size))
    back = load_image(saved)
    assert ext == "png" and back.source.space.bits == 16
    outside = _outside(_mask())
    assert np.array_equal(back.source.pixels[outside], values[outside])


def test_a_psd_comes_back_as_a_tiff_of_its_composite(tmp_path):
    from psd_tools import PSDImage

    path = tmp_path / "poster.psd"
    PSDImage.frompil(Image.fromarray(gradient())).save(path)
    job = _job(tmp_path, path)
    prepared = prepare_edit(job)
    saved, ext, _ = finish_result(prepared, job, _service_result(prepared.sent_size))
    back = load_image(saved)
    assert ext == "tif" and back.source.kind == "TIFF"
    outside = _outside(_mask())
    assert np.array_equal(np.asarray(back.image)[outside], gradient()[outside])


def test_save_format_still_chooses_otherwise(tmp_path):
    path = prophoto_tiff16(tmp_path)
    job = _job(tmp_path, path, save_format="png")
    prepared = prepare_edit(job)
    saved, ext, _ = finish_result(prepared, job, _service_result(prepared.sent_size))
    back = load_image(saved)
    assert ext == "png" and back.source.space.bits == 16 and back.source.space.profile == prophoto()


def test_a_whole_result_without_a_mask_is_converted_into_the_document(tmp_path):
    path = prophoto_tiff16(tmp_path)
    job = EditJob(params=EditParams(prompt="ok"), image_paths=[path], options=JobOptions(out_dir=tmp_path))
    prepared = prepare_edit(job)
    saved, ext, _ = finish_result(prepared, job, _service_result(prepared.sent_size))
    back = load_image(saved)
    assert ext == "tif" and back.source.space.profile == prophoto() and back.source.space.bits == 16


def test_a_reference_image_is_sent_converted_to_srgb(tmp_path):
    first = tmp_path / "plain.png"
    Image.fromarray(gradient()).save(first)
    reference = adobe_jpeg(tmp_path)
    job = EditJob(params=EditParams(prompt="ok"), image_paths=[first, reference], options=JobOptions(out_dir=tmp_path))
    prepared = prepare_edit(job)
    sent = np.asarray(Image.open(io.BytesIO(prepared.images[1].data)).convert("RGB"))
    own = load_image(reference).source.pixels
    assert np.abs(sent.astype(int) - srgb_of(own, adobe_rgb())).max() <= 1
