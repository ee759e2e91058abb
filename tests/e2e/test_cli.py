"""`desktop-editor edit` end to end against the emulator over real HTTP, in process."""

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from desktop_editor.cli import main
from desktop_editor.core import masks
from desktop_editor.core.masks import MaskConvention
from desktop_editor.emulator import Behaviour, Emulator, Fault

KEY = "rf_test_cli_key"


@pytest.fixture
def emulator():
    with Emulator(api_keys={KEY}, behaviour=Behaviour(run_duration=0.1)) as emu:
        yield emu


@pytest.fixture
def photo(tmp_path):
    rng = np.random.default_rng(7)
    path = tmp_path / "photo.png"
    Image.fromarray(rng.integers(0, 255, (96, 128, 3), dtype=np.uint8), "RGB").save(path)
    return path


@pytest.fixture
def mask_file(tmp_path):
    m = masks.empty_mask((128, 96))
    m[20:60, 30:90] = 255
    path = tmp_path / "mask.png"
    path.write_bytes(masks.encode_mask_png(m, MaskConvention.BLACK_WHITE))
    return path, m


def run_cli(emulator, *args):
    return main(["edit", *map(str, args), "--base-url", emulator.base_url, "--api-key", KEY, "--timeout", "20", "--poll-interval", "0.05"])


def creates(emulator):
    return [r for r in emulator.requests if r.method == "POST" and "/runs" in r.path]


def test_edit_saves_results(emulator, photo, mask_file, tmp_path, capsys):
    out = tmp_path / "out"
    code = run_cli(emulator, photo, "--prompt", "make it blue", "--mask", mask_file[0], "--num-images", "2", "--out", out)
    assert code == 0
    saved = sorted(out.iterdir())
    assert [p.name for p in saved] == ["photo-edit-1.png", "photo-edit-2.png"]
    assert capsys.readouterr().out.split() == [str(p) for p in saved]
    sent_mask = creates(emulator)[0].json["input"]["mask_url"]
    assert sent_mask.startswith("data:image/png")


def test_keep_unmasked_makes_outside_exact(emulator, photo, mask_file, tmp_path):
    out = tmp_path / "out"
    assert run_cli(emulator, photo, "--prompt", "make it blue", "--mask", mask_file[0], "--keep-unmasked", "--out", out) == 0
    result = np.asarray(Image.open(out / "photo-edit-1.png").convert("RGB"))
    original = np.asarray(Image.open(photo).convert("RGB"))
    m = mask_file[1]
    assert np.array_equal(result[m == 0], original[m == 0])
    assert np.abs(result[m > 0].astype(int) - original[m > 0]).mean() > 20
    raw_out = tmp_path / "raw"
    assert run_cli(emulator, photo, "--prompt", "make it blue", "--mask", mask_file[0], "--out", raw_out) == 0
    raw = np.asarray(Image.open(raw_out / "photo-edit-1.png").convert("RGB"))
    assert not np.array_equal(raw[m == 0], original[m == 0])  # the emulator, like the model, strays


def test_feathered_composite_keeps_outside(emulator, photo, mask_file, tmp_path):
    out = tmp_path / "out"
    args = (photo, "--prompt", "blue", "--mask", mask_file[0], "--keep-unmasked", "--feather", "8", "--out", out, "--format", "jpeg")
    assert run_cli(emulator, *args) == 0
    assert (out / "photo-edit-1.jpg").exists()  # a --format of jpeg asked for is kept


def test_composite_of_a_jpeg_is_saved_as_jpeg_unless_asked_otherwise(emulator, mask_file, tmp_path):
    photo = tmp_path / "shot.jpg"
    rng = np.random.default_rng(2)
    Image.fromarray(rng.integers(0, 255, mask_file[1].shape + (3,), dtype=np.uint8)).save(photo, quality=90)
    base = (photo, "--prompt", "blue", "--mask", mask_file[0], "--keep-unmasked")
    assert run_cli(emulator, *base, "--out", tmp_path / "a") == 0
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["shot-edit-1.jpg"]
    assert run_cli(emulator, *base, "--out", tmp_path / "b", "--save-format", "png") == 0
    result = np.asarray(Image.open(tmp_path / "b" / "shot-edit-1.png").convert("RGB"))
    original = np.asarray(Image.open(photo).convert("RGB"))
    assert np.array_equal(result[mask_file[1] == 0], original[mask_file[1] == 0])


def test_never_overwrites(emulator, photo, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "photo-edit-1.png").write_bytes(b"precious")
    assert run_cli(emulator, photo, "--prompt", "again", "--out", out) == 0
    assert (out / "photo-edit-1.png").read_bytes() == b"precious"
    assert (out / "photo-edit-2.png").exists()  # the next edit of the image gets the next number


def test_json_report(emulator, photo, tmp_path, capsys):
    code = run_cli(emulator, photo, "--prompt", "make it blue", "--out", tmp_path / "o", "--json")
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "done" and report["run_id"] in emulator.runs
    assert report["cost"] == pytest.approx(0.133) and len(report["files"]) == 1


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--prompt", "x"], "at least 2 characters"),
        (["--prompt", "ok", "--size", "1000x1000"], "not a multiple of 16"),
        (["--prompt", "ok", "--num-images", "7"], "1 to 4"),
    ],
)
def test_bad_parameters_exit_2_and_send_nothing(emulator, photo, args, fragment, capsys):
    assert run_cli(emulator, photo, *args) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not emulator.requests


@pytest.mark.parametrize("kind", ["corrupt_png", "truncated_jpeg", "empty", "text_as_png", "bomb"])
def test_bad_images_exit_2(emulator, bad_files, kind, capsys, tmp_path):
    assert run_cli(emulator, bad_files[kind], "--prompt", "ok", "--out", tmp_path / "o") == 2
    err = capsys.readouterr().err
    assert bad_files[kind].name in err and "Traceback" not in err
    assert not creates(emulator)


def test_mask_of_wrong_size(emulator, photo, tmp_path, capsys):
    small = tmp_path / "small-mask.png"
    small.write_bytes(masks.encode_mask_png(masks.empty_mask((10, 10)) + 255))
    assert run_cli(emulator, photo, "--prompt", "ok", "--mask", small) == 2
    assert "10x10" in capsys.readouterr().err and not creates(emulator)
    assert run_cli(emulator, photo, "--prompt", "ok", "--mask", small, "--rescale-mask", "--out", tmp_path / "o") == 0


def test_missing_file_and_missing_key(emulator, tmp_path, capsys, monkeypatch):
    assert run_cli(emulator, tmp_path / "nope.png", "--prompt", "ok") == 2
    assert "no such file" in capsys.readouterr().err
    (tmp_path / "a.png").write_bytes(b"")
    code = main(["edit", str(tmp_path / "a.png"), "--prompt", "ok", "--base-url", emulator.base_url])
    assert code == 2 and "No Runflow API key" in capsys.readouterr().err


def test_exif_cmyk_and_16bit_inputs(emulator, tmp_path):
    rotated = tmp_path / "rot.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.new("RGB", (80, 40), (200, 10, 10)).save(rotated, exif=exif.tobytes())
    cmyk = tmp_path / "cmyk.jpg"
    Image.new("CMYK", (40, 40), (0, 200, 200, 0)).save(cmyk)
    deep = tmp_path / "deep.png"
    Image.fromarray(np.full((40, 40), 40000, np.uint16)).save(deep)
    for path in (rotated, cmyk, deep):
        assert run_cli(emulator, path, "--prompt", "ok", "--out", tmp_path / "o") == 0
    sent = Image.open(__import__("io").BytesIO(__import__("base64").b64decode(creates(emulator)[0].json["input"]["image_urls"][0].split(",", 1)[1])))
    assert sent.size == (40, 80)  # orientation applied before sending


def test_service_refusal_exit_1(emulator, photo, tmp_path, capsys):
    emulator.behaviour.outcome = "failed"
    assert run_cli(emulator, photo, "--prompt", "ok", "--out", tmp_path / "o") == 1
    assert "could not process" in capsys.readouterr().err


def test_unavailable_exit_3(emulator, photo, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("desktop_editor.api.client.RunflowClient._backoff", lambda self, attempt, retry_after: 0.01)
    emulator.inject(Fault(route="create", kind="503", count=50))
    assert run_cli(emulator, photo, "--prompt", "ok", "--out", tmp_path / "o") == 3
    assert emulator.runs_created == 0


def test_outcome_unknown_exit_4_prints_client_ref(emulator, photo, tmp_path, capsys):
    emulator.inject(Fault(route="create", kind="drop_after_read"))
    assert run_cli(emulator, photo, "--prompt", "ok", "--out", tmp_path / "o") == 4
    err = capsys.readouterr().err
    ref = creates(emulator)[0].json["client_ref"]
    assert ref in err and "charged" in err
    assert emulator.runs_created == 1 and len(creates(emulator)) == 1


def test_direct_style(emulator, photo, tmp_path):
    assert run_cli(emulator, photo, "--prompt", "ok", "--style", "direct", "--out", tmp_path / "o") == 0
    assert any(r.path.startswith("/v1/run/") for r in emulator.requests)


def test_large_image_goes_through_upload(emulator, tmp_path):
    rng = np.random.default_rng(3)
    big = tmp_path / "big.png"
    Image.fromarray(rng.integers(0, 255, (700, 900, 3), dtype=np.uint8), "RGB").save(big)
    assert run_cli(emulator, big, "--prompt", "ok", "--out", tmp_path / "o") == 0
    assert any(r.method == "PUT" for r in emulator.requests)
    assert creates(emulator)[0].json["input"]["image_urls"][0].startswith(emulator.base_url)


def test_emulator_command_and_version():
    out = subprocess.run([sys.executable, "-m", "desktop_editor.cli", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("desktop-editor ")
    usage = subprocess.run([sys.executable, "-m", "desktop_editor.cli", "edit"], capture_output=True, text=True)
    assert usage.returncode == 2 and "Traceback" not in usage.stderr


def test_model_options_on_the_command_line(emulator, photo, tmp_path, capsys):
    out = tmp_path / "out"
    code = run_cli(emulator, photo, "--model", "runflow/product-isolation", "--option", "aspect_ratio=4:5",
                   "--option", "resolution=1K", "--prompt", "the bottle only", "--out", out)
    assert code == 0, capsys.readouterr().err
    assert creates(emulator)[0].json["input"] == {
        "image_url": creates(emulator)[0].json["input"]["image_url"],
        "aspect_ratio": "4:5", "resolution": "1K", "prompt": "the bottle only",
    }
    with Image.open(next(out.iterdir())) as result:
        assert result.size == (819, 1024)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--option", "aspect_ratio=4:5"], "has no option 'aspect_ratio'"),
        (["--model", "runflow/product-isolation", "--option", "aspect_ratio=7:3"], "21:9"),
        (["--model", "runflow/product-isolation", "--option", "aspect_ratio"], "key=value"),
        (["--model", "runflow/product-isolation", "--keep-unmasked"], "recomposes the whole frame"),
    ],
)
def test_bad_model_options_send_nothing(emulator, photo, capsys, args, message):
    code = run_cli(emulator, photo, "--prompt", "make it blue", *args)
    assert code == 2 and message in capsys.readouterr().err
    assert creates(emulator) == []


def test_unreadable_answer_exits_4_and_keeps_the_answer(emulator, photo, tmp_path, capsys):
    emulator.behaviour.output_shape = "no_image"
    code = run_cli(emulator, photo, "--prompt", "make it blue", "--out", tmp_path / "out", "--json")
    report = json.loads(capsys.readouterr().out)
    assert code == 4 and report["status"] == "unreadable" and report["run_id"]
    assert main(["jobs", "show", report["job_id"]]) == 0
    shown = capsys.readouterr().out
    assert "the service's answer, as received" in shown and "Your image is ready." in shown
    assert len(creates(emulator)) == 1


def test_edits_of_an_image_are_numbered_in_order_whatever_their_format(emulator, mask_file, tmp_path):
    photo = tmp_path / "rocket.jpg"
    rng = np.random.default_rng(3)
    Image.fromarray(rng.integers(0, 255, mask_file[1].shape + (3,), dtype=np.uint8)).save(photo, quality=90)
    out = tmp_path / "out"
    base = (photo, "--mask", mask_file[0], "--keep-unmasked", "--out", out)
    assert run_cli(emulator, *base, "--prompt", "blue") == 0
    assert run_cli(emulator, *base, "--prompt", "red", "--save-format", "png") == 0
    assert run_cli(emulator, *base, "--prompt", "green") == 0
    assert sorted(p.name for p in out.iterdir()) == ["rocket-edit-1.jpg", "rocket-edit-2.png", "rocket-edit-3.jpg"]
