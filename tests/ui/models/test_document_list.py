"""DocumentList: tab order, the current document, and its signals re-emitted as current_*."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from desktop_editor.core.images import LoadedImage
from desktop_editor.ui.models.document import Document
from desktop_editor.ui.models.document_list import DocumentList


def _doc(name: str) -> Document:
    return Document(LoadedImage(image=Image.new("RGB", (40, 30), (9, 9, 9))), name=name)


@pytest.fixture
def docs(qtbot):
    documents = DocumentList()
    a, b, c = _doc("a"), _doc("b"), _doc("c")
    for d in (a, b, c):
        documents.add(d)
    return documents, a, b, c


def test_adding_makes_current_and_removing_picks_the_neighbour(qtbot, docs):
    documents, a, b, c = docs
    assert documents.current() is c and [d.name for d in documents] == ["a", "b", "c"]
    documents.set_current(b)
    with qtbot.waitSignal(documents.current_changed) as changed:
        documents.remove(b)
    assert changed.args == [c] and documents.current() is c
    documents.remove(c)
    assert documents.current() is a
    with qtbot.waitSignal(documents.current_changed) as changed:
        documents.remove(a)
    assert changed.args == [None] and len(documents) == 0


def test_only_the_current_documents_mask_and_history_are_re_emitted(qtbot, docs):
    documents, a, b, c = docs
    masks, steps = [], []
    documents.current_mask_changed.connect(masks.append)
    documents.current_history_changed.connect(steps.append)
    mask = np.zeros((30, 40), np.uint8)
    mask[5:10, 5:10] = 255
    a.set_mask_array(mask, "box on a")  # not current: silent
    assert masks == [] and steps == []
    c.set_mask_array(mask, "box on c")
    assert [r.getRect() for r in masks] == [(5, 5, 5, 5)] and steps == [1]
    modified = []
    documents.modified_changed.connect(modified.append)
    a.mark_saved()
    c.mark_saved()
    assert modified == [a, c]  # any document, for the tab labels


def test_moving_and_cycling_follow_the_tab_order(qtbot, docs):
    documents, a, b, c = docs
    documents.move(2, 0)
    assert [d.name for d in documents] == ["c", "a", "b"]
    documents.cycle(+1)
    assert documents.current() is a
    documents.cycle(-1)
    documents.cycle(-1)
    assert documents.current() is b
    with pytest.raises(ValueError):
        documents.set_current(_doc("stranger"))
