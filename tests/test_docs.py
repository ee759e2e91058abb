"""The README and the guide hold together: every link reaches a file or a heading that exists,
every picture exists and is small, the quick start is still what CI runs, and the guide the app
shows (shipped in the package) is docs/guide.md."""

from __future__ import annotations

import importlib.util
import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
SHIPPED_GUIDE = ROOT / "desktop_editor" / "resources" / "guide"
PAGES = [README, *sorted(DOCS.glob("*.md"))]
MAX_IMAGE_BYTES = 400_000

QUICK_START = [
    "pip install . && desktop-editor",
    "pip install -e '.[test,package]' && python -m pytest",
]

_LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^```.*?^```", re.S | re.M)
_CODE_SPAN = re.compile(r"`[^`\n]*`")


def github_slug(heading: str) -> str:
    """The anchor GitHub makes of a heading's text (also what the guide viewer scrolls to)."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def headings(path: Path) -> set[str]:
    """Every heading's anchor in a Markdown page (repeats get -1, -2, ... as on GitHub)."""
    seen: dict[str, int] = {}
    anchors = set()
    for line in _FENCE.sub("", path.read_text(encoding="utf-8")).splitlines():
        match = re.match(r"#{1,6}\s+(.*)", line)
        if match:
            slug = github_slug(match.group(1))
            anchors.add(slug if slug not in seen else f"{slug}-{seen[slug]}")
            seen[slug] = seen.get(slug, 0) + 1
    return anchors


def links(path: Path) -> list[tuple[bool, str]]:
    """(is a picture, target) of every link in a page, code blocks and code spans left out."""
    text = _CODE_SPAN.sub("", _FENCE.sub("", path.read_text(encoding="utf-8")))
    return [(bang == "!", target) for bang, _text, target in _LINK.findall(text)]


def broken_links(path: Path, inside: Path | None = None) -> list[str]:
    """Links of `path` that reach no file or heading; with `inside`, also those leaving that folder."""
    broken = []
    for is_image, target in links(path):
        if re.match(r"[a-z]+:", target):  # https:, mailto: ...: not ours to check offline
            continue
        file_part, _, fragment = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif inside is not None and inside.resolve() not in linked.parents and linked != path:
            broken.append(f"{target}: outside {inside.name}/")
        elif fragment and linked.suffix == ".md" and fragment not in headings(linked):
            broken.append(f"{target}: no heading #{fragment} in {linked.name}")
        elif is_image and linked.stat().st_size > MAX_IMAGE_BYTES:
            broken.append(f"{target}: {linked.stat().st_size // 1024} KB, more than {MAX_IMAGE_BYTES // 1000} KB")
    return broken


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_and_picture_is_there(page):
    assert links(page), f"{page.name} links nowhere: the pattern missed its links"
    assert broken_links(page) == []


def test_the_readme_shows_the_window_and_stays_short():
    pictures = [target for is_image, target in links(README) if is_image]
    assert pictures and (ROOT / pictures[0]).is_file()
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 150


def test_the_link_check_catches_a_missing_file_a_missing_heading_and_a_missing_picture(tmp_path):
    (tmp_path / "other.md").write_text("# Present\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text("# Top\n[ok](#top) [ok](other.md#present) [a](#gone) [b](missing.md) [c](other.md#absent)\n"
                    "![d](images/none.png)\n```\n[in code](nowhere.md)\n```\n", encoding="utf-8")
    assert [b.split(":")[0] for b in broken_links(page)] == ["#gone", "missing.md", "other.md#absent", "images/none.png"]


def _quick_start_block() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "the Quick start section lost its command block"
    return [line.split("#", 1)[0].strip() for line in block.group(1).splitlines() if line.strip()]


def _ci_command() -> str:
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    commands = [line for line in lines if "pytest" in line and not line.startswith("#")]
    assert len(commands) == 1, commands
    return commands[0]


def _as_run(command: str) -> list[list[str]]:
    """A command line as the commands it runs, quieting flags and python3/python spelling aside."""
    parts = []
    for piece in command.split("&&"):
        words = [w for w in shlex.split(piece) if w != "-q"]
        words = ["python" if w == "python3" else w for w in words]
        if words[:3] == ["python", "-m", "pip"]:
            words = ["pip", *words[3:]]
        parts.append(words)
    return parts


def test_the_quick_start_is_still_the_two_commands_ci_relies_on():
    commands = _quick_start_block()
    assert commands[:2] == QUICK_START
    assert _as_run(commands[1]) == _as_run(_ci_command())


def test_the_guide_the_app_shows_is_docs_guide():
    ship = _load_ship_guide()
    shipped = SHIPPED_GUIDE / "guide.md"
    assert shipped.read_bytes() == (DOCS / "guide.md").read_bytes(), "run python docs/ship_guide.py"
    pictures = ship.guide_images(shipped.read_text(encoding="utf-8"))
    assert pictures
    for picture in pictures:
        assert (SHIPPED_GUIDE / picture).read_bytes() == (DOCS / picture).read_bytes(), picture
    shipped_files = {p.relative_to(SHIPPED_GUIDE).as_posix() for p in SHIPPED_GUIDE.rglob("*") if p.is_file()}
    assert shipped_files == {"guide.md", *pictures}, "the shipped guide holds stale files: run python docs/ship_guide.py"
    assert broken_links(shipped, inside=SHIPPED_GUIDE) == []


def _load_ship_guide():
    spec = importlib.util.spec_from_file_location("ship_guide", DOCS / "ship_guide.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_picture_is_shown_somewhere_and_made_by_the_screenshot_script():
    shown = {(page.parent / target).resolve() for page in PAGES for is_image, target in links(page) if is_image}
    on_disk = {path.resolve() for path in (DOCS / "images").glob("*.png")}
    assert sorted(p.name for p in on_disk - shown) == [], "pictures no page shows"
    script = (DOCS / "screenshots.py").read_text(encoding="utf-8")
    made = {f"{name}.png" for name in re.findall(r'self\.(?:save|write)\("([\w-]+)"', script)}
    assert sorted(p.name for p in on_disk if p.name not in made) == [], "pictures the script does not make"
