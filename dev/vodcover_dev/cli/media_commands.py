"""``vodcover probe`` and ``vodcover snapshots``.

Media modules (ffmpeg, Pillow) are imported when a command runs, not when the parser is built,
so ``vodcover --help`` and other commands stay fast.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from vodcover.settings import MediaToolSettings, settings_for
from vodcover_dev.cli import bounded_option, progress, redacted

MAX_SNAPSHOT_COUNT = 32


def register(subparsers: Any) -> None:
    probe_parser = subparsers.add_parser(
        "probe", help="describe a video: duration, displayed size, rotation, fps, codec, audio"
    )
    probe_parser.add_argument("video", metavar="VIDEO", help="local path or http(s) URL")
    probe_parser.add_argument("--json", action="store_true", help="print one JSON document")
    probe_parser.set_defaults(run=run_probe)

    snapshots_parser = subparsers.add_parser(
        "snapshots", help="write N JPEG snapshots spread over a video and pick the default cover"
    )
    snapshots_parser.add_argument("video", metavar="VIDEO", help="local path or http(s) URL")
    snapshots_parser.add_argument("--count", type=int, default=None, help="snapshots to take (default 8)")
    snapshots_parser.add_argument("--out", required=True, type=Path, help="directory for {n}.jpg")
    snapshots_parser.add_argument("--width", type=int, default=None, help="JPEG width, 0 = source width")
    snapshots_parser.add_argument("--quality", type=int, default=None, help="JPEG quality 1-100")
    snapshots_parser.add_argument("--json", action="store_true", help="print one JSON document")
    snapshots_parser.set_defaults(run=run_snapshots)


def run_probe(args: argparse.Namespace) -> dict[str, Any]:
    from vodcover.media.probe import probe

    return probe(args.video, timeout=settings_for(MediaToolSettings).ffmpeg_timeout_seconds).to_json()


def run_snapshots(args: argparse.Namespace) -> dict[str, Any]:
    from vodcover.media.snapshots import capture_snapshots

    settings = settings_for(MediaToolSettings)
    count = bounded_option(args.count, settings.snapshot_count, "Count", 1, MAX_SNAPSHOT_COUNT)
    width = bounded_option(args.width, settings.snapshot_width, "Width", 0, 7680)
    quality = bounded_option(args.quality, settings.jpeg_quality, "Quality", 1, 100)
    started = time.monotonic()
    progress(f"capturing {count} snapshots of {redacted(args.video)}")
    result = capture_snapshots(
        args.video, count=count, width=width, quality=quality, timeout=settings.ffmpeg_timeout_seconds
    )
    out_dir: Path = args.out
    out_dir.mkdir(parents=True, exist_ok=True)
    entries = []
    for snapshot in result.snapshots:
        path = out_dir / f"{snapshot.index}.jpg"
        path.write_bytes(snapshot.jpeg)
        entries.append(
            {"time": snapshot.time, "path": str(path), "width": snapshot.width, "height": snapshot.height}
        )
    progress(
        f"wrote {len(entries)} snapshots to {out_dir} in {time.monotonic() - started:.2f}s; "
        f"cover {result.cover_index} at {result.cover.time}s"
    )
    return {
        "duration": result.probe.duration,
        "width": result.probe.width,
        "height": result.probe.height,
        "snapshots": entries,
        "cover": result.cover_index,
    }
