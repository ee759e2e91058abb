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


# -- the house's goals: module sizes, no import cycles, keys declared in one place ------------------

PACKAGE = ROOT / "desktop_editor"
MAX_MODULE_LINES = 600
MAX_MAIN_WINDOW_LINES = 450
ACTIONS = "desktop_editor/ui/window/actions.py"


def _modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package (a package is its __init__)."""
    modules: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _oversized(paths) -> dict[str, int]:
    return {_rel(p): n for p in paths if (n := _lines(p)) > MAX_MODULE_LINES}


def _is_ui(path: Path) -> bool:
    return path.is_relative_to(PACKAGE / "ui")


def test_no_module_outside_the_ui_over_600_lines():
    assert _oversized(p for p in _modules().values() if not _is_ui(p)) == {}


def test_no_ui_module_over_600_lines():
    assert _oversized(p for p in _modules().values() if _is_ui(p)) == {}


def test_main_window_is_at_most_450_lines():
    assert _lines(PACKAGE / "ui" / "window" / "main_window.py") <= MAX_MAIN_WINDOW_LINES


def _imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules `name` imports anywhere in its file: at the top, inside functions
    and under TYPE_CHECKING alike. `from a.b import c` counts a.b (its __init__ runs) and, when
    c is a module, a.b.c; other names resolve to the nearest enclosing module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            candidates = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in known:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                found.add(candidate)
    return found


def _import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every group of modules that import each other, directly or through others (sorted)."""
    reach: dict[str, set[str]] = {}
    for start in graph:
        seen: set[str] = set()
        todo = list(graph[start])
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(graph.get(node, ()))
        reach[start] = seen
    groups = {frozenset({m, *(n for n in reach[m] if m in reach[n])}) for m in graph if m in reach[m]}
    return sorted(sorted(group) for group in groups)


def test_the_cycle_finder_finds_cycles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e", "d"}}
    assert _import_cycles(graph) == [["a", "b", "c"], ["e"]]
    assert _import_cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_graph_reads_relative_and_type_checking_imports(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "one.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .two import Two\n",
                                encoding="utf-8")
    known = {"pkg", "pkg.one", "pkg.two"}
    assert _imported("pkg.one", pkg / "one.py", known) == {"pkg.two"}


def test_no_import_cycles_type_checking_imports_included():
    modules = _modules()
    known = set(modules)
    graph = {name: _imported(name, path, known) for name, path in modules.items()}
    assert _import_cycles(graph) == []


_SHORTCUT_CALLS = {"QShortcut", "setShortcut", "setShortcuts"}


def _declares_shortcuts(path: Path) -> bool:
    """A QShortcut, a setShortcut(s) call, a QKeySequence made from a literal key ("Ctrl+S") or a
    standard key (QKeySequence.StandardKey.Save): a key bound outside the action registry."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in _SHORTCUT_CALLS:
                return True
            if name == "QKeySequence" and node.args and isinstance(node.args[0], ast.Constant):
                return True
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute):
            if node.value.attr == "StandardKey" and isinstance(node.value.value, ast.Name) \
                    and node.value.value.id == "QKeySequence":
                return True
    return False


def test_the_shortcut_finder_sees_the_action_registry():
    assert _declares_shortcuts(ROOT / ACTIONS)


def test_shortcuts_are_declared_only_in_the_action_registry():
    declaring = sorted(_rel(p) for p in _modules().values() if _declares_shortcuts(p))
    assert declaring == [ACTIONS]
