#!/usr/bin/env python3
"""Bring the user guide's key table up to date and copy the guide and its pictures into the
package: `python docs/ship_guide.py`.

docs/guide.md is where the guide is written and read on the web; Help > User Guide shows the
copy in desktop_editor/resources/guide/, which installs with the package (pip, the .deb, the
other installers) because package data cannot reach outside the package. Run this after editing
the guide or adding a key to `desktop_editor/ui/window/actions.py` (docs/screenshots.py runs it
too); `tests/test_docs.py` fails while the two copies differ, `tests/ui/window/test_actions.py`
while the key table is not the registry's.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "guide.md"
SHIPPED = ROOT / "desktop_editor" / "resources" / "guide"
_IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
_KEY_TABLE = re.compile(r"(<!-- keys:begin[^>]*-->\n)(.*?)(\n<!-- keys:end -->)", re.S)


def refresh_key_table(guide: Path = GUIDE) -> bool:
    """Write the action registry's key table between the guide's keys markers; True if it changed."""
    sys.path.insert(0, str(ROOT))
    from desktop_editor.ui.window.actions import markdown_table

    text = guide.read_text(encoding="utf-8")
    if not _KEY_TABLE.search(text):
        raise SystemExit(f"{guide}: the <!-- keys:begin --> and <!-- keys:end --> markers are missing")
    updated = _KEY_TABLE.sub(lambda m: m.group(1) + markdown_table() + m.group(3), text, count=1)
    if updated != text:
        guide.write_text(updated, encoding="utf-8")
    return updated != text


def guide_images(text: str) -> list[str]:
    """The local pictures a Markdown text shows, as written (relative paths)."""
    return [target for target in _IMAGE.findall(text) if "://" not in target]


def ship_guide(source: Path = GUIDE, target: Path = SHIPPED) -> Path:
    """Make `target` hold exactly the guide and its pictures; returns `target`."""
    text = source.read_text(encoding="utf-8")
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copyfile(source, target / source.name)
    for image in guide_images(text):
        destination = target / image
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source.parent / image, destination)
    return target


if __name__ == "__main__":
    if refresh_key_table():
        print("the key table in docs/guide.md was brought up to date")
    print(f"copied into {ship_guide().relative_to(ROOT)}")
    sys.exit(0)
