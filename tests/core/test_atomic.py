"""Atomic writes: whole files with the user's mode, and the leftovers of killed writers swept."""

import os
import stat
import subprocess
import sys
import time

import numpy as np
import pytest

from desktop_editor.core import atomic
from desktop_editor.core.filenames import replace_file, write_new_file
from desktop_editor.core.project import save_project


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")
def test_results_masks_and_projects_get_the_users_file_mode(tmp_path):
    expected = 0o666 & ~atomic._read_umask()
    assert expected != 0o600, "the test needs a umask that differs from mkstemp's 0600"
    result = write_new_file(tmp_path, "r.png", b"result")
    mask = replace_file(tmp_path / "mask.png", b"mask")
    project = tmp_path / "p.deproj"
    save_project(project, image_path=None, mask=np.zeros((4, 4), np.uint8), params=None, image_bytes=b"img")
    assert {_mode(result), _mode(mask), _mode(project)} == {expected}


@pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")
def test_the_umask_is_respected_not_assumed(tmp_path):
    code = (
        "import os, stat, sys; from desktop_editor.core.filenames import write_new_file;"
        "p = write_new_file(sys.argv[1], 'x.png', b'x'); print(oct(stat.S_IMODE(os.stat(p).st_mode)))"
    )
    out = subprocess.run([sys.executable, "-c", f"import os; os.umask(0o077); exec({code!r})", str(tmp_path)],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0o600"
    out = subprocess.run([sys.executable, "-c", f"import os; os.umask(0o002); exec({code!r})", str(tmp_path)],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0o664"


def test_sweep_removes_partials_of_dead_and_stale_writers_only(tmp_path):
    dead = tmp_path / f"{atomic.PARTIAL_PREFIX}{_dead_pid()}-abc"
    dead.write_bytes(b"half a file")
    live = tmp_path / f"{atomic.PARTIAL_PREFIX}{os.getpid()}-live"
    live.write_bytes(b"being written")
    stale = tmp_path / f"{atomic.PARTIAL_PREFIX}{os.getpid()}-old"
    stale.write_bytes(b"left a long time ago by a pid now reused")
    old = time.time() - atomic.STALE_PARTIAL_S - 60
    os.utime(stale, (old, old))
    other = tmp_path / ".hidden-but-not-ours"
    other.write_bytes(b"x")
    assert atomic.sweep_folders([tmp_path, tmp_path / "missing"]) == 2
    assert not dead.exists() and not stale.exists() and live.exists() and other.exists()


def test_a_failed_stream_write_leaves_the_old_file_and_no_partial(tmp_path):
    target = tmp_path / "p.deproj"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic.replacing(target) as handle:
            handle.write(b"new, half")
            raise RuntimeError("killed mid-write")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["p.deproj"]
