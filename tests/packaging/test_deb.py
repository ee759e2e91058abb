"""The Linux package, proven: build the .deb, install it, run the installed app, remove it.

As root (CI), the package is really installed as a user installs it, `apt-get install ./file.deb`
(which brings its runtime libraries; plain `dpkg -i` where there is no apt), and removed with
`dpkg -r` / `dpkg --purge`; otherwise (or when a desktop-editor package is already installed on
this machine, which the test must not disturb) it is extracted into a temporary root and run
from there. Either way the installed `desktop-editor --version` and `--self-test` must pass.

The build is cached by packaging/build.py (rebuilt only when the sources changed), so the
benchmark and repeated runs reuse it; the install-and-run check itself always runs.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "desktop-editor"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
BUILD_TIMEOUT = 40 * 60

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux") or shutil.which("dpkg-deb") is None,
                       reason="the .deb is built and tested on Debian/Ubuntu"),
]


def _version() -> str:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["project"]["version"]


def _debian_version() -> str:
    spec = importlib.util.spec_from_file_location("desktop_editor_build", ROOT / "packaging" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    return build.debian_version(_version())


def _run(cmd, **kw) -> subprocess.CompletedProcess:
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    return subprocess.run([str(c) for c in cmd], **kw)


def _installed(package: str) -> bool:
    result = _run(["dpkg-query", "-W", "-f=${Status}", package])
    return result.returncode == 0 and "installed" in result.stdout.split()


@pytest.fixture(scope="module")
def deb(tmp_path_factory) -> Path:
    """Build (or reuse) dist/desktop-editor_<version>_<arch>.deb; a private copy of it, so a
    build started meanwhile by someone else in this checkout cannot swap it mid-test."""
    result = _run([sys.executable, ROOT / "packaging" / "build.py", "deb"], cwd=ROOT, timeout=BUILD_TIMEOUT)
    assert result.returncode == 0, f"build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    path = Path(result.stdout.strip().splitlines()[-1])
    assert path.is_file() and path.suffix == ".deb", result.stdout
    copy = tmp_path_factory.mktemp("deb") / path.name
    shutil.copyfile(path, copy)
    return copy


@contextlib.contextmanager
def _system_install_lock():
    """dpkg is machine-wide: two test runs must not install and remove the package at once."""
    with open(Path(tempfile.gettempdir()) / "desktop-editor-deb-test.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


@dataclass
class Entry:
    path: str  # absolute, as installed
    kind: str  # "-" file, "d" directory, "l" symlink
    mode: str
    owner: str


def _contents(deb: Path) -> list[Entry]:
    out = _run(["dpkg-deb", "-c", deb], check=True).stdout
    entries = []
    for line in out.splitlines():
        parts = line.split(None, 5)
        name = parts[5].split(" -> ")[0]
        entries.append(Entry(path="/" + name.lstrip("./").rstrip("/"), kind=parts[0][0], mode=parts[0], owner=parts[1]))
    return [e for e in entries if e.path != "/"]


def _field(deb: Path, name: str) -> str:
    return _run(["dpkg-deb", "-f", deb, name], check=True).stdout.strip()


def _user_home(tmp_path: Path) -> tuple[Path, dict[str, str], dict[Path, tuple[bytes, float]]]:
    """A designer's home with settings, history and a result: none of it may change."""
    home = tmp_path / "home"
    files = {
        home / ".local/share/desktop-editor/history.sqlite3": b"SQLite format 3\0 a designer's history",
        home / ".config/DesktopEditor/Desktop Editor.conf": b"[General]\nrecent=/home/me/shoe.png\n",
        home / "Pictures/Desktop Editor/shoe-edit-1.png": b"\x89PNG a paid result",
    }
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "RUNFLOW_", "DESKTOP_EDITOR_", "QT_"))}
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen", PATH="/usr/local/bin:/usr/bin:/bin")
    snapshot = {p: (p.read_bytes(), p.stat().st_mtime) for p in files}
    return home, env, snapshot


def _assert_home_untouched(home: Path, snapshot) -> None:
    for path, (data, mtime) in snapshot.items():
        assert path.is_file(), f"{path} was removed"
        assert path.read_bytes() == data and path.stat().st_mtime == mtime, f"{path} was changed"
    present = {p for p in home.rglob("*") if p.is_file()}
    assert present == set(snapshot), f"new files in the user's home: {sorted(map(str, present - set(snapshot)))}"


def _check_package_metadata(deb: Path, entries: list[Entry]) -> None:
    assert _field(deb, "Package") == PACKAGE
    assert _field(deb, "Version") == _debian_version()
    assert _field(deb, "Architecture") == _run(["dpkg", "--print-architecture"]).stdout.strip()
    depends = {d.strip().split(" ")[0] for d in _field(deb, "Depends").split(",")}
    for needed in ("libegl1", "libgl1", "libxkbcommon-x11-0", "libfontconfig1", "libdbus-1-3", "libxcb-cursor0",
                   "libxcb-icccm4", "libxcb-keysyms1", "libxcb-shape0", "libxcb-xkb1", "libglib2.0-0"):
        assert needed in depends, f"Depends lacks {needed}"
    assert int(_field(deb, "Installed-Size")) > 10_000
    paths = {e.path: e for e in entries}
    expected = [
        "/opt/desktop-editor/desktop-editor",
        "/usr/bin/desktop-editor",
        "/usr/share/applications/desktop-editor.desktop",
        "/usr/share/mime/packages/desktop-editor.xml",
        "/usr/share/icons/hicolor/scalable/apps/desktop-editor.svg",
        *(f"/usr/share/icons/hicolor/{s}x{s}/apps/desktop-editor.png" for s in ICON_SIZES),
        "/opt/desktop-editor/_internal/desktop_editor/resources/sample.jpg",
        "/opt/desktop-editor/_internal/desktop_editor/resources/icons/desktop-editor.svg",
        "/usr/share/doc/desktop-editor/opencv-LICENSE.txt",  # OpenCV's notices go with its libraries
        "/usr/share/doc/desktop-editor/opencv-LICENSE-3RD-PARTY.txt",
    ]
    for path in expected:
        assert path in paths, f"{path} is not in the package"
    assert paths["/usr/bin/desktop-editor"].kind == "l"
    assert not [p for p in paths if "/translations/" in p or "Quick" in p or "Qml" in p or "WebEngine" in p]
    for entry in entries:
        assert entry.owner == "root/root", f"{entry.path} owned by {entry.owner}"
        if entry.kind in "d-":
            assert entry.mode[1:] in ("rwxr-xr-x", "rw-r--r--"), f"{entry.path} has mode {entry.mode}"
    assert paths["/opt/desktop-editor/desktop-editor"].mode == "-rwxr-xr-x"


def _check_installed_app(command: Path, env: dict[str, str]) -> None:
    result = _run([command, "--version"], env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"desktop-editor {_version()}"
    result = _run([command, "--self-test"], env=env, timeout=180, cwd=env["HOME"])
    assert result.returncode == 0, f"installed self-test failed:\n{result.stdout}\n{result.stderr}"
    assert result.stdout.strip().splitlines()[-1].startswith("self-test: self-test passed"), result.stdout
    _check_installed_mask_command(command, env)


def _check_installed_mask_command(command: Path, env: dict[str, str]) -> None:
    """`mask` loads OpenCV from the bundle and selects an object: its libraries are all there."""
    import numpy as np
    from PIL import Image

    with tempfile.TemporaryDirectory(prefix="deb-mask-") as tmp:
        photo = np.zeros((120, 160, 3), np.uint8)
        photo[:] = (40, 90, 200)
        photo[30:90, 50:110] = (230, 200, 40)
        Image.fromarray(photo).save(Path(tmp) / "square.png")
        result = _run([command, "mask", Path(tmp) / "square.png", "--out", Path(tmp) / "out", "--select-object",
                       "40,20,80,80", "--convention", "bw", "--quiet"], env=env, timeout=120, cwd=tmp)
        assert result.returncode == 0, f"installed mask command failed:\n{result.stdout}\n{result.stderr}"
        with Image.open(Path(tmp) / "out" / "square_mask.png") as img:
            mask = np.asarray(img.convert("L"))
        assert (mask[35:85, 55:105] == 255).all() and not mask[:20].any()


def test_deb_installs_runs_and_uninstalls_cleanly(deb, tmp_path):
    entries = _contents(deb)
    _check_package_metadata(deb, entries)
    home, env, snapshot = _user_home(tmp_path)
    with _system_install_lock():
        _install_run_remove(deb, entries, tmp_path, home, env, snapshot)


def _install_command(deb: Path) -> list[str]:
    """How a user installs a downloaded .deb: `apt install ./file.deb`, which brings the runtime
    libraries it depends on (plain `dpkg -i` refuses when one is missing)."""
    if shutil.which("apt-get") is None:
        return ["dpkg", "-i", str(deb)]
    depends = [d.strip().split(" ")[0] for d in _field(deb, "Depends").split(",")]
    if any(not _installed(d) for d in depends):
        _run(["apt-get", "update", "-qq"], timeout=600)
    return ["apt-get", "install", "-y", "-qq", "--no-install-recommends", str(Path(deb).resolve())]


def _install_run_remove(deb, entries, tmp_path, home, env, snapshot) -> None:
    can_install = os.geteuid() == 0 and shutil.which("dpkg") is not None and not _installed(PACKAGE)
    if not can_install:
        print(f"test_deb: extracting {deb.name} into a temporary root (not root, no dpkg, or already installed)")
        root = tmp_path / "root"
        _run(["dpkg-deb", "-x", deb, root], check=True)
        link = root / "usr/bin/desktop-editor"
        assert link.is_symlink() and os.readlink(link) == "/opt/desktop-editor/desktop-editor"
        _check_installed_app(root / "opt/desktop-editor/desktop-editor", env)
        _assert_home_untouched(home, snapshot)
        return

    existed_before = {e.path for e in entries if os.path.lexists(e.path)}
    mime_cache = Path("/usr/share/mime/application/x-desktop-editor-project.xml")
    install = _install_command(deb)
    print(f"test_deb: installing {deb.name} with {' '.join(install[:2])}")
    try:
        result = _run(install, timeout=600, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        assert result.returncode == 0, f"{install[0]} failed:\n{result.stdout}\n{result.stderr}"
        assert _installed(PACKAGE)
        for entry in entries:
            assert os.path.lexists(entry.path), f"{entry.path} was not installed"
        assert os.path.realpath("/usr/bin/desktop-editor") == "/opt/desktop-editor/desktop-editor"
        assert shutil.which("desktop-editor", path="/usr/bin") == "/usr/bin/desktop-editor"
        if shutil.which("update-mime-database"):
            assert mime_cache.is_file(), "postinst did not register the .deproj MIME type"

        _check_installed_app(Path("/usr/bin/desktop-editor"), env)
        _assert_home_untouched(home, snapshot)

        result = _run(["dpkg", "-r", PACKAGE], timeout=300)
        assert result.returncode == 0, f"dpkg -r failed:\n{result.stdout}\n{result.stderr}"
        left = sorted(e.path for e in entries if e.path not in existed_before and os.path.lexists(e.path))
        assert not left, f"left behind after dpkg -r: {left[:20]}"
        assert not os.path.lexists("/opt/desktop-editor")
        assert not mime_cache.exists(), "the .deproj MIME type is still registered"
        mimeinfo = Path("/usr/share/applications/mimeinfo.cache")
        if mimeinfo.is_file():
            assert "desktop-editor.desktop" not in mimeinfo.read_text(encoding="utf-8", errors="replace")
        _assert_home_untouched(home, snapshot)
    finally:
        _run(["dpkg", "--purge", PACKAGE], timeout=300)
    assert _run(["dpkg", "-s", PACKAGE]).returncode != 0, "dpkg still knows the package after --purge"
    _assert_home_untouched(home, snapshot)


def test_deb_md5sums_match_the_files(deb, tmp_path):
    """The control archive's md5sums (used by debsums and dpkg --verify) are right."""
    root = tmp_path / "root"
    control = tmp_path / "control"
    _run(["dpkg-deb", "-x", deb, root], check=True)
    _run(["dpkg-deb", "-e", deb, control], check=True)
    lines = (control / "md5sums").read_text().splitlines()
    assert len(lines) > 100
    for line in lines[:: max(1, len(lines) // 50)]:  # a sample: hashing 170 MB twice is slow
        digest, name = line.split("  ", 1)
        assert hashlib.md5((root / name).read_bytes()).hexdigest() == digest, name
