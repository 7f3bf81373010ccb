"""Changing a video: info, and the cover from a URL, a snapshot, a candidate, a moment or an upload.

The image is prepared first (fetched, checked, stored under ``covers/`` by content digest), then
the record is changed in one conditional write that re-checks ownership and status on the
freshest record. If that write is refused, the image just stored is removed again: nothing is
left that no record points at.
"""

from __future__ import annotations

import logging

from vodcover.commands import VideoChanges
from vodcover.cover_media.protocol import CoverMedia
from vodcover.dal.events import EventPublisher, EventType
from vodcover.dal.objects import MediaStore
from vodcover.dal.videos import VideoRepository
from vodcover.domain.videos import (
    InfoChanges,
    apply_info,
    apply_person_cover,
    candidate_for_cover,
    require_cover_changeable,
    require_readable,
    require_time_within,
    snapshot_for_cover,
)
from vodcover.models import VideoRecord, utc_now
from vodcover.settings import CoverEditingSettings
from vodcover.usecases.cover_images import CoverImages, PreparedCover
from vodcover.usecases.cover_urls import CoverUrls

logger = logging.getLogger(__name__)


class VideoEditor:
    def __init__(
        self,
        *,
        videos: VideoRepository,
        store: MediaStore,
        events: EventPublisher,
        settings: CoverEditingSettings,
        media: CoverMedia,
    ) -> None:
        self._videos = videos
        self._store = store
        self._events = events
        self._settings = settings
        self._media = media  # image checks and coverTime frames (the cover media function)
        self._images = CoverImages(store=store, settings=settings, media=media)
        self._cover_urls = CoverUrls(videos=videos, store=store, settings=settings)

    # --- one video ----------------------------------------------------------------------
    def update(self, caller: str, video_id: str, changes: VideoChanges) -> VideoRecord:
        record = require_readable(self._videos.get(video_id), video_id, caller)
        if changes.cover_choices():
            require_cover_changeable(record)
        if changes.cover_url is not None:
            self._cover_urls.check(caller, changes.cover_url)
        prepared = self._prepare_cover(record, changes)
        info = InfoChanges(title=changes.title, description=changes.description, tags=changes.tags)
        return self._write(
            caller, video_id, info, prepared, previous_cover=record.cover.key if record.cover else None
        )

    def upload_cover(self, caller: str, video_id: str, data: bytes) -> VideoRecord:
        record = require_readable(self._videos.get(video_id), video_id, caller)
        require_cover_changeable(record)
        prepared = self._images.from_bytes(video_id, data)
        return self._write(
            caller,
            video_id,
            InfoChanges(),
            prepared,
            previous_cover=record.cover.key if record.cover else None,
        )

    def _write(
        self,
        caller: str,
        video_id: str,
        info: InfoChanges,
        prepared: PreparedCover | None,
        *,
        previous_cover: str | None,
    ) -> VideoRecord:
        replaced: list[str | None] = [previous_cover]

        def change(current: VideoRecord | None) -> VideoRecord:
            now = utc_now()
            updated = apply_info(require_readable(current, video_id, caller), info, now)
            if prepared is not None:
                updated = apply_person_cover(updated, prepared.key, prepared.width, prepared.height, now)
                # The cover this write replaces is the one in the record it is applied to: a
                # rival's cover, written between our read and our write, is replaced too.
                replaced[0] = cover_key_of(current)
            return updated

        try:
            outcome = self._videos.update(video_id, change)
        except Exception:
            if prepared is not None:
                self._discard_unless_named(video_id, prepared)
            raise
        record = outcome.record
        assert record is not None  # change() never returns None
        if prepared is not None and outcome.written:
            self._events.publish(
                EventType.COVER_CHANGED, {"videoId": video_id, "source": "user", "key": prepared.key}
            )
            # Only after the conditional write landed, and only the object it replaced: covers
            # have a key per write, so no other record version can still name that one.
            gone = replaced[0]
            if gone and gone.startswith("covers/") and gone != prepared.key:
                self._store.delete([gone])  # the bucket keeps it as a noncurrent version
        return record

    def _discard_unless_named(self, video_id: str, prepared: PreparedCover) -> None:
        """A failed write may still have landed (an answer lost on the way back): look first."""
        try:
            if cover_key_of(self._videos.get(video_id)) != prepared.key:
                self._images.discard(prepared)
        except Exception:  # a leaked object is better than a dangling cover
            logger.warning("video %s: could not tidy up %s", video_id, prepared.key, exc_info=True)

    # --- preparing the image --------------------------------------------------------------
    def _prepare_cover(self, record: VideoRecord, changes: VideoChanges) -> PreparedCover | None:
        video_id = record.video_id
        if changes.cover_url is not None:
            return self._images.from_url(video_id, changes.cover_url)
        if changes.cover_snapshot is not None:
            return self._images.copy_generated(video_id, *snapshot_for_cover(record, changes.cover_snapshot))
        if changes.cover_candidate is not None:
            return self._images.copy_generated(
                video_id, *candidate_for_cover(record, changes.cover_candidate)
            )
        if changes.cover_time is not None:
            require_time_within(record, changes.cover_time)
            assert record.source is not None  # analysed videos have a source
            frame = self._media.frame_at(
                self._store.job_read_url(
                    record.source.key, for_seconds=self._settings.ffmpeg_timeout_seconds
                ),
                changes.cover_time,
                self._settings.snapshot_width,
                self._settings.jpeg_quality,
                self._settings.ffmpeg_timeout_seconds,
            )
            return self._images.from_frame(video_id, frame.jpeg, frame.width, frame.height)
        return None


def cover_key_of(record: VideoRecord | None) -> str | None:
    return record.cover.key if record is not None and record.cover is not None else None
