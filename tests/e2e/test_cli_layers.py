"""`edit --layers`, `desktop-editor layers` and provenance on the command line, against the emulator."""

from __future__ import annotations

import zipfile
from xml.etree import ElementTree as ET

import numpy as np
import pytest
from PIL import Image
from psd_tools import PSDImage
from psd_tools.constants import Resource

from desktop_editor.cli import main
from desktop_editor.core import masks
from desktop_editor.core.composite import weight_image
from desktop_editor.core.masks import MaskConvention
from desktop_editor.core.provenance import COMPOSITE_WITH_AI, MADE_BY_AI, NS_IPTC_EXT, NS_OURS, read_properties
from desktop_editor.emulator import Behaviour, Emulator

KEY = "rf_test_cli_layers"
DST = f"{{{NS_IPTC_EXT}}}DigitalSourceType"
PROMPT = f"{{{NS_IPTC_EXT}}}AIPromptInformation"


@pytest.fixture
def emulator():
    with Emulator(api_keys={KEY}, behaviour=Behaviour(run_duration=0.05)) as emu:
        yield emu


@pytest.fixture
def photo(tmp_path):
    y, x = np.mgrid[0:96, 0:128]
    path = tmp_path / "photo.png"
    Image.fromarray(np.dstack([x * 2, y * 2, (x + y)]).astype(np.uint8), "RGB").save(path)
    return path


@pytest.fixture
def mask_file(tmp_path):
    m = masks.empty_mask((128, 96))
    m[20:60, 30:90] = 255
    path = tmp_path / "mask.png"
    path.write_bytes(masks.encode_mask_png(m, MaskConvention.BLACK_WHITE))
    return path, m


def info(path) -> dict:
    with Image.open(path) as img:
        return dict(img.info)


def pixels(path) -> np.ndarray:
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB")).astype(int)


def edit(emulator, *args) -> int:
    return main(["edit", *map(str, args), "--base-url", emulator.base_url, "--api-key", KEY, "--timeout", "20",
                 "--poll-interval", "0.05"])


def test_edit_with_layers_writes_a_psd_beside_the_result_that_looks_like_it(emulator, photo, mask_file, tmp_path, capsys):
    out = tmp_path / "out"
    code = edit(emulator, photo, "--prompt", "make it blue", "--mask", mask_file[0], "--keep-unmasked",
                "--feather", "6", "--layers", "psd", "--out", out)
    assert code == 0, capsys.readouterr().err
    printed = capsys.readouterr().out.split()
    assert printed == [str(out / "photo-edit-1.png"), str(out / "photo-edit-layers.psd")]
    psd = PSDImage.open(out / "photo-edit-layers.psd")
    names = [layer.name for layer in psd]
    assert names[0] == "Original" and names[1].startswith("make it blue (") and len(names) == 2
    flat = pixels(out / "photo-edit-1.png")
    assert np.abs(np.rint(psd.numpy()[..., :3] * 255) - flat).max() <= 1
    top = list(psd)[1]
    area = np.asarray(weight_image(mask_file[1], 6)) > 0
    assert top.has_mask() and np.array_equal(np.asarray(top.mask.topil()) > 0, area[top.top:top.bottom, top.left:top.right])
    said = read_properties(psd.image_resources.get_data(Resource.XMP_METADATA))
    assert said[DST] == COMPOSITE_WITH_AI and said[f"{{{NS_OURS}}}RunId"]
    result_said = read_properties(info(out / "photo-edit-1.png")["xmp"])
    assert result_said[DST] == COMPOSITE_WITH_AI and PROMPT not in result_said  # the prompt stays private


def test_a_whole_frame_edit_says_so_and_no_provenance_leaves_it_out(emulator, photo, tmp_path):
    assert edit(emulator, photo, "--prompt", "make it blue", "--out", tmp_path / "a", "--provenance-prompt") == 0
    said = read_properties(info(tmp_path / "a" / "photo-edit-1.png")["xmp"])
    assert said[DST] == MADE_BY_AI and said[PROMPT] == "make it blue"
    assert edit(emulator, photo, "--prompt", "make it blue", "--out", tmp_path / "b", "--no-provenance") == 0
    assert "xmp" not in info(tmp_path / "b" / "photo-edit-1.png")


def test_layers_command_finds_each_results_mask_in_the_history(emulator, photo, mask_file, tmp_path, capsys):
    out = tmp_path / "out"
    assert edit(emulator, photo, "--prompt", "a red kite", "--mask", mask_file[0], "--num-images", "2",
                "--out", out) == 0
    results = sorted(out.glob("photo-edit-*.png"))
    capsys.readouterr()
    target = tmp_path / "kite.ora"
    assert main(["layers", *map(str, results), "--original", str(photo), "--out", str(target)]) == 0
    assert capsys.readouterr().out.strip() == str(target)
    with zipfile.ZipFile(target) as archive:
        entries = ET.fromstring(archive.read("stack.xml")).find("stack").findall("layer")
        assert [e.get("name").split(" (")[0] for e in entries] == ["a red kite", "a red kite", "Original"]
        top = entries[0]
        assert (int(top.get("x")), int(top.get("y"))) == (30, 20)  # limited to the job's mask
        with Image.open(archive.open(top.get("src"))) as layer:
            assert layer.size == (60, 40) and layer.getchannel("A").getextrema() == (255, 255)


def test_layers_command_refuses_clearly_and_touches_nothing(photo, tmp_path, capsys):
    target = tmp_path / "x.psd"
    target.write_bytes(b"mine")
    assert main(["layers", str(photo), "--original", str(photo), "--out", str(target)]) == 2
    assert "exists" in capsys.readouterr().err and target.read_bytes() == b"mine"
    assert main(["layers", str(photo), "--original", str(photo), "--out", str(tmp_path / "x.tif")]) == 2
    assert ".psd or .ora" in capsys.readouterr().err
    assert main(["layers", str(photo), "--original", str(photo), "--out", str(tmp_path / "gone" / "x.psd")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_a_heic_result_says_it_too(emulator, mask_file, tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    y, x = np.mgrid[0:96, 0:128]
    photo = tmp_path / "phone.heic"
    Image.fromarray(np.dstack([x * 2, y * 2, (x + y)]).astype(np.uint8), "RGB").save(photo, "HEIF", quality=90)
    out = tmp_path / "out"
    assert edit(emulator, photo, "--prompt", "make it blue", "--mask", mask_file[0], "--keep-unmasked", "--out", out) == 0
    (result,) = out.iterdir()
    assert result.suffix == ".heic"
    said = read_properties(info(result)["xmp"])
    assert said[DST] == COMPOSITE_WITH_AI and said[f"{{{NS_OURS}}}RunId"]
