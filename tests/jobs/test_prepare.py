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
