"""Writing a stream of unknown length into the media bucket without holding it in memory.

A body that fits in one part goes up with a single ``PutObject``; a longer one as an S3
multipart upload, one part at a time (so memory holds about one part). Any failure, ours or
the source's, aborts the multipart upload: S3 then keeps neither the object nor the parts
(which would otherwise be billed, invisible, until a lifecycle rule reaps them).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from vodcover.dal.aws import client

logger = logging.getLogger(__name__)

MIN_PART_BYTES = 5 * 1024 * 1024  # S3's minimum for every part but the last
MAX_PARTS = 10_000  # S3's maximum part count


def part_size_for(max_bytes: int, preferred: int) -> int:
    """``preferred``, grown (in whole MiB) if ``max_bytes`` would otherwise need > 10,000 parts."""
    needed = -(-max_bytes // MAX_PARTS)
    size = max(preferred, MIN_PART_BYTES, needed)
    mib = 1024 * 1024
    return -(-size // mib) * mib


class _MultipartUpload:
    """One started multipart upload; completes with every part or aborts."""

    def __init__(self, bucket: str, key: str, content_type: str) -> None:
        self._bucket = bucket
        self._key = key
        answer = self._s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType=content_type)
        self._upload_id: str = answer["UploadId"]
        self._parts: list[dict[str, Any]] = []

    @property
    def _s3(self) -> Any:
        return client("s3")

    def add_part(self, data: bytes) -> None:
        number = len(self._parts) + 1
        answer = self._s3.upload_part(
            Bucket=self._bucket, Key=self._key, UploadId=self._upload_id, PartNumber=number, Body=data
        )
        self._parts.append({"PartNumber": number, "ETag": answer["ETag"]})

    def complete(self) -> None:
        self._s3.complete_multipart_upload(
            Bucket=self._bucket,
            Key=self._key,
            UploadId=self._upload_id,
            MultipartUpload={"Parts": self._parts},
        )

    def abort(self) -> None:
        try:
            self._s3.abort_multipart_upload(Bucket=self._bucket, Key=self._key, UploadId=self._upload_id)
        except Exception:  # the original failure matters more; a lifecycle rule reaps leftovers
            logger.exception("could not abort multipart upload %s of %s", self._upload_id, self._key)


def upload_chunks(
    bucket: str, key: str, chunks: Iterable[bytes], *, content_type: str, part_size: int
) -> int:
    """Store the concatenated ``chunks`` at ``key``; the number of bytes stored.

    Whatever ``chunks`` raises (a source too large, a stall) propagates after the upload is
    aborted, so the key is either written completely or not touched at all.
    """
    if part_size < MIN_PART_BYTES:
        raise ValueError(f"parts must be at least {MIN_PART_BYTES} bytes")
    pending = bytearray()
    upload: _MultipartUpload | None = None
    total = 0
    try:
        for chunk in chunks:
            pending += chunk
            total += len(chunk)
            while len(pending) >= part_size:
                if upload is None:
                    upload = _MultipartUpload(bucket, key, content_type)
                with memoryview(pending) as view:  # one copy of the part, not two
                    part = bytes(view[:part_size])
                upload.add_part(part)
                del pending[:part_size]
        if upload is None:
            client("s3").put_object(Bucket=bucket, Key=key, Body=bytes(pending), ContentType=content_type)
            return total
        if pending:
            upload.add_part(bytes(pending))
        upload.complete()
    except BaseException:
        if upload is not None:
            upload.abort()
        raise
    return total
