"""Camera-size images in the canvas: opened without converting pixels on the window's thread,
shown from their reduced levels first, and drawn exactly as a fully made document once the rest
has arrived."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from desktop_editor.ui.canvas import pyramid as pyramid_module
from desktop_editor.ui.canvas.pyramid import build_levels_from_pil
from desktop_editor.ui.flow import loader
from desktop_editor.ui.models import document as document_module
from desktop_editor.ui.models.document import Document

from editor_helpers import make_photo, open_image
from test_mask_editing import drag, fresh_render, no_scroll_bars, render, same, view_point


@pytest.fixture
def conversions(monkeypatch) -> list[int]:
    """The thread of every Pillow-to-QImage conversion made while opening."""
    threads: list[int] = []
    for module in (loader, document_module):
        original = module.qimage_from_pil

        def recording(img, original=original):
            threads.append(threading.get_ident())
            return original(img)

        monkeypatch.setattr(module, "qimage_from_pil", recording)
    return threads


@pytest.fixture
def gate(monkeypatch) -> threading.Event:
    """Holds back the second part of a large image's load until set."""
    event = threading.Event()
    rest = loader._rest

    def held(*args):
        event.wait(10)
        return rest(*args)

    monkeypatch.setattr(loader, "_rest", held)
    monkeypatch.setattr(loader, "EARLY_DISPLAY_PIXELS", 100_000)  # 600x400 counts as large here
    yield event
    event.set()


def whole_document(document: Document) -> Document:
    """The same image made the way small images are: every level at once."""
    image = document.loaded.image
    return Document(document.loaded, levels=build_levels_from_pil(image), name="whole")


def test_a_large_image_shows_its_small_levels_first_then_the_rest(qtbot, window, tmp_path, conversions, gate):
    canvas = window.canvas
    no_scroll_bars(canvas)
    pending_when_opened = []
    window.document_opened.connect(lambda d: pending_when_opened.append(d.display_pending()))
    doc = open_image(qtbot, window, make_photo(tmp_path / "large.png", (600, 400)))
    assert pending_when_opened == [True]
    assert doc.display_image(0) is None and doc.display_image(1) is None
    assert doc.display_image(2) is not None  # the quarter size: what a fitted view draws
    for zoom in (2.0, 0.45, 0.2):  # drawn from the level it has meanwhile
        canvas.set_zoom(zoom)
        canvas.center_on(QPointF(300, 200))
        assert render(canvas).any()
    assert doc.display_pending()

    gate.set()
    qtbot.waitUntil(lambda: not doc.display_pending(), timeout=10000)
    assert doc.display_image(0) is not None and doc.display_image(1) is not None
    main = threading.get_ident()
    assert conversions and main not in conversions  # nothing converted on the window's thread
    whole = whole_document(doc)
    for zoom in (2.0, 1.0, 0.45, 0.2, 0.1):
        canvas.set_zoom(zoom)
        canvas.center_on(QPointF(300, 200))
        assert same(render(canvas), fresh_render(qtbot, canvas, whole)), zoom


def test_a_large_image_closed_before_its_rest_arrives_is_left_alone(qtbot, window, tmp_path, gate):
    doc = open_image(qtbot, window, make_photo(tmp_path / "large.png", (600, 400)))
    assert window.close_document(doc, ask=False)
    gate.set()
    window.opener.wait(10000)
    qtbot.wait(20)  # the second part is delivered and dropped
    assert window.current_document() is None


def test_the_full_image_asked_for_early_is_made_on_the_spot_and_kept(qtbot, window, tmp_path, gate):
    doc = open_image(qtbot, window, make_photo(tmp_path / "large.png", (600, 400)))
    early = doc.image  # e.g. a result compared before the loader finished
    assert (early.width(), early.height()) == (600, 400)
    gate.set()
    qtbot.waitUntil(lambda: not doc.display_pending(), timeout=10000)
    assert doc.image is early and doc.display_image(1) is not None
    assert np.array(doc.loaded.image).shape == (400, 600, 3)


@pytest.fixture
def half_threads(monkeypatch) -> list[int]:
    """The thread of every mask-level average; large changes rebuild from 10,000 pixels on."""
    threads: list[int] = []
    original = pyramid_module._half

    def recording(prev, area):
        threads.append(threading.get_ident())
        return original(prev, area)

    monkeypatch.setattr(pyramid_module, "_half", recording)
    monkeypatch.setattr(pyramid_module, "REBUILD_PIXELS", 10_000)
    return threads


@pytest.fixture
def rebuild_gate(monkeypatch) -> threading.Event:
    """Rebuilds of mask levels wait until this is set (it is, unless a test clears it), having
    read the mask already: changes made meanwhile are not in what they return."""
    gate = threading.Event()
    gate.set()
    original = pyramid_module.rebuild_mask_levels

    def held(pixels, count):
        read = pixels.copy()
        gate.wait(10)
        return original(read, count)

    monkeypatch.setattr(pyramid_module, "rebuild_mask_levels", held)
    yield gate
    gate.set()


@pytest.mark.parametrize("zoom", [0.45, 0.2])
def test_large_mask_changes_settle_to_a_fresh_render_without_averaging_on_the_gui_thread(
        qtbot, window, tmp_path, half_threads, rebuild_gate, zoom):
    canvas = window.canvas
    no_scroll_bars(canvas)
    doc = open_image(qtbot, window, make_photo(tmp_path / "photo.png", (320, 200)))
    canvas.set_zoom(zoom)
    canvas.center_on(QPointF(160, 100))
    render(canvas)
    main = threading.get_ident()

    def check(what: str, *, off_gui: bool) -> None:
        window.actions["tool.rect"].trigger()  # no brush outline on the screen
        assert canvas.wait_for_mask_levels(5000), what
        if off_gui:
            assert main not in half_threads, what
        assert same(render(canvas), fresh_render(qtbot, canvas, doc)), what
        half_threads.clear()

    window.actions["tool.brush"].trigger()
    canvas.tools.settings.brush_size, canvas.tools.settings.hardness = 16, 0.6
    drag(canvas, [view_point(canvas, 20, 20), view_point(canvas, 300, 180), view_point(canvas, 30, 170)])
    check("strokes: small changes, updated where drawn", off_gui=False)
    half_threads.clear()
    soft = np.zeros((200, 320), np.uint8)
    soft[40:160, 60:260] = 180
    soft[70:130, 100:220] = 255
    doc.set_mask_array(soft, "a smart tool's result")
    check("a large change", off_gui=True)
    doc.undo_stack.undo()
    check("undo", off_gui=True)
    doc.undo_stack.redo()
    check("redo", off_gui=True)
    window.actions["mask.invert"].trigger()
    check("invert", off_gui=True)
    # A large change and a stroke while its levels are still being rebuilt: both shown once settled.
    rebuild_gate.clear()
    doc.set_mask_array(soft, "again")
    assert canvas._pyramid().rebuilding()
    window.actions["tool.brush"].trigger()
    drag(canvas, [view_point(canvas, 10, 190), view_point(canvas, 310, 190)])
    assert canvas._pyramid().rebuilding()
    rebuild_gate.set()
    check("a stroke during a rebuild", off_gui=False)
    window.actions["tool.bucket"].trigger()
    QTest.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.AltModifier,
                     view_point(canvas, 5, 5))
    check("fill", off_gui=False)


def test_a_load_asked_whole_is_never_pending(qtbot, tmp_path, gate):
    """A project with a mix opens on the Compare page, which needs the full-size image at once."""
    got = []
    image_loader = loader.ImageLoader()
    image_loader.loaded.connect(lambda _request, result: got.append(result))
    path = make_photo(tmp_path / "large.png", (600, 400))
    image_loader.load(path, in_parts=False)
    qtbot.waitUntil(lambda: bool(got), timeout=10000)
    image_loader.load(path)
    qtbot.waitUntil(lambda: len(got) == 2, timeout=10000)
    gate.set()
    image_loader.wait(10000)
    whole, in_parts = got
    assert not whole.pending and whole.image is not None and all(level is not None for level in whole.levels)
    assert in_parts.pending and in_parts.image is None
