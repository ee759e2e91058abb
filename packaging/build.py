#!/usr/bin/env python3
"""Build Desktop Editor's installers: `python packaging/build.py deb` from a clean checkout.

Commands (all work offline; run from anywhere):
  deb       Linux: dist/desktop-editor_<version>_<arch>.deb (PyInstaller bundle + dpkg-deb)
  bundle    just the PyInstaller one-folder app in dist/desktop-editor/
  assets    icons (PNG 16-512, .ico, .icns) and the Windows version resource in build/assets/
  windows   on Windows: bundle + Inno Setup installer; elsewhere: print how to build it there
  macos     on macOS: Desktop Editor.app + .dmg; elsewhere: print how to build it there
  version   print the version every artifact carries (pyproject.toml's)
  depends   print the Debian packages the bundle's shared libraries need

Needs: the project installed in the running Python (`pip install -e .` or `pip install .`),
PyInstaller (`pip install -e '.[package]'`), and for `deb` dpkg-deb (Debian/Ubuntu).

Builds are cached: the bundle and the .deb are rebuilt only when something they are made of
changed (desktop_editor/, packaging/, pyproject.toml, or the Python, PyInstaller
and PySide6 versions); `--force` rebuilds anyway. The bundle is smoke-tested after every build
(`desktop-editor --version` must print the version), as qutebrowser's build_release.py does.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import re
import shutil
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: builds there are run by hand, one at a time
    fcntl = None

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
BUILD = ROOT / "build"
DIST = ROOT / "dist"
ASSETS = BUILD / "assets"
BUNDLE = DIST / "desktop-editor"
SPEC = PACKAGING / "desktop-editor.spec"
PACKAGE = "desktop-editor"
INSTALL_DIR = "/opt/desktop-editor"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICON_SVG = ROOT / "desktop_editor" / "resources" / "icons" / "desktop-editor.svg"
DESKTOP_FILE = ROOT / "desktop_editor" / "resources" / "desktop-editor.desktop"
MIME_FILE = PACKAGING / "linux" / "desktop-editor-mime.xml"
HASHED = ("desktop_editor", "packaging", "pyproject.toml")

# What Qt's xcb platform needs at run time (the list of Qt's own documentation), declared even
# when the scan below finds them too, so the package says it plainly. libwayland-* are for the
# bundled Wayland platform plugin.
BASE_DEPENDS = (
    "libegl1", "libgl1", "libxkbcommon0", "libxkbcommon-x11-0", "libfontconfig1", "libfreetype6",
    "libdbus-1-3", "libglib2.0-0", "libx11-xcb1", "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1",
    "libxcb-shape0", "libxcb-randr0", "libxcb-render-util0", "libxcb-image0", "libxcb-xinerama0",
    "libxcb-xkb1", "libwayland-client0", "libwayland-cursor0",
)
# Libraries that may be absent on the build machine (so dpkg -S cannot name their package).
KNOWN_SONAMES = {
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
}
DESCRIPTION = """Precise, masked AI image edits on the desktop
 Open a photo, paint a mask over the part to change, write a prompt, and send
 it to the GPT Image 2 Edit model served by the Runflow API. Results come back
 to compare with the original and save. Without an API key the app runs in
 demo mode on a built-in emulator of the service.
 .
 Installs the app under /opt/desktop-editor, the desktop-editor command, a menu
 entry, icons and the file types it opens."""


def log(message: str) -> None:
    print(f"build: {message}", flush=True)


class BuildError(Exception):
    pass


# -- facts ----------------------------------------------------------------------------------------

def project_version() -> str:
    """The version in pyproject.toml: the one --version prints and every installer carries."""
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["project"]["version"]


def numeric_version(version: str) -> tuple[int, int, int, int]:
    """'1.2.3rc1' -> (1, 2, 3, 0): Windows version resources take four numbers only."""
    numbers = [int(n) for n in re.findall(r"\d+", version.split("+")[0])[:3]]
    return tuple((numbers + [0, 0, 0, 0])[:4])  # type: ignore[return-value]


def debian_version(version: str) -> str:
    """PEP 440 to Debian ordering: '1.0rc1' -> '1.0~rc1', '1.0.dev3' -> '1.0~dev3'."""
    return re.sub(r"(?<=\d)\.?(a|b|rc|dev)(\d*)", r"~\1\2", version).replace("+", "+local.")


def debian_arch() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], check=True, capture_output=True, text=True).stdout.strip()


def _tool_versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = [platform.python_version(), sys.platform, platform.machine()]
    for dist in ("pyinstaller", "PySide6-Essentials", "shiboken6", "numpy", "Pillow"):
        try:
            parts.append(f"{dist}={version(dist)}")
        except PackageNotFoundError:
            parts.append(f"{dist}=none")
    return " ".join(parts)


def source_hash() -> str:
    """A digest of everything a build is made of; a cached build is reused only while it holds."""
    digest = hashlib.sha256(_tool_versions().encode())
    for name in HASHED:
        top = ROOT / name
        files = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" in path.parts or path.suffix in (".pyc", ".pyo"):
                continue
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:20]


def _stamp_ok(stamp: Path, key: str, *outputs: Path) -> bool:
    try:
        return json.loads(stamp.read_text()).get("key") == key and all(p.exists() for p in outputs)
    except (OSError, ValueError):
        return False


def _write_stamp(stamp: Path, key: str, **extra) -> None:
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps({"key": key, **extra}, indent=1))


@contextlib.contextmanager
def build_lock():
    """One build at a time in this checkout (tests, benchmarks and developers may start builds
    at once): the others wait here, then find the fresh build in the cache."""
    BUILD.mkdir(parents=True, exist_ok=True)
    with open(BUILD / ".lock", "w") as fh:
        if fcntl is not None:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log("another build is running in this checkout; waiting for it")
                fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    log("$ " + " ".join(str(c) for c in cmd))
    return subprocess.run([str(c) for c in cmd], check=True, **kw)


# -- assets ---------------------------------------------------------------------------------------

def build_assets(version: str) -> Path:
    """PNG icons 16-512 (hicolor), .ico (Windows), .icns (macOS) from the one SVG, and the
    Windows version resource. Only the SVG is kept in the repository: the rest is made here."""
    ASSETS.mkdir(parents=True, exist_ok=True)
    pngs = render_icons(ICON_SVG, ASSETS / "icons", (*ICON_SIZES, 1024))  # 1024: macOS 512@2x
    from PIL import Image

    big = Image.open(pngs[256]).convert("RGBA")
    big.save(ASSETS / "desktop-editor.ico", sizes=[(s, s) for s in ICO_SIZES],
             append_images=[Image.open(pngs[s]).convert("RGBA") for s in ICO_SIZES if s != 256])
    Image.open(pngs[1024]).convert("RGBA").save(
        ASSETS / "desktop-editor.icns",
        append_images=[Image.open(pngs[s]).convert("RGBA") for s in (16, 32, 64, 128, 256, 512)],
    )
    write_version_info(version, ASSETS / "version_info.txt")
    return ASSETS


def render_icons(svg: Path, out_dir: Path, sizes=ICON_SIZES) -> dict[int, Path]:
    """Render `svg` at each size with Qt's SVG renderer (offscreen); returns size -> PNG path."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise BuildError(f"{svg} is not a valid SVG")
    out = {}
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        path = out_dir / f"{size}x{size}" / "desktop-editor.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(path), "PNG"):
            raise BuildError(f"could not write {path}")
        out[size] = path
    return out


def write_version_info(version: str, target: Path) -> None:
    """packaging/windows/version_info.txt with the version filled in (PyInstaller's `version=`)."""
    numbers = numeric_version(version)
    text = (PACKAGING / "windows" / "version_info.txt").read_text(encoding="utf-8")
    text = text.replace("@VERSION_TUPLE@", repr(numbers)).replace("@VERSION@", version)
    target.write_text(text, encoding="utf-8")


# -- bundle ---------------------------------------------------------------------------------------

def build_bundle(version: str, force: bool = False) -> Path:
    """dist/desktop-editor/: the PyInstaller one-folder app, rebuilt only when its sources changed."""
    key = source_hash()
    stamp = BUILD / "bundle.stamp"
    executable = BUNDLE / ("desktop-editor.exe" if sys.platform == "win32" else "desktop-editor")
    if not force and _stamp_ok(stamp, key, executable):
        log(f"bundle is up to date ({BUNDLE.relative_to(ROOT)}, sources {key})")
        return BUNDLE
    _check_installed(version)
    build_assets(version)
    env = dict(os.environ, DESKTOP_EDITOR_VERSION=version, DESKTOP_EDITOR_ASSETS=str(ASSETS))
    stamp.unlink(missing_ok=True)
    _run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
          "--workpath", BUILD / "pyinstaller", "--distpath", DIST, SPEC], env=env, cwd=ROOT)
    smoke_test(executable, version)
    _write_stamp(stamp, key, version=version)
    return BUNDLE


def _check_installed(version: str) -> None:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        raise BuildError("PyInstaller is missing: pip install -e '.[package]'") from None
    from importlib.metadata import PackageNotFoundError, version as installed_version

    try:
        found = installed_version(PACKAGE)
    except PackageNotFoundError:
        found = None
    if found != version:
        # The spec then writes the dist-info itself, so the version is right all the same.
        log(f"note: the installed {PACKAGE} is {found or 'absent'}, pyproject says {version} "
            "(pip install -e . refreshes it)")


def smoke_test(executable: Path, version: str) -> None:
    """The built app must start and report the version (no Qt needed for this)."""
    result = subprocess.run([str(executable), "--version"], capture_output=True, text=True, timeout=120)
    line = result.stdout.strip()
    if result.returncode != 0 or line != f"desktop-editor {version}":
        raise BuildError(f"the built app failed its smoke test: exit {result.returncode}, "
                         f"printed {line!r}, stderr {result.stderr.strip()[-500:]!r}")
    log(f"smoke test: {line}")


# -- Debian package -------------------------------------------------------------------------------

def deb_path(version: str, arch: str | None = None) -> Path:
    return DIST / f"{PACKAGE}_{debian_version(version)}_{arch or debian_arch()}.deb"


def build_deb(version: str, force: bool = False) -> Path:
    """dist/desktop-editor_<version>_<arch>.deb, made with dpkg-deb (no network, no root needed)."""
    if shutil.which("dpkg-deb") is None:
        raise BuildError("dpkg-deb is missing: the .deb is built on Debian or Ubuntu")
    build_bundle(version, force=force)
    key = source_hash()
    target = deb_path(version)
    stamp = BUILD / "deb.stamp"
    if not force and _stamp_ok(stamp, key, target):
        log(f"{target.relative_to(ROOT)} is up to date")
        return target
    root = BUILD / "deb" / "root"
    stage_deb_tree(root, version)
    partial = BUILD / "deb" / target.name
    _run(["dpkg-deb", "--root-owner-group", "-Zxz", "-z6", "--build", root, partial],
         stdout=subprocess.DEVNULL)
    for old in DIST.glob(f"{PACKAGE}_*.deb"):
        if old.name != target.name:
            old.unlink()
    os.replace(partial, target)  # whole or not at all: a reader never sees half a package
    _write_stamp(stamp, key, deb=target.name)
    log(f"built {target.relative_to(ROOT)}: {target.stat().st_size / 1e6:.1f} MB")
    return target


def stage_deb_tree(root: Path, version: str) -> None:
    """The file tree of the package, with its DEBIAN/ control files."""
    if root.exists():
        shutil.rmtree(root)
    opt = root / INSTALL_DIR.lstrip("/")
    shutil.copytree(BUNDLE, opt, symlinks=True)
    (root / "usr" / "bin").mkdir(parents=True)
    # A symlink: the bootloader finds its _internal/ folder through /proc/self/exe.
    os.symlink(f"{INSTALL_DIR}/desktop-editor", root / "usr" / "bin" / "desktop-editor")
    share = root / "usr" / "share"
    _copy(DESKTOP_FILE, share / "applications" / "desktop-editor.desktop")
    _copy(MIME_FILE, share / "mime" / "packages" / "desktop-editor.xml")
    _copy(ICON_SVG, share / "icons" / "hicolor" / "scalable" / "apps" / "desktop-editor.svg")
    for size in ICON_SIZES:
        _copy(ASSETS / "icons" / f"{size}x{size}" / "desktop-editor.png",
              share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "desktop-editor.png")
    doc = share / "doc" / PACKAGE
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        "Upstream-Name: Desktop Editor\n\nFiles: *\nCopyright: Desktop Editor authors\nLicense: Proprietary\n"
        " The bundled Qt libraries (PySide6) are used under the LGPLv3; Python under the PSF licence.\n"
        "\nFiles: opt/desktop-editor/_internal/cv2/* opt/desktop-editor/_internal/opencv_python_headless.libs/*\n"
        "Copyright: OpenCV team and contributors\nLicense: Apache-2.0\n"
        " OpenCV (opencv-python-headless) under the Apache License 2.0: see opencv-LICENSE.txt; the\n"
        " libraries its wheel bundles (FFmpeg, OpenBLAS, libpng, ...) under their own licences: see\n"
        " opencv-LICENSE-3RD-PARTY.txt. Both are in this folder.\n"
        "\nFiles: opt/desktop-editor/_internal/pillow_heif/* opt/desktop-editor/_internal/pillow_heif.libs/*\n"
        "Copyright: pillow-heif authors; libheif and libde265 authors (struktur AG); x265 authors (MulticoreWare)\n"
        "License: BSD-3-Clause and LGPL-3.0 and GPL-2.0\n"
        " pillow-heif (HEIC files) under the BSD 3-Clause licence; the libraries its wheel bundles:\n"
        " libheif and libde265 under the LGPL-3.0, the x265 HEVC encoder under the GPL-2.0.\n"
        "\nFiles: opt/desktop-editor/_internal/psd_tools/*\nCopyright: psd-tools authors\nLicense: MIT\n"
        "\nFiles: opt/desktop-editor/_internal/tifffile/*\nCopyright: Christoph Gohlke\nLicense: BSD-3-Clause\n"
    )
    for name, target in opencv_notices().items():
        _copy(name, doc / target)
    normalise_permissions(root)
    control = root / "DEBIAN"
    control.mkdir()
    for script in ("postinst", "postrm"):
        _copy(PACKAGING / "linux" / script, control / script)
        (control / script).chmod(0o755)
    depends = ", ".join(sorted(set(BASE_DEPENDS) | bundle_depends(opt)))
    fields = {
        "Package": PACKAGE,
        "Version": debian_version(version),
        "Architecture": debian_arch(),
        "Maintainer": "Desktop Editor team <desktop-editor@example.invalid>",
        "Installed-Size": str(installed_size_kib(root)),
        "Depends": depends,
        "Recommends": "fonts-dejavu-core | fonts-liberation2, xdg-utils",
        "Section": "graphics",
        "Priority": "optional",
        "Homepage": "https://runflow.io",
        "Description": DESCRIPTION,
    }
    (control / "control").write_text("".join(f"{k}: {v}\n" for k, v in fields.items()), encoding="utf-8")
    (control / "md5sums").write_text("".join(
        f"{hashlib.md5(p.read_bytes()).hexdigest()}  {p.relative_to(root)}\n"
        for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink() and control not in p.parents
    ))
    for name in ("control", "md5sums"):
        (control / name).chmod(0o644)


def opencv_notices() -> dict[Path, str]:
    """OpenCV's licence files from the installed wheel -> their names in the package's doc folder.

    Read from the installed cv2 package (not imported: no need to load 150 MB of libraries).
    """
    import importlib.util

    spec = importlib.util.find_spec("cv2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("opencv-python-headless is not installed: pip install -e '.[package]'")
    folder = Path(list(spec.submodule_search_locations)[0])
    return {folder / "LICENSE.txt": "opencv-LICENSE.txt", folder / "LICENSE-3RD-PARTY.txt": "opencv-LICENSE-3RD-PARTY.txt"}


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def normalise_permissions(root: Path) -> None:
    """Directories and executables 0755, every other file 0644 (owner root, set by dpkg-deb)."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode
        if path.is_dir() or mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH):
            path.chmod(0o755)
        else:
            path.chmod(0o644)


def installed_size_kib(root: Path) -> int:
    """Installed-Size as dpkg computes it: KiB per file (rounded up), plus one per directory/link."""
    total = 0
    for path in root.rglob("*"):
        if path.is_symlink() or path.is_dir():
            total += 1
        elif path.is_file():
            total += -(-path.stat().st_size // 1024)
    return total


def _is_elf(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"\x7fELF"
    except OSError:
        return False


def system_libraries(bundle: Path) -> tuple[set[str], set[str]]:
    """Shared libraries the bundle loads from the system: (resolved paths, unresolved sonames)."""
    internal = bundle / "_internal"
    elves = [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink() and _is_elf(p)]
    env = dict(os.environ, LD_LIBRARY_PATH=str(internal))  # what the bootloader sets at run time
    found: set[str] = set()
    missing: set[str] = set()
    for start in range(0, len(elves), 40):
        chunk = [str(p) for p in elves[start : start + 40]]
        out = subprocess.run(["ldd", *chunk], capture_output=True, text=True, env=env).stdout
        for line in out.splitlines():
            line = line.strip()
            if "=>" in line:
                name, _, target = line.partition("=>")
                target = target.strip()
                if target.startswith("not found"):
                    missing.add(name.strip())
                elif target.startswith("/"):
                    path = target.split(" (")[0]
                    if not Path(path).resolve().is_relative_to(bundle.resolve()):
                        found.add(path)
            elif line.startswith("/") and "(0x" in line:  # the dynamic loader itself
                found.add(line.split(" (")[0])
    return found, missing


def bundle_depends(bundle: Path) -> set[str]:
    """Debian packages providing the system libraries the bundle links (like dpkg-shlibdeps)."""
    paths, missing = system_libraries(bundle)
    packages = {KNOWN_SONAMES[name] for name in missing if name in KNOWN_SONAMES}
    unknown = sorted(name for name in missing if name not in KNOWN_SONAMES)
    if unknown:
        raise BuildError("the bundle needs libraries found neither in it nor on this system: " + ", ".join(unknown))
    queries = set()
    for path in paths:
        real = os.path.realpath(path)
        for candidate in {path, real}:  # merged /usr: dpkg may know either spelling
            queries.add(candidate)
            if candidate.startswith("/usr/"):
                queries.add(candidate[4:])
            else:
                queries.add("/usr" + candidate)
    out = subprocess.run(["dpkg", "-S", *sorted(queries)], capture_output=True, text=True).stdout
    owners: dict[str, str] = {}
    for line in out.splitlines():
        package, _, path = line.partition(": ")
        for pkg in package.split(", "):
            owners[path.strip()] = pkg.split(":")[0]
    for path in paths:
        real = os.path.realpath(path)
        names = {path, real, path.removeprefix("/usr"), real.removeprefix("/usr"), "/usr" + path, "/usr" + real}
        owner = next((owners[n] for n in names if n in owners), None)
        if owner is None:
            raise BuildError(f"no Debian package provides {path}, which the bundle needs")
        packages.add(owner)
    return packages


# -- Windows and macOS ------------------------------------------------------------------------------

def windows(version: str, force: bool) -> None:
    numbers = ".".join(map(str, numeric_version(version)))
    iss = PACKAGING / "windows" / "desktop-editor.iss"
    command = ["iscc", f"/DAppVersion={version}", f"/DAppNumericVersion={numbers}", str(iss)]
    if sys.platform != "win32":
        print("The Windows installer is built on Windows (PyInstaller cannot cross-compile):\n"
              "  py -3.11 -m pip install -e .[package]\n"
              "  py -3.11 packaging\\build.py windows\n"
              "which builds dist\\desktop-editor\\ (DesktopEditor.exe + desktop-editor.exe), then runs\n"
              f"  {' '.join(command)}\n"
              "with Inno Setup 6 (iscc on PATH) -> dist\\desktop-editor-" + version + "-setup.exe")
        return
    with build_lock():
        build_bundle(version, force=force)
    iscc = shutil.which("iscc") or shutil.which("ISCC") or r"C:\Program Files (x86)\Inno Setup 6\ISCC.exe"
    _run([iscc, *command[1:]], cwd=ROOT)


def macos(version: str, force: bool) -> None:
    dmg = PACKAGING / "macos" / "make_dmg.sh"
    if sys.platform != "darwin":
        print("The macOS app and disk image are built on macOS:\n"
              "  python3.11 -m pip install -e '.[package]'\n"
              "  python3.11 packaging/build.py macos\n"
              "which builds 'dist/Desktop Editor.app' (the spec's BUNDLE section), then runs\n"
              f"  bash packaging/macos/make_dmg.sh 'dist/Desktop Editor.app' {version}\n"
              f"-> dist/Desktop-Editor-{version}.dmg (sign with DESKTOP_EDITOR_CODESIGN_IDENTITY).")
        return
    with build_lock():
        build_bundle(version, force=force)
    _run(["bash", dmg, DIST / "Desktop Editor.app", version], cwd=ROOT)


# -- command line -----------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="build.py", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("deb", "bundle", "assets", "windows", "macos", "version", "depends"))
    parser.add_argument("--force", action="store_true", help="rebuild even when the cached build is current")
    args = parser.parse_args(argv)
    version = project_version()
    try:
        if args.command == "version":
            print(version)
        elif args.command == "assets":
            log(f"assets in {build_assets(version)}")
        elif args.command == "bundle":
            with build_lock():
                log(f"bundle: {build_bundle(version, force=args.force)}")
        elif args.command == "deb":
            with build_lock():
                print(build_deb(version, force=args.force))
        elif args.command == "depends":
            with build_lock():
                print(", ".join(sorted(set(BASE_DEPENDS) | bundle_depends(build_bundle(version)))))
        elif args.command == "windows":
            windows(version, args.force)
        elif args.command == "macos":
            macos(version, args.force)
    except BuildError as exc:
        print(f"build: error: {exc}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as exc:
        print(f"build: error: {exc}", file=sys.stderr)
        return exc.returncode or 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
