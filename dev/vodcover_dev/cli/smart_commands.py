"""``vodcover smart-cover``: cover candidates from distinct scenes, and an animation.

Writes ``DIR/candidate-{n}.jpg`` (best first) and, with ``--animated``, ``DIR/cover.gif`` and
``DIR/cover.webp``; answers ``{"duration", "candidates": [{"time", "score", "path"}],
"animated": {"gif", "webp"}}``. Media modules load only when the command runs.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from vodcover.errors import InvalidParameter
from vodcover.settings import MediaToolSettings, settings_for
from vodcover_dev.cli import bounded_option, progress, redacted

MAX_CANDIDATES = 16


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "smart-cover",
        help="propose K cover candidates from distinct scenes (never junk), optionally animated",
    )
    parser.add_argument("video", metavar="VIDEO", help="local path or http(s) URL")
    parser.add_argument("--count", type=int, default=None, help="candidates to propose (default 5)")
    parser.add_argument("--out", required=True, type=Path, help="directory for candidate-{n}.jpg")
    parser.add_argument("--animated", action="store_true", help="also write cover.gif and cover.webp")
    parser.add_argument("--width", type=int, default=0, help="candidate width cap, 0 = source (cover limits)")
    parser.add_argument("--quality", type=int, default=None, help="JPEG quality 1-100")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.set_defaults(run=run_smart_cover)


def run_smart_cover(args: argparse.Namespace) -> dict[str, Any]:
    from vodcover.media.smart import select_candidates

    settings = settings_for(MediaToolSettings)
    count = bounded_option(args.count, settings.candidate_count, "Count", 1, MAX_CANDIDATES)
    quality = bounded_option(args.quality, settings.jpeg_quality, "Quality", 1, 100)
    width = bounded_option(args.width, 0, "Width", 0, 7680)
    timeout = settings.ffmpeg_timeout_seconds
    started = time.monotonic()
    progress(f"analysing {redacted(args.video)} for {count} cover candidates")
    result = select_candidates(args.video, count=count, timeout=timeout, width=width, quality=quality)
    out_dir: Path = args.out
    out_dir.mkdir(parents=True, exist_ok=True)
    candidates = []
    for index, candidate in enumerate(result.candidates):
        path = out_dir / f"candidate-{index}.jpg"
        path.write_bytes(candidate.jpeg)
        candidates.append({"time": candidate.time, "score": candidate.score, "path": str(path)})
    progress(
        f"{result.analysed_frames} frames analysed, {result.scene_count} scenes, "
        f"{len(candidates)} candidates in {time.monotonic() - started:.2f}s"
    )
    answer: dict[str, Any] = {"duration": result.duration, "candidates": candidates}
    if args.animated:
        answer["animated"] = _write_animation(args.video, result, out_dir, timeout)
    return answer


def _write_animation(source: str, result: Any, out_dir: Path, timeout: float) -> dict[str, str]:
    from vodcover.media.animated import make_animated_cover

    if not result.moments:
        raise InvalidParameter("Animated", "The video has no good moment to animate.")
    started = time.monotonic()
    animation = make_animated_cover(source, result.moments, timeout=timeout)
    gif, webp = out_dir / "cover.gif", out_dir / "cover.webp"
    gif.write_bytes(animation.gif)
    webp.write_bytes(animation.webp)
    progress(
        f"animated cover: {animation.frames} frames, {animation.width}x{animation.height}, "
        f"GIF {len(animation.gif) // 1024} KB, WebP {len(animation.webp) // 1024} KB "
        f"in {time.monotonic() - started:.2f}s"
    )
    return {"gif": str(gif), "webp": str(webp)}
