"""Changing a video: info, and the cover from a URL, a snapshot, a candidate, a moment, an upload,
or an earlier cover of its history.

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
from vodcover.domain.cover_history import cover_changed_detail, entry_to_restore
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
from vodcover.models import CoverSource, VideoRecord, utc_now
from vodcover.settings import CoverEditingSettings
from vodcover.usecases.cover_derivatives import NO_DERIVATIVES, CoverDerivatives, Derivatives
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
        # Renditions and placeholder of each new cover, made where the image checks run.
        self._derivatives = CoverDerivatives(store=store, videos=videos, derive=media.derive)
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
        return self._write(caller, video_id, info, prepared)

    def upload_cover(self, caller: str, video_id: str, data: bytes) -> VideoRecord:
        record = require_readable(self._videos.get(video_id), video_id, caller)
        require_cover_changeable(record)
        prepared = self._images.from_bytes(video_id, data)
        return self._write(caller, video_id, InfoChanges(), prepared)

    def _write(
        self, caller: str, video_id: str, info: InfoChanges, prepared: PreparedCover | None
    ) -> VideoRecord:
        derived = NO_DERIVATIVES
        if prepared is not None:
            try:
                derived = self._derive(video_id, prepared)
            except Exception:
                self._derivatives.refused(video_id, [prepared.key])
                raise

        def change(current: VideoRecord | None) -> VideoRecord:
            now = utc_now()
            updated = apply_info(require_readable(current, video_id, caller), info, now)
            if prepared is not None:
                cover = derived.cover(prepared.key, prepared.width, prepared.height, CoverSource.USER, now)
                updated = apply_person_cover(updated, cover, now, set_by=caller)
            return updated

        try:
            # Once the write lands, the images only the replaced record named are deleted: covers
            # and renditions have keys per write, so no other record version names them.
            outcome = self._derivatives.write(video_id, change)
        except Exception:
            # A failed write may still have landed (an answer lost on the way back): refused()
            # looks at the stored record before removing anything.
            if prepared is not None:
                self._derivatives.refused(video_id, [prepared.key, *derived.keys])
            raise
        record = outcome.record
        assert record is not None  # change() never returns None
        if prepared is not None and outcome.written:
            self._events.publish(EventType.COVER_CHANGED, cover_changed_detail(record))
        return record

    def _derive(self, video_id: str, prepared: PreparedCover) -> Derivatives:
        if prepared.data is None:
            return self._derivatives.derive_stored(video_id, prepared.key)
        return self._derivatives.derive(video_id, prepared.key, prepared.data)

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
        if changes.cover_history is not None:
            # Resolved on the record read: what the caller saw listed is what becomes the cover,
            # even when a rival change shifts the history before our write.
            earlier = entry_to_restore(record, changes.cover_history)
            return self._images.copy_generated(video_id, earlier.key, earlier.width, earlier.height)
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
