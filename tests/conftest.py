"""Shared test setup: offscreen Qt, and every user directory redirected to a temporary one.

Tests never touch the real user's settings, history, keyring or output folders.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never let a test reach the real service, whatever the developer's shell has set.
os.environ.pop("RUNFLOW_API_KEY", None)
os.environ.pop("RUNFLOW_BASE_URL", None)

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Point XDG/HOME-based data, config and cache paths at a fresh temporary folder."""
    home = tmp_path_factory.mktemp("home")
    for var, sub in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
    ):
        path = home / sub
        path.mkdir()
        monkeypatch.setenv(var, str(path))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("DESKTOP_EDITOR_KEYRING", "memory")
    from desktop_editor.jobs import credentials

    credentials.save_api_key(None)  # the in-memory keyring is per process: start each test empty
    yield home


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height: a decompression bomb, made in microseconds."""
    import io
    import struct
    import zlib

    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (8, 8)).save(buf, "PNG")
    data = bytearray(buf.getvalue())
    ihdr = 8 + 4 + 4  # signature, chunk length, chunk type
    data[ihdr : ihdr + 8] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr - 4 : ihdr + 13]))
    data[ihdr + 13 : ihdr + 17] = struct.pack(">I", crc)
    return bytes(data)


def make_bad_files(folder) -> dict[str, "os.PathLike"]:
    """Real bad inputs a designer meets: each must give a clear message, never a crash."""
    import io
    from pathlib import Path

    from PIL import Image

    folder = Path(folder)
    out = {}
    good = Image.new("RGB", (64, 48), (200, 120, 40))
    buf = io.BytesIO()
    good.save(buf, "PNG")
    corrupt = bytearray(buf.getvalue())
    corrupt[40:80] = b"\x00" * 40
    out["corrupt_png"] = folder / "corrupt.png"
    out["corrupt_png"].write_bytes(bytes(corrupt))
    jpg = io.BytesIO()
    Image.effect_noise((256, 256), 64).convert("RGB").save(jpg, "JPEG", quality=90)
    out["truncated_jpeg"] = folder / "truncated.jpg"
    out["truncated_jpeg"].write_bytes(jpg.getvalue()[: len(jpg.getvalue()) // 2])
    out["empty"] = folder / "empty.png"
    out["empty"].write_bytes(b"")
    out["text_as_png"] = folder / "notes.png"
    out["text_as_png"].write_text("this is not an image\n")
    out["bomb"] = folder / "bomb.png"
    out["bomb"].write_bytes(png_claiming_size(30000, 30000))
    return out


@pytest.fixture
def bad_files(tmp_path):
    return make_bad_files(tmp_path)


@pytest.fixture
def data_dir():
    from pathlib import Path

    return Path(__file__).parent / "data"
