"""The layered files this app writes, opened by the real programs designers use.

GIMP 2.10 (batch mode, Script-Fu) opens each PSD; Krita 5.1 (`--export`, under xvfb-run) opens
each PSD and ORA. Each program's flattened picture must equal the flat result within 2 levels,
and the layers it lists must be the ones written. Skipped where the programs are not installed
(`apt-get install gimp krita xvfb`). Debian's GIMP has no OpenRaster loader.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import cv2
import numpy as np
import pytest
from psd_tools import PSDImage

from desktop_editor.core.layered.build import result_layer
from desktop_editor.core.layered.ora import write_ora
from desktop_editor.core.layered.psd import write_psd
from desktop_editor.core.layered.psd_copy import add_layers, document_stack, open_psd

pytestmark = pytest.mark.slow

GIMP = shutil.which("gimp")
KRITA = shutil.which("krita")
XVFB = shutil.which("xvfb-run")
needs_gimp = pytest.mark.skipif(GIMP is None, reason="GIMP is not installed")
needs_krita = pytest.mark.skipif(KRITA is None or XVFB is None, reason="Krita or xvfb-run is not installed")
VARIANTS = [(8, "RGB"), (16, "RGB"), (8, "L"), (16, "L")]
DATA = Path(__file__).parents[2] / "data" / "psd"
TIMEOUT = 120  # Krita's first start builds its resource cache (~45 s on a quiet machine)


@pytest.fixture(scope="module")
def editor_home(tmp_path_factory) -> dict[str, str]:
    """One home for the editors across this module: Krita builds its resource cache on first
    start (tens of seconds), so each test starting from an empty home would pay that again."""
    home = tmp_path_factory.mktemp("editor-home")
    env = dict(os.environ, HOME=str(home))
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[var] = str(home / var.lower())
    return env


def read_png(path: Path) -> np.ndarray:
    """(H, W, 4) float in 8-bit levels, colour premultiplied by alpha (opaque when there is none)."""
    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    assert image is not None, f"{path.name} was not written"
    peak = 65535.0 if image.dtype == np.uint16 else 255.0
    if image.ndim == 2:
        image = np.dstack([image] * 3)
    elif image.shape[2] == 2:
        image = np.dstack([image[..., 0]] * 3 + [image[..., 1]])
    image = cv2.cvtColor(image, cv2.COLOR_BGRA2RGBA if image.shape[2] == 4 else cv2.COLOR_BGR2RGB)
    values = image.astype(np.float64) / peak
    if values.shape[2] == 3:
        values = np.dstack([values, np.ones(values.shape[:2])])
    values[..., :3] *= values[..., 3:4]
    return values * 255.0


def expected(flat: np.ndarray, depth: int) -> np.ndarray:
    """The flat result in the same terms as `read_png`."""
    values = (flat if flat.ndim == 3 else flat[..., None]).astype(np.float64) / (2**depth - 1)
    colour = values[..., :1] if values.shape[2] in (1, 2) else values[..., :3]
    colour = np.repeat(colour, 3, axis=2) if colour.shape[2] == 1 else colour
    alpha = values[..., -1:] if values.shape[2] in (2, 4) else np.ones(values.shape[:2] + (1,))
    return np.dstack([colour * alpha, alpha]) * 255.0


def run_editor(command: list[str], env: dict[str, str]) -> str:
    """Run an editor in its own process group; on timeout the whole group is ended (xvfb-run's
    children too: an editor stopped on a question would otherwise outlive the test). Returns
    its output."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                               start_new_session=True)
    try:
        output, _ = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        pytest.fail(f"{Path(command[0]).name} {' '.join(command[1:3])} did not finish in {TIMEOUT} s "
                    f"(stopped on a question?): {output[-1500:]}")
    return output


def krita_export(source: Path, target: Path, env: dict[str, str]) -> None:
    output = run_editor([XVFB, "-a", KRITA, str(source), "--export", "--export-filename", str(target)], env)
    assert target.exists(), f"Krita did not export {source.name}: {output[-2000:]}"


def krita_layers(source: Path, tmp: Path, env: dict[str, str]) -> list[tuple[str, int, int]]:
    """(name, x, y) of the layers Krita read, top first: Krita's own .ora export lists them."""
    target = tmp / f"{source.stem}-krita.ora"
    krita_export(source, target, env)
    with zipfile.ZipFile(target) as archive:
        root = ET.fromstring(archive.read("stack.xml"))
    return [(e.get("name"), int(e.get("x")), int(e.get("y"))) for e in root.iter("layer")]


def gimp_open(source: Path, png: Path, listing: Path, env: dict[str, str]) -> list[tuple[str, bool, tuple[int, int]]]:
    """(name, has mask, offsets) of the layers GIMP read, top first; the visible layers merged
    to image size are saved as `png`."""
    script = f"""
(let* ((image (car (gimp-file-load RUN-NONINTERACTIVE "{source}" "{source.name}")))
       (layers (vector->list (cadr (gimp-image-get-layers image))))
       (port (open-output-file "{listing}")))
  (for-each (lambda (l) (display (car (gimp-item-get-name l)) port) (display "|" port)
     (display (car (gimp-layer-get-mask l)) port) (display "|" port)
     (display (gimp-drawable-offsets l) port) (newline port)) layers)
  (close-output-port port)
  (let ((merged (car (gimp-image-merge-visible-layers image CLIP-TO-IMAGE))))
    (gimp-layer-resize-to-image-size merged)
    (file-png-save2 RUN-NONINTERACTIVE image merged "{png}" "{png.name}" 0 9 0 0 0 0 0 0 0))
  (gimp-quit 0))"""
    output = run_editor([GIMP, "-i", "-d", "-f", "-b", script], env)
    assert listing.exists() and png.exists(), f"GIMP did not open {source.name}: {output[-2000:]}"
    rows = []
    for line in listing.read_text("utf-8").splitlines():
        name, mask, offsets = line.rsplit("|", 2)
        x, y = offsets.strip("()").split()
        rows.append((name, int(mask) != -1, (int(x), int(y))))
    return rows


def within_two_levels(seen: np.ndarray, flat: np.ndarray, depth: int) -> float:
    difference = float(np.abs(seen - expected(flat, depth)).max())
    assert difference <= 2.0, f"the editor's picture is {difference:.1f} levels off the flat result"
    return difference


@needs_gimp
@pytest.mark.parametrize(("depth", "mode"), VARIANTS, ids=lambda v: str(v))
def test_gimp_opens_each_psd_with_its_layers_and_masks(sample_of, tmp_path, editor_home, depth, mode):
    sample = sample_of(depth, mode)
    path = write_psd(sample.stack, tmp_path / "edit.psd")
    layers = gimp_open(path, tmp_path / "gimp.png", tmp_path / "layers.txt", editor_home)
    written = list(reversed(sample.stack.layers))
    assert [(name, has_mask, offsets) for name, has_mask, offsets in layers] == [
        (layer.name, layer.mask is not None, layer.offset) for layer in written]
    within_two_levels(read_png(tmp_path / "gimp.png"), sample.flat, depth)


@needs_krita
@pytest.mark.parametrize("kind", ["psd", "ora"])
@pytest.mark.parametrize(("depth", "mode"), VARIANTS, ids=lambda v: str(v))
def test_krita_opens_each_psd_and_ora_with_its_layers(sample_of, tmp_path, editor_home, depth, mode, kind):
    sample = sample_of(depth, mode)
    writer = write_psd if kind == "psd" else write_ora
    path = writer(sample.stack, tmp_path / f"edit.{kind}")
    krita_export(path, tmp_path / "krita.png", editor_home)
    within_two_levels(read_png(tmp_path / "krita.png"), sample.flat, depth)
    assert krita_layers(path, tmp_path, editor_home) == [(layer.name, *layer.offset) for layer in reversed(sample.stack.layers)]


def _copy_with_result(name: str, tmp_path: Path) -> tuple[Path, list[str]]:
    source = DATA / name
    stack = document_stack(open_psd(source))
    result = np.full((stack.height, stack.width, stack.channels), 40, stack.dtype)
    mask = np.zeros((stack.height, stack.width), np.uint8)
    mask[4: stack.height // 2, 4: stack.width // 2] = 255
    out = add_layers(source, [result_layer(result, mask, "AI: sky (10:30)", feather=2)], tmp_path / f"copy-{name}")
    return out, [layer.name for layer in PSDImage.open(out)]


def _merged(path: Path) -> tuple[np.ndarray, int]:
    psd = PSDImage.open(path)
    return np.rint(psd.numpy() * 255).astype(np.uint8), 8


@needs_krita
@pytest.mark.parametrize("name", ["type-layer.psd", "smartobject-layer.psd", "adjustment-mask.psd"])
def test_krita_opens_a_designers_psd_with_the_result_added(tmp_path, editor_home, name):
    path, names = _copy_with_result(name, tmp_path)
    assert [entry[0] for entry in krita_layers(path, tmp_path, editor_home)] == list(reversed(names))
    krita_export(path, tmp_path / "krita.png", editor_home)
    within_two_levels(read_png(tmp_path / "krita.png"), *_merged(path))


@needs_gimp
@pytest.mark.parametrize("name", ["type-layer.psd", "smartobject-layer.psd"])
def test_gimp_opens_a_designers_psd_with_the_result_added(tmp_path, editor_home, name):
    # Not adjustment-mask.psd: GIMP 2.10 drops adjustment layers when it reads a PSD.
    path, names = _copy_with_result(name, tmp_path)
    layers = gimp_open(path, tmp_path / "gimp.png", tmp_path / "layers.txt", editor_home)
    assert [row[0] for row in layers] == list(reversed(names)) and layers[0][1]  # ours on top, masked
    within_two_levels(read_png(tmp_path / "gimp.png"), *_merged(path))
