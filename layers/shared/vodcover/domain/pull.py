"""Status rules for pull-upload, as pure functions on records (see ``domain/processing.py``).

A pulled video is created ``Uploading`` by the API; the pull worker only ever moves it to
``UploadFail``. Success needs no write here: the object landing under ``uploads/`` triggers the
screenshot job, which records ``UploadSucc`` and carries on as for any upload.
"""

from __future__ import annotations

from vodcover.domain.failures import is_overtakable
from vodcover.models import ErrorInfo, VideoRecord, VideoStatus


def awaits_pull(record: VideoRecord | None) -> bool:
    """True while the source has not landed: a repeated or late invocation must do nothing.

    An ``UploadFail`` that decided nothing (an internal error, the expiry sweeper) still awaits
    it: a Lambda retry of the pull carries on over it.
    """
    return (
        record is not None
        and record.source is None
        and (record.status == VideoStatus.UPLOADING or is_overtakable(record, VideoStatus.UPLOAD_FAIL))
    )


def fail_pull(current: VideoRecord | None, *, error: ErrorInfo, now: str) -> VideoRecord | None:
    """``UploadFail`` with ``error``, only from ``Uploading``.

    The object may have landed (and the screenshot job moved the record on) while this
    invocation failed, e.g. a duplicate delivery: then the record is right as it is.
    """
    if current is None or not awaits_pull(current):
        return None
    return current.changed(status=VideoStatus.UPLOAD_FAIL, error=error, updated_at=now)
