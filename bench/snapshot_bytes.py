"""How many bytes and seconds do 8 snapshots of a large mp4 behind a presigned S3 URL cost?

Generates a 1080p H.264 mp4 (30 Mb/s, 2 s GOP), puts it into a local S3 (moto), and reads it
through a byte-counting reverse proxy with three methods:

  (a) vodcover's keyframe fast path (index + keyframes by bounded ranges, one decode);
  (b) 8 x ``ffmpeg -ss t -i URL -frames:v 1`` (the raw-ffmpeg limit);
  (c) download the whole file, then 8 x ``ffmpeg -ss t -i FILE -frames:v 1``.

``--codecs h264,hevc8,hevc-hdr`` adds rows for the same content as 8-bit SDR HEVC and as a
phone's HEVC Main 10 HLG (BT.2020, tone-mapped to SDR by vodcover), in one run: bytes read and
time of (a) and of the whole product path (``capture_snapshots``: probe, keyframes, tone map,
JPEG), and the 10-bit / 8-bit time ratio (goal ≤ 1.3x). (b) and (c) run for the first codec.

Usage: ``.venv/bin/python bench/snapshot_bytes.py [--duration 280] [--faststart] [--origin moto|file]
[--codecs h264,hevc8,hevc-hdr] [--keep DIR]``.
Not a test: it prints numbers, it asserts nothing.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import urllib3
from moto.server import ThreadedMotoServer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests.support

from tests.support.counting_proxy import CountingProxy
from vodcover.media.ffmpeg import run_ffmpeg
from vodcover.media.keyframes import grab_keyframes
from vodcover.media.probe import probe
from vodcover.media.snapshots import capture_snapshots

BUCKET = "vodcover-bench"
KEY = "uploads/bench/large.mp4"
SNAPSHOTS = 8
WIDTH = 1280
QUALITY = 85
TIMEOUT = 600.0
SEGMENT_SECONDS = 20.0


HLG = "arib-std-b67"
CODECS: dict[str, list[str]] = {
    "h264": ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"],
    "hevc8": ["-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-tag:v", "hvc1",
              "-x265-params", "log-level=error"],
    "hevc-hdr": [
        "-vf", f"zscale=tin=bt709:min=470bg:pin=bt709:rin=tv:t={HLG}:m=bt2020nc:p=bt2020:r=tv:npl=203,"
        "format=yuv420p10le",
        "-c:v", "libx265", "-preset", "ultrafast", "-tag:v", "hvc1",
        "-x265-params", f"colorprim=bt2020:transfer={HLG}:colormatrix=bt2020nc:log-level=error",
        "-color_primaries", "bt2020", "-color_trc", HLG, "-colorspace", "bt2020nc",
    ],
}  # fmt: skip


def encode_large_video(path: Path, duration: float, *, faststart: bool, codec: str = "h264") -> None:
    """1080p30 at ~30 Mb/s, keyframe every 2 s; noise keeps the bitrate honest.

    A GB-size file would take minutes to encode, so at most 20 s are encoded and then looped
    by stream copy up to ``duration`` (the index and byte layout are those of a long file).
    """
    segment_seconds = min(duration, SEGMENT_SECONDS)
    segment = path.with_name(f"segment-{codec}-{segment_seconds:g}s.mp4")
    if not segment.exists():
        run_ffmpeg(
            [
                "-y", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30,noise=alls=12:allf=t",
                "-t", str(segment_seconds), *CODECS[codec],
                "-b:v", "30M", "-maxrate", "30M", "-bufsize", "8M", "-g", "60",
                str(segment),
            ],
            timeout=TIMEOUT,
        )  # fmt: skip
    loops = math.ceil(duration / segment_seconds) - 1
    run_ffmpeg(
        [
            "-y", "-stream_loop", str(loops), "-i", str(segment), "-t", str(duration), "-c", "copy",
            *(["-movflags", "+faststart"] if faststart else []),
            str(path),
        ],
        timeout=TIMEOUT,
    )  # fmt: skip


class RangeFileHandler(BaseHTTPRequestHandler):
    """A minimal S3-like origin serving one file with byte ranges straight from disk.

    moto copies the whole object for every ranged GET (about 2 s per request on a 1 GB
    object), which swamps what is being measured; ``--origin file`` shows the methods' own
    cost. Only ``bytes=a-b`` and ``bytes=a-`` are understood, which is all three methods send.
    """

    protocol_version = "HTTP/1.1"
    path_on_disk: Path

    def do_GET(self) -> None:
        size = self.path_on_disk.stat().st_size
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        start, end = (int(match[1]), int(match[2] or size - 1)) if match else (0, size - 1)
        end = min(end, size - 1)
        self.send_response(206 if match else 200)
        if match:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        with self.path_on_disk.open("rb") as source:
            source.seek(start)
            left = end - start + 1
            while left > 0 and (chunk := source.read(min(left, 1 << 20))):
                try:
                    self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True
                    return
                left -= len(chunk)

    def log_message(self, format: str, *args: object) -> None:
        pass


def start_file_origin(video: Path) -> tuple[ThreadingHTTPServer, str]:
    handler = type("Handler", (RangeFileHandler,), {"path_on_disk": video})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/{video.name}"


def start_moto_origin(video: Path) -> tuple[ThreadedMotoServer, str]:
    fake_credentials = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
    os.environ.update({**fake_credentials, "AWS_DEFAULT_REGION": "us-east-1"})
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request log lines
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    s3 = boto3.client("s3", endpoint_url=f"http://{host}:{port}", region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    s3.upload_file(str(video), BUCKET, KEY)
    url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": KEY}, ExpiresIn=3600)
    return server, url


def snapshot_times(duration: float, count: int = SNAPSHOTS) -> list[float]:
    return [duration * (i + 0.5) / count for i in range(count)]


def ffmpeg_seek_grab(source: str, at: float, out: Path) -> None:
    run_ffmpeg(
        ["-y", "-ss", f"{at:.3f}", "-i", source, "-frames:v", "1", "-vf", f"scale={WIDTH}:-2", str(out)],
        timeout=TIMEOUT,
    )


def measure(
    name: str, proxy: CountingProxy, size: int, action: Callable[[], object]
) -> tuple[str, int, float]:
    proxy.reset()
    started = time.perf_counter()
    action()
    seconds = time.perf_counter() - started
    time.sleep(0.2)  # let the proxy's threads finish counting what they were sending
    sent = proxy.bytes_sent
    print(
        f"{name:<36} {sent:>14,d} B {100 * sent / size:7.2f} % {proxy.requests:>6d} req {seconds:8.2f} s",
        flush=True,
    )
    return name, sent, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of video (280 ≈ 1 GB)")
    parser.add_argument("--faststart", action="store_true", help="moov at the front (default: at the end)")
    parser.add_argument(
        "--origin", choices=("moto", "file"), default="moto", help="local S3 (moto) or a plain range server"
    )
    parser.add_argument("--keep", type=Path, help="reuse/keep the generated file in this directory")
    parser.add_argument("--codecs", default="h264", help="comma-separated: h264, hevc8, hevc-hdr")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="vodcover-bench-"))
    folder = args.keep or work
    folder.mkdir(parents=True, exist_ok=True)
    product_seconds: dict[str, list[float]] = {}
    for position, codec in enumerate(args.codecs.split(",")):  # a codec named twice is run twice
        seconds = run_codec(args, codec, folder, work, all_methods=position == 0)
        product_seconds.setdefault(codec, []).append(seconds)
    if "hevc8" in product_seconds and "hevc-hdr" in product_seconds:
        ratio = statistics.median(product_seconds["hevc-hdr"]) / statistics.median(product_seconds["hevc8"])
        print(
            f"HEVC Main 10 HDR / 8-bit HEVC, {SNAPSHOTS} snapshots (capture_snapshots, median): {ratio:.2f}x"
        )


def run_codec(args: argparse.Namespace, codec: str, folder: Path, work: Path, *, all_methods: bool) -> float:
    """Print the rows for one codec; return the product path's seconds."""
    suffix = "" if codec == "h264" else f"-{codec}"
    video = folder / f"large-{int(args.duration)}s{'-faststart' if args.faststart else ''}{suffix}.mp4"
    if not video.exists():
        started = time.perf_counter()
        encode_large_video(video, args.duration, faststart=args.faststart, codec=codec)
        print(f"encoded {video} in {time.perf_counter() - started:.1f} s", flush=True)
    size = video.stat().st_size
    times = snapshot_times(args.duration)

    if args.origin == "moto":
        server, origin_url = start_moto_origin(video)
        stop = server.stop
    else:
        file_server, origin_url = start_file_origin(video)
        stop = file_server.shutdown
    origin = urlsplit(origin_url)

    print(
        f"\n[{codec}] file: {size:,d} bytes, {args.duration:.0f} s, "
        f"moov at the {'front' if args.faststart else 'end'}"
    )
    print(f"{SNAPSHOTS} snapshots at {', '.join(f'{t:.1f}' for t in times)} s, {WIDTH} px wide")
    print(f"origin: {args.origin}; every byte counted by a proxy in front of it")
    with CountingProxy(origin.hostname or "127.0.0.1", origin.port or 80) as proxy:
        url = proxy.rewrite(origin_url)
        colour = probe(url, timeout=TIMEOUT).colour

        def engine() -> None:
            frames = grab_keyframes(url, times, width=WIDTH, quality=QUALITY, timeout=TIMEOUT, colour=colour)
            assert frames is not None and len(frames) == SNAPSHOTS

        def product() -> None:
            result = capture_snapshots(url, count=SNAPSHOTS, width=WIDTH, quality=QUALITY, timeout=TIMEOUT)
            assert len(result.snapshots) == SNAPSHOTS

        def raw_ffmpeg() -> None:
            for i, at in enumerate(times):
                ffmpeg_seek_grab(url, at, work / f"seek-{i}.jpg")

        def download_then_extract() -> None:
            local = work / "downloaded.mp4"
            with urllib3.PoolManager() as http, local.open("wb") as out:
                response = http.request("GET", url, preload_content=False)
                for chunk in response.stream(1024 * 1024):
                    out.write(chunk)
                response.release_conn()
            for i, at in enumerate(times):
                ffmpeg_seek_grab(str(local), at, work / f"local-{i}.jpg")
            local.unlink()

        measure(f"(a) keyframe fast path {codec}", proxy, size, engine)
        _, _, seconds = measure(f"(a') capture_snapshots {codec}", proxy, size, product)
        if all_methods:
            measure("(b) 8 x ffmpeg -ss -i URL", proxy, size, raw_ffmpeg)
            measure("(c) download, then extract", proxy, size, download_then_extract)
    stop()
    return seconds


if __name__ == "__main__":
    main()
