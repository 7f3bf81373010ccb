"""The pull-upload job: copy a URL someone gave us into ``uploads/{videoId}/{fileName}``.

The API created the record (``Uploading``, with ``file_name``) and invoked us asynchronously.
We stream the source through :func:`vodcover.net.fetch.open_stream` (public addresses only, every
redirect re-checked, size and time capped) into the bucket part by part, never holding the
whole body. On success nothing more is written: the object's ObjectCreated event starts the
screenshot job like any upload's. On a source error the record ends ``UploadFail`` with a
``SourceUrl.*`` code and nothing is left in the bucket.

Lambda may deliver an asynchronous event twice: a run for a video no longer ``Uploading``
does nothing, and a second copy of the same source writes the same key with the same bytes.
S3 failing after botocore's retries ends the record ``UploadFail`` (``Pull.StorageFailed``); any
other failure of ours ends it ``UploadFail`` (``Internal.Unexpected``) and propagates, so that
Lambda retries the event over it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import Field

from vodcover import observability
from vodcover.dal.multipart import part_size_for, upload_chunks
from vodcover.dal.videos import VideoRepository
from vodcover.domain import keys, pull
from vodcover.domain.failures import unexpected_error
from vodcover.domain.file_names import upload_file_name
from vodcover.errors import PullStorageFailed, VodcoverError
from vodcover.models import CamelModel, ErrorInfo, VideoRecord, utc_now
from vodcover.net.fetch import SourceStream, open_stream
from vodcover.net.url_policy import MAX_URL_LENGTH, UrlPolicy

logger = logging.getLogger(__name__)


DEFAULT_TIMEOUT_SECONDS = 840.0  # Lambda's 900 s, less time to abort and record a failure
READ_CHUNK_BYTES = 1024 * 1024


class PullEvent(CamelModel):
    """The asynchronous invocation's payload: ``{"videoId": "...", "url": "..."}``."""

    video_id: str = Field(pattern=keys.VIDEO_ID_PATTERN.pattern)
    url: str = Field(min_length=1, max_length=MAX_URL_LENGTH)


@dataclass(frozen=True)
class PullOptions:
    max_bytes: int
    part_size: int
    stall_timeout: float


class Outcome(StrEnum):
    UPLOADED = "uploaded"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class PullResult:
    video_id: str
    outcome: Outcome
    key: str | None = None
    size: int = 0
    error: ErrorInfo | None = None


class StreamOpener(Protocol):
    """What the job needs to read a source (:func:`vodcover.net.fetch.open_stream`)."""

    def __call__(
        self, url: str, policy: UrlPolicy, *, timeout: float, max_bytes: int, stall_timeout: float | None
    ) -> AbstractContextManager[SourceStream]: ...


class ChunkUploader(Protocol):
    """What the job needs to write the copy (:func:`vodcover.dal.multipart.upload_chunks`)."""

    def __call__(
        self, bucket: str, key: str, chunks: Iterable[bytes], *, content_type: str, part_size: int
    ) -> int: ...


class PullJob:
    def __init__(
        self,
        *,
        videos: VideoRepository,
        bucket: str,
        policy: UrlPolicy,
        options: PullOptions,
        opener: StreamOpener = open_stream,
        uploader: ChunkUploader = upload_chunks,
    ) -> None:
        self._videos = videos
        self._bucket = bucket
        self._policy = policy
        self._options = options
        self._open = opener
        self._upload = uploader

    @observability.traced
    def run(self, video_id: str, url: str, *, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> PullResult:
        """Copy ``url`` for ``video_id``, or record why not; a no-op unless it awaits its pull."""
        record = self._videos.get(video_id)
        if record is None or not pull.awaits_pull(record):
            logger.info("video %s is not awaiting a pull; nothing to do", video_id)
            return PullResult(video_id, Outcome.SKIPPED)
        try:
            key, size = self._copy(record, url, timeout)
        except VodcoverError as exc:
            logger.warning("video %s: pull failed with %s (%s)", video_id, exc.code, exc.detail[-500:])
            return self._fail(video_id, ErrorInfo.of(exc))
        except (BotoCoreError, ClientError) as exc:
            # S3 kept failing after botocore's own retries. Say so on the record rather than leave
            # it Uploading forever once Lambda's retries run out; pulling again starts afresh.
            logger.warning("video %s: storing the pulled video failed: %s", video_id, exc)
            return self._fail(
                video_id,
                ErrorInfo.of(PullStorageFailed("The video could not be stored; pull it again.")),
            )
        except Exception:
            # A failure of ours: on the record now (this attempt may be Lambda's last), then
            # raised so the retry runs; it carries on over Internal.Unexpected (domain.pull).
            logger.exception("video %s: unexpected failure while pulling; recording it", video_id)
            try:
                self._fail(video_id, unexpected_error())
            except Exception:
                logger.exception("video %s: recording the failure failed too", video_id)
            raise
        logger.info("video %s: pulled %d bytes into %s", video_id, size, key)
        observability.count_bytes_read(size)
        return PullResult(video_id, Outcome.UPLOADED, key=key, size=size)

    def _copy(self, record: VideoRecord, url: str, timeout: float) -> tuple[str, int]:
        with self._open(
            url,
            self._policy,
            timeout=timeout,
            max_bytes=self._options.max_bytes,
            stall_timeout=self._options.stall_timeout,
        ) as stream:
            key = keys.upload_key(record.video_id, upload_file_name(record.file_name, stream.file_name))
            size = self._upload(
                self._bucket,
                key,
                stream.iter_chunks(READ_CHUNK_BYTES),
                content_type=stream.content_type,
                part_size=part_size_for(self._options.max_bytes, self._options.part_size),
            )
        return key, size

    def _fail(self, video_id: str, error: ErrorInfo) -> PullResult:
        observability.count_failure(error.code)
        self._videos.update(video_id, lambda current: pull.fail_pull(current, error=error, now=utc_now()))
        return PullResult(video_id, Outcome.FAILED, error=error)
