"""Fetching a URL a stranger gave us, without letting them use us to reach anything private.

One interface over the two kinds of source: :func:`open_stream` judges the URL
(:mod:`vodcover.net.url_policy`), opens it through the HTTP door (:mod:`vodcover.net.http_get`)
or the media bucket (:mod:`vodcover.net.s3_source`), and hands back a :class:`SourceStream`.
Bodies are counted as they arrive and never read past ``max_bytes + 1``; a declared
``Content-Length`` over the cap is refused before reading, a short body is an error.
See docs/design.md, "Outbound fetches".
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from typing import Protocol
from urllib.parse import unquote

from vodcover.deadline import deadline_in
from vodcover.domain.file_names import safe_file_name
from vodcover.net.http_get import CheckedResponse, open_checked
from vodcover.net.s3_source import open_s3
from vodcover.net.url_policy import HttpTarget, UrlPolicy, check_url

OCTET_STREAM = "application/octet-stream"
_READ_SIZE = 64 * 1024
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$")


@dataclass(frozen=True)
class Fetched:
    data: bytes
    content_type: str  # media type without parameters, lower-case; octet-stream when unknown
    final_url: str  # after redirects


class _Body(Protocol):
    def read(self, size: int) -> bytes: ...

    def close(self) -> None: ...


class SourceStream:
    """An open source the pull worker copies from: metadata now, the body chunk by chunk."""

    def __init__(
        self,
        body: _Body,
        *,
        policy: UrlPolicy,
        max_bytes: int,
        content_length: int | None,
        content_type: str,
        file_name: str,
        final_url: str,
    ) -> None:
        self._body = body
        self._policy = policy
        self._max_bytes = max_bytes
        self.content_length = content_length
        self.content_type = content_type
        self.file_name = file_name
        self.final_url = final_url
        self.bytes_read = 0

    def close(self) -> None:
        self._body.close()

    def iter_chunks(self, chunk_size: int = 1024 * 1024) -> Iterator[bytes]:
        """Chunks of at most ``chunk_size`` bytes; never reads past ``max_bytes + 1`` in all.

        Raises the policy's too-large error once the body passes the cap (whatever
        Content-Length said), and Unreachable when it stalls, runs out of time or ends short.
        """
        while True:
            chunk = self._body.read(min(chunk_size, self._max_bytes + 1 - self.bytes_read))
            if not chunk:
                break
            self.bytes_read += len(chunk)
            if self.bytes_read > self._max_bytes:
                raise self._policy.too_large(f"The source is larger than {self._max_bytes} bytes.")
            yield chunk
        if self.content_length is not None and self.bytes_read < self.content_length:
            raise self._policy.unreachable(
                f"The source ended after {self.bytes_read} of {self.content_length} bytes."
            )


@contextlib.contextmanager
def open_stream(
    url: str, policy: UrlPolicy, *, timeout: float, max_bytes: int, stall_timeout: float | None = None
) -> Iterator[SourceStream]:
    """Open ``url`` under ``policy``; everything (redirects, reading) must end within ``timeout``.

    ``stall_timeout`` bounds each wait for data (defaults to ``timeout``). The connection is
    closed when the block ends, however it ends.
    """
    deadline = deadline_in(timeout)
    stall = min(timeout, stall_timeout or timeout)
    target = check_url(url, policy, deadline)
    if isinstance(target, HttpTarget):
        stream = _http_stream(open_checked(target, policy, deadline=deadline, stall=stall), policy, max_bytes)
    else:
        found = open_s3(target, policy, max_bytes=max_bytes, deadline=deadline)
        stream = SourceStream(
            found.body,
            policy=policy,
            max_bytes=max_bytes,
            content_length=found.size,
            content_type=media_type(found.content_type),
            file_name=safe_file_name(target.key),
            final_url=target.url,
        )
    try:
        if stream.content_length is not None and stream.content_length > max_bytes:
            raise policy.too_large(
                f"The source declares {stream.content_length} bytes; at most {max_bytes} are accepted."
            )
        yield stream
    finally:
        stream.close()


def fetch_bytes(url: str, policy: UrlPolicy, *, max_bytes: int, timeout: float) -> Fetched:
    """The whole body of ``url`` (at most ``max_bytes``), within ``timeout`` seconds in all."""
    with open_stream(url, policy, timeout=timeout, max_bytes=max_bytes) as stream:
        data = b"".join(stream.iter_chunks(_READ_SIZE))
    return Fetched(data=data, content_type=stream.content_type, final_url=stream.final_url)


def _http_stream(answer: CheckedResponse, policy: UrlPolicy, max_bytes: int) -> SourceStream:
    return SourceStream(
        answer,
        policy=policy,
        max_bytes=max_bytes,
        content_length=answer.content_length,
        content_type=media_type(answer.header("Content-Type")),
        file_name=_http_file_name(answer.header("Content-Disposition"), answer.target),
        final_url=answer.target.url,
    )


def _http_file_name(disposition: str | None, target: HttpTarget) -> str:
    from_header = _disposition_file_name(disposition)
    if from_header:
        return safe_file_name(from_header)
    return safe_file_name(unquote(target.request_target.split("?", 1)[0]))


def _disposition_file_name(value: str | None) -> str | None:
    if not value:
        return None
    message = Message()
    message["Content-Disposition"] = value
    try:
        name = message.get_filename()
    except (ValueError, TypeError, LookupError):
        return None
    return name if isinstance(name, str) else None


def media_type(header: str | None) -> str:
    """The media type of a Content-Type header, if it is a well-formed one; else octet-stream."""
    value = (header or "").split(";", 1)[0].strip().lower()
    return value if _MEDIA_TYPE.match(value) else OCTET_STREAM
