"""Reading videos: one, several by id, the caller's library page by page, a video's cover history.

Records come back as stored; the wire format's views show them as they stand now (an overdue
wait as the sweeper will store it, ``domain.expiry.as_seen``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vodcover.dal.videos import Page, VideoRepository
from vodcover.domain import keys
from vodcover.domain.cover_history import current_index, history_of
from vodcover.domain.videos import partition_by_owner, require_readable
from vodcover.models import CoverHistoryEntry, VideoRecord


@dataclass(frozen=True)
class BatchRead:
    found: list[VideoRecord]
    missing: list[str]
    forbidden: list[str]


@dataclass(frozen=True)
class CoverHistory:
    """``GET /videos/{id}/covers``: newest first; ``current`` indexes the cover (None: no cover)."""

    video_id: str
    entries: list[CoverHistoryEntry]
    current: int | None


class Reads:
    def __init__(self, *, videos: VideoRepository) -> None:
        self._videos = videos

    def get(self, caller: str, video_id: str) -> VideoRecord:
        return require_readable(self._videos.get(video_id), video_id, caller)

    def get_many(self, caller: str, video_ids: Sequence[str]) -> BatchRead:
        # An id no video can have (``../x``, 600 emoji: past DynamoDB's 2048-byte key) is simply
        # missing; asking DynamoDB for it could only fail.
        records = self._videos.get_many([v for v in video_ids if keys.VIDEO_ID_PATTERN.match(v)])
        split = partition_by_owner(video_ids, records, caller)
        return BatchRead([records[video_id] for video_id in split.owned], split.missing, split.forbidden)

    def library_page(self, caller: str, *, limit: int, next_token: str | None) -> Page:
        return self._videos.list_by_owner(caller, limit=limit, next_token=next_token)

    def cover_history(self, caller: str, video_id: str) -> CoverHistory:
        record = self.get(caller, video_id)
        return CoverHistory(video_id, history_of(record), current_index(record))
