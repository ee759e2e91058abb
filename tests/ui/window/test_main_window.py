"""The main window: opening (good and bad files), saving masks and projects, several images."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from editor_helpers import make_photo, open_image
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog

from desktop_editor.core.masks import MaskConvention, load_mask
from desktop_editor.core.params import fit_within_limits
from desktop_editor.ui.flow.saving import MASK_FILTERS


def paint_box(document, x0, y0, x1, y1, value=255, text="box"):
    mask = document.mask_array()
    mask[y0:y1, x0:x1] = value
    document.set_mask_array(mask, text)


def test_open_shows_image_title_and_size(qtbot, window, tmp_path):
    path = make_photo(tmp_path / "beach.jpg", (640, 360), quality=90)
    document = open_image(qtbot, window, path)
    assert window.current_document() is document
    assert window.canvas.document() is document
    assert (document.width, document.height) == (640, 360)
    assert window.windowTitle() == "beach.jpg[*] — Desktop Editor"
    assert not window.isWindowModified()
    assert window.status.image_size_label.text() == "640 × 360 px"
    assert window.status.send_size_label.isHidden()
    assert window.canvas.is_fit_mode()
    assert str(path) in window.recent.paths()[0]


def test_open_formats_orientation_and_transparency(qtbot, window, tmp_path):
    rotated = tmp_path / "rotated.jpg"
    img = Image.new("RGB", (300, 200), (200, 10, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees when shown
    img.save(rotated, exif=exif)
    document = open_image(qtbot, window, rotated)
    assert (document.width, document.height) == (200, 300)

    transparent = make_photo(tmp_path / "cutout.png", (120, 80), mode="RGBA")
    document = open_image(qtbot, window, transparent)
    assert document.has_alpha
    assert document.image.hasAlphaChannel()

    for name, mode in (("gray.tif", "L"), ("palette.gif", "P"), ("cmyk.jpg", "CMYK"), ("photo.webp", "RGB"), ("photo.bmp", "RGB")):
        path = tmp_path / name
        Image.new(mode, (50, 40)).save(path)
        document = open_image(qtbot, window, path)
        assert (document.width, document.height) == (50, 40)
    assert len(window.documents()) == 7


def test_large_image_says_what_will_be_sent(qtbot, window, tmp_path):
    path = tmp_path / "big.jpg"
    Image.new("RGB", (4000, 3000), (90, 120, 150)).save(path, quality=50)
    open_image(qtbot, window, path)
    w, h = fit_within_limits(4000, 3000)
    assert not window.status.send_size_label.isHidden()
    assert window.status.send_size_label.text() == f"will be sent as {w}×{h}"


def _bomb_png(path, width=30000, height=30000):
    """A tiny PNG whose header claims an enormous size."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))
    return path


@pytest.mark.parametrize("kind", ["corrupt", "truncated", "empty", "text", "bomb", "missing"])
def test_bad_files_show_a_message_and_leave_the_document_untouched(qtbot, window, messages, tmp_path, kind):
    good = open_image(qtbot, window, make_photo(tmp_path / "good.png"))
    paint_box(good, 10, 10, 50, 40)
    mask_before = good.mask_array()
    history_before = good.undo_stack.count()

    bad = tmp_path / f"bad_{kind}.png"
    if kind == "corrupt":
        bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    elif kind == "truncated":
        bad = tmp_path / "cut.jpg"
        data = io.BytesIO()
        Image.new("RGB", (400, 300), (1, 2, 3)).save(data, "JPEG")
        bad.write_bytes(data.getvalue()[: len(data.getvalue()) // 3])
    elif kind == "empty":
        bad.write_bytes(b"")
    elif kind == "text":
        bad.write_text("this is not an image, just text named .png")
    elif kind == "bomb":
        _bomb_png(bad)
    with qtbot.waitSignal(window.open_failed, timeout=10000) as failure:
        window.open_path(bad)
    assert failure.args[0] == str(bad)
    assert messages and messages[-1][0] == "critical"
    assert messages[-1][1] == "Cannot open image"
    assert bad.name in messages[-1][2] or "limit" in messages[-1][2]
    assert window.documents() == [good]
    assert window.current_document() is good
    assert np.array_equal(good.mask_array(), mask_before)
    assert good.undo_stack.count() == history_before


@pytest.mark.parametrize("convention", [MaskConvention.OPENAI, MaskConvention.BLACK_WHITE])
def test_saved_mask_reloads_identical(qtbot, window, tmp_path, convention):
    document = open_image(qtbot, window, make_photo(tmp_path / "photo.png", (160, 100)))
    canvas = window.canvas
    canvas.tools.settings.hardness = 1.0
    canvas.tools.settings.brush_size = 17
    a = canvas.map_from_image(QPointF(20, 20)).toPoint()
    b = canvas.map_from_image(QPointF(130, 70)).toPoint()
    QTest.mousePress(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    QTest.mouseMove(canvas.viewport(), b)
    QTest.mouseRelease(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    painted = document.mask_array()
    assert painted.any() and window.isWindowModified()

    path = tmp_path / f"mask_{convention.value}.png"
    assert window.saver.save_mask(path, convention)
    assert not window.isWindowModified()
    with Image.open(path) as on_disk:
        if convention is MaskConvention.OPENAI:
            assert on_disk.mode == "RGBA"
            alpha = np.asarray(on_disk.getchannel("A"))
            assert np.array_equal(alpha == 0, painted == 255)
        else:
            assert on_disk.mode == "L"
            assert np.array_equal(np.asarray(on_disk), painted)
    assert np.array_equal(load_mask(path), painted)

    window.mask_commands.apply("clear")
    assert not document.mask_pixels().any()
    assert window.saver.load_mask_file(path)
    assert np.array_equal(document.mask_array(), painted)


def test_save_mask_dialog_picks_the_convention(qtbot, window, tmp_path, monkeypatch):
    document = open_image(qtbot, window, make_photo(tmp_path / "photo.png", (80, 60)))
    paint_box(document, 5, 5, 20, 20)
    target = tmp_path / "chosen"
    bw_filter = next(f for f in MASK_FILTERS if "white" in f)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), bw_filter))
    window.actions["mask.save"].trigger()
    with Image.open(tmp_path / "chosen.png") as saved:
        assert saved.mode == "L"


def test_loading_a_mask_of_another_size_asks_to_scale(qtbot, window, messages, tmp_path):
    document = open_image(qtbot, window, make_photo(tmp_path / "photo.png", (160, 100)))
    small = tmp_path / "small_mask.png"
    Image.new("L", (80, 50), 255).save(small)
    assert window.saver.load_mask_file(small)
    assert messages[-1][0] == "question"
    assert document.mask_pixels().all()
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"nope")
    assert not window.saver.load_mask_file(broken)
    assert messages[-1][:2] == ("critical", "Cannot load mask")
    assert document.mask_pixels().all()


def test_project_round_trip_resumes_exactly(qtbot, window, tmp_path):
    path = make_photo(tmp_path / "photo.png", (200, 120))
    document = open_image(qtbot, window, path)
    canvas = window.canvas
    canvas.tools.settings.hardness = 0.4  # soft edges must survive too
    a = canvas.map_from_image(QPointF(40, 40)).toPoint()
    b = canvas.map_from_image(QPointF(150, 80)).toPoint()
    QTest.mousePress(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    QTest.mouseMove(canvas.viewport(), b)
    QTest.mouseRelease(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    mask = document.mask_array()
    assert ((mask > 0) & (mask < 255)).any()
    document.params = {"prompt": "replace the sky", "quality": "medium"}
    canvas.set_zoom(8.0)
    canvas.center_on(QPointF(60, 50))

    project = tmp_path / "work.deproj"
    assert window.saver.save_project(document, project)
    assert not document.is_modified()
    assert document.project_path == project
    assert window.close_document(document)
    assert window.documents() == []

    with qtbot.waitSignal(window.document_opened, timeout=10000) as opened:
        window.open_path(project)
    restored = opened.args[0]
    assert restored.path == path
    assert np.array_equal(restored.mask_array(), mask)
    assert restored.params == {"prompt": "replace the sky", "quality": "medium"}
    assert not restored.is_modified()
    assert window.canvas.zoom() == pytest.approx(8.0)
    center = window.canvas.map_to_image(window.canvas._viewport_center())
    assert (center.x(), center.y()) == pytest.approx((60, 50), abs=0.5)


def test_project_with_missing_image_reports_the_path(qtbot, window, messages, tmp_path):
    path = make_photo(tmp_path / "gone.png", (40, 30))
    document = open_image(qtbot, window, path)
    project = tmp_path / "gone.deproj"
    window.saver.save_project(document, project)
    window.close_document(document)
    path.unlink()
    with qtbot.waitSignal(window.open_failed):
        window.open_path(project)
    assert messages[-1][1] == "Cannot open project"
    assert str(path) in messages[-1][2]


def test_a_project_is_read_and_its_mask_decoded_off_the_windows_thread(qtbot, window, tmp_path, monkeypatch):
    import threading

    from desktop_editor.ui.flow import opening

    document = open_image(qtbot, window, make_photo(tmp_path / "photo.png", (60, 40)))
    mask = document.mask_array()
    mask[5:20, 10:30] = 255
    document.set_mask_array(mask, "box")
    project = tmp_path / "photo.deproj"
    assert window.saver.save_project(document, project)
    window.close_document(document)
    read_on = []
    real = opening.load_project
    monkeypatch.setattr(opening, "load_project", lambda path: read_on.append(threading.current_thread()) or real(path))
    with qtbot.waitSignal(window.document_opened) as opened:
        window.open_project(project)
        window.open_project(project)  # asked twice while reading: opened once
    assert read_on and all(thread is not threading.main_thread() for thread in read_on) and len(read_on) == 1
    reopened = opened.args[0]
    assert np.array_equal(reopened.mask_pixels(), mask) and not reopened.is_modified()
    assert reopened.mask_revision > 0  # a loaded mask is not "never painted"
    assert len(window.documents()) == 1


def test_unsaved_work_marks_the_title_and_closing_asks(qtbot, window, messages, tmp_path, monkeypatch):
    document = open_image(qtbot, window, make_photo(tmp_path / "photo.png"))
    paint_box(document, 0, 0, 10, 10)
    assert window.isWindowModified()
    assert window.windowTitle().startswith("photo.png[*]")
    document.undo_stack.undo()
    assert not window.isWindowModified()
    document.undo_stack.redo()

    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    assert not window.close()
    assert window.isVisible() and window.documents() == [document]

    saved_to = tmp_path / "saved.deproj"
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Save)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(saved_to), ""))
    assert window.close()
    assert saved_to.exists()


def test_each_image_keeps_its_own_mask_and_history(qtbot, window, tmp_path):
    first = open_image(qtbot, window, make_photo(tmp_path / "one.png", (100, 80)))
    paint_box(first, 10, 10, 30, 30)
    second = open_image(qtbot, window, make_photo(tmp_path / "two.png", (100, 80)))
    assert window.current_document() is second
    assert not second.mask_pixels().any()
    assert window.tabs.count() == 2

    window.actions["edit.undo"].trigger()  # the active stack is the second image's: nothing to undo
    assert first.mask_pixels()[10:30, 10:30].all()

    window.tabs.setCurrentIndex(0)
    assert window.current_document() is first and window.canvas.document() is first
    window.actions["edit.undo"].trigger()
    assert not first.mask_pixels().any()
    window.actions["edit.redo"].trigger()
    assert first.mask_pixels()[10:30, 10:30].all()

    QTest.keyClick(window.canvas, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.current_document() is second

    window.mask_commands.set_last_job_mask(first.mask_array())
    assert window.actions["mask.reuse_last"].isEnabled()
    window.actions["mask.reuse_last"].trigger()
    assert np.array_equal(second.mask_array(), first.mask_array())

    open_image(qtbot, window, make_photo(tmp_path / "three.png", (50, 40)))
    window.mask_commands.reuse_last_mask()  # a different size: scaled to fit
    assert window.current_document().mask_pixels()[5:15, 5:15].all()

    with qtbot.assertNotEmitted(window.document_opened, wait=100):
        window.open_path(tmp_path / "one.png")  # already open: brought forward, not reopened
    assert window.current_document() is first


def test_mask_operations_from_menu_and_keys(qtbot, window, tmp_path, monkeypatch):
    document = open_image(qtbot, window, make_photo(tmp_path / "photo.png", (100, 80)))
    paint_box(document, 40, 30, 60, 50)
    window.canvas.setFocus()
    QTest.keyClick(window.canvas, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert document.mask_pixels()[0, 0] == 255 and document.mask_pixels()[40, 50] == 0
    QTest.keyClick(window.canvas, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)

    def adjust(action_id: str, amount: int) -> None:
        window.actions[action_id].trigger()
        dialog = window.mask_commands.adjust_dialog
        dialog.set_amount(amount)
        qtbot.waitUntil(dialog.result_ready)
        dialog.accept()
        qtbot.waitUntil(lambda: window.mask_commands.adjust_dialog is None)
        window.activateWindow()  # as the window manager does when the dialog closes
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        window.canvas.setFocus()

    adjust("mask.grow", 5)
    assert document.mask_pixels()[30:50, 35:65].all() and not document.mask_pixels()[30, 34]
    adjust("mask.shrink", 5)
    assert np.array_equal(document.mask_pixels() > 0, _box((100, 80), 40, 30, 60, 50))
    adjust("mask.feather", 5)
    assert 0 < document.mask_pixels()[40, 40] < 255
    QTest.keyClick(window.canvas, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert document.mask_pixels().all()
    QTest.keyClick(window.canvas, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert not document.mask_pixels().any()
    assert document.undo_stack.count() == 8
    qtbot.waitUntil(lambda: window.status.coverage_label.text() == "Mask empty")


def _box(size, x0, y0, x1, y1):
    w, h = size
    out = np.zeros((h, w), bool)
    out[y0:y1, x0:x1] = True
    return out


def test_paste_and_drop_open_images(qtbot, window, tmp_path):
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkCyan)
    QGuiApplication.clipboard().setImage(image)
    with qtbot.waitSignal(window.document_opened):
        window.actions["file.paste"].trigger()
    pasted = window.current_document()
    assert (pasted.width, pasted.height) == (64, 48) and pasted.path is None
    assert pasted.name.startswith("Pasted image")

    dropped = make_photo(tmp_path / "dropped.png", (30, 20))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(dropped)), QUrl.fromLocalFile(str(tmp_path / "notes.txt"))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.document_opened) as opened:
        window.dropEvent(event)
    assert opened.args[0].path == dropped


def test_pasted_image_project_embeds_the_picture(qtbot, window, tmp_path):
    image = QImage(32, 24, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.red)
    QGuiApplication.clipboard().setImage(image)
    window.opener.paste()
    document = window.current_document()
    paint_box(document, 2, 2, 10, 10)
    project = tmp_path / "pasted.deproj"
    assert window.saver.save_project(document, project)
    window.close_document(document)
    with qtbot.waitSignal(window.document_opened) as opened:
        window.open_project(project)
    assert opened.args[0].mask_pixels()[2:10, 2:10].all()
    assert opened.args[0].image.pixelColor(5, 5).red() == 255


def test_recent_menu_lists_opened_files(qtbot, window, tmp_path):
    first = make_photo(tmp_path / "a.png")
    second = make_photo(tmp_path / "b.png")
    open_image(qtbot, window, first)
    open_image(qtbot, window, second)
    paths = window.recent.paths()
    assert [p.split("/")[-1] for p in paths[:2]] == ["b.png", "a.png"]
    window.recent_menu.aboutToShow.emit()
    labels = [a.text() for a in window.recent_menu.actions()]
    assert any("b.png" in label for label in labels)
    window.close_document()
    window.recent_menu.actions()[1].trigger()  # a.png
    qtbot.waitUntil(lambda: window.current_document() is not None and window.current_document().path == first)


def test_status_bar_shows_pointer_position_and_zoom(qtbot, window, tmp_path):
    open_image(qtbot, window, make_photo(tmp_path / "photo.png", (200, 100)))
    canvas = window.canvas
    canvas.set_zoom(2.0)
    QTest.mouseMove(canvas.viewport(), canvas.map_from_image(QPointF(12.5, 34.5)).toPoint())
    qtbot.waitUntil(lambda: window.status.position_label.text() == "x 12   y 34")
    assert window.status.zoom_button.text() == "200%"
    QTest.mouseMove(canvas.viewport(), QPoint(1, 1))
    qtbot.waitUntil(lambda: window.status.position_label.text() == "")
