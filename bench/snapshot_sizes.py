"""Snapshots vs file size: what 8 default snapshots cost on 30 MB, 300 MB and 1 GB 1080p files.

For each file and each origin, three methods run side by side in every repeat, every byte
counted by :class:`tests.support.counting_proxy.CountingProxy` in front of the origin:

- ``seconds``: vodcover's product path, :func:`capture_snapshots` (probe, then the keyframe
  engine with its ffmpeg-seek fallback) on the URL;
- ``limit_seconds``: raw ffmpeg, ``ffmpeg -ss t -i URL -frames:v 1`` at the same 8 times, as
  many at a time as there are cores (the best plain ffmpeg does);
- ``download_seconds``: the usual approach: download the whole object, then the same 8 seeks
  on the local file.

Origins: ``moto`` (the local S3 emulator, presigned URLs; it copies the whole object for every
ranged GET, ~2 s per request on 1 GB, so it measures the emulator as much as the methods) and
``file`` (a plain range server reading from disk, as cheap per request as S3 is). Files and the
encoding recipe come from ``bench/snapshot_bytes.py``; they are cached under ``build/bench-cache``.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from urllib.parse import urlsplit

import urllib3

from bench import snapshot_bytes
from bench.timing import Progress, paired_ratio, summary
from tests.support.counting_proxy import CountingProxy
from vodcover.media.probe import probe
from vodcover.media.snapshots import capture_snapshots, snapshot_times

CACHE_DIR = Path(__file__).resolve().parents[1] / "build" / "bench-cache"
COUNT = 8
WIDTH = 1280
QUALITY = 85
TIMEOUT = 900.0
SETTLE_SECONDS = 0.2  # the proxy's threads finish counting what they were pushing
# Seconds of 1080p at ~30 Mb/s (the recipe of bench/snapshot_bytes.py) for each size.
FULL_FILES = {"30MB": 8.0, "300MB": 80.0, "1GB": 272.0}
QUICK_FILES = {"30MB": 8.0}
ORIGINS = ("file", "moto")


@dataclass
class MethodRuns:
    """Seconds, bytes and requests of one method over the repeats."""

    seconds: list[float] = field(default_factory=list)
    bytes_read: list[int] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)
    transfer_seconds: list[float] = field(default_factory=list)  # download-then-extract only


def cached_video(duration: float, progress: Progress) -> Path:
    """The generated file for ``duration`` seconds, encoded once (segment looped by stream copy)."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    video = CACHE_DIR / f"large-{int(duration)}s.mp4"
    if not video.exists():
        progress.step(f"snapshots: generating {video.name} (once; cached in {CACHE_DIR})")
        partial = video.with_suffix(".partial.mp4")
        snapshot_bytes.encode_large_video(partial, duration, faststart=False)
        partial.rename(video)
    return video


@contextmanager
def serving(origin: str, video: Path) -> Iterator[str]:
    """The URL of ``video`` on ``origin`` (moto: a presigned S3 URL), for the block's duration."""
    if origin == "moto":
        moto_server, url = snapshot_bytes.start_moto_origin(video)
        try:
            yield url
        finally:
            moto_server.stop()
    else:
        file_server, url = snapshot_bytes.start_file_origin(video)
        file_server.handle_error = quiet_about_hang_ups  # type: ignore[method-assign]
        try:
            yield url
        finally:
            file_server.shutdown()
            file_server.server_close()


def quiet_about_hang_ups(request: object, client_address: object) -> None:
    """ffmpeg hangs up on keep-alive connections mid-read: expected here, not worth a traceback."""
    if not isinstance(sys.exc_info()[1], ConnectionError):
        traceback.print_exc()


def product_path(url: str) -> None:
    result = capture_snapshots(url, count=COUNT, width=WIDTH, quality=QUALITY, timeout=TIMEOUT)
    if len(result.snapshots) != COUNT:
        raise RuntimeError(f"expected {COUNT} snapshots, got {len(result.snapshots)}")


def seek_each(source: str, times: list[float], out_dir: Path) -> None:
    """8 x ``ffmpeg -ss t -i SOURCE -frames:v 1``, one per core at a time."""
    workers = max(1, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        grabs = [
            pool.submit(snapshot_bytes.ffmpeg_seek_grab, source, at, out_dir / f"{i}.jpg")
            for i, at in enumerate(times)
        ]
        for grab in grabs:
            grab.result()


def download(url: str, target: Path) -> None:
    with urllib3.PoolManager() as http, target.open("wb") as out:
        response = http.request("GET", url, preload_content=False)
        if response.status != 200:
            raise RuntimeError(f"download answered {response.status}")
        for chunk in response.stream(1024 * 1024):
            out.write(chunk)
        response.release_conn()


def download_then_extract(url: str, times: list[float], work: Path) -> float:
    """Seconds spent on the transfer alone (the rest is the 8 local seeks)."""
    local = work / "downloaded.mp4"
    try:
        started = time.perf_counter()
        download(url, local)
        transfer = time.perf_counter() - started
        seek_each(str(local), times, work)
    finally:
        local.unlink(missing_ok=True)
    return transfer


def run_counted(proxy: CountingProxy, action: Callable[[], float | None], runs: MethodRuns) -> None:
    proxy.reset()
    started = time.perf_counter()
    transfer = action()
    runs.seconds.append(time.perf_counter() - started)
    if transfer is not None:
        runs.transfer_seconds.append(transfer)
    time.sleep(SETTLE_SECONDS)
    runs.bytes_read.append(proxy.bytes_sent)
    runs.requests.append(proxy.requests)


def measure_origin(
    origin: str, video: Path, duration: float, repeats: int, progress: Progress, label: str
) -> dict[str, object]:
    """The three methods, interleaved, ``repeats`` times each, on one file served by ``origin``."""
    times = snapshot_times(duration, COUNT)
    work = CACHE_DIR / "work"
    work.mkdir(parents=True, exist_ok=True)
    ours, limit, usual = MethodRuns(), MethodRuns(), MethodRuns()
    with serving(origin, video) as origin_url:
        parts = urlsplit(origin_url)
        with CountingProxy(parts.hostname or "127.0.0.1", parts.port or 80) as proxy:
            url = proxy.rewrite(origin_url)
            for repeat in range(1, repeats + 1):
                progress.step(f"snapshots: {label} via {origin}, repeat {repeat}/{repeats}")
                run_counted(proxy, lambda: product_path(url), ours)
                run_counted(proxy, lambda: seek_each(url, times, work), limit)
                run_counted(proxy, lambda: download_then_extract(url, times, work), usual)
    shutil.rmtree(work, ignore_errors=True)
    return origin_result(video.stat().st_size, duration, ours, limit, usual)


def origin_result(
    size: int, duration: float, ours: MethodRuns, limit: MethodRuns, usual: MethodRuns
) -> dict[str, object]:
    bytes_read = round(median(ours.bytes_read))
    limit_bytes = round(median(limit.bytes_read))
    return {
        "file_bytes": size,
        "duration_s": duration,
        "bytes_read": bytes_read,
        "bytes_ratio": round(bytes_read / size, 5),
        "requests": round(median(ours.requests)),
        "seconds": round(median(ours.seconds), 3),
        "limit_seconds": round(median(limit.seconds), 3),
        "download_seconds": round(median(usual.seconds), 3),
        "download_transfer_seconds": round(median(usual.transfer_seconds), 3),
        "vs_limit": paired_ratio(ours.seconds, limit.seconds),
        "download_speedup": paired_ratio(usual.seconds, ours.seconds),
        "limit_bytes_read": limit_bytes,
        "limit_bytes_ratio": round(limit_bytes / size, 5),
        "limit_requests": round(median(limit.requests)),
        "spread": {
            "seconds": summary(ours.seconds),
            "limit_seconds": summary(limit.seconds),
            "download_seconds": summary(usual.seconds),
            "bytes_read": summary(ours.bytes_read, 0),
        },
        "repeats": len(ours.seconds),
    }


def run(progress: Progress, *, quick: bool) -> dict[str, object]:
    """``snapshots``: per file size, the plain-origin figures on top and every origin below."""
    files = QUICK_FILES if quick else FULL_FILES
    repeats = 2 if quick else 3
    origins = ("file",) if quick else ORIGINS
    results: dict[str, object] = {}
    for label, seconds in files.items():
        video = cached_video(seconds, progress)
        duration = probe(str(video), timeout=60).duration
        by_origin = {
            origin: measure_origin(origin, video, duration, repeats, progress, label) for origin in origins
        }
        results[label] = {**by_origin["file"], "origin": "file", "by_origin": by_origin}
    return results
