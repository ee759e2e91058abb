"""Help > User Guide shows the guide shipped in the package, pictures and heading links working;
Help > About names the version, the licences and the data folder."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QTextDocument

from desktop_editor import __version__
from desktop_editor.jobs import paths
from desktop_editor.ui.dialogs.about_dialog import AboutDialog, licence_rows
from desktop_editor.ui.dialogs.guide_viewer import GuideBrowser, GuideViewer, heading_slug
from desktop_editor.ui.window import help_menu

SHIPPED = Path(__file__).resolve().parents[3] / "desktop_editor" / "resources" / "guide" / "guide.md"


def test_heading_slugs_are_githubs():
    assert heading_slug("Batches and masks from the command line") == "batches-and-masks-from-the-command-line"
    assert heading_slug("What's new: 9:16 (beta)") == "whats-new-916-beta"


def test_help_user_guide_opens_the_shipped_guide_once(qtbot, window):
    window.actions["help.guide"].trigger()
    viewer = window.findChild(GuideViewer)
    assert viewer is not None and viewer.isVisible()
    assert Path(viewer.browser.source().toLocalFile()) == SHIPPED
    assert "Your first edit in Demo mode" in viewer.browser.toPlainText()
    window.actions["help.guide"].trigger()  # again: the same window comes forward
    assert len(window.findChildren(GuideViewer)) == 1


def test_every_heading_link_of_the_guide_scrolls_to_its_heading(qtbot):
    browser = GuideBrowser()
    qtbot.addWidget(browser)
    browser.resize(700, 500)
    browser.show()
    browser.load(SHIPPED)
    fragments = re.findall(r"\]\(#([^)]+)\)", SHIPPED.read_text(encoding="utf-8"))
    assert "keys" in fragments and set(fragments) <= set(browser.heading_slugs())
    bar = browser.verticalScrollBar()
    browser.follow(QUrl("#keys"))
    assert bar.value() > 0 and browser.textCursor().block().text() == "Keys"
    browser.follow(QUrl("#your-first-edit-in-demo-mode"))
    assert browser.textCursor().block().text() == "Your first edit in Demo mode"
    assert not browser.scroll_to_heading("no-such-heading")


def test_pictures_are_loaded_and_fit_the_page(qtbot):
    browser = GuideBrowser()
    qtbot.addWidget(browser)
    browser.resize(640, 480)
    browser.show()
    browser.load(SHIPPED)
    widths = []
    block = browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isImageFormat():
                image = fmt.toImageFormat()
                loaded = browser.loadResource(QTextDocument.ResourceType.ImageResource.value, QUrl(image.name()))
                assert loaded is not None and not loaded.isNull(), image.name()
                widths.append(image.width())
            it += 1
        block = block.next()
    assert len(widths) >= 8
    assert max(widths) <= browser.viewport().width()


def test_web_links_go_to_the_browser(qtbot, monkeypatch):
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()) or True)
    browser = GuideBrowser()
    qtbot.addWidget(browser)
    browser.load(SHIPPED)
    browser.follow(QUrl("https://example.org/x"))
    assert opened == ["https://example.org/x"]
    assert Path(browser.source().toLocalFile()) == SHIPPED


def test_a_copy_without_the_guide_says_so(qtbot, window, messages, monkeypatch):
    def missing(name):
        raise FileNotFoundError(name)

    monkeypatch.setattr(help_menu, "resource_path", missing)
    assert help_menu.show_guide(window) is None
    assert any("not installed" in text for _kind, _title, text in messages)


def test_help_about_names_version_licences_and_the_data_folder(qtbot, window, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(help_menu, "show_folder", lambda folder, _feedback: shown.append(str(folder)) or True)
    window.actions["help.about"].trigger()
    dialog = window.findChild(AboutDialog)
    assert dialog is not None and dialog.isVisible()
    text = dialog.text.text()
    assert __version__ in text and str(paths.data_dir()) in text
    assert "LGPL-3.0" in text and "Apache-2.0" in text
    assert all(name in text for name, _version, _licence in licence_rows())
    dialog.text.linkActivated.emit(QUrl.fromLocalFile(str(paths.data_dir())).toString())
    assert shown == [str(paths.data_dir())]


def test_the_help_menu_lists_guide_shortcuts_and_about(window):
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    names = [a.objectName() for a in menu.actions() if not a.isSeparator()]
    assert names == ["help.guide", "help.shortcuts", "help.about"]
