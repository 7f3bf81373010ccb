"""The screenshot job: an object landed under ``uploads/``; give its video snapshots and a cover.

At-least-once and out-of-order delivery are expected: every step is a conditional write of a
pure domain function, snapshot keys are content-addressed (a retry writes the same keys), and a
finished object is not redone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vodcover import observability
from vodcover.dal.events import EventPublisher, EventType
from vodcover.dal.objects import MediaStore
from vodcover.dal.videos import VideoRepository
from vodcover.domain import keys, processing
from vodcover.domain import videos as video_rules
from vodcover.domain.cover_history import cover_changed_detail
from vodcover.domain.failures import unexpected_error
from vodcover.errors import MediaError, MediaUnavailable, VodcoverError
from vodcover.jobs.captured import CapturedSnapshots, SnapshotCapture, media_info
from vodcover.jobs.outcomes import JobResult, Outcome
from vodcover.jobs.retries import is_transient
from vodcover.jobs.snapshot_store import snapshot_complete_detail, store_capture
from vodcover.models import (
    CoverSource,
    ErrorInfo,
    SourceObject,
    VideoRecord,
    VideoStatus,
    utc_now,
)
from vodcover.usecases.cover_derivatives import CoverDerivatives
from vodcover.usecases.cover_images import CoverImages
from vodcover.usecases.deletion import erase_if_deleted

logger = logging.getLogger(__name__)

# What this job writes, and so erases when its video was deleted meanwhile: a late upload too.
JOB_FOLDERS = ("uploads/", "snapshots/", "covers/", "storyboard/")


@dataclass(frozen=True)
class SnapshotOptions:
    count: int
    width: int
    quality: int


class ScreenshotJob:
    def __init__(
        self,
        *,
        videos: VideoRepository,
        store: MediaStore,
        events: EventPublisher,
        capture: SnapshotCapture,
        options: SnapshotOptions,
        cover_images: CoverImages | None = None,
        derivatives: CoverDerivatives | None = None,
        on_snapshots_done: Callable[[VideoRecord], None] | None = None,
    ) -> None:
        self._videos = videos
        self._cover_images = cover_images
        # Without the media tools (tests of the record rules): no renditions, the same tidying.
        self._derivatives = derivatives or CoverDerivatives(store=store, videos=videos, derive=None)
        self._store = store
        self._events = events
        self._capture = capture
        self._options = options
        self._on_done = on_snapshots_done

    def resolve_video_id(self, key: str) -> str:
        """The {videoId} folder when a record by that id expects this key, else a key-derived id."""
        upload = keys.parse_upload_key(key)
        if upload.claimed_video_id:
            if self._videos.is_deleted(upload.claimed_video_id):
                return upload.claimed_video_id  # a late event of a deleted video: the job does nothing
            record = self._videos.get(upload.claimed_video_id)
            if record is not None and (record.source is None or record.source.key == key):
                return upload.claimed_video_id
        return keys.orphan_video_id(key)

    @observability.traced
    def run(self, key: str, *, video_id: str, size: int, etag: str, timeout: float) -> JobResult:
        """Process the object at ``key`` for ``video_id`` (from :meth:`resolve_video_id`).

        A failure with no name ends the record ``ProcessFail`` (``Internal.Unexpected``) before
        it propagates; transient ones propagate alone (see :mod:`vodcover.jobs.retries`).
        """
        source = SourceObject(key=key, size=size, etag=etag)
        try:
            return self._run(key, video_id, source, timeout)
        except Exception as exc:
            if is_transient(exc):
                raise
            logger.exception("video %s: unexpected failure; recording it", video_id)
            try:
                self._fail(video_id, source, unexpected_error())
            except Exception:
                logger.exception("video %s: recording the failure failed too", video_id)
            raise

    def _run(self, key: str, video_id: str, source: SourceObject, timeout: float) -> JobResult:
        upload = keys.parse_upload_key(key)
        landed = self._videos.update(
            video_id,
            lambda current: processing.record_upload(
                current, video_id=video_id, source=source, file_name=upload.file_name, now=utc_now()
            ),
        )
        if landed.record is None and erase_if_deleted(self._videos, self._store, video_id, JOB_FOLDERS):
            return JobResult(video_id, Outcome.SKIPPED, None)
        if not processing.needs_processing(landed.record, source):
            logger.info("video %s: object already processed, nothing to do", video_id)
            if landed.record is not None and landed.record.source == source:
                self._announce_outcome(landed.record)
            return JobResult(video_id, Outcome.SKIPPED, landed.record)
        # Announced on every delivery that still has work to do, not only on the first write: a
        # retry after a failed publish must not lose it (consumers see events at least once).
        self._events.publish(EventType.VIDEO_UPLOADED, {"videoId": video_id, "key": key, "size": source.size})
        if landed.record is not None and landed.record.pending_cover_url:
            self._apply_uploader_cover(video_id, landed.record.pending_cover_url)

        self._videos.update(
            video_id, lambda current: processing.start_processing(current, source=source, now=utc_now())
        )
        try:
            result = self._capture(
                self._store.job_read_url(key, for_seconds=timeout),
                count=self._options.count,
                width=self._options.width,
                quality=self._options.quality,
                timeout=timeout,
            )
        except MediaUnavailable as exc:
            if self._store.head(key) is not None:
                # The object is there but could not be read (a dropped connection, S3 5xx): not a
                # verdict on the video. Raise so Lambda retries the event (the job is idempotent).
                logger.warning("video %s: read failed, will be retried (%s)", video_id, exc.detail[-500:])
                raise
            return self._fail(video_id, source, ErrorInfo.of(exc))
        except MediaError as exc:
            logger.warning("video %s: %s (%s)", video_id, exc.code, exc.detail[-500:])
            return self._fail(video_id, source, ErrorInfo.of(exc))
        return self._complete(video_id, source, result)

    def run_registered(self, video_id: str, key: str, *, timeout: float) -> JobResult:
        """A ``register`` request recorded an existing object: process it like a fresh upload."""
        record = self._videos.get(video_id)
        if record is None or record.source is None or record.source.key != key:
            logger.warning("video %s: no registered object %s; nothing to do", video_id, key)
            return JobResult(video_id, Outcome.SKIPPED, record)
        source = record.source
        return self.run(key, video_id=video_id, size=source.size, etag=source.etag, timeout=timeout)

    def _apply_uploader_cover(self, video_id: str, cover_url: str) -> None:
        """The uploader's coverUrl, kept since creation, is fetched now that the video exists."""
        if self._cover_images is None:
            return
        try:
            prepared = self._cover_images.from_url(video_id, cover_url)
        except VodcoverError as exc:
            logger.warning(
                "video %s: uploader's cover unusable (%s); snapshots will choose", video_id, exc.code
            )
            self._videos.update(
                video_id, lambda current: video_rules.drop_pending_cover(current, cover_url, utc_now())
            )
            return
        assert prepared.data is not None  # fetched, so read
        derived = self._derivatives.derive(video_id, prepared.key, prepared.data)

        def apply(current: VideoRecord | None) -> VideoRecord | None:
            now = utc_now()
            cover = derived.cover(prepared.key, prepared.width, prepared.height, CoverSource.UPLOAD, now)
            return video_rules.apply_uploader_cover(current, cover, cover_url, now)

        outcome = self._derivatives.write(video_id, apply)
        if not outcome.written or outcome.record is None or outcome.record.cover is None:
            self._derivatives.refused(video_id, [prepared.key, *derived.keys])
            return
        if outcome.record.cover.key != prepared.key:  # a person's cover came first: ours is unused
            self._derivatives.refused(video_id, [prepared.key, *derived.keys])
            return
        self._events.publish(EventType.COVER_CHANGED, cover_changed_detail(outcome.record))

    def _complete(self, video_id: str, source: SourceObject, result: CapturedSnapshots) -> JobResult:
        current = self._videos.get(video_id)
        if not processing.needs_processing(current, source):
            # Replaced (or finished by a newer run) while we captured: our frames describe an
            # object the record no longer names; storing them would only leave garbage.
            logger.info("video %s: object replaced while capturing; results dropped", video_id)
            return JobResult(video_id, Outcome.SKIPPED, current)
        captured = store_capture(
            self._store,
            self._derivatives,
            video_id,
            result,
            person_cover=current is not None and current.has_person_cover,
            now=utc_now(),
        )
        media = media_info(result.probe, size=source.size)

        def complete(current: VideoRecord | None) -> VideoRecord | None:
            return processing.complete_snapshots(
                current,
                source=source,
                media=media,
                snapshots=captured.snapshots,
                default_cover=captured.default_cover,
                now=utc_now(),
            )

        # Once it lands: old snapshots and cover renditions no record names any more are deleted.
        outcome = self._derivatives.write(video_id, complete)
        record = outcome.record
        if record is None and erase_if_deleted(self._videos, self._store, video_id, JOB_FOLDERS):
            return JobResult(video_id, Outcome.SKIPPED, None)
        if not outcome.written or record is None:
            logger.info("video %s: object replaced while processing; results dropped", video_id)
            self._derivatives.refused(video_id, captured.keys)
            return JobResult(video_id, Outcome.SKIPPED, record)
        captured.tidy_after(self._derivatives, video_id, record)
        self._announce_outcome(record)
        if self._on_done is not None:
            self._on_done(record)
        return JobResult(video_id, Outcome.PROCESSED, record)

    def _fail(self, video_id: str, source: SourceObject, error: ErrorInfo) -> JobResult:
        observability.count_failure(error.code)
        outcome = self._videos.update(
            video_id,
            lambda current: processing.fail_processing(current, source=source, error=error, now=utc_now()),
        )
        if outcome.written and outcome.record is not None:
            self._announce_outcome(outcome.record)
        return JobResult(video_id, Outcome.FAILED, outcome.record)

    def _announce_outcome(self, record: VideoRecord) -> None:
        """``SnapshotComplete`` or ``ProcessFailed``, read off the record as stored.

        Built from the record, so a redelivered event (say, after the publish itself failed)
        announces exactly what the first delivery would have: events are at least once.
        """
        if record.status == VideoStatus.NORMAL:
            self._events.publish(EventType.SNAPSHOT_COMPLETE, snapshot_complete_detail(record))
        elif record.status == VideoStatus.PROCESS_FAIL and record.error is not None:
            error = record.error
            detail: dict[str, Any] = {
                "videoId": record.video_id,
                "code": error.code,
                "message": error.message,
            }
            self._events.publish(EventType.PROCESS_FAILED, detail)
