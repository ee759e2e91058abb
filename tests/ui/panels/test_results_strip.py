"""ResultsStrip: thumbnails, selection, saving with ICC and DPI on a worker, failures, clipboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageCms
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from desktop_editor.ui.common.conversions import qimage_from_pil
from desktop_editor.ui.panels.results_strip import ResultItem, ResultsStrip

DPI = (300.0, 300.0)


@pytest.fixture(scope="module")
def icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


@pytest.fixture
def strip(qtbot):
    widget = ResultsStrip()
    qtbot.addWidget(widget)
    widget.resize(720, 150)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.wait_for_background_work()


def make_items(icc: bytes, n: int = 3) -> list[ResultItem]:
    colours = [(200, 40, 40), (40, 200, 40), (40, 40, 200), (200, 200, 40)]
    return [
        ResultItem(image=Image.new("RGB", (320, 240), colours[i % 4]), icc_profile=icc, dpi=DPI,
                   label=f"Result {i + 1}", name=f"photo-edit-{i + 1}")
        for i in range(n)
    ]


def test_set_results_shows_a_thumbnail_per_result(qtbot, strip, icc):
    with qtbot.waitSignal(strip.result_selected) as blocker:
        strip.set_results(make_items(icc, 3))
    assert blocker.args == [0]
    assert strip.count() == 3 and len(strip.tiles()) == 3
    assert all(tile.isVisible() for tile in strip.tiles())
    qtbot.waitUntil(lambda: all(tile.thumbnail is not None for tile in strip.tiles()))
    assert strip.tiles()[1].thumbnail.width() <= 240
    strip.set_results(make_items(icc, 2), select=None)
    assert strip.count() == 2 and strip.selected_index() == -1
    assert not strip.save_action.isEnabled()


def test_clicking_a_thumbnail_selects_it(qtbot, strip, icc):
    strip.set_results(make_items(icc, 3), select=None)
    with qtbot.waitSignal(strip.result_selected) as blocker:
        qtbot.mouseClick(strip.tiles()[2], Qt.MouseButton.LeftButton)
    assert blocker.args == [2]
    assert strip.selected_index() == 2
    assert strip.tiles()[2].isChecked() and not strip.tiles()[0].isChecked()
    with qtbot.waitSignal(strip.result_selected) as blocker:
        qtbot.keyClick(strip, Qt.Key.Key_Left)
    assert blocker.args == [1]


def test_save_keeps_icc_and_dpi_and_never_overwrites(qtbot, strip, icc, tmp_path):
    strip.set_results(make_items(icc, 2))
    strip.set_output_dir(tmp_path)
    existing = tmp_path / "photo-edit-1.png"
    existing.write_bytes(b"someone else's file")
    with qtbot.waitSignal(strip.result_saved, timeout=10000) as first:
        strip.save_selected()
    strip.select(1)
    with qtbot.waitSignal(strip.result_saved, timeout=10000) as second:
        strip.save_action.trigger()  # what the window's Ctrl+S (result.save) calls
    paths = [Path(first.args[0]), Path(second.args[0])]
    assert paths == [tmp_path / "photo-edit-1-2.png", tmp_path / "photo-edit-2.png"]
    assert existing.read_bytes() == b"someone else's file"
    strip.select(0)
    for path in paths:
        with Image.open(path) as saved:
            assert saved.format == "PNG"
            assert saved.info["icc_profile"] == icc
            assert saved.info["dpi"] == pytest.approx(DPI, abs=0.01)
    assert strip.tiles()[0].saved and strip.tiles()[1].saved


def test_save_as_format_follows_extension(qtbot, strip, icc, tmp_path):
    strip.set_results(make_items(icc, 2), select=1)
    with qtbot.waitSignal(strip.result_saved, timeout=10000) as blocker:
        strip.save_to(1, tmp_path / "chosen.jpg")
    assert blocker.args == [str(tmp_path / "chosen.jpg")]
    with Image.open(tmp_path / "chosen.jpg") as saved:
        assert saved.format == "JPEG"
        assert saved.info["icc_profile"] == icc
        assert saved.info["dpi"] == pytest.approx(DPI, abs=0.01)
    with qtbot.waitSignal(strip.save_failed) as failed:
        strip.save_to(1, tmp_path / "chosen.tiff")
    assert ".png, .jpg or .webp" in failed.args[0]


def test_save_as_dialog_adds_the_extension_of_the_chosen_filter(qtbot, strip, icc, tmp_path, monkeypatch):
    from desktop_editor.ui.panels import result_save_dialog

    strip.set_results(make_items(icc, 1))
    monkeypatch.setattr(
        result_save_dialog.QFileDialog, "getSaveFileName",
        staticmethod(lambda *args, **kwargs: (str(tmp_path / "picked"), "WebP image (*.webp)")),
    )
    monkeypatch.setattr(result_save_dialog.QInputDialog, "getInt", staticmethod(lambda *args, **kwargs: (90, True)))
    with qtbot.waitSignal(strip.result_saved, timeout=10000) as blocker:
        strip.save_selected_as()
    assert blocker.args == [str(tmp_path / "picked.webp")]
    with Image.open(tmp_path / "picked.webp") as saved:
        assert saved.format == "WEBP"


def test_save_as_jpeg_asks_for_the_quality(qtbot, strip, icc, tmp_path, monkeypatch):
    from desktop_editor.ui.panels import result_save_dialog

    noisy = Image.effect_noise((160, 120), 60).convert("RGB")
    strip.set_results([ResultItem(image=qimage_from_pil(noisy))])
    asked = []
    for quality, name in ((30, "low.jpg"), (95, "high.jpg")):
        monkeypatch.setattr(result_save_dialog.QFileDialog, "getSaveFileName",
                            staticmethod(lambda *a, n=name, **k: (str(tmp_path / n), "")))
        monkeypatch.setattr(result_save_dialog.QInputDialog, "getInt",
                            staticmethod(lambda parent, title, label, value, *a, q=quality: asked.append((label, value)) or (q, True)))
        with qtbot.waitSignal(strip.result_saved, timeout=10000):
            strip.save_selected_as()
    assert asked[0] == ("JPEG quality:", 95) and asked[1] == ("JPEG quality:", 30)  # starts from the last answer
    assert (tmp_path / "low.jpg").stat().st_size < (tmp_path / "high.jpg").stat().st_size
    monkeypatch.setattr(result_save_dialog.QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(tmp_path / "never.jpg"), "")))
    monkeypatch.setattr(result_save_dialog.QInputDialog, "getInt", staticmethod(lambda *a, **k: (95, False)))
    strip.save_selected_as()  # cancelled at the quality question: nothing written
    strip.wait_for_background_work()
    assert not (tmp_path / "never.jpg").exists()


def test_save_failure_reports_and_keeps_the_result(qtbot, strip, icc, tmp_path):
    blocker_file = tmp_path / "not-a-folder"
    blocker_file.write_text("x")
    strip.set_results(make_items(icc, 2))
    strip.set_output_dir(blocker_file / "out")  # cannot be created: a file is in the way
    with qtbot.waitSignal(strip.save_failed, timeout=10000) as failed:
        strip.save_selected()
    message = failed.args[0]
    assert message.startswith("Could not save the result to")
    assert "still here" in message
    assert strip.count() == 2 and strip.selected_index() == 0
    assert strip.results()[0].image is not None
    assert not strip.tiles()[0].busy and not strip.tiles()[0].saved
    strip.set_output_dir(tmp_path / "good")  # and the designer can simply try again elsewhere
    with qtbot.waitSignal(strip.result_saved, timeout=10000):
        strip.save_selected()


def test_result_on_disk_only_is_loaded_for_thumbnail_and_save(qtbot, strip, icc, tmp_path):
    source = tmp_path / "job" / "photo-edit-1.png"
    source.parent.mkdir()
    Image.new("RGB", (64, 48), (10, 120, 230)).save(source)
    original_bytes = source.read_bytes()
    strip.set_results([ResultItem(path=source, icc_profile=icc, dpi=DPI)])
    qtbot.waitUntil(lambda: strip.tiles()[0].thumbnail is not None)
    strip.set_output_dir(None)  # default: next to the result
    with qtbot.waitSignal(strip.result_saved, timeout=10000) as blocker:
        strip.save_selected()
    assert Path(blocker.args[0]) == source.parent / "photo-edit-1-2.png"
    assert source.read_bytes() == original_bytes  # the paid result is never touched
    with Image.open(blocker.args[0]) as saved:
        assert saved.info["icc_profile"] == icc


def test_copy_puts_the_image_on_the_clipboard(qtbot, strip, icc):
    strip.set_results(make_items(icc, 2), select=1)
    with qtbot.waitSignal(strip.result_copied, timeout=10000) as blocker:
        strip.copy_selected()
    assert blocker.args == [1]
    image = QGuiApplication.clipboard().image()
    assert not image.isNull() and (image.width(), image.height()) == (320, 240)
    assert image.pixelColor(3, 3).green() == 200
    # a QImage result goes straight to the clipboard
    strip.set_results([ResultItem(image=qimage_from_pil(Image.new("RGB", (30, 20), (1, 2, 3))))])
    with qtbot.waitSignal(strip.result_copied):
        strip.copy_action.trigger()
    assert QGuiApplication.clipboard().image().size().width() == 30


def test_use_as_input_and_context_menu(qtbot, strip, icc):
    strip.set_results(make_items(icc, 3))
    menu = strip.context_menu(2)
    assert strip.selected_index() == 2
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["Save", "Save As…", "Copy", "Show in folder", "Use as input"]
    with qtbot.waitSignal(strip.use_as_input_requested) as blocker:
        strip.use_as_input_action.trigger()
    assert blocker.args == [2]
    with qtbot.waitSignal(strip.use_as_input_requested) as blocker:
        qtbot.mouseClick(strip.buttons["use_as_input"], Qt.MouseButton.LeftButton)
    assert blocker.args == [2]
    menu.deleteLater()


def test_bad_file_gives_a_placeholder_not_a_crash(qtbot, strip, tmp_path):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    strip.set_results([ResultItem(path=broken, label="Broken")])
    qtbot.waitUntil(lambda: strip.tiles()[0].error != "")
    with qtbot.waitSignal(strip.save_failed, timeout=10000) as failed:
        strip.save_selected()
    assert "Could not save" in failed.args[0]


def test_an_auto_saved_result_is_marked_and_save_only_says_where(qtbot, strip, icc, tmp_path):
    kept = tmp_path / "photo-edit-1.png"
    Image.new("RGB", (32, 24), (9, 9, 9)).save(kept)
    items = make_items(icc, 2)
    items[0].path = items[0].saved_to = kept
    strip.set_output_dir(tmp_path)
    strip.set_results(items)
    tiles = strip.tiles()
    assert tiles[0].saved and not tiles[1].saved
    assert f"Saved to {kept}" in tiles[0].toolTip() and "Not saved yet" in tiles[1].toolTip()
    assert strip.show_in_folder_action.isEnabled() and strip.buttons["show_in_folder"].isVisible()
    before = sorted(tmp_path.iterdir())
    written: list[str] = []
    strip.result_saved.connect(written.append)
    with qtbot.waitSignal(strip.already_saved) as said:
        strip.save_action.trigger()
    assert said.args == [str(kept)]
    strip.wait_for_background_work()
    assert sorted(tmp_path.iterdir()) == before and written == []
    assert "Already saved as photo-edit-1.png" in strip.save_action.toolTip()
    strip.select(1)
    assert not strip.show_in_folder_action.isEnabled()


def test_a_saved_file_that_is_gone_is_not_marked(qtbot, strip, icc, tmp_path):
    items = make_items(icc, 1)
    items[0].saved_to = tmp_path / "deleted.png"
    strip.set_output_dir(tmp_path)
    strip.set_results(items)
    assert not strip.tiles()[0].saved
    with qtbot.waitSignal(strip.result_saved, timeout=10000) as saved:
        strip.save_selected()
    assert Path(saved.args[0]) == tmp_path / "photo-edit-1.png" and strip.tiles()[0].saved


def test_show_in_folder_opens_the_saved_files_folder(qtbot, strip, icc, tmp_path, monkeypatch):
    from desktop_editor.ui.panels import results_strip

    shown = []
    monkeypatch.setattr(results_strip, "show_folder", lambda folder, feedback: shown.append(folder) or True)
    items = make_items(icc, 1)
    items[0].saved_to = tmp_path / "kept.png"
    items[0].saved_to.write_bytes(b"x")
    strip.set_results(items)
    assert "Show in folder" in [a.text() for a in strip.context_menu(0).actions()]
    strip.show_in_folder_action.trigger()
    assert shown == [tmp_path]


def test_save_as_proposes_a_name_that_is_free(qtbot, strip, icc, tmp_path, monkeypatch):
    from desktop_editor.ui.panels import result_save_dialog

    (tmp_path / "photo-edit-1.png").write_bytes(b"x")
    (tmp_path / "photo-edit-1-2.png").write_bytes(b"x")
    proposed = []

    def dialog(parent, title, suggested, filters):
        proposed.append(suggested)
        return "", ""

    monkeypatch.setattr(result_save_dialog.QFileDialog, "getSaveFileName", staticmethod(dialog))
    strip.set_output_dir(tmp_path)
    strip.set_results(make_items(icc, 1))
    strip.save_selected_as()
    assert proposed == [str(tmp_path / "photo-edit-1-3.png")]


def test_results_of_several_jobs_are_grouped_under_captions(qtbot, strip, icc):
    items = make_items(icc, 3)
    for item, group in zip(items, ("b", "b", "a")):
        item.group, item.group_label = group, f"Job {group}"
    strip.set_results(items)
    assert strip.captions() == ["Job b", "Job a"]
    from PySide6.QtWidgets import QLabel

    shown = strip.findChildren(QLabel, "result_group_caption")
    qtbot.waitUntil(lambda: [label.text() for label in shown] == ["Job b", "Job a"])
    assert all(label.isVisible() and label.toolTip() for label in shown)
    first, second, third = strip.tiles()
    assert first.parentWidget() is second.parentWidget() is not third.parentWidget()
    assert first.x() < second.x() and second.mapTo(strip, second.rect().topLeft()).x() < third.mapTo(strip, third.rect().topLeft()).x()
    with qtbot.waitSignal(strip.result_selected) as blocker:
        qtbot.mouseClick(third, Qt.MouseButton.LeftButton)
    assert blocker.args == [2]
    qtbot.keyClick(strip, Qt.Key.Key_Left)
    assert strip.selected_index() == 1


def test_a_result_shown_before_keeps_its_thumbnail_without_decoding_again(qtbot, strip, tmp_path, monkeypatch):
    """A job finishing puts every earlier result back in the strip: their files are not read again."""
    from desktop_editor.ui.panels import results_strip

    paths = []
    for i, colour in enumerate(["red", "green", "blue"]):
        paths.append(tmp_path / f"result-{i}.png")
        Image.new("RGB", (320, 240), colour).save(paths[-1])
    items = [ResultItem(path=p, label=p.stem, group=p.stem, group_label=p.stem) for p in paths]
    made: list[Path] = []
    real = results_strip.make_thumbnail
    monkeypatch.setattr(results_strip, "make_thumbnail", lambda item, size: made.append(item.path) or real(item, size))

    strip.set_results(items[:2], select=None)
    qtbot.waitUntil(lambda: all(tile.thumbnail is not None for tile in strip.tiles()))
    strip.set_results([items[2], *items[:2]], select=None)  # the newest job first, as the window shows them
    qtbot.waitUntil(lambda: all(tile.thumbnail is not None for tile in strip.tiles()))
    strip.wait_for_background_work()

    assert sorted(made) == sorted(paths)  # each file decoded once
    assert [tile.thumbnail.pixelColor(5, 5).name() for tile in strip.tiles()] == ["#0000ff", "#ff0000", "#008000"]
    assert strip.captions() == ["result-2", "result-0", "result-1"]
    assert all(tile.isVisible() for tile in strip.tiles())


def test_save_as_proposes_the_saved_files_name_and_format(qtbot, strip, icc, tmp_path, monkeypatch):
    from desktop_editor.ui.panels import result_save_dialog

    saved = tmp_path / "cat-edit-3.jpg"
    Image.new("RGB", (8, 8)).save(saved)
    proposed = []
    monkeypatch.setattr(result_save_dialog.QFileDialog, "getSaveFileName",
                        staticmethod(lambda parent, title, suggested, filters: (proposed.append(suggested), ("", ""))[1]))
    strip.set_output_dir(tmp_path)
    strip.set_results([ResultItem(path=saved, label="Result 3", name="cat-result-3", saved_to=saved),
                       ResultItem(image=Image.new("RGB", (8, 8)), label="Result 4", name="cat-result-4")])
    strip.save_selected_as()
    strip.set_save_format("webp")
    strip.select(1)
    strip.save_selected_as()
    assert proposed == [str(tmp_path / "cat-edit-3-2.jpg"), str(tmp_path / "cat-result-4.webp")]
