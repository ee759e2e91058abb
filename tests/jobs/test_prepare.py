"""What is sent for a large photo: scaled to the model's limits, in a format like the file's."""

import io

from PIL import Image

from desktop_editor.core.params import EditParams
from desktop_editor.jobs.model import EditJob
from desktop_editor.jobs.prepare import prepare_edit


def big(tmp_path, name, fmt):
    path = tmp_path / name
    Image.new("RGB", (4000, 1000), (120, 80, 40)).save(path, fmt)
    return path


def test_a_scaled_jpeg_is_sent_as_a_full_colour_jpeg(tmp_path):
    from PIL import JpegImagePlugin

    prepared = prepare_edit(EditJob(params=EditParams(prompt="ok"), image_paths=[big(tmp_path, "a.jpg", "JPEG")]))
    upload = prepared.images[0]
    assert upload.mime_type == "image/jpeg" and upload.filename == "a.jpg"
    sent = Image.open(io.BytesIO(upload.data))
    assert sent.format == "JPEG" and sent.size == prepared.sent_size == (3840, 960)
    assert JpegImagePlugin.get_sampling(sent) == 0


def test_a_scaled_png_is_sent_as_png(tmp_path):
    prepared = prepare_edit(EditJob(params=EditParams(prompt="ok"), image_paths=[big(tmp_path, "a.png", "PNG")]))
    upload = prepared.images[0]
    assert upload.mime_type == "image/png" and Image.open(io.BytesIO(upload.data)).format == "PNG"


# ----- the sent-size copy, made once per opened image (ahead of Generate when it can be) ---------

import numpy as np  # noqa: E402

from desktop_editor.core.images import load_image  # noqa: E402
from desktop_editor.core.params import fit_within_limits  # noqa: E402
from desktop_editor.jobs import prepare as prepare_module  # noqa: E402
from desktop_editor.jobs.manager import JobManager, Snapshot  # noqa: E402
from desktop_editor.jobs.prepare import prepare_ahead, reduced_decode, sent_copy  # noqa: E402


def photo(path, size, seed=5):
    """Smooth shapes with fine noise, as a camera JPEG (q92)."""
    rng = np.random.default_rng(seed)
    smooth = Image.fromarray(rng.integers(0, 255, (12, 18, 3), dtype=np.uint8)).resize(size, Image.Resampling.BICUBIC)
    noisy = np.clip(np.asarray(smooth, np.int16) + rng.integers(-8, 9, (size[1], size[0], 3)), 0, 255).astype(np.uint8)
    Image.fromarray(noisy).save(path, quality=92)
    return path


def psnr(a: Image.Image, b: Image.Image) -> float:
    diff = np.asarray(a, np.float64) - np.asarray(b, np.float64)
    return float(10 * np.log10(255.0**2 / max(1e-9, (diff**2).mean())))


def test_a_photo_twice_the_sent_size_is_decoded_at_half_size_and_stays_close_to_the_full_path(tmp_path):
    loaded = load_image(photo(tmp_path / "big.jpg", (5000, 3000)))
    size = fit_within_limits(*loaded.size)  # 3718x2230: half size (2500x1500) would be too small
    assert reduced_decode(loaded, size) is None
    small = (2000, 1200)
    reduced = reduced_decode(loaded, small)
    assert reduced is not None and reduced.size == (2500, 1500)
    sent = prepare_module._sent_image(loaded, small)
    full = loaded.image.resize(small, Image.Resampling.LANCZOS)
    assert sent.size == small
    assert psnr(sent, full) > 40  # measured about 47 dB here


def test_the_sent_copy_is_made_once_and_is_what_a_job_sends(tmp_path):
    path = photo(tmp_path / "wide.jpg", (4000, 1000))
    loaded = load_image(path)
    prepare_ahead(loaded)
    size = fit_within_limits(*loaded.size)
    copy = sent_copy(loaded, size)
    assert copy is sent_copy(loaded, size) and copy.size == size and copy.jpeg is not None
    assert copy.image is None  # a photo's is kept as the JPEG it is sent as, not its pixels too
    with Image.open(io.BytesIO(copy.jpeg)) as sent:
        assert sent.size == size
    job = EditJob(params=EditParams(prompt="ok"), image_paths=[path])
    prepared = prepare_edit(job, prepare_module.Preloaded(loaded, None))
    assert prepared.images[0].data is copy.jpeg and prepared.sent_size == size
    scaled = prepare_module._sent_image(loaded, size)  # what the JPEG was encoded from
    assert np.array_equal(np.asarray(scaled), np.asarray(loaded.image.resize(size, Image.Resampling.LANCZOS)))


# ----- a result in memory before its file is written ---------------------------------------------


class _NoClient:
    def close(self):
        pass


def _prepared_with_mask(tmp_path, source_name, *, save_format="source", height=120):
    from desktop_editor.jobs.model import JobOptions

    rng = np.random.default_rng(7)
    original = Image.fromarray(rng.integers(0, 256, (height, 160, 3), dtype=np.uint8))
    path = tmp_path / source_name
    original.save(path)
    mask = np.zeros((height, 160), np.uint8)
    mask[40:80, 50:110] = 255
    job = EditJob(params=EditParams(prompt="ok"), image_paths=[],
                  options=JobOptions(out_dir=tmp_path, keep_unmasked=True, feather=4, save_format=save_format))
    JobManager._write_snapshot(job, Snapshot(image=load_image(path).image, mask=mask, name=source_name))
    prepared = prepare_edit(job)
    result = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (height, 160, 3), dtype=np.uint8)).save(result, "PNG")
    return job, prepared, result.getvalue()


def test_the_result_in_memory_is_the_saved_png_pixel_for_pixel(tmp_path):
    from desktop_editor.jobs.prepare import finish_result, plan_finish

    job, prepared, data = _prepared_with_mask(tmp_path, "a.png")
    plan_finish(prepared, job)
    assert prepared.composite_plan is not None
    previews = []
    saved, ext, _ = finish_result(prepared, job, data, on_preview=previews.append)
    assert ext == "png" and len(previews) == 1
    preview = previews[0]
    assert preview.exact and preview.original is prepared.original.image
    assert np.array_equal(np.asarray(preview.full()), np.asarray(load_image(saved).image))


def test_a_result_saved_as_jpeg_is_previewed_as_not_exact(tmp_path):
    from desktop_editor.jobs.prepare import finish_result

    job, prepared, data = _prepared_with_mask(tmp_path, "a.png", save_format="jpeg")
    previews = []
    _saved, ext, _ = finish_result(prepared, job, data, on_preview=previews.append)
    assert ext == "jpg" and not previews[0].exact
    left, top, right, bottom = previews[0].rect
    full = np.array(previews[0].full(), copy=True)
    original = np.asarray(prepared.original.image)
    full[top:bottom, left:right] = original[top:bottom, left:right]
    assert np.array_equal(full, original)  # outside the patch the original's pixels exactly


def test_a_plan_made_for_other_options_is_made_again(tmp_path):
    from dataclasses import replace

    from desktop_editor.jobs.prepare import plan_finish

    job, prepared, _data = _prepared_with_mask(tmp_path, "a.png")
    plan_finish(prepared, job)
    first = prepared.composite_plan
    plan_finish(prepared, job)
    assert prepared.composite_plan is first
    plan_finish(prepared, replace(job, options=replace(job.options, feather=0)))
    assert prepared.composite_plan is not first and prepared.composite_plan.feather == 0


def test_the_frame_copied_while_the_service_works_is_what_the_result_is_pasted_into(tmp_path):
    from desktop_editor.jobs.prepare import finish_result, plan_finish

    job, prepared, data = _prepared_with_mask(tmp_path, "a.png")
    expected, _ext, _ = finish_result(prepared, job, data)  # copied at the end, as without one
    plan_finish(prepared, job, copy_frame=True)
    frame = prepared.full_frame
    assert frame is not None and frame is not prepared.original.image
    assert np.array_equal(np.asarray(frame), np.asarray(prepared.original.image))
    saved, ext, _ = finish_result(prepared, job, data)
    assert prepared.full_frame is None  # taken once: a second result copies its own
    assert ext == "png" and np.array_equal(np.asarray(load_image(saved).image), np.asarray(load_image(expected).image))
    original = np.asarray(prepared.original.image)
    assert not np.array_equal(np.asarray(frame), original)  # the result was pasted into it
    plan_finish(prepared, job)
    assert prepared.full_frame is None  # only while the service works


def test_a_large_jpeg_has_its_unchanged_strips_encoded_while_the_service_works(tmp_path, monkeypatch):
    from desktop_editor.core import striped_jpeg
    from desktop_editor.core.export import encode_image
    from desktop_editor.jobs.prepare import finish_result, plan_finish

    monkeypatch.setattr(striped_jpeg, "MIN_STRIPED_PIXELS", 100 * 100)  # the 160x120 test photo counts as large
    job, prepared, data = _prepared_with_mask(tmp_path, "a.jpg", save_format="jpeg", height=700)  # strips of 256 rows
    plan_finish(prepared, job, copy_frame=True)
    ahead = prepared.jpeg_ahead
    assert ahead is not None and prepared.full_frame is None  # no copy of the frame is made
    rect = prepared.composite_plan.rect
    assert ahead.futures and not set(ahead.futures) & ahead.strips.touching(rect[1], rect[3])
    previews = []
    saved, ext, _ = finish_result(prepared, job, data, on_preview=previews.append)
    assert ext == "jpg"
    # The pixels of one encode of the whole result, as before; the strips were joined, not re-encoded.
    whole = encode_image(previews[0].full(), "jpeg", icc_profile=prepared.original.icc_profile, dpi=prepared.original.dpi)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(saved))), np.asarray(Image.open(io.BytesIO(whole))))
    prepared.drop_ahead()
    assert prepared.jpeg_ahead is None
