"""What a storyboard costs on a 1 GB 1080p file: bytes read (every byte counted by a proxy in
front of a plain range origin) and seconds, against the file's size and duration.

    python -m bench.storyboard_cost [--seconds 280] [--work build/bench]

The file is bench/snapshot_bytes.py's (1080p30 at ~30 Mb/s, a keyframe every 2 s, moov at the
front), cached in the work folder. The storyboard is made exactly as the job makes it.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.snapshot_bytes import encode_large_video, start_file_origin
from tests.support.counting_proxy import CountingProxy
from vodcover.domain.storyboards import TILE_WIDTH, plan_storyboard
from vodcover.media.storyboard import make_storyboard


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=280.0, help="video length (280 s: about 1 GB)")
    parser.add_argument("--work", type=Path, default=Path("build/bench"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    video = args.work / f"large-{args.seconds:g}s.mp4"
    if not video.exists():
        encode_large_video(video, args.seconds, faststart=True)
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
    plan = plan_storyboard(images.duration)
    print(
        json.dumps(
            {
                "fileBytes": size,
                "duration": images.duration,
                "tiles": len(images.tile_times),
                "sheets": len(images.sheets),
                "interval": plan.interval,
                "bytesRead": read,
                "readShare": round(read / size, 5),
                "seconds": round(seconds, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
