"""What goes into the PyInstaller bundle, and what is left out: used by desktop-editor.spec.

Kept apart from the spec so the choices can be read in one place and tested without running
PyInstaller (tests/packaging/test_packaging_files.py). No PyInstaller import here.

Excluding Python modules is not enough to keep a Qt app small: PyInstaller's Qt hooks still
collect every plugin of the modules in use (EGLFS, the virtual keyboard, the Wayland compositor,
the GTK theme with GTK, Cairo and Pango, ...), the Qt libraries those plugins link, and all of
Qt's translations. So the spec also narrows plugin collection to KEEP_PLUGINS and filters what is
left with `keep_qt_file()` (see Electrum's pyinstaller.spec for the same approach).
"""

from __future__ import annotations

import re
from pathlib import Path

# Qt modules the app never imports (it uses QtCore, QtGui, QtWidgets, QtSvg, and QtNetwork for
# the local socket a second launch hands its files over on).
QT_EXCLUDES = [
    f"PySide6.{m}"
    for m in (
        "Qt3DAnimation Qt3DCore Qt3DExtras Qt3DInput Qt3DLogic Qt3DRender QtAxContainer QtBluetooth "
        "QtCharts QtConcurrent QtDBus QtDataVisualization QtDesigner QtGraphs QtGraphsWidgets QtHelp "
        "QtHttpServer QtLabsStyleKit QtLocation QtMultimedia QtMultimediaWidgets "
        "QtNetworkAuth QtNfc QtOpenGL QtOpenGLWidgets QtPdf QtPdfWidgets QtPositioning QtPrintSupport "
        "QtQml QtQmlFeatures QtQuick QtQuick3D QtQuickControls2 QtQuickTest QtQuickWidgets "
        "QtRemoteObjects QtScxml QtSensors QtSerialBus QtSerialPort QtSpatialAudio QtSql "
        "QtStateMachine QtSvgWidgets QtTest QtTextToSpeech QtUiTools QtWebChannel QtWebEngineCore "
        "QtWebEngineQuick QtWebEngineWidgets QtWebSockets QtWebView QtXml"
    ).split()
]
OTHER_EXCLUDES = [
    # other Qt bindings (Pillow's ImageQt would otherwise pull one in)
    "PyQt5", "PyQt6", "PySide2", "PIL.ImageQt", "PIL.ImageTk", "PIL._tkinter_finder",
    # GUI toolkits, test and developer tools, build tools: never used at run time
    "tkinter", "_tkinter", "turtle", "turtledemo", "idlelib", "pydoc", "pydoc_data", "doctest",
    "unittest", "lib2to3", "test", "pytest", "_pytest", "pytestqt", "pytest_benchmark",
    "PyInstaller", "pyinstaller_hooks_contrib", "setuptools", "pkg_resources", "pip", "wheel",
    "distutils", "IPython", "matplotlib", "scipy", "pandas", "yaml",  # yaml: numpy.show_config only
    "numpy.tests", "numpy.f2py", "numpy.distutils", "numpy.testing._private.extbuild",
    "PIL.tests",
    # Pillow parts the app never uses: FreeType text rendering (ImageFont falls back to a clear
    # error if ever called). AVIF is read and written through Pillow's own plugin (libavif, ~5 MB).
    "PIL._imagingft",
]

# Qt libraries the app needs: the five modules, DBus (every Linux plugin links it), the xcb and
# Wayland platform glue, and ICU (QtCore's Unicode and locale support). QtNetwork's plugins (TLS
# backends, network information) stay out: a local socket needs none of them.
KEEP_QT_LIBS = {"Core", "Gui", "Widgets", "Svg", "Network", "DBus", "XcbQpa", "WaylandClient"}
# Plugins: folder -> names kept (None: the whole folder). Everything else is dropped.
KEEP_PLUGINS = {
    "platforms": {"qxcb", "qoffscreen", "qwayland", "qwindows", "qcocoa", "qminimal", "qdirect2d"},
    "xcbglintegrations": {"qxcb-glx-integration", "qxcb-egl-integration"},
    "wayland-shell-integration": {"xdg-shell"},
    "wayland-decoration-client": {"adwaita", "bradient"},
    "platformthemes": {"qxdgdesktopportal"},
    "platforminputcontexts": {"composeplatforminputcontextplugin", "ibusplatforminputcontextplugin"},
    "imageformats": {"qjpeg", "qwebp", "qtiff", "qgif", "qsvg", "qico"},
    "iconengines": {"qsvgicon"},
    "styles": None,  # Windows/macOS native styles (qmodernwindowsstyle, qmacstyle)
}

_QT_LIB = re.compile(r"(?:^|[\\/])(?:lib)?Qt6?([A-Za-z0-9]+?)(?:\.so(?:\.\d+)*|\.dll|\.framework[\\/].*|\.dylib)$")
_PLUGIN = re.compile(r"[\\/]plugins[\\/]([^\\/]+)[\\/](?:lib)?([^\\/]+?)(?:\.so|\.dll|\.dylib)$")


# Windows-only DLLs for OpenGL fallbacks the widgets app never uses (20 MB and 4 MB).
DROP_FILES = {"opengl32sw.dll", "d3dcompiler_47.dll"}


def keep_qt_file(dest: str) -> bool:
    """False for a collected Qt file the app does not need (library, plugin or translation)."""
    path = dest.replace("\\", "/")
    if not path.startswith("PySide6/"):
        return True
    if path.rsplit("/", 1)[-1].lower() in DROP_FILES:
        return False
    if "/translations/" in path:  # the app is English only and loads no Qt translation
        return False
    if re.search(r"/(qml|libexec|resources|metatypes|typesystems|include|glue|doc)/", path):
        return False
    plugin = _PLUGIN.search(path)
    if plugin:
        folder, name = plugin.groups()
        keep = KEEP_PLUGINS.get(folder, set())
        return keep is None or name in keep
    lib = _QT_LIB.search(path)
    if lib and "/plugins/" not in path:
        return lib.group(1) in KEEP_QT_LIBS
    return True


def plugin_name(path: str, windows: bool = False) -> str:
    """'.../libqxcb.so' -> 'qxcb', 'qwindows.dll' -> 'qwindows' (the KEEP_PLUGINS spelling)."""
    name = re.split(r"[\\/]", path)[-1].split(".")[0]
    return name[3:] if name.startswith("lib") and not windows else name


def resource_datas(root: Path) -> list[tuple[str, str]]:
    """(source, destination folder) for every file of desktop_editor/resources/, at the same path:
    the package path `importlib.resources` looks at, so `resource_path()` works frozen as is."""
    out = []
    source = root / "desktop_editor" / "resources"
    for path in sorted(source.rglob("*")):
        if path.is_dir() or "__pycache__" in path.parts or path.suffix in (".py", ".pyc"):
            continue
        out.append((str(path), str(Path("desktop_editor/resources") / path.parent.relative_to(source))))
    return out
