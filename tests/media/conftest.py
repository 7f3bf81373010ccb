"""Sample media generated once per test session with the bundled ffmpeg, and a Range-capable server.

Nothing binary is committed: every clip is encoded from lavfi sources by ``vodcover_dev.samples``
the first time a test asks for it.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from vodcover_dev import samples


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def landscape_1080p(media_dir: Path) -> Path:
    """2 s of 1920x1080 at 25 fps with an AAC track: a typical camera upload."""
    return samples.make_sample_video(
        media_dir / "landscape_1080p.mp4", duration=2, width=1920, height=1080, audio=True
    )


@pytest.fixture(scope="session")
def phone_portrait(media_dir: Path) -> Path:
    """A phone held upright: 640x360 stored, display matrix turning it 90° clockwise."""
    return samples.make_sample_video(
        media_dir / "phone_portrait.mp4", duration=3, width=640, height=360, rotation=90
    )


@pytest.fixture(scope="session")
def three_second_clip(media_dir: Path) -> Path:
    return samples.make_sample_video(media_dir / "three_seconds.mp4", duration=3, width=320, height=240)


@pytest.fixture(scope="session")
def sub_second_clip(media_dir: Path) -> Path:
    """Eleven frames: shorter than one snapshot interval of most videos."""
    return samples.make_sample_video(media_dir / "sub_second.mp4", duration=0.44, width=320, height=240)


@pytest.fixture(scope="session")
def long_black_intro(media_dir: Path) -> Path:
    """8 s whose first 5 s are black: the middle snapshot falls in the dark."""
    return samples.make_sample_video(
        media_dir / "black_intro.mp4", duration=8, width=320, height=180, black_intro=5, scenes=["testsrc2"]
    )


@pytest.fixture(scope="session")
def scenes_clip(media_dir: Path) -> Path:
    return samples.make_sample_video(media_dir / "scenes.mp4", duration=8, width=640, height=360, scenes=4)


@pytest.fixture(scope="session")
def truncated_upload(media_dir: Path) -> Path:
    """A faststart mp4 cut at 60 %: the index promises 6 s, the data stops after ~3.6 s."""
    full = samples.make_sample_video(media_dir / "full.mp4", duration=6, width=320, height=240, gop=25)
    return samples.make_truncated(full, media_dir / "truncated.mp4", keep=0.6)


@pytest.fixture(scope="session")
def audio_only(media_dir: Path) -> Path:
    return samples.make_audio_only(media_dir / "voice_memo.m4a")


@pytest.fixture(scope="session")
def zero_bytes(media_dir: Path) -> Path:
    path = media_dir / "empty.mp4"
    path.write_bytes(b"")
    return path


@pytest.fixture(scope="session")
def corrupt_bytes(media_dir: Path) -> Path:
    return samples.make_corrupt(media_dir / "corrupt.mp4")


@pytest.fixture(scope="session")
def text_named_mp4(media_dir: Path) -> Path:
    path = media_dir / "notes.mp4"
    path.write_text("these are my holiday notes, not a video\n" * 20)
    return path


@pytest.fixture(scope="session")
def png_named_mp4(media_dir: Path) -> Path:
    return samples.make_still_image(media_dir / "picture.mp4")


# --- HTTP ---------------------------------------------------------------------------------
@dataclass
class RangeServer:
    """A local web server for one directory that honours ``Range`` like S3 and counts bytes."""

    server: ThreadingHTTPServer
    root: Path

    def url(self, name: str) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/{name}"

    @property
    def bytes_sent(self) -> int:
        return self.server.bytes_sent  # type: ignore[attr-defined]


class _RangeHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            self.send_error(404)
            return
        size = path.stat().st_size
        first, last = 0, size - 1
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        if match:
            first = int(match.group(1))
            last = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
            if first >= size:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        else:
            self.send_response(200)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(last - first + 1))
        self.end_headers()
        self._send_bytes(path, first, last - first + 1)

    def _send_bytes(self, path: Path, offset: int, length: int) -> None:
        with path.open("rb") as body:
            body.seek(offset)
            try:
                while length > 0:
                    chunk = body.read(min(64 * 1024, length))
                    self.wfile.write(chunk)
                    self.server.bytes_sent += len(chunk)  # type: ignore[attr-defined]
                    length -= len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass  # ffmpeg hangs up once it has what it needs


@pytest.fixture(scope="session")
def range_server(media_dir: Path) -> Iterator[RangeServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_RangeHandler, directory=os.fspath(media_dir)))
    server.daemon_threads = True
    server.bytes_sent = 0  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield RangeServer(server, media_dir)
    finally:
        server.shutdown()
        server.server_close()
