"""Help > About: the version, the licences of what the app is made of, and where its data lives.

The data folder is where a designer looks for the history, rescued results and crash reports,
and its place differs per system, so the box names it (and opens it on a click) instead of
leaving the designer to guess.
"""

from __future__ import annotations

import html
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, QUrl, Signal, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

# What the app ships with and under which licence (as the installers' copyright files say).
COMPONENTS: tuple[tuple[str, str, str], ...] = (
    ("Qt and PySide6", "PySide6-Essentials", "LGPL-3.0"),
    ("OpenCV", "opencv-python-headless", "Apache-2.0 (its bundled libraries under their own licences)"),
    ("NumPy", "numpy", "BSD-3-Clause"),
    ("Pillow", "Pillow", "MIT-CMU (HPND)"),
    ("Requests", "requests", "Apache-2.0"),
    ("keyring", "keyring", "MIT"),
    ("platformdirs", "platformdirs", "MIT"),
    ("tqdm", "tqdm", "MPL-2.0 and MIT"),
    ("pillow-heif (HEIC)", "pillow-heif", "BSD-3-Clause; its libheif and libde265 LGPL-3.0, its x265 encoder GPL-2.0"),
    ("psd-tools (PSD)", "psd-tools", "MIT"),
    ("tifffile (16-bit TIFF)", "tifffile", "BSD-3-Clause"),
)


def _installed_version(distribution: str) -> str:
    try:
        return version(distribution)
    except PackageNotFoundError:  # frozen builds may carry no metadata for it
        return ""


def licence_rows() -> list[tuple[str, str, str]]:
    """(component, version or "", licence) for every component the app is built on."""
    rows = []
    for name, distribution, licence in COMPONENTS:
        found = pyside_version if distribution == "PySide6-Essentials" else _installed_version(distribution)
        rows.append((name, found, licence))
    return rows


def about_html(app_version: str, data_folder: Path, output_folder: Path | None = None) -> str:
    """The About box's text: version, folders (as links), licences."""
    def folder_link(path: Path) -> str:
        url = QUrl.fromLocalFile(str(path)).toString()
        return f'<a href="{html.escape(url)}">{html.escape(str(path))}</a>'

    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{html.escape(found)}</td><td>{html.escape(licence)}</td></tr>"
        for name, found, licence in licence_rows())
    output = f"<p><b>Results</b> are saved in {folder_link(output_folder)}</p>" if output_folder else ""
    return (
        f"<h2>Desktop Editor {html.escape(app_version)}</h2>"
        "<p>Precise, masked AI image edits with the Runflow GPT Image 2 Edit model.</p>"
        f"<p><b>Data folder</b> (history, rescued results, recovered masks, crash reports):<br>"
        f"{folder_link(data_folder)}</p>{output}"
        f"<p>Desktop Editor: proprietary licence. Python under the PSF licence; Qt {html.escape(qVersion())}.</p>"
        f'<table cellspacing="0" cellpadding="2"><tr><th align="left">Built on</th><th align="left">Version</th>'
        f'<th align="left">Licence</th></tr>{rows}</table>'
    )


class AboutDialog(QDialog):
    """The About box.

    Signals:
        folder_clicked(str): a folder's link was clicked (its path), for the window to show it.
    """

    folder_clicked = Signal(str)

    def __init__(self, app_version: str, data_folder: Path, output_folder: Path | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("About Desktop Editor")
        self.text = QLabel(about_html(app_version, data_folder, output_folder))
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.text.setOpenExternalLinks(False)
        self.text.linkActivated.connect(lambda link: self.folder_clicked.emit(QUrl(link).toLocalFile()))
        self.text.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
