"""Packaging recipes, checked without building: what the bundle leaves out, the desktop entry,
the MIME type, the icons, the installers' version plumbing, resources, and the self-test."""

from __future__ import annotations

import ast
import configparser
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
RESOURCES = ROOT / "desktop_editor" / "resources"
IMAGE_MIME_TYPES = {"image/png", "image/jpeg", "image/webp", "image/tiff", "image/bmp", "image/gif"}
PROJECT_MIME_TYPE = "application/x-desktop-editor-project"
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp", ".gif")


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def contents():
    return _load("bundle_contents", PACKAGING / "bundle_contents.py")


@pytest.fixture(scope="module")
def build():
    return _load("desktop_editor_build", PACKAGING / "build.py")


def _project_version() -> str:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["project"]["version"]


def _qt_modules_used() -> set[str]:
    used = set()
    for path in (ROOT / "desktop_editor").rglob("*.py"):
        used.update(re.findall(r"PySide6\.(Qt\w+)", path.read_text(encoding="utf-8")))
    return used


# -- what the bundle leaves out -------------------------------------------------------------------

def test_every_unused_heavy_qt_module_is_excluded(contents):
    excluded = {name.removeprefix("PySide6.") for name in contents.QT_EXCLUDES}
    for heavy in ("QtQml", "QtQuick", "QtQuick3D", "Qt3DCore", "QtWebEngineCore", "QtWebEngineWidgets",
                  "QtDesigner", "QtMultimedia", "QtNetworkAuth", "QtOpenGL", "QtPdf", "QtCharts", "QtSql", "QtTest"):
        assert heavy in excluded, heavy


def test_no_module_the_app_uses_is_excluded(contents):
    used = _qt_modules_used()
    assert {"QtCore", "QtGui", "QtWidgets"} <= used
    excluded = {name.removeprefix("PySide6.") for name in contents.QT_EXCLUDES}
    assert not used & excluded, f"the app imports excluded Qt modules: {sorted(used & excluded)}"
    for module in contents.OTHER_EXCLUDES:
        top = module.split(".")[0]
        assert top not in ("desktop_editor", "numpy", "PIL", "requests", "keyring", "platformdirs", "tqdm") \
            or "." in module, f"{module} is needed at run time"


def test_developer_tools_are_excluded(contents):
    for name in ("tkinter", "unittest", "pytest", "PyInstaller", "setuptools", "pip", "numpy.tests", "PIL.ImageQt"):
        assert name in contents.OTHER_EXCLUDES, name


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("PySide6/Qt/lib/libQt6Core.so.6", True),
        ("PySide6/Qt/lib/libQt6Widgets.so.6", True),
        ("PySide6/Qt/lib/libQt6Svg.so.6", True),
        ("PySide6/Qt/lib/libQt6XcbQpa.so.6", True),
        ("PySide6/Qt/lib/libicudata.so.73", True),
        ("PySide6/Qt/lib/libQt6Quick.so.6", False),
        ("PySide6/Qt/lib/libQt6Qml.so.6", False),
        ("PySide6/Qt/lib/libQt6Network.so.6", True),  # the local socket of the single-instance hand-over
        ("PySide6/Qt/plugins/tls/libqopensslbackend.so", False),
        ("PySide6/Qt/plugins/networkinformation/libqnetworkmanager.so", False),
        ("PySide6/Qt/lib/libQt6Designer.so.6", False),
        ("PySide6/Qt/lib/libQt6OpenGL.so.6", False),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", True),
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
        ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
        ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", False),
        ("PySide6/Qt/plugins/imageformats/libqjpeg.so", True),
        ("PySide6/Qt/plugins/imageformats/libqwebp.so", True),
        ("PySide6/Qt/plugins/imageformats/libqtiff.so", True),
        ("PySide6/Qt/plugins/imageformats/libqgif.so", True),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
        ("PySide6/Qt/plugins/imageformats/libqpdf.so", False),
        ("PySide6/Qt/plugins/sqldrivers/libqsqlite.so", False),
        ("PySide6/Qt/plugins/wayland-graphics-integration-server/libqt-wayland-compositor-wayland-egl.so", False),
        ("PySide6/Qt/translations/qtbase_de.qm", False),
        ("PySide6/Qt6Core.dll", True),
        ("PySide6/Qt6Quick.dll", False),
        ("PySide6/plugins/platforms/qwindows.dll", True),
        ("PySide6/plugins/styles/qmodernwindowsstyle.dll", True),
        ("PySide6/opengl32sw.dll", False),
        ("PySide6/Qt/lib/QtCore.framework/Versions/A/QtCore", True),
        ("PySide6/Qt/lib/QtQuick.framework/Versions/A/QtQuick", False),
        ("PySide6/Qt/plugins/platforms/libqcocoa.dylib", True),
        ("PySide6/QtCore.abi3.so", True),
        ("numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so", True),
    ],
)
def test_qt_file_filter(contents, dest, kept):
    assert contents.keep_qt_file(dest) is kept


def test_plugin_names(contents):
    assert contents.plugin_name("/x/plugins/platforms/libqxcb.so") == "qxcb"
    assert contents.plugin_name(r"C:\x\plugins\platforms\qwindows.dll", windows=True) == "qwindows"


def test_spec_uses_the_shared_lists_and_builds_one_folder():
    text = (PACKAGING / "desktop-editor.spec").read_text(encoding="utf-8")
    ast.parse(text)  # the spec is Python
    assert "excludes=QT_EXCLUDES + OTHER_EXCLUDES" in text
    assert "keep_qt_file(entry[0])" in text and "a.binaries" in text and "a.datas" in text
    assert "COLLECT(" in text and "exclude_binaries=True" in text  # onedir
    assert "copy_metadata(\"desktop-editor\")" in text  # --version works frozen
    assert "BUNDLE(" in text and "CFBundleShortVersionString" in text and "NSHighResolutionCapable" in text
    assert "CFBundleDocumentTypes" in text and "deproj" in text
    assert (PACKAGING / "entry.py").is_file()


# -- resources --------------------------------------------------------------------------------------

def _resource_files() -> list[Path]:
    return sorted(p for p in RESOURCES.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".py", ".pyc"))


def test_resource_path_finds_every_bundled_resource():
    from desktop_editor.core.resources import resource_path

    files = _resource_files()
    names = {p.relative_to(RESOURCES).as_posix() for p in files}
    assert {"sample.jpg", "icons/desktop-editor.svg", "desktop-editor.desktop"} <= names
    for path in files:
        found = resource_path(path.relative_to(RESOURCES).as_posix())
        assert found.read_bytes() == path.read_bytes()


def test_resources_match_the_package_data_patterns():
    """Every resource is shipped by `pip install .` too (pyproject's package-data patterns)."""
    with open(ROOT / "pyproject.toml", "rb") as fh:
        patterns = tomllib.load(fh)["tool"]["setuptools"]["package-data"]["desktop_editor.resources"]
    for path in _resource_files():
        rel = path.relative_to(RESOURCES)
        assert any(rel.match(p) for p in patterns), f"{rel} is not covered by {patterns}"


def test_spec_datas_mirror_the_package_path(contents):
    datas = contents.resource_datas(ROOT)
    assert len(datas) == len(_resource_files())
    for source, dest in datas:
        rel = Path(source).relative_to(RESOURCES)
        assert Path(dest) == Path("desktop_editor/resources") / rel.parent


# -- desktop entry, MIME type, icons ---------------------------------------------------------------

def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(RESOURCES / "desktop-editor.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry():
    entry = _desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Desktop Editor"
    assert entry["Exec"] == "desktop-editor %F"
    assert entry["Icon"] == "desktop-editor"
    assert entry["Terminal"] == "false"
    assert set(entry["Categories"].rstrip(";").split(";")) == {"Graphics", "2DGraphics", "RasterGraphics"}
    assert entry["Categories"].endswith(";") and entry["MimeType"].endswith(";")
    assert set(entry["MimeType"].rstrip(";").split(";")) == IMAGE_MIME_TYPES | {PROJECT_MIME_TYPE}


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils not installed")
def test_desktop_entry_passes_desktop_file_validate():
    result = subprocess.run(["desktop-file-validate", str(RESOURCES / "desktop-editor.desktop")],
                            capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_mime_type_for_projects():
    from desktop_editor.core.project import PROJECT_SUFFIX

    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    root = ET.parse(PACKAGING / "linux" / "desktop-editor-mime.xml").getroot()
    types = root.findall("m:mime-type", ns)
    assert [t.get("type") for t in types] == [PROJECT_MIME_TYPE]
    assert [g.get("pattern") for g in types[0].findall("m:glob", ns)] == [f"*{PROJECT_SUFFIX}"]


def test_icon_svg_renders_sharp_at_every_size(build, tmp_path, qapp):
    from PySide6.QtGui import QImage

    pngs = build.render_icons(build.ICON_SVG, tmp_path, build.ICON_SIZES)
    assert sorted(pngs) == [16, 24, 32, 48, 64, 128, 256, 512]
    for size, path in pngs.items():
        image = QImage(str(path))
        assert (image.width(), image.height()) == (size, size)
        assert image.hasAlphaChannel()
        assert image.pixelColor(size // 2, size // 2).alpha() == 255  # opaque tile
        assert image.pixelColor(0, 0).alpha() == 0  # rounded, transparent corner


def test_windows_and_macos_icons_are_made_from_the_svg(build, tmp_path, monkeypatch, qapp):
    from PIL import Image

    monkeypatch.setattr(build, "ASSETS", tmp_path)
    build.build_assets("1.2.3")
    with Image.open(tmp_path / "desktop-editor.ico") as ico:
        assert (256, 256) in ico.info["sizes"] and (16, 16) in ico.info["sizes"]
    with Image.open(tmp_path / "desktop-editor.icns") as icns:
        assert icns.size == (1024, 1024)  # 512 px at 2x, for Retina screens
        assert {(32, 32, 2), (128, 128, 1), (256, 256, 1), (512, 512, 1), (512, 512, 2)} <= set(icns.info["sizes"])
    info = (tmp_path / "version_info.txt").read_text(encoding="utf-8")
    assert "filevers=(1, 2, 3, 0)" in info and "u'1.2.3'" in info and "@" not in info


# -- one version everywhere -------------------------------------------------------------------------

def test_versions(build):
    assert build.project_version() == _project_version()
    assert build.numeric_version("0.1.0") == (0, 1, 0, 0)
    assert build.numeric_version("2.10.3rc1") == (2, 10, 3, 0)
    assert build.debian_version("1.0.0") == "1.0.0"
    assert build.debian_version("1.0rc1") == "1.0~rc1"
    assert build.debian_version("1.0.dev3") == "1.0~dev3"


def test_windows_installer_is_per_user_with_associations():
    iss = (PACKAGING / "windows" / "desktop-editor.iss").read_text(encoding="utf-8")
    assert "PrivilegesRequired=lowest" in iss
    assert "DefaultDirName={autopf}" in iss  # %LOCALAPPDATA%\Programs when not elevated
    assert "#ifndef AppVersion" in iss and "AppVersion={#AppVersion}" in iss
    assert "VersionInfoVersion={#AppNumericVersion}" in iss
    assert "{autoprograms}" in iss and "ChangesAssociations=yes" in iss
    for ext in (*IMAGE_EXTENSIONS, ".deproj"):
        assert f'"Software\\Classes\\{ext}\\OpenWithProgids"' in iss, ext
        assert f'ValueName: "{ext}"' in iss, ext  # SupportedTypes
    assert "Root: HKLM" not in iss and "HKCR" not in iss  # never machine-wide


def test_build_passes_the_version_to_every_installer(build, capsys):
    build.windows("4.5.6", force=False)
    assert "/DAppVersion=4.5.6" in capsys.readouterr().out
    build.macos("4.5.6", force=False)
    assert "4.5.6" in capsys.readouterr().out
    assert build.deb_path("4.5.6", "amd64").name == "desktop-editor_4.5.6_amd64.deb"


def test_maintainer_scripts_never_fail_and_never_touch_home():
    for name in ("postinst", "postrm"):
        script = PACKAGING / "linux" / name
        text = script.read_text(encoding="utf-8")
        assert os.access(script, os.X_OK), f"{name} must be executable"
        assert subprocess.run(["sh", "-n", str(script)]).returncode == 0
        assert "exit 0" in text and "|| true" in text
        assert "/home" not in text and "$HOME" not in text and "~" not in text


def test_macos_dmg_script_is_valid_shell():
    script = PACKAGING / "macos" / "make_dmg.sh"
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    assert "hdiutil create" in script.read_text(encoding="utf-8")


# -- the self-test, from source ---------------------------------------------------------------------

def test_self_test_passes_from_source(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "RUNFLOW_"))}
    env.update(HOME=str(tmp_path), QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-m", "desktop_editor.cli.commands.selftest"], capture_output=True, text=True,
                            env=env, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for step in ("start the app", "open the sample", "paint a mask", "generate on the emulator",
                 "check the saved result", "compare", "image formats"):
        assert any(line.startswith(f"self-test: {step}: ok") for line in lines), (step, result.stdout)
    assert lines[-1].startswith("self-test: self-test passed")
    assert list(tmp_path.iterdir()) == [], "the self-test wrote into the home folder"


def test_self_test_fails_with_one_clear_line(tmp_path):
    """A broken install (here: no sample image) ends non-zero with one line on stderr."""
    code = (
        "import sys, desktop_editor.core.resources as r\n"
        "def missing(name): raise FileNotFoundError(f'bundled resource {name!r} is missing')\n"
        "r.resource_path = missing\n"
        "from desktop_editor.cli.commands.selftest import run_self_test\n"
        "sys.exit(run_self_test())\n"
    )
    env = dict(os.environ, HOME=str(tmp_path), QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert errors == ["desktop-editor: self-test failed: the bundled sample image is missing: "
                      "bundled resource 'sample.jpg' is missing"], result.stderr
