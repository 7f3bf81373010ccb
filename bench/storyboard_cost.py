"""What a storyboard costs on a large 1080p file: bytes read (every byte counted by a proxy in
front of a plain range origin) and seconds, against the file's size and duration.

    python -m bench.storyboard_cost [--seconds 272]

The file is the snapshots section's (bench/snapshot_sizes.py: 1080p30 at ~30 Mb/s, a keyframe
every 2 s, the index at the end, as a phone writes it), cached in build/bench-cache. The
storyboard is made exactly as the job makes it. ``make bench`` runs it as the ``storyboard``
section (the 1 GB file; ``--quick``: the 30 MB one).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench import snapshot_sizes
from bench.snapshot_bytes import start_file_origin
from bench.timing import Progress
from tests.support.counting_proxy import CountingProxy
from vodcover.domain.storyboards import TILE_WIDTH, plan_storyboard
from vodcover.media.storyboard import make_storyboard


def measure(video: Path) -> dict[str, object]:
    """One storyboard of ``video`` through the counting proxy: what it read and how long it took."""
    size = video.stat().st_size
    server, origin_url = start_file_origin(video)
    origin = urlsplit(origin_url)
    try:
        with CountingProxy(origin.hostname or "127.0.0.1", origin.port or 80) as proxy:
            started = time.perf_counter()
            images = make_storyboard(
                proxy.rewrite(origin_url), plan_storyboard, tile_width=TILE_WIDTH, timeout=600
            )
            seconds = time.perf_counter() - started
            read = proxy.bytes_sent
    finally:
        server.shutdown()
        server.server_close()
    plan = plan_storyboard(images.duration)
    return {
        "file_bytes": size,
        "duration": images.duration,
        "tiles": len(images.tile_times),
        "sheets": len(images.sheets),
        "interval": plan.interval,
        "bytes_read": read,
        "read_share": round(read / size, 5),
        "seconds": round(seconds, 2),
    }


def run(progress: Progress, *, quick: bool) -> dict[str, object]:
    """The ``storyboard`` section: the largest file of the snapshots section (cached, shared)."""
    label = "30MB" if quick else "1GB"
    video = snapshot_sizes.cached_video(snapshot_sizes.FULL_FILES[label], progress)
    progress.step(f"storyboard: {label} file through the counting proxy")
    return {label: measure(video)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    seconds = snapshot_sizes.FULL_FILES["1GB"]
    parser.add_argument("--seconds", type=float, default=seconds, help="video length")
    args = parser.parse_args()
    print(json.dumps(measure(snapshot_sizes.cached_video(args.seconds, Progress()))))


if __name__ == "__main__":
    main()
