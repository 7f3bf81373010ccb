"""What every job answers its handler: which video, what became of it, the record as stored."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from vodcover.models import VideoRecord


class Outcome(StrEnum):
    PROCESSED = "processed"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class JobResult:
    video_id: str
    outcome: Outcome
    record: VideoRecord | None
