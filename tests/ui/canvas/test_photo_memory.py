"""An open photo's pixels are held once: in the window's RGB32 display copy, with the Pillow copy
jobs use made again from it, value for value, on the worker that asks."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from PIL import Image
from PySide6.QtGui import QImage

from desktop_editor.core.images import LoadedImage, load_image
from desktop_editor.ui.common import photo_memory
from desktop_editor.ui.common.conversions import pil_from_rgb32, qimage_from_pil
from desktop_editor.ui.flow import loader
from desktop_editor.ui.models.document import Document

from editor_helpers import make_photo, open_image

FULL_COPY_BYTES = 4  # a full-size copy of an opaque photo: RGB32, or Pillow's padded RGB


def noisy_photo(path, size=(640, 480), seed=3):
    """A JPEG whose every pixel differs from its neighbours (a smooth test picture would hide a
    copy that is off by a row or a channel)."""
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8), "RGB").save(path, quality=90)
    return path


def full_size_copies(document: Document) -> float:
    """How many full-size copies of the photo's pixels the document holds, by account."""
    held = document.held_bytes()
    return (held["display"] + held["photo"]) / (FULL_COPY_BYTES * document.width * document.height)


@pytest.fixture
def large(monkeypatch):
    monkeypatch.setattr(loader, "EARLY_DISPLAY_PIXELS", 100_000)  # loaded in two parts, as a camera photo is


@pytest.mark.parametrize("in_parts", [False, True], ids=["small", "camera-size"])
def test_an_opened_photo_holds_one_full_size_copy_of_its_pixels(qtbot, window, tmp_path, monkeypatch, in_parts):
    if in_parts:
        monkeypatch.setattr(loader, "EARLY_DISPLAY_PIXELS", 100_000)
    path = noisy_photo(tmp_path / "photo.jpg")
    expected = np.asarray(load_image(path).image)
    document = open_image(qtbot, window, path)
    qtbot.waitUntil(lambda: not document.display_pending(), timeout=10000)
    assert document.image.format() == QImage.Format.Format_RGB32  # drawn at 1:1 as fast as before
    assert not document.loaded.pixels_held
    # The decoded copy let go is freed on a background thread shortly after the photo is shown.
    qtbot.waitUntil(lambda: full_size_copies(document) == pytest.approx(1.0), timeout=5000)
    held = sum(document.held_bytes().values())
    assert held / (document.width * document.height) <= 8.0  # with the mask, its levels and the file's bytes

    # The pixels a job asks for are the file's, made on the asking thread, and shared while used.
    made = []
    worker = threading.Thread(target=lambda: made.append(document.loaded.image))
    worker.start()
    worker.join(10)
    photo = made[0]
    assert np.array_equal(np.asarray(photo), expected)
    assert photo.mode == "RGB" and photo.info.get("icc_profile") == load_image(path).image.info.get("icc_profile")
    assert document.loaded.holds(photo) and document.loaded.image is photo
    assert full_size_copies(document) == pytest.approx(2.0)  # while a job holds it
    del photo, made
    assert full_size_copies(document) == pytest.approx(1.0)
    assert not document.loaded.holds(None)


def test_a_photo_with_alpha_keeps_its_pillow_copy(qtbot, window, tmp_path):
    """Its display copy is premultiplied, which rounds translucent colours: not the same values."""
    document = open_image(qtbot, window, make_photo(tmp_path / "cut.png", (200, 120), mode="RGBA"))
    qtbot.waitUntil(lambda: not document.display_pending(), timeout=10000)
    assert document.loaded.pixels_held
    assert full_size_copies(document) == pytest.approx(2.0)


def test_a_job_that_took_the_decoded_copy_before_it_was_let_go_still_counts_as_the_document(qtbot):
    loaded = LoadedImage(image=Image.new("RGB", (64, 48), (10, 20, 30)))
    taken = loaded.image  # a snapshot taken before the display copy arrived
    display = qimage_from_pil(loaded.image)
    document = Document(loaded, display)
    assert not loaded.pixels_held
    assert loaded.holds(taken) and loaded.image is taken  # handed out again while it lives
    assert document.held_bytes()["photo"] == 64 * 48 * 4
    del taken  # the job ends; the window's reference is freed on a background thread soon after
    qtbot.waitUntil(lambda: document.held_bytes()["photo"] == 0, timeout=5000)
    assert loaded.image.getpixel((5, 5)) == (10, 20, 30)


def test_an_image_is_let_go_only_when_its_display_copy_holds_the_same_values():
    rgb = LoadedImage(image=Image.new("RGB", (8, 6)))
    assert not photo_memory.can_share(rgb, qimage_from_pil(Image.new("RGB", (6, 8))))  # another size
    assert not photo_memory.can_share(rgb, qimage_from_pil(Image.new("RGB", (8, 6))).convertToFormat(
        QImage.Format.Format_RGB888))
    assert photo_memory.can_share(rgb, qimage_from_pil(rgb.image))
    rgba = LoadedImage(image=Image.new("RGBA", (8, 6)))
    assert not photo_memory.can_share(rgba, qimage_from_pil(rgba.image))


def test_the_pillow_copy_made_from_the_display_copy_is_exact():
    rng = np.random.default_rng(7)
    values = rng.integers(0, 256, (601, 333, 3), dtype=np.uint8)  # more rows than one strip, odd width
    back = pil_from_rgb32(qimage_from_pil(Image.fromarray(values, "RGB")))
    assert back.mode == "RGB" and np.array_equal(np.asarray(back), values)
    with pytest.raises(ValueError):
        pil_from_rgb32(QImage(4, 4, QImage.Format.Format_ARGB32_Premultiplied))


def test_the_sent_size_copy_of_a_let_go_photo_is_scaled_without_a_full_size_copy(monkeypatch, tmp_path):
    from desktop_editor.jobs import prepare

    rebuilt, scaled = [], []
    real, real_scaled = photo_memory.pil_from_rgb32, photo_memory.scaled_from_rgb32
    monkeypatch.setattr(photo_memory, "pil_from_rgb32", lambda image: rebuilt.append(1) or real(image))
    monkeypatch.setattr(photo_memory, "scaled_from_rgb32", lambda image, size: scaled.append(size) or real_scaled(image, size))
    rng = np.random.default_rng(11)
    values = rng.integers(0, 256, (900, 1400, 3), dtype=np.uint8)
    path = tmp_path / "scan.png"  # not a JPEG: no reduced decode of the file to fall back on
    Image.fromarray(values, "RGB").save(path)
    loaded = load_image(path)
    document = Document(loaded, qimage_from_pil(loaded.image))
    assert not loaded.pixels_held
    deadline = time.monotonic() + 5
    while loaded.held_bytes() and time.monotonic() < deadline:  # the decoded copy is on its way out
        time.sleep(0.05)
    assert loaded.held_bytes() == 0
    size = (700, 450)
    sent = prepare._sent_image(loaded, size)
    assert rebuilt == [] and scaled == [size] and loaded.held_bytes() == 0
    assert np.array_equal(np.asarray(sent), np.asarray(Image.fromarray(values, "RGB").resize(size, Image.Resampling.LANCZOS)))
    assert document.loaded is loaded
