"""The sweeper: records that waited too long end in a failure status instead of waiting for ever.

Run on a schedule (every few minutes deployed; periodically by ``vodcover local``). For each
waiting status it asks the sparse ``byWaitingStatus`` index for records created before the
deadline (:mod:`vodcover.domain.expiry` says which are overdue and what they become), and ends
each with a conditional write of that pure rule: a record that moved on meanwhile (the object
landed, the job finished) is left alone. Ending a record is never destructive: an object that
lands late or a late retry carries on over ``Upload.Expired`` / ``Process.Stalled``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from botocore.exceptions import BotoCoreError, ClientError

from vodcover import observability
from vodcover.dal.events import EventPublisher, EventType
from vodcover.dal.videos import Mutation, UpdateOutcome
from vodcover.domain.expiry import WAITING_KEYS, Deadlines, expire_overdue
from vodcover.errors import PublishFailed, VodcoverError
from vodcover.models import VideoStatus

logger = logging.getLogger(__name__)

MAX_RECORDS_PER_RUN = 1000  # bounds one run's time; the next run carries on with the rest


class WaitingVideos(Protocol):
    """What the sweeper needs of the Videos table (``DynamoVideoRepository``)."""

    def waiting_ids(self, waiting: str, *, created_before: str) -> Iterable[str]: ...

    def update(self, video_id: str, mutate: Mutation) -> UpdateOutcome: ...


@dataclass
class SweepResult:
    expired: list[str] = field(default_factory=list)  # Uploading -> UploadFail (Upload.Expired)
    stalled: list[str] = field(default_factory=list)  # UploadSucc/Processing -> ProcessFail (Process.Stalled)
    smart_stalled: list[str] = field(
        default_factory=list
    )  # smartCover Processing -> Failed (Process.Stalled)
    errors: int = 0  # records that could not be ended this run (the next run tries again)


class UploadSweeper:
    def __init__(
        self,
        *,
        videos: WaitingVideos,
        deadlines: Deadlines,
        events: EventPublisher | None = None,
        max_records: int = MAX_RECORDS_PER_RUN,
    ) -> None:
        self._videos = videos
        self._deadlines = deadlines
        self._events = events
        self._max_records = max_records

    @observability.traced
    def run(self, now: datetime | None = None) -> SweepResult:
        moment = now or datetime.now(UTC)
        result = SweepResult()
        seen = 0
        for waiting in WAITING_KEYS:
            cutoff = self._deadlines.cutoff(waiting, moment)
            for video_id in self._videos.waiting_ids(waiting, created_before=cutoff):
                if seen >= self._max_records:
                    logger.info("sweep stopped after %d records; the next run goes on", seen)
                    return result
                seen += 1
                self._end(video_id, moment, result)
        return result

    def _end(self, video_id: str, now: datetime, result: SweepResult) -> None:
        try:
            outcome = self._videos.update(
                video_id, lambda current: expire_overdue(current, now=now, deadlines=self._deadlines)
            )
        except (VodcoverError, BotoCoreError, ClientError) as exc:
            # One record must not stop the sweep of the others; it is still overdue next run.
            logger.warning("video %s: could not be ended this run: %s", video_id, exc)
            result.errors += 1
            return
        record = outcome.record
        if not outcome.written or record is None:
            return  # moved on meanwhile, or not overdue after all (created long ago, started lately)
        if record.status == VideoStatus.NORMAL:
            logger.info("video %s: smart cover ended Failed (stalled)", video_id)
            result.smart_stalled.append(video_id)
            return
        if record.error is None:
            return
        logger.info("video %s: ended %s (%s)", video_id, record.status, record.error.code)
        observability.count_failure(record.error.code)
        if record.status == VideoStatus.UPLOAD_FAIL:
            result.expired.append(video_id)
            return
        result.stalled.append(video_id)
        if self._events is not None:
            # Consumers waiting for SnapshotComplete or ProcessFailed hear the outcome, as from the job.
            detail = {"videoId": video_id, "code": record.error.code, "message": record.error.message}
            try:
                self._events.publish(EventType.PROCESS_FAILED, detail)
            except (PublishFailed, BotoCoreError, ClientError) as exc:
                logger.warning("video %s: ProcessFailed not announced: %s", video_id, exc)
                result.errors += 1
