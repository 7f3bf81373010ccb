"""How long a record may wait on something, and what it becomes once it has waited too long.

- ``Uploading``: the object can land only through the presigned URL (valid ``url_ttl`` from the
  record's creation) or the pull worker. Once the URL has expired, plus a margin for a PUT begun
  just before, nothing will come: ``UploadFail`` with ``Upload.Expired``. A pull whose worker
  died looks the same and gets the same rule.
- ``UploadSucc``/``Processing``: Lambda keeps retrying an event for at most an hour
  (``MaximumEventAgeInSeconds``), each attempt bounded by the function's timeout. Past that,
  nothing will finish it: ``ProcessFail`` with ``Process.Stalled``.

Neither end state is a verdict (:mod:`vodcover.domain.failures`): an object that lands late
still gets processed, a late retry still completes. So the rule is safe to apply early, when a
record is read (:func:`as_seen`), and to store, by the sweeper (:func:`expire_overdue`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from vodcover.domain.failures import PROCESS_STALLED, UPLOAD_EXPIRED
from vodcover.models import ErrorInfo, VideoRecord, VideoStatus

UPLOAD_MARGIN_SECONDS = 600.0  # a PUT started just before the URL expired may still be running
# Lambda's MaximumEventAgeInSeconds (template: 3600) + the screenshot timeout (300) + a margin.
PROCESSING_WINDOW_SECONDS = 3600.0 + 300.0 + 600.0

# The statuses that wait on something: the sweeper's sparse index holds records only in these.
WAITING_STATUSES = (VideoStatus.UPLOADING, VideoStatus.UPLOAD_SUCC, VideoStatus.PROCESSING)


@dataclass(frozen=True)
class Deadlines:
    """Seconds a record may stay in a waiting status, counted from :func:`waiting_since`."""

    upload_seconds: float
    processing_seconds: float = PROCESSING_WINDOW_SECONDS

    @classmethod
    def for_url_ttl(cls, url_ttl_seconds: float) -> Deadlines:
        return cls(upload_seconds=url_ttl_seconds + UPLOAD_MARGIN_SECONDS)

    def allowed(self, status: VideoStatus) -> float | None:
        """How long ``status`` may last, or None when it waits on nothing."""
        if status == VideoStatus.UPLOADING:
            return self.upload_seconds
        if status in (VideoStatus.UPLOAD_SUCC, VideoStatus.PROCESSING):
            return self.processing_seconds
        return None

    def cutoff(self, status: VideoStatus, now: datetime) -> str:
        """Records in ``status`` waiting since before this timestamp are overdue (an index query's bound)."""
        allowed = self.allowed(status)
        if allowed is None:
            raise ValueError(f"{status} waits on nothing")
        return timestamp(now - timedelta(seconds=allowed))


def is_overdue(record: VideoRecord, now: datetime, deadlines: Deadlines) -> bool:
    allowed = deadlines.allowed(record.status)
    return allowed is not None and parse_timestamp(waiting_since(record)) + timedelta(seconds=allowed) < now


def waiting_since(record: VideoRecord) -> str:
    """An upload waits from its creation (when its URL was signed; a rename does not extend it),
    processing from the last change (when it started). Both are at or after ``created_at``, which
    is why the sweeper's index, ordered by ``createdAt``, finds every overdue record."""
    return record.created_at if record.status == VideoStatus.UPLOADING else record.updated_at


def expire_overdue(current: VideoRecord | None, *, now: datetime, deadlines: Deadlines) -> VideoRecord | None:
    """The record ended with the reason it waited too long; None when it is not (or no longer) overdue."""
    if current is None or not is_overdue(current, now, deadlines):
        return None
    if current.status == VideoStatus.UPLOADING:
        status, error = VideoStatus.UPLOAD_FAIL, upload_expired()
    else:
        status, error = VideoStatus.PROCESS_FAIL, process_stalled()
    return current.changed(status=status, error=error, updated_at=timestamp(now))


def as_seen(record: VideoRecord, now: datetime, deadlines: Deadlines) -> VideoRecord:
    """What a reader is shown: an overdue record as the sweeper will store it, never a stale wait."""
    return expire_overdue(record, now=now, deadlines=deadlines) or record


def upload_expired() -> ErrorInfo:
    return ErrorInfo(
        code=UPLOAD_EXPIRED,
        message="The upload URL expired before the video arrived; create the upload again.",
    )


def process_stalled() -> ErrorInfo:
    return ErrorInfo(
        code=PROCESS_STALLED,
        message="Processing stopped without a result; register or upload the video again.",
    )


def timestamp(moment: datetime) -> str:
    """The records' timestamp format (``models.utc_now``): sortable as text, so usable in key ranges."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_timestamp(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
