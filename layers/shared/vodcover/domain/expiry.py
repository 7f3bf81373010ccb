"""How long a record may wait on something, and what it becomes once it has waited too long.

- ``Uploading``: the object can land only through the presigned URL (valid ``url_ttl`` from the
  record's creation) or the pull worker. Once the URL has expired, plus a margin for a PUT begun
  just before, nothing will come: ``UploadFail`` with ``Upload.Expired``. A pull whose worker
  died looks the same and gets the same rule.
- ``UploadSucc``/``Processing``: Lambda keeps retrying an event for at most an hour
  (``MaximumEventAgeInSeconds``), each attempt bounded by the function's timeout. Past that,
  nothing will finish it: ``ProcessFail`` with ``Process.Stalled``. A smart-cover analysis
  (``smartCover.status`` ``Processing``) likewise ends ``Failed`` with ``Process.Stalled``.

Neither end state is a verdict (:mod:`vodcover.domain.failures`): an object that lands late
still gets processed, a late retry still completes. So the rule is safe to apply early, when a
record is read (:func:`as_seen`), and to store, by the sweeper (:func:`expire_overdue`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from vodcover.domain.smart_cover import fail_smart_cover, is_smart_cover_running
from vodcover.errors import ProcessStalled, UploadExpired
from vodcover.models import ErrorInfo, VideoRecord, VideoStatus

UPLOAD_MARGIN_SECONDS = 600.0  # a PUT started just before the URL expired may still be running
# Lambda's MaximumEventAgeInSeconds (template: 3600) + the media functions' timeout (300) + a margin.
PROCESSING_WINDOW_SECONDS = 3600.0 + 300.0 + 600.0

# What a record can wait on: the three waiting statuses, and a smart-cover analysis (a Normal
# video whose smartCover is Processing). The sweeper's sparse index holds only such records,
# keyed by this value (:func:`waiting_key`).
SMART_COVER = "SmartCover"
WAITING_KEYS = (
    VideoStatus.UPLOADING.value,
    VideoStatus.UPLOAD_SUCC.value,
    VideoStatus.PROCESSING.value,
    SMART_COVER,
)


@dataclass(frozen=True)
class Deadlines:
    """Seconds a record may wait, counted from :func:`waiting_since`."""

    upload_seconds: float
    processing_seconds: float = PROCESSING_WINDOW_SECONDS

    @classmethod
    def for_url_ttl(cls, url_ttl_seconds: float) -> Deadlines:
        return cls(upload_seconds=url_ttl_seconds + UPLOAD_MARGIN_SECONDS)

    def allowed(self, key: str) -> float:
        """How long a record waiting on ``key`` (one of :data:`WAITING_KEYS`) may wait."""
        if key not in WAITING_KEYS:
            raise ValueError(f"{key} waits on nothing")
        return self.upload_seconds if key == VideoStatus.UPLOADING else self.processing_seconds

    def cutoff(self, key: str, now: datetime) -> str:
        """Records waiting on ``key`` since before this timestamp are overdue (an index query's bound)."""
        return timestamp(now - timedelta(seconds=self.allowed(key)))


def waiting_key(record: VideoRecord) -> str | None:
    """What ``record`` waits on (a :data:`WAITING_KEYS` value), or None when it waits on nothing."""
    if record.status in (VideoStatus.UPLOADING, VideoStatus.UPLOAD_SUCC, VideoStatus.PROCESSING):
        return record.status.value
    if is_smart_cover_running(record):
        return SMART_COVER
    return None


def is_overdue(record: VideoRecord, now: datetime, deadlines: Deadlines) -> bool:
    key = waiting_key(record)
    if key is None:
        return False
    return parse_timestamp(waiting_since(record)) + timedelta(seconds=deadlines.allowed(key)) < now


def waiting_since(record: VideoRecord) -> str:
    """An upload waits from its creation (when its URL was signed; a rename does not extend it),
    processing and analysis from the last change (when they started). Both are at or after
    ``created_at``, which is why the sweeper's index, ordered by ``createdAt``, finds them all."""
    return record.created_at if record.status == VideoStatus.UPLOADING else record.updated_at


def expire_overdue(current: VideoRecord | None, *, now: datetime, deadlines: Deadlines) -> VideoRecord | None:
    """The record ended with the reason it waited too long; None when it is not (or no longer) overdue."""
    if current is None or not is_overdue(current, now, deadlines):
        return None
    if current.status == VideoStatus.UPLOADING:
        return current.changed(
            status=VideoStatus.UPLOAD_FAIL, error=upload_expired(), updated_at=timestamp(now)
        )
    if current.status != VideoStatus.NORMAL:
        return current.changed(
            status=VideoStatus.PROCESS_FAIL, error=process_stalled(), updated_at=timestamp(now)
        )
    # An analysis that will never finish: Failed, so the user may start another one.
    return fail_smart_cover(current, source=current.source, error=process_stalled(), now=timestamp(now))


def as_seen(record: VideoRecord, now: datetime, deadlines: Deadlines) -> VideoRecord:
    """What a reader is shown: an overdue record as the sweeper will store it, never a stale wait."""
    return expire_overdue(record, now=now, deadlines=deadlines) or record


def upload_expired() -> ErrorInfo:
    return ErrorInfo.of(
        UploadExpired("The upload URL expired before the video arrived; create the upload again.")
    )


def process_stalled() -> ErrorInfo:
    return ErrorInfo.of(
        ProcessStalled("Processing stopped without a result; register or upload the video again.")
    )


def timestamp(moment: datetime) -> str:
    """The records' timestamp format (``models.utc_now``): sortable as text, so usable in key ranges."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_timestamp(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
