"""Which failures of a job Lambda's retries may cure, and which must be written on the record.

Every job is invoked asynchronously (S3 notifications, ``InvocationType=Event``), so an exception
it raises makes Lambda run it again, twice, then park the event in the failure queue.

- A *transient* failure (AWS answering 5xx or throttling after botocore's own retries, a source
  read cut off, a rival writer, EventBridge refusing an entry) leaves the record as it is and
  raises: the next attempt will probably succeed. Should every attempt fail, the record waits
  in ``UploadSucc``/``Processing`` until the sweeper (:mod:`vodcover.jobs.upload_sweeper`) ends it
  with ``Process.Stalled``: never for ever.
- Anything else is a failure of ours that no retry is likely to cure (a bug, an input nobody
  foresaw: a 1x1 frame once raised ``ValueError``). The job records ``Internal.Unexpected`` at
  once, so the very attempt that may be the last leaves a decided record, then raises: Lambda's
  retries still run, carry on over that failure (it is overtakable, see
  :mod:`vodcover.domain.failures`) and, if the error persists, park the event for a redrive
  after the fix.
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from vodcover.errors import ConcurrentUpdate, MediaUnavailable, PublishFailed

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    BotoCoreError,
    ClientError,
    ConcurrentUpdate,
    MediaUnavailable,
    PublishFailed,
)


def is_transient(error: BaseException) -> bool:
    return isinstance(error, TRANSIENT_ERRORS)
