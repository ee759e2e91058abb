"""Packaging benchmark: how big the .deb is, what weighs most, and how fast the installed app starts.

Run it as `python benchmarks/bench_package.py` (it builds the .deb with packaging/build.py, which
reuses a cached build when nothing changed). It prints one JSON object on stdout and a short
human summary on stderr; every figure is reported next to its target, and a missed target never
makes it exit non-zero (a benchmark measures, it does not gate). `--out FILE` also writes the JSON.

(a) Size: the .deb (target <= 60 MB) and its unpacked files (target <= 200 MB; 1 MB = 10^6
    bytes), the 15 heaviest files, and the parts they belong to (Qt, ICU, numpy, ...), each with
    its size compressed as in the .deb (xz -6), so it is clear what a change would save.
(b) Start-up: the packaged app (the files the .deb installs, run from /opt/desktop-editor when
    the package is installed, else from the .deb extracted into a temporary root: the same
    files) and the app from source (`python -m desktop_editor.cli`), alternately in the same
    run, each a fresh process started with DESKTOP_EDITOR_EXIT_AFTER_SHOW=1: the app opens the
    bundled sample, prints `shown-after-ms N` after its window's first paint and quits (see
    desktop_editor/ui/app.py). Timed from spawning the process to that line. Reported: the first
    start (the coldest: caches are dropped first when this runs as root and the kernel allows
    it), the median and the best of `--runs`, and the packaged/source ratio. Target: packaged
    start <= 2 s. Measured on Qt's offscreen platform, and on a real X server (xcb) too when
    Xvfb is installed.
"""

from __future__ import annotations

import argparse
import json
import lzma
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEB_TARGET_MB = 60.0
UNPACKED_TARGET_MB = 200.0
START_TARGET_S = 2.0
MB = 1_000_000
PROBE_LINE = "shown-after-ms"


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- size ------------------------------------------------------------------------------------------

def _part_of(rel: str) -> str:
    """Which part of the app a file of the unpacked package belongs to."""
    inner = rel.split("/_internal/", 1)[1] if "/_internal/" in rel else ""
    if not rel.startswith("opt/"):
        return "desktop integration (icons, menu entry, MIME type, docs)"
    if not inner:
        return "executable with the app's Python code (PYZ)"
    if inner.startswith("PySide6/Qt/lib/libicu"):
        return "ICU (Qt's Unicode and locale data)"
    if inner.startswith("PySide6/Qt/lib/"):
        return "Qt libraries (Core, Gui, Widgets, Svg, DBus, xcb, Wayland)"
    if inner.startswith("PySide6/Qt/plugins/"):
        return "Qt plugins (platforms, image formats, input, themes)"
    if inner.startswith(("PySide6/", "shiboken6/", "libpyside6", "libshiboken6")):
        return "PySide6 bindings"
    if inner.startswith(("cv2/", "opencv_python_headless.libs/")):
        return "OpenCV (selection tools) with the libraries its wheel bundles"
    if inner.startswith(("numpy", "libscipy_openblas", "libgfortran", "libquadmath")):
        return "numpy with OpenBLAS"
    if inner.startswith(("PIL/", "pillow.libs/")) or "pillow.libs" in inner:
        return "Pillow with its codecs"
    if inner.startswith(("cryptography", "_cffi_backend")) or "__mypyc" in inner:
        return "cryptography (keyring's Secret Service)"
    if inner.startswith(("libpython", "python3", "base_library.zip", "lib-dynload")):
        return "Python runtime (libpython, stdlib extensions)"
    if inner.startswith("desktop_editor"):
        return "app resources and metadata"
    return "other Python packages and metadata"


def _xz_size(paths: list[str]) -> int:
    """Bytes after xz -6, as dpkg-deb compresses (one stream per part: close to the real share)."""
    compressor = lzma.LZMACompressor(format=lzma.FORMAT_XZ, preset=6)
    total = 0
    for path in paths:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                total += len(compressor.compress(chunk))
    return total + len(compressor.flush())


def measure_size(deb: Path, root: Path) -> dict:
    files = [p for p in root.rglob("*") if p.is_file() and not p.is_symlink()]
    unpacked = sum(p.stat().st_size for p in files)
    heaviest = sorted(files, key=lambda p: p.stat().st_size, reverse=True)[:15]
    parts: dict[str, list[Path]] = {}
    for path in files:
        parts.setdefault(_part_of(path.relative_to(root).as_posix()), []).append(path)
    names = sorted(parts, key=lambda n: -sum(p.stat().st_size for p in parts[n]))
    with ProcessPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        compressed = list(pool.map(_xz_size, [[str(p) for p in parts[n]] for n in names]))
    installed_size = subprocess.run(["dpkg-deb", "-f", str(deb), "Installed-Size"], capture_output=True,
                                    text=True).stdout.strip()
    deb_mb = deb.stat().st_size / MB
    return {
        "deb": {"file": deb.name, "mb": round(deb_mb, 1), "target_mb": DEB_TARGET_MB, "ok": deb_mb <= DEB_TARGET_MB},
        "unpacked": {
            "mb": round(unpacked / MB, 1),
            "files": len(files),
            "installed_size_kib": int(installed_size) if installed_size.isdigit() else None,
            "target_mb": UNPACKED_TARGET_MB,
            "ok": unpacked / MB <= UNPACKED_TARGET_MB,
        },
        "heaviest_files": [
            {"path": "/" + p.relative_to(root).as_posix(), "mb": round(p.stat().st_size / MB, 1)} for p in heaviest
        ],
        "heaviest_parts": [
            {"part": n, "mb": round(sum(p.stat().st_size for p in parts[n]) / MB, 1), "xz_mb": round(c / MB, 1),
             "files": len(parts[n])}
            for n, c in zip(names, compressed)
        ],
    }


# -- start-up --------------------------------------------------------------------------------------

def _isolated_env(home: Path, platform: str, display: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "RUNFLOW_", "QT_"))}
    env.update(HOME=str(home), QT_QPA_PLATFORM=platform, DESKTOP_EDITOR_KEYRING="memory",
               DESKTOP_EDITOR_EXIT_AFTER_SHOW="1")
    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache"),
                     ("XDG_STATE_HOME", "state")):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(home / sub)
    if display:
        env["DISPLAY"] = display
    return env


def _start_once(command: list[str], env: dict[str, str], timeout: float = 60.0) -> float:
    """Seconds from spawning the process to its "window shown" line."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=env["HOME"])
    try:
        for line in proc.stdout:
            if line.startswith(PROBE_LINE):
                elapsed = time.perf_counter() - started
                proc.wait(timeout=timeout)
                return elapsed
        proc.wait(timeout=timeout)
        raise RuntimeError(f"{command[0]} exited {proc.returncode} without showing its window: "
                           f"{proc.stderr.read()[-800:]}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _drop_caches() -> bool:
    """Empty the page cache so the first start reads its files from disk (root only; may be refused)."""
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def _stats(values: list[float]) -> dict:
    return {"first": round(values[0], 3), "median": round(statistics.median(values), 3),
            "best": round(min(values), 3), "runs": [round(v, 3) for v in values]}


def measure_startup(frozen: Path, runs: int, platform: str, display: str | None) -> dict:
    home = Path(tempfile.mkdtemp(prefix="bench-package-home-"))
    try:
        env = _isolated_env(home, platform, display)
        source = [sys.executable, "-m", "desktop_editor.cli"]
        caches_dropped = _drop_caches()
        frozen_times = [_start_once([str(frozen)], env)]  # the coldest start comes first
        source_times = [_start_once(source, env)]
        for _ in range(runs - 1):
            frozen_times.append(_start_once([str(frozen)], env))
            source_times.append(_start_once(source, env))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    median = statistics.median(frozen_times)
    return {
        "platform": platform,
        "packaged_s": _stats(frozen_times),
        "source_s": _stats(source_times),
        "ratio_packaged_to_source": round(median / statistics.median(source_times), 2),
        "first_start_caches_dropped": caches_dropped,
        "target_s": START_TARGET_S,
        "ok": max(median, frozen_times[0]) <= START_TARGET_S,
    }


class _Xvfb:
    """A private X server for the xcb measurement, when Xvfb is installed."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.display: str | None = None

    def __enter__(self) -> str | None:
        if shutil.which("Xvfb") is None:
            return None
        for number in range(90, 110):
            if Path(f"/tmp/.X11-unix/X{number}").exists() or Path(f"/tmp/.X{number}-lock").exists():
                continue
            self.proc = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(100):
                if Path(f"/tmp/.X11-unix/X{number}").exists():
                    self.display = f":{number}"
                    return self.display
                time.sleep(0.05)
            self.proc.kill()
            self.proc.wait()
            self.proc = None
        return None

    def __exit__(self, *exc) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# -- main ------------------------------------------------------------------------------------------

def build_deb() -> tuple[Path, float]:
    started = time.monotonic()
    result = subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "deb"], cwd=ROOT,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"bench_package: the build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return Path(result.stdout.strip().splitlines()[-1]), time.monotonic() - started


def _installed_copy(version: str) -> Path | None:
    """/usr/bin/desktop-editor when this very version of the package is installed."""
    status = subprocess.run(["dpkg-query", "-W", "-f=${Status} ${Version}", "desktop-editor"],
                            capture_output=True, text=True)
    if status.returncode == 0 and status.stdout.startswith("install ok installed") and status.stdout.endswith(version):
        return Path("/usr/bin/desktop-editor")
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Size and start-up of the Linux package.")
    parser.add_argument("--runs", type=int, default=5, help="starts of each kind (default 5)")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)

    deb, build_s = build_deb()
    version = subprocess.run(["dpkg-deb", "-f", str(deb), "Version"], capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="bench-package-") as tmp:
        root = Path(tmp) / "root"
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
        report: dict = {"benchmark": "package", "version": version, "build_s": round(build_s, 1)}
        report.update(measure_size(deb, root))
        installed = _installed_copy(version)
        frozen = installed or root / "opt" / "desktop-editor" / "desktop-editor"
        report["packaged_app"] = str(installed) if installed else "the .deb's files, extracted (not installed)"
        report["startup"] = measure_startup(frozen, args.runs, "offscreen", None)
        with _Xvfb() as display:
            if display:
                report["startup_xcb"] = measure_startup(frozen, args.runs, "xcb", display)
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")

    _say(f"deb {report['deb']['mb']} MB (target {DEB_TARGET_MB:.0f}), unpacked {report['unpacked']['mb']} MB "
         f"(target {UNPACKED_TARGET_MB:.0f})")
    for part in report["heaviest_parts"][:8]:
        _say(f"  {part['mb']:6.1f} MB ({part['xz_mb']:5.1f} MB in the .deb)  {part['part']}")
    for key in ("startup", "startup_xcb"):
        if key in report:
            s = report[key]
            _say(f"start-up ({s['platform']}): packaged median {s['packaged_s']['median']} s, first "
                 f"{s['packaged_s']['first']} s; source median {s['source_s']['median']} s; ratio "
                 f"{s['ratio_packaged_to_source']} (target {START_TARGET_S} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
