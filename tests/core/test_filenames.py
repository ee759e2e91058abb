import pytest

from desktop_editor.core.filenames import replace_file, safe_filename, write_new_file


@pytest.mark.parametrize(
    "given, expected",
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\win.ini", "win.ini"),
        ("/abs/path/img.png", "img.png"),
        ("CON.png", "_CON.png"),
        ("", "result"),
        ("...", "result"),
        ("a b$c;rm -rf.png", "a b_c_rm -rf.png"),
        ("x" * 300 + ".png", "x" * 80 + ".png"),
    ],
)
def test_safe_filename(given, expected):
    assert safe_filename(given) == expected


def test_write_new_file_never_overwrites(tmp_path):
    first = write_new_file(tmp_path, "out.png", b"one")
    second = write_new_file(tmp_path, "out.png", b"two")
    assert first.name == "out.png" and second.name == "out-2.png"
    assert first.read_bytes() == b"one" and second.read_bytes() == b"two"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".partial")]


def test_write_new_file_cannot_escape(tmp_path):
    path = write_new_file(tmp_path / "out", "../../evil.png", b"x")
    assert path.parent == tmp_path / "out"


def test_replace_file(tmp_path):
    target = tmp_path / "p.deproj"
    replace_file(target, b"a")
    replace_file(target, b"b")
    assert target.read_bytes() == b"b"


def test_partials_of_dead_writers_are_swept(tmp_path):
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    leftover = tmp_path / f".partial-{dead.stdout.strip()}-abc"
    leftover.write_bytes(b"half a file")
    import os

    mine = tmp_path / f".partial-{os.getpid()}-live"
    mine.write_bytes(b"being written")
    write_new_file(tmp_path, "x.png", b"data")
    assert not leftover.exists() and mine.exists()


def test_free_path_numbers_like_write_new_file(tmp_path):
    from desktop_editor.core.filenames import free_path, write_new_file

    assert free_path(tmp_path, "a.png") == tmp_path / "a.png"
    first = write_new_file(tmp_path, "a.png", b"1")
    assert free_path(tmp_path, "a.png") == tmp_path / "a-2.png"
    assert write_new_file(tmp_path, "a.png", b"2") == free_path(tmp_path, "a.png").with_name("a-2.png") != first
    assert free_path(tmp_path, "a.png") == tmp_path / "a-3.png"
    assert free_path(tmp_path, "../x/b c.png") == tmp_path / "b c.png"


def test_edits_of_one_image_are_numbered_once_whatever_the_format(tmp_path):
    from desktop_editor.core.filenames import write_numbered_file

    names = [write_numbered_file(tmp_path, "cat-edit", ext, ext.encode()).name for ext in ("jpg", "jpg", "png", "webp")]
    assert names == ["cat-edit-1.jpg", "cat-edit-2.jpg", "cat-edit-3.png", "cat-edit-4.webp"]
    (tmp_path / "rocket-edit-1-2.png").write_bytes(b"an older copy")  # named by an older version
    assert write_numbered_file(tmp_path, "rocket-edit", "jpg", b"x").name == "rocket-edit-2.jpg"
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no claims or partials left


def test_numbering_skips_a_number_another_writer_has_claimed(tmp_path):
    from desktop_editor.core.atomic import PARTIAL_PREFIX
    from desktop_editor.core.filenames import write_numbered_file

    (tmp_path / f"{PARTIAL_PREFIX}claim-cat-edit-1").write_bytes(b"")  # another process is writing cat-edit-1.png
    assert write_numbered_file(tmp_path, "cat-edit", "jpg", b"x").name == "cat-edit-2.jpg"


def test_numbering_is_one_sequence_across_processes(tmp_path):
    import subprocess
    import sys

    script = ("import sys; from pathlib import Path; from desktop_editor.core.filenames import write_numbered_file\n"
              "for i in range(15): write_numbered_file(Path(sys.argv[1]), 'cat-edit', sys.argv[2], sys.argv[2].encode())")
    writers = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path), ext]) for ext in ("jpg", "png", "webp")]
    assert [w.wait(60) for w in writers] == [0, 0, 0]
    numbers = sorted(int(p.stem.rsplit("-", 1)[1]) for p in tmp_path.glob("cat-edit-*"))
    assert numbers == list(range(1, 46))
