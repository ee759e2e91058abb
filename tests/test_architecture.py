"""The layers hold: the import contracts in pyproject.toml, and models without widgets."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept():
    command = shutil.which("lint-imports")
    args = [command] if command else [sys.executable, "-m", "importlinter.cli"]
    result = subprocess.run([*args, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_ui_models_hold_state_not_widgets():
    models = sorted((ROOT / "desktop_editor" / "ui" / "models").glob("*.py"))
    assert models
    offenders = {p.name: sorted(n for n in _imports(p) if n.startswith("PySide6.QtWidgets")) for p in models}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_ui_has_only_its_entry_points_outside_the_rooms():
    flat = sorted(p.name for p in (ROOT / "desktop_editor" / "ui").glob("*.py"))
    assert flat == ["__init__.py", "__main__.py", "app.py", "crash.py"]
