"""Camera-size images in the canvas: opened without converting pixels on the window's thread,
shown from their reduced levels first, and drawn exactly as a fully made document once the rest
has arrived."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from desktop_editor.ui.canvas.pyramid import build_levels_from_pil
from desktop_editor.ui.flow import loader
from desktop_editor.ui.models import document as document_module
from desktop_editor.ui.models.document import Document

from editor_helpers import make_photo, open_image
from test_mask_editing import fresh_render, no_scroll_bars, render, same


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
