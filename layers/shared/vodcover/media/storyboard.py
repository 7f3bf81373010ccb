"""Storyboards: sprite sheets of small keyframe tiles, for players' scrub previews.

Made from keyframes only (docs/design.md, "Storyboard"), so the cost follows the number of
tiles, not the bitrate: an mp4 is read through its index (the keyframe fast path's ranged
reads: the ``moov`` box plus one keyframe per tile) and the chosen keyframes are decoded small in
one ffmpeg run per core. Anything else gets one ffmpeg pass that decodes keyframes only
(``-skip_frame nokey``), thinned to the tile interval by a bitstream filter; over HTTP that pass
demuxes, so reads, the whole file. Each tile shows the keyframe nearest the middle of its span.
"""

from __future__ import annotations

import io
import logging
import time
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PIL import Image

from vodcover.domain.storyboards import StoryboardPlan
from vodcover.errors import MediaCorrupt, MediaTimeout
from vodcover.media.ffmpeg import run_ffmpeg
from vodcover.media.frame_sampling import keyframe_pass_args, parse_showinfo_times, split_raw_frames
from vodcover.media.keyframes import open_keyframe_index
from vodcover.media.probe import MediaProbe, probe

logger = logging.getLogger(__name__)

SHEET_QUALITY = 70  # tiles are small and many: quality 70 keeps a 25-tile sheet near 40 KB


@dataclass(frozen=True)
class StoryboardImages:
    sheets: list[bytes]  # JPEG sprite sheets, in order
    tile_width: int
    tile_height: int
    tile_times: list[float]  # the moment each tile shows (a keyframe's time)
    duration: float


def tile_size(media: MediaProbe, tile_width: int) -> tuple[int, int]:
    """``tile_width`` wide (never wider than the picture), the displayed aspect kept, even."""
    width, height = media.picture_size
    out_width = max(2, min(tile_width, width) // 2 * 2)
    return out_width, max(2, round(height * out_width / width / 2) * 2)


def nearest_times(keyframe_times: Sequence[float], targets: Sequence[float]) -> list[int]:
    """For each target moment, the index of the nearest keyframe (sorted times)."""
    picks = []
    for target in targets:
        right = bisect_left(keyframe_times, target)
        around = [i for i in (right - 1, right) if 0 <= i < len(keyframe_times)]
        picks.append(min(around, key=lambda i: abs(keyframe_times[i] - target)))
    return picks


def make_storyboard(
    source: str,
    plan_for: Callable[[float], StoryboardPlan],
    *,
    tile_width: int,
    timeout: float,
    quality: int = SHEET_QUALITY,
) -> StoryboardImages:
    """Probe, plan (``plan_for(duration)``), take one keyframe per tile, tile the sheets."""
    deadline = time.monotonic() + timeout
    media = probe(source, timeout=timeout)
    plan = plan_for(media.duration)
    size = tile_size(media, tile_width)
    targets = plan.tile_moments()
    pictures = _from_index(source, media, targets, size, deadline)
    if pictures is None:
        pictures = _by_keyframe_pass(source, media, targets, size, plan.interval, deadline)
    if not pictures:
        raise MediaCorrupt("No keyframe of the video could be decoded for the storyboard.")
    times = [moment for moment, _ in pictures]
    tiles = [picture for _, picture in pictures]
    sheets = [
        _sheet(tiles[start : start + plan.per_sheet], plan.columns, size, quality)
        for start in range(0, len(tiles), plan.per_sheet)
    ]
    return StoryboardImages(
        sheets=sheets, tile_width=size[0], tile_height=size[1], tile_times=times, duration=media.duration
    )


def _from_index(
    source: str, media: MediaProbe, targets: list[float], size: tuple[int, int], deadline: float
) -> list[tuple[float, Image.Image]] | None:
    """One keyframe per tile through the mp4 index (each distinct keyframe decoded once)."""
    with open_keyframe_index(source, deadline=deadline, colour=media.colour, crop=media.crop) as index:
        if index is None:
            return None
        keyframes = index.keyframes
        picks = nearest_times([k.time for k in keyframes], targets)
        distinct = sorted(set(picks))
        decoded = index.decode_small([keyframes[i] for i in distinct], size)
        if decoded is None:
            return None
        by_pick = dict(zip(distinct, decoded, strict=True))
        return [by_pick[i] for i in picks]


def _by_keyframe_pass(
    source: str,
    media: MediaProbe,
    targets: list[float],
    size: tuple[int, int],
    interval: float,
    deadline: float,
) -> list[tuple[float, Image.Image]]:
    """One ffmpeg pass over keyframes at least ``interval`` apart; each tile takes the nearest."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise MediaTimeout("Making the storyboard took too long.")
    args = keyframe_pass_args(source, size=size, step=interval * 0.9, media=media)
    result = run_ffmpeg(args, timeout=left, message="The video's keyframes could not be decoded.")
    times = parse_showinfo_times(result.stderr)
    images = split_raw_frames(result.stdout, size)
    frames = list(zip(times, images, strict=False))
    if not frames:
        return []
    picks = nearest_times([t for t, _ in frames], targets)
    return [(round(frames[i][0], 3), frames[i][1]) for i in picks]


def _sheet(tiles: list[Image.Image], columns: int, size: tuple[int, int], quality: int) -> bytes:
    """Tiles left to right, top to bottom; the last row may be short."""
    rows = -(-len(tiles) // columns)
    width = size[0] * min(columns, len(tiles))
    sheet = Image.new("RGB", (width, size[1] * rows))
    for n, tile in enumerate(tiles):
        sheet.paste(tile, ((n % columns) * size[0], (n // columns) * size[1]))
    buffer = io.BytesIO()
    sheet.save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue()
