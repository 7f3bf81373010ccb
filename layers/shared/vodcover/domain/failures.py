"""Failures no verdict on the video explains, and which recorded failures a later attempt may overtake.

A job that meets an exception it has no name for records it (``Internal.Unexpected``) so the
record never stays ``Processing``/``Uploading``, then lets Lambda retry. A record that waited
too long is ended by the sweeper (``Upload.Expired``, ``Process.Stalled``). Each of these says
"nothing decided this", so a later attempt (a Lambda retry, a redriven event, an object landing
late) may carry on over it; a verdict (``Media.Corrupt``, ``SourceUrl.Forbidden``) is final.
"""

from __future__ import annotations

from vodcover.errors import InternalUnexpected, ProcessStalled, UploadExpired
from vodcover.models import ErrorInfo, VideoRecord, VideoStatus

OVERTAKABLE_CODES = frozenset({InternalUnexpected.code, UploadExpired.code, ProcessStalled.code})


def unexpected_error() -> ErrorInfo:
    """What a user sees for a failure of ours: stable, and free of internals (those go to the logs)."""
    return ErrorInfo.of(
        InternalUnexpected("An internal error stopped the work on this video; it has been logged.")
    )


def is_overtakable(record: VideoRecord | None, status: VideoStatus) -> bool:
    """True when ``record`` is in ``status`` for a reason a later attempt may overtake."""
    return (
        record is not None
        and record.status == status
        and record.error is not None
        and record.error.code in OVERTAKABLE_CODES
    )
