"""A snapshot job on demand (``POST /videos/{id}/snapshots``): take the asked instants again and
let them replace the video's snapshots (docs/design.md, "Snapshot jobs").

Runs in the screenshot function (``{"snapshotJob": {"videoId", "jobId"}}``); the instants and
width were fixed by the API and stored on the record, so a retried or late event takes exactly
what was asked, and one superseded by a newer request (or for a deleted video) does nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from vodcover import observability
from vodcover.dal.events import EventPublisher, EventType
from vodcover.dal.objects import MediaStore
from vodcover.dal.videos import VideoRepository
from vodcover.domain import snapshot_jobs
from vodcover.errors import MediaError, MediaUnavailable
from vodcover.jobs.captured import SnapshotCapture
from vodcover.jobs.outcomes import JobResult, Outcome
from vodcover.jobs.screenshot import JOB_FOLDERS
from vodcover.jobs.snapshot_store import delete_leftover_snapshots, snapshot_complete_detail, store_capture
from vodcover.models import ErrorInfo, utc_now
from vodcover.usecases.cover_derivatives import CoverDerivatives
from vodcover.usecases.deletion import erase_if_deleted

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SnapshotJobRequest:
    video_id: str
    job_id: str

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> SnapshotJobRequest:
        body = event["snapshotJob"]
        return cls(video_id=str(body["videoId"]), job_id=str(body["jobId"]))


class SnapshotJobRunner:
    def __init__(
        self,
        *,
        videos: VideoRepository,
        store: MediaStore,
        events: EventPublisher,
        capture: SnapshotCapture,
        quality: int,
        derivatives: CoverDerivatives | None = None,
    ) -> None:
        self._videos = videos
        self._store = store
        self._events = events
        self._capture = capture
        self._quality = quality
        # The new automatic cover gets what every cover gets (renditions, placeholder, embed/).
        self._derivatives = derivatives or CoverDerivatives(store=store, videos=videos, derive=None)

    @observability.traced
    def run(self, request: SnapshotJobRequest, *, timeout: float) -> JobResult:
        video_id, job_id = request.video_id, request.job_id
        record = self._videos.get(video_id)
        if not snapshot_jobs.is_current_job(record, job_id):
            logger.info("video %s: snapshot job %s superseded or gone; nothing to do", video_id, job_id)
            return JobResult(video_id, Outcome.SKIPPED, record)
        assert record is not None and record.snapshot_job is not None and record.source is not None
        source, job = record.source, record.snapshot_job
        try:
            result = self._capture(
                self._store.job_read_url(source.key, for_seconds=timeout),
                count=len(job.times),
                width=job.width,
                quality=self._quality,
                timeout=timeout,
                times=job.times,
                exact=job.exact,
            )
        except MediaUnavailable:
            if self._store.head(source.key) is not None:
                raise  # a cut read of an object that is there: Lambda retries
            return self._fail(request, ErrorInfo(code="Media.Unavailable", message="The video is gone."))
        except MediaError as exc:
            logger.warning("video %s: snapshot job failed: %s (%s)", video_id, exc.code, exc.detail[-500:])
            return self._fail(request, ErrorInfo(code=exc.code, message=exc.message))
        if not snapshot_jobs.is_current_job(self._videos.get(video_id), job_id, source):
            return JobResult(video_id, Outcome.SKIPPED, None)  # superseded while capturing: keys are shared
        captured = store_capture(
            self._store,
            self._derivatives,
            video_id,
            result,
            person_cover=record.has_person_cover,
            now=utc_now(),
        )
        # Once it lands: embed/ follows the new cover; images no record names any more are deleted.
        outcome = self._derivatives.write(
            video_id,
            lambda current: snapshot_jobs.complete_snapshot_job(
                current,
                job_id=job_id,
                source=source,
                snapshots=captured.snapshots,
                default_cover=captured.default_cover,
                now=utc_now(),
            ),
        )
        if outcome.record is None and erase_if_deleted(self._videos, self._store, video_id, JOB_FOLDERS):
            return JobResult(video_id, Outcome.SKIPPED, None)
        if not outcome.written or outcome.record is None:
            self._derivatives.refused(video_id, captured.derived.keys)
            return JobResult(video_id, Outcome.SKIPPED, outcome.record)
        captured.tidy_after(self._derivatives, video_id, outcome.record)
        delete_leftover_snapshots(self._store, outcome.record)
        self._events.publish(
            EventType.SNAPSHOT_COMPLETE, snapshot_complete_detail(outcome.record, job_id=job_id)
        )
        return JobResult(video_id, Outcome.PROCESSED, outcome.record)

    def _fail(self, request: SnapshotJobRequest, error: ErrorInfo) -> JobResult:
        observability.count_failure(error.code)
        outcome = self._videos.update(
            request.video_id,
            lambda current: snapshot_jobs.fail_snapshot_job(
                current, job_id=request.job_id, error=error, now=utc_now()
            ),
        )
        return JobResult(request.video_id, Outcome.FAILED, outcome.record)
