"""The images section: the edited image first, reference images added, reordered, removed, limited."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from PySide6.QtCore import QModelIndex, Qt

from desktop_editor.core.params import MAX_INPUT_IMAGES


def _pngs(folder: Path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        path = folder / f"ref{i:02d}.png"
        Image.new("RGB", (40, 30), (i * 10, 100, 200)).save(path)
        paths.append(path)
    return paths


def test_reference_images_add_reorder_remove_and_limit(qtbot, panel, tmp_path):
    paths = _pngs(tmp_path, 20)
    with qtbot.waitSignal(panel.references_changed, timeout=1000):
        added = panel.add_reference_paths(paths[:3])
    assert added == 3
    assert panel.reference_paths() == paths[:3]
    assert panel.images_section.count_label.text() == "4 of 16"
    assert panel.images_section.open_row.isVisibleTo(panel) and panel.images_section.open_name.text() == "photo.png"

    # Drag-reorder moves rows in the list's model; the panel follows.
    assert panel.images_section.refs_list.model().moveRow(QModelIndex(), 0, QModelIndex(), 3)
    assert panel.reference_paths() == [paths[1], paths[2], paths[0]]

    panel.images_section.refs_list.item(1).setSelected(True)
    assert panel.images_section.remove_button.isEnabled()
    qtbot.mouseClick(panel.images_section.remove_button, Qt.MouseButton.LeftButton)
    assert panel.reference_paths() == [paths[1], paths[0]]

    added = panel.add_reference_paths(paths[3:])
    assert added == MAX_INPUT_IMAGES - 1 - 2
    assert len(panel.reference_paths()) == MAX_INPUT_IMAGES - 1
    assert "not added" in panel.images_section.problem.text()
    assert not panel.images_section.add_button.isEnabled()
    assert panel.is_valid() or panel.problems()[0].field == "prompt"

    # Thumbnails load off the GUI thread and land in the list.
    panel.images_section.thumbnails.wait()
    qtbot.waitUntil(lambda: not panel.images_section.refs_list.item(0).icon().isNull(), timeout=3000)
