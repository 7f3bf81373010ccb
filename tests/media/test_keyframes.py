"""The keyframe fast path: right pictures, the right way up, from a few percent of the file.

Media tests encode real mp4s with the bundled ffmpeg and compare every picture with what
ffmpeg's own seeking gives for the same instant. The integration test serves a ~54 MB 1080p
file from a local S3 (moto) through a byte-counting proxy and checks how much was read.
"""

from __future__ import annotations

import io
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import pytest
from PIL import Image, ImageChops, ImageStat

from tests.support.counting_proxy import CountingProxy
from vodcover.errors import MediaCorrupt, MediaUnavailable
from vodcover.media.byte_ranges import fetch_ranges
from vodcover.media.elementary_stream import split_nal_units
from vodcover.media.ffmpeg import run_ffmpeg
from vodcover.media.keyframe_choice import choose_keyframes
from vodcover.media.keyframes import Frame, grab_keyframes
from vodcover.media.mp4samples import Keyframe

TIMEOUT = 60.0
# Mean luma difference, of 255: the right frame scores ~0.5 (JPEG noise); the next frame of a
# moving test pattern scores ~3, another keyframe ~6, grey garbage far more.
MAX_MEAN_DIFFERENCE = 1.5


# --- pure parts -------------------------------------------------------------------------------
def keyframes_at(*times: float) -> list[Keyframe]:
    return [Keyframe(t, offset=1000 * i, size=100, sample_number=i + 1) for i, t in enumerate(times)]


def test_each_time_gets_its_nearest_keyframe() -> None:
    keyframes = keyframes_at(0, 2, 4, 6, 8)
    chosen = choose_keyframes(keyframes, [0.4, 4.9, 7.2])
    assert [k.time for k in chosen] == [0, 4, 8]


def test_distinct_times_get_distinct_keyframes_while_they_last() -> None:
    # Given times that all sit nearest keyframe 4, when they are served, then the neighbours are used
    keyframes = keyframes_at(0, 2, 4, 6, 8, 10)
    chosen = choose_keyframes(keyframes, [3.9, 4.0, 4.1])
    assert [k.time for k in chosen] == [2, 4, 6]


def test_more_times_than_keyframes_share_the_nearest() -> None:
    chosen = choose_keyframes(keyframes_at(0, 10), [1, 2, 8, 9])
    assert [k.time for k in chosen] == [0, 0, 10, 10]


def test_frames_keep_the_order_of_the_requested_times() -> None:
    chosen = choose_keyframes(keyframes_at(0, 2, 4, 6), [5.9, 0.1, 2.1])
    assert [k.time for k in chosen] == [6, 0, 2]


def test_overrunning_nal_length_is_corrupt() -> None:
    with pytest.raises(MediaCorrupt):
        split_nal_units(b"\x00\x00\x00\x10\x65abc", 4)


class ListSource:
    def __init__(self, data: bytes) -> None:
        self.data, self.reads = data, []  # type: ignore[var-annotated]

    def read(self, offset: int, length: int) -> bytes:
        self.reads.append((offset, length))
        return self.data[offset : offset + length]


def test_neighbouring_ranges_are_merged_into_one_request() -> None:
    source = ListSource(bytes(range(256)) * 4000)
    found = fetch_ranges(source, [(500_000, 10), (100, 20), (130, 5)])  # type: ignore[arg-type]
    assert found == [source.data[500_000:500_010], source.data[100:120], source.data[130:135]]
    assert sorted(source.reads) == [(100, 35), (500_000, 10)]


# --- real video -------------------------------------------------------------------------------
def encode(path: Path, *args: str) -> Path:
    run_ffmpeg(["-y", "-loglevel", "error", *args, str(path)], timeout=120)
    return path


LAVFI = ["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-t", "8"]
X264 = ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "ultrafast", "-g", "50"]


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("keyframe-videos")
    plain = encode(folder / "moov-at-end.mp4", *LAVFI, *X264)
    return {
        "moov-at-end": plain,
        "faststart": encode(
            folder / "faststart.mp4", "-i", str(plain), "-c", "copy", "-movflags", "+faststart"
        ),
        "rotated": encode(folder / "rotated.mp4", "-display_rotation", "90", "-i", str(plain), "-c", "copy"),
        "bframes": encode(
            folder / "bframes.mp4", *LAVFI, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-bf", "3", "-g", "50"
        ),
        "hevc": encode(
            folder / "hevc.mp4",
            *LAVFI,
            "-c:v",
            "libx265",
            "-preset",
            "ultrafast",
            "-x265-params",
            "log-level=error:keyint=50",
        ),
        "mkv": encode(folder / "video.mkv", "-i", str(plain), "-c", "copy"),
        "fragmented": encode(
            folder / "fragmented.mp4", "-i", str(plain), "-c", "copy", "-movflags", "frag_keyframe+empty_moov"
        ),
    }


def ffmpeg_seek_picture(source: Path | str, at: float, width: int) -> Image.Image:
    """The reference: what ffmpeg's own accurate seek shows at ``at`` (display matrix applied)."""
    result = run_ffmpeg(
        [
            "-ss",
            f"{at:.6f}",
            "-i",
            str(source),
            "-frames:v",
            "1",
            "-vf",
            f"scale={width}:-2",
            "-c:v",
            "png",
            "-f",
            "image2pipe",
            "pipe:1",
        ],
        timeout=TIMEOUT,
    )
    return Image.open(io.BytesIO(result.stdout)).convert("RGB")


def mean_difference(frame: Frame, reference: Image.Image) -> float:
    """Luma only: JPEG's chroma subsampling blurs the colour edges of test patterns."""
    picture = Image.open(io.BytesIO(frame.jpeg)).convert("L")
    reference = reference.convert("L")
    assert picture.size == reference.size == (frame.width, frame.height)
    return float(ImageStat.Stat(ImageChops.difference(picture, reference)).mean[0])


def assert_frames_match_ffmpeg(source: Path, frames: list[Frame], width: int) -> None:
    for frame in frames:
        reference = ffmpeg_seek_picture(source, frame.time, width)
        assert mean_difference(frame, reference) < MAX_MEAN_DIFFERENCE, f"frame at {frame.time}"


TIMES = [0.5, 2.5, 4.5, 6.5]


@pytest.mark.media
@pytest.mark.parametrize("name", ["moov-at-end", "faststart", "bframes", "hevc"])
def test_keyframes_decode_to_the_pictures_ffmpeg_seeking_shows(videos: dict[str, Path], name: str) -> None:
    frames = grab_keyframes(videos[name], TIMES, width=320, quality=90, timeout=TIMEOUT)
    assert frames is not None
    assert [f.requested_time for f in frames] == TIMES
    assert [f.time for f in frames] == [0.0, 2.0, 4.0, 6.0]
    assert {(f.width, f.height) for f in frames} == {(320, 180)}
    assert len({f.jpeg for f in frames}) == 4
    assert_frames_match_ffmpeg(videos[name], frames, 320)


@pytest.mark.media
def test_display_matrix_is_honoured(videos: dict[str, Path]) -> None:
    # Given a landscape stream stored with a 90° display matrix, then snapshots come out portrait
    # and match ffmpeg's auto-rotated picture
    frames = grab_keyframes(videos["rotated"], [2.0], width=180, quality=90, timeout=TIMEOUT)
    assert frames is not None
    assert (frames[0].width, frames[0].height) == (180, 320)
    assert_frames_match_ffmpeg(videos["rotated"], frames, 180)


@pytest.mark.media
@pytest.mark.parametrize(("width", "expected"), [(0, (640, 360)), (4000, (640, 360)), (321, (320, 180))])
def test_width_keeps_source_never_upscales_and_stays_even(
    videos: dict[str, Path], width: int, expected: tuple[int, int]
) -> None:
    frames = grab_keyframes(videos["faststart"], [1.0], width=width, quality=80, timeout=TIMEOUT)
    assert frames is not None
    assert (frames[0].width, frames[0].height) == expected


@pytest.mark.media
@pytest.mark.parametrize("name", ["mkv", "fragmented"])
def test_unsupported_files_return_none_for_the_ffmpeg_fallback(videos: dict[str, Path], name: str) -> None:
    assert grab_keyframes(videos[name], TIMES, width=320, quality=80, timeout=TIMEOUT) is None


@pytest.mark.media
def test_truncated_file_returns_none_quickly(videos: dict[str, Path], tmp_path: Path) -> None:
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(videos["moov-at-end"].read_bytes()[:200_000])  # moov (at the end) is gone
    started = time.monotonic()
    assert grab_keyframes(cut, TIMES, width=320, quality=80, timeout=TIMEOUT) is None
    assert time.monotonic() - started < 5


@pytest.mark.media
def test_garbled_keyframe_bytes_never_hang(videos: dict[str, Path], tmp_path: Path) -> None:
    # Given a file whose media data is overwritten but whose index is intact
    data = bytearray(videos["faststart"].read_bytes())
    for offset in range(len(data) // 2, len(data), 997):
        data[offset] = 0xFF
    garbled = tmp_path / "garbled.mp4"
    garbled.write_bytes(bytes(data))
    started = time.monotonic()
    # Then the fast path gives pictures or steps aside, and does not hang
    frames = grab_keyframes(garbled, TIMES, width=320, quality=80, timeout=TIMEOUT)
    assert frames is None or len(frames) == len(TIMES)
    assert time.monotonic() - started < 15


def test_missing_local_file_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(MediaUnavailable):
        grab_keyframes(tmp_path / "nope.mp4", [1.0], width=320, quality=80, timeout=TIMEOUT)


# --- over HTTP: local S3 behind a counting proxy ---------------------------------------------
BUCKET = "vodcover-keyframe-test"


@pytest.fixture(scope="module")
def large_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """~54 MB of 1080p30 H.264 at 15 Mb/s, keyframe every 2 s, 32 s, moov at the end.

    Eight snapshots must read far fewer keyframes than the file holds for the percentage to
    mean anything, so the file has 16 GOPs; an 8 s encode looped four times by stream copy
    gives them in 5 s instead of 20. The VBV cap keeps x264's first keyframe ordinary.
    """
    folder = tmp_path_factory.mktemp("large")
    segment = encode(
        folder / "segment.mp4",
        "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30,noise=alls=12:allf=t", "-t", "8",
        "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "15M", "-maxrate", "15M", "-bufsize", "2M",
        "-g", "60", "-pix_fmt", "yuv420p",
    )  # fmt: skip
    return encode(folder / "large.mp4", "-stream_loop", "3", "-i", str(segment), "-c", "copy")


@pytest.fixture(scope="module")
def s3_server(moto_endpoint: str) -> tuple[str, int]:
    host, _, port = moto_endpoint.removeprefix("http://").rpartition(":")
    return host, int(port)


def s3_client(host: str, port: int):  # type: ignore[no-untyped-def]
    return boto3.client(
        "s3",
        endpoint_url=f"http://{host}:{port}",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture(scope="module")
def presigned_urls(s3_server: tuple[str, int], large_video: Path) -> dict[str, str]:
    host, port = s3_server
    s3 = s3_client(host, port)
    s3.create_bucket(Bucket=BUCKET)
    faststart = encode(
        large_video.with_name("faststart.mp4"),
        "-i",
        str(large_video),
        "-c",
        "copy",
        "-movflags",
        "+faststart",
    )
    urls = {}
    for name, path in {"moov-at-end": large_video, "faststart": faststart}.items():
        s3.upload_file(str(path), BUCKET, f"uploads/{name}.mp4")
        urls[name] = s3.generate_presigned_url(
            "get_object", Params={"Bucket": BUCKET, "Key": f"uploads/{name}.mp4"}, ExpiresIn=600
        )
    return urls


@pytest.mark.media
@pytest.mark.integration
@pytest.mark.parametrize("layout", ["moov-at-end", "faststart"])
def test_eight_snapshots_over_http_read_a_few_percent_of_the_file(
    s3_server: tuple[str, int], presigned_urls: dict[str, str], large_video: Path, layout: str
) -> None:
    # Given a ~54 MB 1080p mp4 in S3, read through a proxy that counts every byte it sends
    size = large_video.stat().st_size
    times = [32 * (i + 0.5) / 8 for i in range(8)]
    with CountingProxy(*s3_server) as proxy:
        # When 8 snapshots are taken from its presigned URL
        frames = grab_keyframes(
            proxy.rewrite(presigned_urls[layout]), times, width=640, quality=85, timeout=TIMEOUT
        )
        time.sleep(0.1)
        sent = proxy.bytes_sent
    # Then they are real pictures of the right keyframes, and cost ≤ 5 % of the file
    assert frames is not None and len(frames) == 8
    assert [f.time for f in frames] == times
    assert sent <= 0.05 * size, f"read {sent} of {size} bytes"
    assert_frames_match_ffmpeg(large_video, [frames[0], frames[-1]], 640)


@pytest.mark.media
@pytest.mark.integration
def test_missing_object_is_unavailable(s3_server: tuple[str, int], presigned_urls: dict[str, str]) -> None:
    host, port = s3_server
    url = s3_client(host, port).generate_presigned_url(
        "get_object", Params={"Bucket": BUCKET, "Key": "uploads/missing.mp4"}, ExpiresIn=600
    )
    with pytest.raises(MediaUnavailable):
        grab_keyframes(url, [1.0], width=320, quality=80, timeout=TIMEOUT)


@pytest.mark.media
@pytest.mark.integration
def test_server_without_range_support_falls_back_without_reading_everything(
    s3_server: tuple[str, int], presigned_urls: dict[str, str], large_video: Path
) -> None:
    with CountingProxy(*s3_server, honour_ranges=False) as proxy:
        url = proxy.rewrite(presigned_urls["faststart"])
        assert grab_keyframes(url, [1.0], width=320, quality=80, timeout=TIMEOUT) is None
        time.sleep(0.1)
        assert proxy.bytes_sent < large_video.stat().st_size / 2


def test_refused_connection_is_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(MediaUnavailable):
        grab_keyframes(f"http://127.0.0.1:{port}/video.mp4", [1.0], width=320, quality=80, timeout=5)


def test_server_that_stalls_hits_the_deadline() -> None:
    from vodcover.errors import MediaTimeout

    class Stall(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            time.sleep(3)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Stall)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        started = time.monotonic()
        with pytest.raises((MediaTimeout, MediaUnavailable)):
            grab_keyframes(
                f"http://127.0.0.1:{server.server_address[1]}/v.mp4", [1.0], width=320, quality=80, timeout=1
            )
        assert time.monotonic() - started < 3
    finally:
        server.shutdown()
        server.server_close()
