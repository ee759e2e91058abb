"""`desktop-editor mask` and `batch --auto-mask`: masks derived offline, bad boxes refused with nothing written."""

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from selection_composites import iou, make_composite

from desktop_editor.cli import main
from desktop_editor.core import masks
from desktop_editor.emulator import Behaviour, Emulator

KEY = "rf_test_mask_key"


@pytest.fixture
def composites(tmp_path):
    """Two real-photo composites of different sizes, with their true masks."""
    folder = tmp_path / "photos"
    folder.mkdir()
    found = {}
    for name, file in (("cat on astronaut", "cat.png"), ("coffee on cat", "coffee.png")):
        comp = make_composite(name)
        Image.fromarray(comp.photo).save(folder / file)
        found[file] = comp
    return folder, found


def percent_box(comp):
    """The composite's box as percentages of its image (one spec per image, as a batch needs)."""
    height, width = comp.truth.shape
    x, y, w, h = comp.box
    return f"{100 * x / width:.3f}%,{100 * y / height:.3f}%,{100 * w / width:.3f}%,{100 * h / height:.3f}%"


def test_mask_select_object_writes_one_mask_per_image(composites, tmp_path, capsys):
    folder, found = composites
    comp = found["cat.png"]
    out = tmp_path / "masks"
    code = main(["mask", str(folder / "cat.png"), "--out", str(out), "--select-object", percent_box(comp),
                 "--convention", "bw"])
    assert code == 0
    written = capsys.readouterr().out.split()
    assert written == [str(out / "cat_mask.png")]
    mask = masks.load_mask(out / "cat_mask.png")
    assert iou(mask, comp.truth) >= 0.95
    # Run again: the first mask is never written over.
    assert main(["mask", str(folder / "cat.png"), "--out", str(out), "--select-object", "0,0,50,50", "--quiet"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["cat_mask-2.png", "cat_mask.png"]
    assert np.array_equal(masks.load_mask(out / "cat_mask.png"), mask)


def test_mask_openai_convention_and_shaping_steps(composites, tmp_path, capsys):
    folder, found = composites
    comp = found["cat.png"]
    x, y, w, h = comp.box
    box = f"{x},{y},{w},{h}"
    outputs = {}
    # The edge is anti-aliased, so the exact complement is checked in black and white (the OpenAI
    # convention counts an edge pixel as edited in a mask and in its inverse alike).
    for label, extra in {"plain": [], "grow": ["--grow", "6"], "shrink": ["--shrink", "6"],
                         "plain_bw": ["--convention", "bw"], "invert": ["--invert", "--convention", "bw"], "feather": ["--feather", "5", "--convention", "bw"],
                         "refine": ["--refine-edge", "4"]}.items():
        out = tmp_path / label
        assert main(["mask", str(folder / "cat.png"), "--out", str(out), "--select-object", box, "--quiet", *extra]) == 0
        outputs[label] = out / "cat_mask.png"
    with Image.open(outputs["plain"]) as img:
        assert img.mode == "RGBA"  # the service's convention: transparent = edit
        alpha = np.asarray(img)[..., 3]
    assert alpha[y + h // 2, x + w // 2] == 0 and alpha[0, 0] == 255
    area = {k: np.count_nonzero(masks.load_mask(v) >= 128) for k, v in outputs.items()}
    assert area["shrink"] < area["plain"] < area["grow"]
    assert area["invert"] == comp.truth.size - area["plain_bw"]
    feathered = masks.load_mask(outputs["feather"])
    assert np.count_nonzero((feathered > 0) & (feathered < 255)) > 4 * w
    assert "soft edges were saved as fully edited" in capsys.readouterr().err  # told, not silently lost


def test_mask_wand_contiguous_and_global(tmp_path, capsys):
    img = np.zeros((60, 90, 3), np.uint8)
    img[:] = (200, 40, 40)
    img[5:25, 5:25] = (30, 200, 30)
    img[35:55, 60:85] = (30, 200, 30)
    path = tmp_path / "squares.png"
    Image.fromarray(img).save(path)
    assert main(["mask", str(path), "--out", str(tmp_path / "a"), "--wand", "10,10", "--tolerance", "20", "--quiet"]) == 0
    assert main(["mask", str(path), "--out", str(tmp_path / "b"), "--wand", "10,10", "--global", "--quiet"]) == 0
    local = masks.load_mask(tmp_path / "a" / "squares_mask.png")
    everywhere = masks.load_mask(tmp_path / "b" / "squares_mask.png")
    assert np.count_nonzero(local) == 400 and np.count_nonzero(everywhere) == 400 + 500


@pytest.mark.parametrize(
    ("box", "message"),
    [
        ("10,10,0,40", "zero size"),
        ("90%,10%,20%,20%", "outside the"),
        ("600,10,50,50", "outside the"),
        ("1,2,3", "X,Y,W,H"),
    ],
)
def test_mask_bad_boxes_are_refused_and_nothing_is_written(composites, tmp_path, capsys, box, message):
    folder, _ = composites
    out = tmp_path / "out"
    code = main(["mask", str(folder / "cat.png"), str(folder / "coffee.png"), "--out", str(out),
                 "--select-object", box])
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and err.startswith("desktop-editor: ")
    assert not out.exists()


def test_mask_box_that_fits_one_image_but_not_the_next_writes_nothing(composites, tmp_path, capsys):
    folder, _ = composites  # cat.png is 512x512, coffee.png 451x300
    out = tmp_path / "out"
    assert main(["mask", str(folder / "cat.png"), str(folder / "coffee.png"), "--out", str(out),
                 "--select-object", "100,100,300,300"]) == 2
    assert "coffee.png" in capsys.readouterr().err and not out.exists()


def test_mask_needs_a_selection(composites, tmp_path, capsys):
    folder, _ = composites
    assert main(["mask", str(folder / "cat.png"), "--out", str(tmp_path / "o")]) == 2
    assert "--select-object" in capsys.readouterr().err


@pytest.fixture
def emulator():
    with Emulator(api_keys={KEY}, behaviour=Behaviour(run_duration=0.1)) as emu:
        yield emu


def service_args(emulator):
    return ["--base-url", emulator.base_url, "--api-key", KEY, "--poll-interval", "0.05", "--timeout", "60"]


def test_batch_auto_mask_derives_masks_and_a_contact_sheet_before_sending(emulator, composites, tmp_path, capsys):
    folder, found = composites
    out, sheet, report = tmp_path / "results", tmp_path / "sheet.png", tmp_path / "report.json"
    code = main(["batch", "--images", str(folder), "--auto-mask", "object:2%,2%,96%,96%", "--masks-preview", str(sheet),
                 "--prompt", "make it a painting", "--keep-unmasked", "--out", str(out), "--yes",
                 "--report", str(report), *service_args(emulator)])
    assert code == 0
    err = capsys.readouterr().err
    assert "Auto mask: object in 2%,2%,96%,96%" in err and f"Mask preview: {sheet}" in err
    assert err.index("Mask preview") < err.index("Plan: 2 of 2 images")  # seen before paying
    with Image.open(sheet) as img:
        assert img.width > 400 and img.height > 200
    mask_files = sorted((out / "masks").iterdir())
    assert [p.name for p in mask_files] == ["cat_mask.png", "coffee_mask.png"]
    assert emulator.runs_created == 2
    jobs = json.loads(report.read_text())["jobs"]
    assert {j["status"] for j in jobs} == {"done"}
    sent = [r for r in emulator.requests if r.method == "POST" and "/runs" in r.path]
    assert len(sent) == 2


def test_batch_auto_mask_bad_box_is_refused_before_anything_is_written_or_sent(emulator, composites, tmp_path, capsys):
    folder, _ = composites
    out, sheet = tmp_path / "results", tmp_path / "sheet.png"
    for spec, message in (("object:10,10,0,50", "zero size"), ("object:400,50,200,200", "outside the"),
                          ("object:", "object:X,Y,W,H"), ("wand:10,10", "object:X,Y,W,H")):
        code = main(["batch", "--images", str(folder), "--auto-mask", spec, "--masks-preview", str(sheet),
                     "--prompt", "make it a painting", "--out", str(out), "--yes", *service_args(emulator)])
        assert code == 2
        assert message in capsys.readouterr().err
    assert not out.exists() and not sheet.exists()
    assert emulator.runs_created == 0


def test_batch_auto_mask_conflicts(composites, tmp_path, capsys):
    folder, _ = composites
    assert main(["batch", "--images", str(folder), "--auto-mask", "object:0,0,10,10", "--mask", str(folder / "cat.png"),
                 "--prompt", "x y", "--yes"]) == 2
    assert "--auto-mask derives every mask" in capsys.readouterr().err
    assert main(["batch", "--images", str(folder), "--masks-preview", "s.png", "--prompt", "x y", "--yes"]) == 2
    assert "give --auto-mask too" in capsys.readouterr().err


@pytest.fixture
def products(tmp_path):
    """Two product-style photos of the evaluation set (an object on a backdrop, with a shadow)."""
    from selection_eval import evaluation_set

    folder = tmp_path / "products"
    folder.mkdir()
    found = {}
    for case, file in zip([c for c in evaluation_set() if c.group == "product"][:2], ("suit.png", "tissue.png")):
        Image.fromarray(case.photo).save(folder / file)
        found[file] = case
    return folder, found


def _wall(path):
    rng = np.random.default_rng(5)
    Image.fromarray(np.clip(rng.normal(140, 3, (120, 160, 3)), 0, 255).astype(np.uint8)).save(path)
    return path


def test_mask_select_subject_needs_no_box(products, tmp_path, capsys):
    folder, found = products
    out = tmp_path / "masks"
    code = main(["mask", *(str(folder / f) for f in found), "--out", str(out), "--select-subject", "--convention", "bw",
                 "--quiet"])
    assert code == 0
    assert capsys.readouterr().out.split() == [str(out / "suit_mask.png"), str(out / "tissue_mask.png")]
    for file, case in found.items():
        assert iou(masks.load_mask(out / f"{Path(file).stem}_mask.png"), case.truth) >= 0.9


def test_mask_select_subject_on_a_photo_with_no_subject_warns_and_writes_an_empty_mask(products, tmp_path, capsys):
    folder, found = products
    wall = _wall(folder / "wall.png")
    out = tmp_path / "masks"
    code = main(["mask", str(wall), str(folder / "suit.png"), "--out", str(out), "--select-subject", "--quiet",
                 "--convention", "bw"])
    assert code == 0
    err = capsys.readouterr().err
    assert "warning: wall.png: No clear subject" in err and "wall_mask.png is empty" in err
    assert not masks.load_mask(out / "wall_mask.png").any()
    assert iou(masks.load_mask(out / "suit_mask.png"), found["suit.png"].truth) >= 0.9  # the others still made


def test_batch_auto_mask_subject_end_to_end(emulator, products, tmp_path, capsys):
    folder, found = products
    out, report = tmp_path / "results", tmp_path / "report.json"
    code = main(["batch", "--images", str(folder), "--auto-mask", "subject", "--prompt", "make it a painting",
                 "--keep-unmasked", "--out", str(out), "--yes", "--report", str(report), *service_args(emulator)])
    assert code == 0
    err = capsys.readouterr().err
    assert "Auto mask: the main subject." in err
    assert sorted(p.name for p in (out / "masks").iterdir()) == ["suit_mask.png", "tissue_mask.png"]
    assert iou(masks.load_mask(out / "masks" / "suit_mask.png"), found["suit.png"].truth) >= 0.9
    assert emulator.runs_created == 2
    assert {j["status"] for j in json.loads(report.read_text())["jobs"]} == {"done"}


def test_batch_auto_mask_subject_sends_nothing_when_a_photo_has_no_subject(emulator, products, tmp_path, capsys):
    folder, _found = products
    _wall(folder / "wall.png")
    out = tmp_path / "results"
    code = main(["batch", "--images", str(folder), "--auto-mask", "subject", "--prompt", "make it a painting",
                 "--out", str(out), "--yes", *service_args(emulator)])
    assert code == 2
    err = capsys.readouterr().err
    assert "no clear subject in wall.png: nothing was sent" in err and f"--masks {out / 'masks'}" in err
    assert emulator.runs_created == 0
    assert sorted(p.name for p in (out / "masks").iterdir()) == ["suit_mask.png", "tissue_mask.png"]
    for spec in ("subject:10,10,5,5", "subjects"):
        assert main(["batch", "--images", str(folder), "--auto-mask", spec, "--prompt", "x y", "--out", str(out),
                     "--yes", *service_args(emulator)]) == 2
        assert "use subject, or object:X,Y,W,H" in capsys.readouterr().err
