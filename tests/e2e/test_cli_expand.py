"""`edit --expand/--aspect` and `batch --aspect` end to end against the emulator over real HTTP."""

import io

import numpy as np
import pytest
from PIL import Image

from desktop_editor.cli import main
from desktop_editor.core import masks
from desktop_editor.core.masks import MaskConvention
from desktop_editor.core.params import size_problems
from desktop_editor.emulator import Behaviour, Emulator

KEY = "rf_test_expand_key"


@pytest.fixture
def emulator():
    with Emulator(api_keys={KEY}, behaviour=Behaviour(run_duration=0.05)) as emu:
        yield emu


def _photo(path, w, h, seed=5):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([x * 255 // w, y * 255 // h, (x + y) % 256], axis=-1).astype(np.int16)
    noise = rng.integers(-20, 20, (h, w, 3))
    Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8), "RGB").save(path)
    return path


def _service(emulator):
    return ["--base-url", emulator.base_url, "--api-key", KEY, "--timeout", "20", "--poll-interval", "0.05"]


def creates(emulator):
    return [r for r in emulator.requests if r.method == "POST" and "/runs" in r.path]


def test_aspect_9_16_makes_a_valid_send_and_keeps_the_original(emulator, tmp_path, capsys):
    photo = _photo(tmp_path / "shot.png", 641, 481)
    out = tmp_path / "out"
    code = main(["edit", str(photo), "--aspect", "9:16", "--overlap", "24", "--out", str(out), *_service(emulator)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "641x481 expanded to 641x1140, sent as 656x1168, result scaled to 641x1140" in err
    sent = creates(emulator)[0].json["input"]
    assert sent["image_size"] == {"width": 656, "height": 1168}
    assert size_problems(656, 1168) == []
    assert sent["prompt"], "an empty prompt gets the expansion's default"
    [saved] = sorted(out.iterdir())
    result = np.asarray(Image.open(saved).convert("RGB"))
    assert result.shape == (1140, 641, 3)
    original = np.asarray(Image.open(photo))
    top = (1140 - 481) // 2
    assert np.array_equal(result[top + 24 : top + 481 - 24], original[24:-24]), "original pixels changed"
    assert not np.array_equal(result[:top], np.repeat(original[:1], top, axis=0)), "new area not painted"


def test_expand_sides_with_a_painted_mask_and_crop(emulator, tmp_path, capsys):
    photo = _photo(tmp_path / "room.png", 700, 500)
    painted = masks.empty_mask((700, 500))
    painted[200:260, 300:360] = 255
    mask_path = tmp_path / "room_mask.png"
    mask_path.write_bytes(masks.encode_mask_png(painted, MaskConvention.BLACK_WHITE))
    out = tmp_path / "out"
    code = main(["edit", str(photo), "--expand=-20,0,180,0", "--overlap", "16", "--mask", str(mask_path),
                 "--prompt", "a window with a sea view", "--out", str(out), *_service(emulator)])
    assert code == 0, capsys.readouterr().err
    [saved] = sorted(out.iterdir())
    result = np.asarray(Image.open(saved).convert("RGB"))
    assert result.shape == (500, 860, 3)
    original = np.asarray(Image.open(photo))[:, 20:]
    kept = np.ones((500, 680), bool)
    kept[:, 680 - 16 :] = False
    kept[200:260, 280:340] = False
    assert np.array_equal(result[:, :680][kept], original[kept])
    assert not np.array_equal(result[200:260, 280:340], original[200:260, 280:340]), "the painted mask was ignored"


@pytest.mark.parametrize("argv,message", [
    (["--aspect", "4:1"], "nearest allowed is 3:1"),
    (["--aspect", "9:16", "--expand", "0,1,0,1"], "not both"),
    (["--expand", "1,2,3"], "LEFT,TOP,RIGHT,BOTTOM"),
    (["--aspect", "1:1", "--anchor", "north"], "not an anchor"),
    (["--expand", "0,0,2000,0"], "nearest allowed is 3:1"),
    (["--expand=-10,0,-10,0"], "A crop alone adds nothing to generate"),
])
def test_bad_requests_exit_2_and_send_nothing(emulator, tmp_path, capsys, argv, message):
    photo = _photo(tmp_path / "p.png", 300, 200)
    code = main(["edit", str(photo), *argv, "--out", str(tmp_path / "out"), *_service(emulator)])
    assert code == 2
    assert message in capsys.readouterr().err
    assert creates(emulator) == []


def test_batch_squares_a_catalogue(emulator, tmp_path, capsys):
    shots = tmp_path / "shots"
    shots.mkdir()
    sizes = {"a": (640, 480), "b": (333, 501), "c": (500, 500)}
    for name, (w, h) in sizes.items():
        _photo(shots / f"{name}.png", w, h, seed=len(name))
    out = tmp_path / "out"
    code = main(["batch", "--images", str(shots), "--aspect", "1:1", "--anchor", "bottom", "--prompt",
                 "studio backdrop", "--yes", "--out", str(out), "--concurrency", "2", *_service(emulator)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "a.png: 640x480 -> 640x640, sent as 816x816, result scaled to 640x640" in err
    assert "Plan: 2 of 3 images" in err and "(2 at 816x816)" in err, "the plan counts the sizes really sent"
    assert "skipped c.png: already that shape" in err
    results = {p.stem.split("-")[0]: np.asarray(Image.open(p).convert("RGB")) for p in out.iterdir()}
    assert sorted(results) == ["a", "b"]
    for name, (w, h) in list(sizes.items())[:2]:
        side = max(w, h)
        assert results[name].shape[:2] == (side, side)
    # Anchored at the bottom: the original's bottom rows are at the canvas's bottom, untouched.
    original = np.asarray(Image.open(shots / "a.png"))
    assert np.array_equal(results["a"][-400:], original[-400:])
    for create in creates(emulator):
        size = create.json["input"]["image_size"]
        assert size_problems(size["width"], size["height"]) == []


def test_a_canvas_too_large_to_send_whole_sends_a_band(emulator, tmp_path, capsys):
    photo = _photo(tmp_path / "wide.png", 3000, 2400)
    out = tmp_path / "out"
    code = main(["edit", str(photo), "--expand", "0,0,900,0", "--overlap", "32", "--prompt", "more of the beach",
                 "--out", str(out), *_service(emulator)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "only the" in err and "band around the new area is sent" in err
    sent = creates(emulator)[0].json["input"]["image_size"]
    assert size_problems(sent["width"], sent["height"]) == []
    uploaded = [Image.open(io.BytesIO(r.body)) for r in emulator.requests if r.method == "PUT"]
    assert [im.size for im in uploaded if im.mode == "RGB"] == [(sent["width"], sent["height"])], \
        "the band is sent at the planned size"
    assert sent["width"] < 3900 * sent["height"] / 2400, "a band, narrower than the whole canvas"
    [saved] = sorted(out.iterdir())
    result = np.asarray(Image.open(saved).convert("RGB"))
    assert result.shape == (2400, 3900, 3)
    original = np.asarray(Image.open(photo))
    assert np.array_equal(result[:, : 3000 - 32], original[:, : 3000 - 32]), "original pixels changed"
    assert not np.array_equal(result[:, 3100:3200], np.repeat(original[:, -1:], 100, axis=1))
