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
