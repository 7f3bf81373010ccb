"""Status and cover rules for the snapshot job, as pure functions on records.

Each function takes the record as stored now (or None) and returns the record to store, or
None when there is nothing to do. The repository applies them with optimistic concurrency, so
they may run several times against fresher records: they must only depend on their inputs.
"""

from __future__ import annotations

from vodcover.domain.cover_history import set_cover
from vodcover.domain.failures import is_overtakable
from vodcover.models import (
    ErrorInfo,
    MediaInfo,
    SourceObject,
    StoredCover,
    StoredSnapshot,
    VideoRecord,
    VideoStatus,
)


def record_upload(
    current: VideoRecord | None, *, video_id: str, source: SourceObject, file_name: str, now: str
) -> VideoRecord | None:
    """The object landed: ``UploadSucc``. A repeated event for a finished job changes nothing."""
    if current is None:
        # Landed outside the create-upload flow: a record owned by nobody until registered.
        return VideoRecord(
            video_id=video_id,
            title=file_name,
            file_name=file_name,
            status=VideoStatus.UPLOAD_SUCC,
            created_at=now,
            updated_at=now,
            source=source,
        )
    if current.source == source:
        return None  # a repeated event: the record already knows this object
    return current.changed(
        status=VideoStatus.UPLOAD_SUCC,
        source=source,
        file_name=current.file_name or file_name,
        error=None,
        updated_at=now,
    )


def needs_processing(record: VideoRecord | None, source: SourceObject) -> bool:
    """True while this very object still awaits its snapshots (not done, not replaced).

    A ``ProcessFail`` that decided nothing (an internal error, a stall) still awaits them: a
    Lambda retry or a redriven event carries on over it.
    """
    return (
        record is not None
        and record.source == source
        and (
            record.status in (VideoStatus.UPLOAD_SUCC, VideoStatus.PROCESSING)
            or is_overtakable(record, VideoStatus.PROCESS_FAIL)
        )
    )


def start_processing(current: VideoRecord | None, *, source: SourceObject, now: str) -> VideoRecord | None:
    if current is None or current.source != source:
        return None
    if current.status != VideoStatus.UPLOAD_SUCC and not is_overtakable(current, VideoStatus.PROCESS_FAIL):
        return None
    return current.changed(status=VideoStatus.PROCESSING, error=None, updated_at=now)


def complete_snapshots(
    current: VideoRecord | None,
    *,
    source: SourceObject,
    media: MediaInfo,
    snapshots: list[StoredSnapshot],
    default_cover: StoredCover,
    now: str,
) -> VideoRecord | None:
    """``Normal``, with snapshots; the default cover only if no person has chosen one.

    If the object was replaced while we worked, our results describe the old one: drop them.
    """
    if current is None or current.source != source:
        return None
    cover = current.cover if current.has_person_cover else default_cover
    return set_cover(current, cover).changed(
        status=VideoStatus.NORMAL,
        media=media,
        snapshots=snapshots,
        error=None,
        updated_at=now,
    )


def fail_processing(
    current: VideoRecord | None, *, source: SourceObject, error: ErrorInfo, now: str
) -> VideoRecord | None:
    """``ProcessFail`` with ``error``, only while the object still awaits its snapshots.

    A concurrent delivery may have finished it meanwhile: a failure of ours never undoes that.
    """
    if not needs_processing(current, source) or current is None:
        return None
    return current.changed(status=VideoStatus.PROCESS_FAIL, error=error, updated_at=now)
