"""Bundled files are found however the package is installed, and from the source tree alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from desktop_editor.core.resources import resource_path

ROOT = Path(__file__).resolve().parents[2]


def test_resources_resolve_inside_the_package():
    for name in ("sample.jpg", "icons/desktop-editor.svg", "desktop-editor.desktop"):
        path = resource_path(name)
        assert path.is_file() and path.stat().st_size > 0
        assert "desktop_editor" in path.parts


def test_resources_are_found_from_the_source_tree_without_any_install():
    # -I: no site-packages, so no installed copy or editable mapping can help; only the tree.
    code = ("import sys; sys.path.insert(0, sys.argv[1]); "
            "from desktop_editor.core.resources import resource_path; print(resource_path('sample.jpg'))")
    result = subprocess.run([sys.executable, "-I", "-c", code, str(ROOT)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()) == ROOT / "desktop_editor" / "resources" / "sample.jpg"
