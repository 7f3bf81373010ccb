"""Storyboards (docs/design.md, "Storyboard"): how many tiles, how they sit on the sheets, the
WebVTT file players read, and what making one does to the record. Pure functions.

A tile every ``interval`` seconds, the interval the first "round" value that keeps a video at
most ``MAX_TILES`` tiles (so a video of 50 s or more has 50-100 of them, a shorter one one per
second); sheets of ``COLUMNS`` x ``ROWS`` tiles, several for longer videos. Each cue of the
VTT covers one interval and points at its tile as ``<sheet>#xywh=x,y,w,h`` (Media Fragments),
which video.js, Plyr and Vidstack read for their scrub previews.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass

from vodcover.errors import IllegalStatus
from vodcover.models import ErrorInfo, JobStatus, SourceObject, Storyboard, VideoRecord, VideoStatus

TILE_WIDTH = 160
MAX_TILES = 100
COLUMNS = 5
ROWS = 5
ROUND_INTERVALS = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60, 90, 120, 180, 300, 600, 900, 1800, 3600)
SHEET_NAME = "{index}.jpg"  # relative to the VTT: sheets and VTT share one folder


@dataclass(frozen=True)
class StoryboardPlan:
    duration: float
    interval: float
    tiles: int
    columns: int = COLUMNS
    rows: int = ROWS

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    @property
    def sheet_count(self) -> int:
        return -(-self.tiles // self.per_sheet)

    def tile_moments(self) -> list[float]:
        """The middle of each tile's span: the moment its picture should come from."""
        return [round(min(self.duration, (i + 0.5) * self.interval), 3) for i in range(self.tiles)]


def plan_storyboard(duration: float) -> StoryboardPlan:
    if duration <= 0:
        raise ValueError("duration must be positive")
    wanted = duration / MAX_TILES
    interval = next((float(v) for v in ROUND_INTERVALS if v >= wanted), float(math.ceil(wanted)))
    return StoryboardPlan(duration=duration, interval=interval, tiles=max(1, math.ceil(duration / interval)))


def tile_region(
    plan: StoryboardPlan, n: int, tile_width: int, tile_height: int
) -> tuple[int, int, int, int, int]:
    """``(sheet, x, y, w, h)`` of tile ``n``."""
    sheet, place = divmod(n, plan.per_sheet)
    row, column = divmod(place, plan.columns)
    return sheet, column * tile_width, row * tile_height, tile_width, tile_height


def webvtt(plan: StoryboardPlan, tile_width: int, tile_height: int, tiles: int) -> str:
    """The WebVTT file: one cue per tile, its span ``[n * interval, (n + 1) * interval)``."""
    lines = ["WEBVTT", ""]
    for n in range(tiles):
        start = n * plan.interval
        end = plan.duration if n == tiles - 1 else min(plan.duration, (n + 1) * plan.interval)
        sheet, x, y, w, h = tile_region(plan, n, tile_width, tile_height)
        lines += [
            f"{_timestamp(start)} --> {_timestamp(max(end, start + 0.001))}",
            f"{SHEET_NAME.format(index=sheet)}#xywh={x},{y},{w},{h}",
            "",
        ]
    return "\n".join(lines)


def _timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def new_run() -> str:
    """A storyboard's own folder name: a player holding the last VTT never mixes in new sheets."""
    return uuid.uuid4().hex[:12]


# --- the record ----------------------------------------------------------------------------
def start_storyboard(record: VideoRecord, *, run: str, now: str) -> VideoRecord | None:
    """Mark a storyboard as being made (a finished one stays readable meanwhile); a repeat while
    one is made changes nothing. Needs a ``Normal`` video with a picture."""
    if record.status != VideoStatus.NORMAL or record.media is None or not record.media.has_video:
        raise IllegalStatus("A storyboard can be made only for a Normal video with a picture.")
    current = record.storyboard
    if current is not None and current.status == JobStatus.PROCESSING:
        return None
    base = (
        current.model_copy(update={"error": None})
        if current is not None
        else Storyboard(status=JobStatus.PROCESSING)
    )
    return record.changed(
        storyboard=base.model_copy(update={"status": JobStatus.PROCESSING, "run": run}), updated_at=now
    )


def is_current_run(record: VideoRecord | None, run: str, source: SourceObject | None = None) -> bool:
    return (
        record is not None
        and record.storyboard is not None
        and record.storyboard.run == run
        and record.storyboard.status == JobStatus.PROCESSING
        and (source is None or record.source == source)
    )


def complete_storyboard(
    record: VideoRecord | None, *, run: str, source: SourceObject, made: Storyboard, now: str
) -> VideoRecord | None:
    if not is_current_run(record, run, source):
        return None  # restarted, replaced or deleted meanwhile: the results are dropped
    assert record is not None
    return record.changed(
        storyboard=made.model_copy(update={"status": JobStatus.DONE, "run": run}), updated_at=now
    )


def fail_storyboard(
    record: VideoRecord | None, *, run: str, error: ErrorInfo, now: str
) -> VideoRecord | None:
    if not is_current_run(record, run):
        return None
    assert record is not None and record.storyboard is not None
    failed = record.storyboard.model_copy(update={"status": JobStatus.FAILED, "error": error})
    return record.changed(storyboard=failed, updated_at=now)
