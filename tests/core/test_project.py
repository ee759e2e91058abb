"""Project files: exact round trip, moved projects, and clear errors."""

from __future__ import annotations

import io
import json
import shutil
import zipfile

import numpy as np
import pytest
from PIL import Image

from desktop_editor.core.masks import load_mask
from desktop_editor.core.project import ProjectError, load_project, save_project


@pytest.fixture
def image_path(tmp_path):
    path = tmp_path / "photos" / "cup.png"
    path.parent.mkdir()
    Image.new("RGB", (64, 48), (200, 100, 50)).save(path)
    return path


def soft_mask() -> np.ndarray:
    mask = np.zeros((48, 64), np.uint8)
    mask[10:30, 20:50] = 255
    mask[10:30, 18:20] = (90, 170)  # soft edge values must survive
    return mask


def test_round_trip_is_exact(tmp_path, image_path):
    project = tmp_path / "work" / "cup.deproj"
    params = {"prompt": "a blue cup", "quality": "high", "num_images": 2}
    view = {"zoom": 2.5, "center": [31.5, 20.0], "fit": False}
    save_project(project, image_path=image_path, mask=soft_mask(), params=params, view=view)
    loaded = load_project(project)
    assert loaded.image_path == image_path
    assert np.array_equal(loaded.mask, soft_mask())
    assert loaded.params == params
    assert loaded.view == view
    assert loaded.path == project


def test_mask_in_project_is_an_openai_convention_png(tmp_path, image_path):
    project = tmp_path / "cup.deproj"
    save_project(project, image_path=image_path, mask=soft_mask())
    with zipfile.ZipFile(project) as archive:
        manifest = json.loads(archive.read("project.json"))
        png = archive.read("mask.png")
    assert manifest["version"] == 1
    assert manifest["image"]["relative"] == "photos/cup.png"
    with Image.open(io.BytesIO(png)) as decoded:
        rgba = np.asarray(decoded)
    assert rgba.shape == (48, 64, 4)
    assert rgba[20, 30, 3] == 0 and rgba[0, 0, 3] == 255  # alpha 0 = edit
    assert np.array_equal(load_mask(png), soft_mask())


def test_project_moved_with_its_image_finds_it_relatively(tmp_path, image_path):
    project = tmp_path / "cup.deproj"
    save_project(project, image_path=image_path, mask=None)
    moved = tmp_path / "elsewhere"
    shutil.copytree(tmp_path / "photos", moved / "photos")
    shutil.copy(project, moved / "cup.deproj")
    shutil.rmtree(tmp_path / "photos")
    loaded = load_project(moved / "cup.deproj")
    assert loaded.image_path == (moved / "photos" / "cup.png").resolve()
    assert loaded.mask is None


def test_missing_image_names_the_path(tmp_path, image_path):
    project = tmp_path / "cup.deproj"
    save_project(project, image_path=image_path, mask=soft_mask())
    image_path.unlink()
    with pytest.raises(ProjectError) as error:
        load_project(project)
    assert str(image_path) in str(error.value)


def test_embedded_image_for_pasted_pictures(tmp_path):
    project = tmp_path / "pasted.deproj"
    save_project(project, image_path=None, mask=soft_mask(), image_bytes=b"\x89PNG fake")
    loaded = load_project(project)
    assert loaded.image_path is None and loaded.image_bytes == b"\x89PNG fake"
    with pytest.raises(ProjectError):
        save_project(project, image_path=None, mask=None)


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "damaged"),
        (b"not a zip at all", "damaged"),
    ],
)
def test_bad_project_files_give_clear_errors(tmp_path, content, words):
    project = tmp_path / "bad.deproj"
    project.write_bytes(content)
    with pytest.raises(ProjectError) as error:
        load_project(project)
    assert words in str(error.value)


def test_not_a_project_and_newer_versions_are_refused(tmp_path, image_path):
    other = tmp_path / "other.deproj"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ProjectError, match="not a Desktop Editor project"):
        load_project(other)
    newer = tmp_path / "newer.deproj"
    with zipfile.ZipFile(newer, "w") as archive:
        archive.writestr("project.json", json.dumps({"format": "desktop-editor-project", "version": 99}))
    with pytest.raises(ProjectError, match="newer"):
        load_project(newer)
    with pytest.raises(ProjectError, match="does not exist"):
        load_project(tmp_path / "missing.deproj")


def test_failed_save_leaves_the_previous_project_intact(tmp_path, image_path):
    project = tmp_path / "cup.deproj"
    save_project(project, image_path=image_path, mask=soft_mask())
    before = project.read_bytes()
    with pytest.raises(ProjectError):
        save_project(project, image_path=image_path, mask=soft_mask(), params={"bad": object()})
    assert project.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_project_keeps_the_mix_map_and_its_results(tmp_path):
    from desktop_editor.core.mix import MixState

    image = tmp_path / "photo.png"
    Image.new("RGB", (40, 30), (9, 9, 9)).save(image)
    labels = np.random.default_rng(2).integers(0, 120, (30, 40), dtype=np.uint8)
    state = MixState([{"path": str(tmp_path / "r1.png"), "label": "Result 1", "job_id": "a"},
                      {"path": str(tmp_path / "r2.png"), "label": "Result 2", "job_id": "a"}], 1, labels, False)
    save_project(tmp_path / "p.deproj", image_path=image, mask=None, mix=state)
    project = load_project(tmp_path / "p.deproj")
    assert project.mix is not None
    assert np.array_equal(project.mix.labels, labels)
    assert project.mix.base == 1 and project.mix.keep_inside_mask is False
    assert [s["path"] for s in project.mix.sources] == [s["path"] for s in state.sources]
    assert load_project_without_mix(tmp_path, image).mix is None


def load_project_without_mix(tmp_path, image):
    save_project(tmp_path / "q.deproj", image_path=image, mask=None)
    return load_project(tmp_path / "q.deproj")
