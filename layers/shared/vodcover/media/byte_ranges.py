"""Byte ranges of a video, local or over HTTP(S), read in parallel and counted.

The keyframe paths (:mod:`vodcover.media.keyframes`) and the duration scan read only the bytes
they need: a local file through ``os.pread``, a URL (presigned S3 URLs included) through
bounded ``Range: bytes=a-b`` GETs. Every request names both ends, so the server sends exactly
what is asked (ffmpeg's open-ended ranges are what make it read a fifth of the file).
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from vodcover.deadline import expired, time_left
from vodcover.errors import MediaError, MediaTimeout, MediaUnavailable
from vodcover.media.mp4boxes import HEAD_READ_BYTES

if TYPE_CHECKING:
    from urllib3 import BaseHTTPResponse

logger = logging.getLogger(__name__)

MAX_PARALLEL_FETCHES = 8
HTTP_ATTEMPTS = 3
MERGE_GAP_BYTES = 64 * 1024  # reading a small gap costs less than one more request's latency
READ_TOO_LONG = "Reading the video took too long."


class _Retryable(Exception):
    """A network error or 5xx answer: worth another attempt if time remains."""


class RangesUnsupported(Exception):
    """The server answered a range request with something other than the asked-for range."""


class RangeReader(Protocol):
    """A :class:`~vodcover.media.mp4index.ByteSource` that also counts what it reads."""

    @property
    def size(self) -> int: ...

    @property
    def head(self) -> bytes: ...

    @property
    def bytes_read(self) -> int: ...

    def read(self, offset: int, length: int) -> bytes: ...

    def close(self) -> None: ...


class FileRangeReader:
    """Ranges of a local file through ``os.pread``, which is safe to call from several threads."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        try:
            self._fd = os.open(path, os.O_RDONLY)
        except OSError as exc:
            raise MediaUnavailable("The video file could not be opened.", detail=str(exc)) from exc
        self.size = os.fstat(self._fd).st_size
        self._lock = threading.Lock()
        self.bytes_read = 0
        self.head = self.read(0, min(HEAD_READ_BYTES, self.size))

    def read(self, offset: int, length: int) -> bytes:
        chunks, position, end = [], offset, min(offset + length, self.size)
        while position < end:  # pread may return short reads
            chunk = os.pread(self._fd, end - position, position)
            if not chunk:
                break
            chunks.append(chunk)
            position += len(chunk)
        with self._lock:
            self.bytes_read += position - offset
        return b"".join(chunks)

    def close(self) -> None:
        os.close(self._fd)


class HttpRangeReader:
    """Bounded ``Range: bytes=a-b`` GETs over a pool of kept-alive connections.

    Every request names both ends, so the server sends exactly what is asked (ffmpeg's
    open-ended ranges are what make it read a fifth of the file). The first request fetches the
    file's head and learns its size from ``Content-Range``; presigned URLs are signed for GET,
    so there is no HEAD request. The GETs go through the one HTTP door, :mod:`vodcover.net.http_get`.
    """

    def __init__(self, url: str, *, deadline: float, max_connections: int = MAX_PARALLEL_FETCHES) -> None:
        from vodcover.net import http_get  # lazy: only the fast path over HTTP needs it

        self._http = http_get
        self._url = url
        self._deadline = deadline
        self._pool = http_get.range_pool(max_connections)
        self._lock = threading.Lock()
        self._etag: str | None = None
        self.bytes_read = 0
        self.requests = 0
        self.size = -1
        try:
            self.head = self._get(0, HEAD_READ_BYTES, first=True)
        except BaseException:
            self.close()
            raise

    def read(self, offset: int, length: int) -> bytes:
        length = min(length, self.size - offset)
        return self._get(offset, length) if length > 0 else b""

    def close(self) -> None:
        self._pool.clear()

    def _get(self, offset: int, length: int, *, first: bool = False) -> bytes:
        """One ranged GET, retried on network errors and 5xx while the deadline allows."""
        for attempt in range(HTTP_ATTEMPTS):
            try:
                return self._get_once(offset, length, first=first)
            except _Retryable as exc:
                pause = 0.2 * 2**attempt
                if attempt + 1 == HTTP_ATTEMPTS or time.monotonic() + pause >= self._deadline:
                    raise self._read_failure(exc.__cause__ or exc) from exc
                logger.info("retrying range %d+%d: %s", offset, length, exc.__cause__ or exc)
                time.sleep(pause)
        raise AssertionError("unreachable")

    def _get_once(self, offset: int, length: int, *, first: bool) -> bytes:
        remaining = time_left(self._deadline, READ_TOO_LONG)
        try:
            response = self._http.open_range(
                self._pool,
                self._url,
                offset,
                offset + length - 1,
                connect_timeout=min(remaining, 10.0),
                read_timeout=remaining,
            )
        except self._http.TransportError as exc:
            raise _Retryable() from exc
        try:
            if response.status >= 500:
                response.close()
                raise _Retryable(f"HTTP {response.status}")
            expected = self._check_response(response, offset, length, first=first)
            body = response.read(expected)
        except self._http.TransportError as exc:
            raise _Retryable() from exc
        finally:
            response.release_conn()
        if len(body) != expected:
            raise MediaUnavailable("The video could not be read.", detail="range answer cut short")
        with self._lock:
            self.bytes_read += len(body)
            self.requests += 1
        return body

    def _check_response(self, response: BaseHTTPResponse, offset: int, length: int, *, first: bool) -> int:
        """Validate status, Content-Range and ETag; return how many body bytes to read."""
        status = response.status
        if status != 206:
            response.close()  # a 200 would stream the whole file: drop the connection instead
        if first and status == 416:  # an empty object has no byte 0
            self.size = 0
            raise RangesUnsupported("empty object")
        if status >= 400:
            raise MediaUnavailable("The video could not be read.", detail=f"HTTP {status}")
        if status != 206:
            raise RangesUnsupported(f"HTTP {status} to a range request")
        match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", response.headers.get("Content-Range", "").strip())
        if match is None:
            raise RangesUnsupported("206 without a usable Content-Range")
        start, end, total = (int(g) for g in match.groups())
        if first:
            self.size = total
        etag = response.headers.get("ETag")
        with self._lock:
            self._etag = etag if first else self._etag
        if not first and etag and self._etag and etag != self._etag:
            raise MediaUnavailable("The video changed while it was read.", detail="ETag changed")
        if start != offset or end != min(offset + length, total) - 1 or total != self.size:
            raise RangesUnsupported(f"asked {offset}+{length}, got {start}-{end}/{total}")
        return end - start + 1

    def _read_failure(self, exc: BaseException) -> MediaError:
        if expired(self._deadline):
            return MediaTimeout(READ_TOO_LONG, detail=str(exc))
        return MediaUnavailable("The video could not be read.", detail=str(exc))


def open_range_reader(source: str | os.PathLike[str], *, deadline: float) -> RangeReader:
    """A reader for a local path or an http(s) URL (presigned S3 URLs included)."""
    text = os.fspath(source)
    if text.startswith(("http://", "https://")):
        return HttpRangeReader(text, deadline=deadline)
    return FileRangeReader(Path(text))


def fetch_ranges(reader: RangeReader, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    """Read ``(offset, size)`` ranges in parallel, merging neighbours into one request each."""
    order = sorted(range(len(ranges)), key=lambda i: ranges[i][0])
    groups: list[list[int]] = []
    for i in order:
        if groups and ranges[i][0] - _group_end(ranges, groups[-1]) <= MERGE_GAP_BYTES:
            groups[-1].append(i)
        else:
            groups.append([i])

    def fetch(group: list[int]) -> tuple[int, bytes]:
        start = ranges[group[0]][0]
        return start, reader.read(start, _group_end(ranges, group) - start)

    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL_FETCHES, max(len(groups), 1))) as pool:
        blocks = list(pool.map(fetch, groups))
    found: list[bytes] = [b""] * len(ranges)
    for group, (start, block) in zip(groups, blocks, strict=True):
        for i in group:
            offset, size = ranges[i]
            found[i] = block[offset - start : offset - start + size]
    return found


def _group_end(ranges: Sequence[tuple[int, int]], group: list[int]) -> int:
    return max(ranges[i][0] + ranges[i][1] for i in group)
