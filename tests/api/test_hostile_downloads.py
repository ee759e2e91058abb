"""Result downloads that misbehave, at the client: checked by their bytes, bounded in size, time
and memory, stoppable at once; and what already held (no file://, no traversal, no key to
another host, redirect loops end) still holds. Real HTTP on 127.0.0.1 throughout."""

import io
import threading
import time
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from PIL import Image

from api_helpers import KEY, fast_config, noise_png, png_bytes
from desktop_editor.api import RunflowClient, to_data_uri
from desktop_editor.api.config import ClientConfig, is_cleartext_remote
from desktop_editor.api.download import DownloadLimits
from desktop_editor.api.errors import (
    BadResultError,
    ConfigurationError,
    DownloadError,
    UnreadableAnswerError,
    WaitAborted,
)
from desktop_editor.api.result_check import MAX_RESULT_PIXELS, ResultCheckError, check_result_file
from desktop_editor.api.runs import Run
from desktop_editor.emulator.hostile import bomb_png

MODEL = "openai/gpt-image-2/edit"


def finished_run(client, image=None):
    image = image if image is not None else noise_png()
    run = client.create_run(MODEL, {"prompt": "paint it red", "image_urls": [to_data_uri(image, "image/png")]})
    return client.wait_for_run(run.id)


def one_url_run(url):
    return Run.from_json({"id": "run-x", "status_code": "succeeded", "output": {"outputs": [{"url": url}]}})


# ----- the check ------------------------------------------------------------------------------


def _write(tmp_path, data, name="r.bin"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("fmt, ext", [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")])
def test_each_kind_a_model_makes_passes(tmp_path, fmt, ext):
    buf = io.BytesIO()
    Image.new("RGB", (80, 60), (10, 200, 30)).save(buf, fmt)
    checked = check_result_file(_write(tmp_path, buf.getvalue()))
    assert (checked.extension, checked.width, checked.height) == (ext, 80, 60)


def _encoded(img: Image.Image, fmt: str, **options) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **options)
    return buf.getvalue()


def test_a_plain_png_keeps_the_pixels_the_app_would_open_it_as(tmp_path):
    from desktop_editor.core.images import load_image

    rng = np.random.default_rng(3)
    data = _encoded(Image.fromarray(rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)), "PNG")
    checked = check_result_file(_write(tmp_path, data))
    opened = load_image(data).image
    assert checked.pixels is not None and checked.pixels.mode == opened.mode == "RGB"
    assert np.array_equal(np.asarray(checked.pixels), np.asarray(opened))


@pytest.mark.parametrize("kind", ["jpeg", "rgba", "16-bit", "profile", "grey"])
def test_other_results_are_decoded_again_by_the_app(tmp_path, kind):
    from PIL import ImageCms

    rgb = Image.new("RGB", (80, 60), (10, 200, 30))
    data = {
        "jpeg": lambda: _encoded(rgb, "JPEG"),
        "rgba": lambda: _encoded(rgb.convert("RGBA"), "PNG"),
        "16-bit": _sixteen_bit_png,
        "profile": lambda: _encoded(rgb, "PNG", icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()),
        "grey": lambda: _encoded(rgb.convert("L"), "PNG"),
    }[kind]()
    checked = check_result_file(_write(tmp_path, data))
    assert checked.pixels is None and (checked.width, checked.height) == (80, 60)


def _sixteen_bit_png() -> bytes:
    """An RGB PNG of 16 bits a channel (Pillow writes none: the chunks by hand)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + b"\x9c\x40" * 3 * 80 for _ in range(60))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 80, 60, 16, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("data, words", [
    (b"<!DOCTYPE html><html><body>502</body></html>", "HTML page"),
    (b'{"error": "nope"}', "JSON"),
    (b"GIF89a" + b"\x00" * 40, "GIF"),
    (b"", "empty"),
    (bomb_png(), "than any model makes"),
    (png_bytes()[:-30], "damaged or cut off"),
])
def test_what_is_not_a_result_is_refused(tmp_path, data, words):
    with pytest.raises(ResultCheckError, match=words):
        check_result_file(_write(tmp_path, data))


def test_the_pixel_limit_is_read_from_the_header_before_decoding(tmp_path):
    started = time.perf_counter()
    with pytest.raises(ResultCheckError, match="than any model makes"):
        check_result_file(_write(tmp_path, bomb_png(20000)))  # 400 MP: refused unopened
    assert time.perf_counter() - started < 0.5
    path = _write(tmp_path, png_bytes((100, 100)))
    with pytest.raises(ResultCheckError, match="100x100"):
        check_result_file(path, max_pixels=9_999)
    assert check_result_file(path, max_pixels=10_000).width == 100
    assert MAX_RESULT_PIXELS >= 4096 * 4096  # any model's largest output passes


# ----- bounded downloads ----------------------------------------------------------------------


def test_a_300_mb_body_is_refused_from_its_content_length(client, emulator, tmp_path):
    emulator.behaviour.result_body = "huge"
    run = finished_run(client)
    started = time.monotonic()
    with pytest.raises(BadResultError, match="announced as 286 MiB") as info:
        client.fetch_results(run, folder=tmp_path)
    assert time.monotonic() - started < 2  # refused before reading, not after 256 MiB
    assert info.value.rejected[0].kept is None and info.value.run_id == run.id
    assert len([r for r in emulator.requests if r.path.startswith("/_results/")]) == 1


def test_an_endless_body_is_read_once_to_the_limit_with_bounded_memory(emulator, tmp_path):
    client = RunflowClient(fast_config(emulator.base_url, download_max_bytes=32 * 1024 * 1024))
    emulator.behaviour.result_body = "endless"
    run = finished_run(client)
    tracemalloc.start()
    try:
        with pytest.raises(BadResultError, match="did not end there"):
            client.fetch_results(run, folder=tmp_path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024  # one chunk at a time, not the 32 MiB read
    assert len([r for r in emulator.requests if r.path.startswith("/_results/")]) == 1
    assert list(tmp_path.iterdir()) == []  # nothing half-written left behind


def test_the_time_limit_grows_with_the_size(emulator, tmp_path):
    """The same drip rate is cut off for a large body and survives for a small one."""
    client = RunflowClient(fast_config(emulator.base_url, download_grace=0.3, download_min_rate=400.0))
    run = finished_run(client, png_bytes((32, 24)))
    size = len(client.fetch_results(run, folder=tmp_path)[0].data)
    allowed = client.config.download_limits.allowed_seconds(size)
    assert allowed == pytest.approx(0.3 + size / 400)
    emulator.behaviour.result_body = "drip"
    emulator.behaviour.drip_interval = 0.001  # ~900 B/s: slow, but moving
    assert client.fetch_results(run, folder=tmp_path)[0].content_type == "image/png"
    emulator.behaviour.drip_interval = 0.05  # 20 B/s: a drip
    started = time.monotonic()
    with pytest.raises(DownloadError, match="too slowly"):
        client.fetch_results(run, folder=tmp_path)
    took = time.monotonic() - started
    assert allowed <= took < allowed + 1.5
    assert len([r for r in emulator.requests if r.path.startswith("/_results/")]) == 3  # a drip is not retried


@pytest.mark.parametrize("how", ["cancel", "abort"])
def test_a_dripping_download_stops_within_a_second(client, emulator, tmp_path, how):
    emulator.behaviour.result_body = "drip"
    emulator.behaviour.drip_interval = 1.0
    run = finished_run(client)
    cancel = threading.Event()
    caught: list[BaseException] = []

    def fetch():
        try:
            client.fetch_results(run, cancel=cancel, folder=tmp_path)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            caught.append(exc)

    worker = threading.Thread(target=fetch)
    worker.start()
    time.sleep(1.2)
    stopped = time.monotonic()
    cancel.set() if how == "cancel" else client.abort()
    worker.join(5)
    assert not worker.is_alive() and time.monotonic() - stopped < 1.0
    assert isinstance(caught[0], WaitAborted) and caught[0].run_id == run.id


def test_rejected_bytes_are_kept_in_the_named_folder_and_good_results_are_handed_over(client, emulator, tmp_path):
    emulator.behaviour.result_body = "html"
    run = finished_run(client)
    with pytest.raises(BadResultError) as info:
        client.fetch_results(run, folder=tmp_path)
    [rejected] = info.value.rejected
    assert rejected.kept.parent == tmp_path and rejected.kept.read_bytes().startswith(b"<!DOCTYPE html>")
    assert info.value.raw_answer == run.raw and info.value.results == []
    emulator.behaviour.result_body = "mislabelled"
    [result] = client.fetch_results(run, folder=tmp_path)
    assert result.content_type == "image/webp" and result.file_name.endswith(".webp")
    assert [p.name for p in tmp_path.iterdir()] == [rejected.kept.name]  # no download file left


# ----- what already held ----------------------------------------------------------------------


class _Hostile(BaseHTTPRequestHandler):
    """Answers /loop with a redirect to itself, /to-file with a redirect to file://, /away with a
    redirect to another host, /image with a PNG; records each request's Authorization header."""

    seen: list[tuple[str, str | None]] = []
    other: str = ""

    def do_GET(self):
        type(self).seen.append((self.path, self.headers.get("Authorization")))
        targets = {"/loop": "/loop", "/to-file": "file:///etc/passwd", "/away": f"{self.other}/image"}
        if self.path in targets:
            self.send_response(302)
            self.send_header("Location", targets[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = png_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def hostile_server():
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _Hostile) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    _Hostile.seen = []
    _Hostile.other = f"http://localhost:{servers[1].server_port}"
    yield f"http://127.0.0.1:{servers[0].server_port}"
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("path", ["file:///etc/passwd", "/to-file", "/loop"])
def test_file_urls_and_redirect_loops_end_without_a_result(hostile_server, tmp_path, path):
    client = RunflowClient(fast_config(hostile_server, max_retries=1))
    url = path if path.startswith("file:") else hostile_server + path
    started = time.monotonic()
    # A file:// output is no result link at all (nothing readable in the answer); a redirect to
    # one, or in a loop, is a download that fails (the run stays resumable).
    expected = UnreadableAnswerError if path.startswith("file:") else DownloadError
    with pytest.raises(expected):
        client.fetch_results(one_url_run(url), folder=tmp_path)
    assert time.monotonic() - started < 10 and list(tmp_path.iterdir()) == []


def test_no_key_to_result_hosts_even_across_redirects_and_names_stay_inside(hostile_server, tmp_path):
    client = RunflowClient(fast_config(hostile_server))
    run = Run.from_json({"id": "run-x", "status_code": "succeeded",
                         "output": {"outputs": [{"url": hostile_server + "/away", "file_name": "../../etc/evil.png"}]}})
    [result] = client.fetch_results(run, folder=tmp_path)
    assert result.file_name == "evil.png"
    assert [auth for _, auth in _Hostile.seen] == [None, None]


# ----- a cleartext address --------------------------------------------------------------------


def test_plain_http_to_another_machine_is_refused_unless_allowed():
    for url in ("http://127.0.0.1:8787", "http://localhost:1", "http://[::1]:2", "https://api.runflow.io"):
        assert not is_cleartext_remote(url)
        ClientConfig(api_key=KEY, base_url=url).validated()
    with pytest.raises(ConfigurationError, match="unencrypted.*--allow-http"):
        RunflowClient(ClientConfig(api_key=KEY, base_url="http://runflow.example.com"))
    assert RunflowClient(ClientConfig(api_key=KEY, base_url="http://10.1.2.3", allow_cleartext=True))


def test_the_environment_can_allow_plain_http(monkeypatch):
    monkeypatch.setenv("RUNFLOW_ALLOW_HTTP", "1")
    assert ClientConfig.from_env(api_key=KEY, base_url="http://10.1.2.3").validated().allow_cleartext
