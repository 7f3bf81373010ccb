"""Status rules for pull-upload, as pure functions on records (see ``domain/processing.py``).

A pulled video is created ``Uploading`` by the API; the pull worker only ever moves it to
``UploadFail``. Success needs no write here: the object landing under ``uploads/`` triggers the
screenshot job, which records ``UploadSucc`` and carries on as for any upload.
"""

from __future__ import annotations

from vodcover.models import ErrorInfo, VideoRecord, VideoStatus


def awaits_pull(record: VideoRecord | None) -> bool:
    """True while the source has not landed: a repeated or late invocation must do nothing."""
    return record is not None and record.status == VideoStatus.UPLOADING and record.source is None


def fail_pull(current: VideoRecord | None, *, error: ErrorInfo, now: str) -> VideoRecord | None:
    """``UploadFail`` with ``error``, only from ``Uploading``.

    The object may have landed (and the screenshot job moved the record on) while this
    invocation failed, e.g. a duplicate delivery: then the record is right as it is.
    """
    if current is None or not awaits_pull(current):
        return None
    return current.changed(status=VideoStatus.UPLOAD_FAIL, error=error, updated_at=now)
