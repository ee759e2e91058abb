#!/usr/bin/env python3
"""Copy the user guide and the pictures it shows into the package: `python docs/ship_guide.py`.

docs/guide.md is where the guide is written and read on the web; Help > User Guide shows the
copy in desktop_editor/resources/guide/, which installs with the package (pip, the .deb, the
other installers) because package data cannot reach outside the package. Run this after editing
the guide (docs/screenshots.py runs it too); `tests/test_docs.py` fails while the two differ.
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
    print(f"copied into {ship_guide().relative_to(ROOT)}")
    sys.exit(0)
