"""Fetching a URL a stranger gave us, without letting them use us to reach anything private.

The threat is server-side request forgery: a ``coverUrl`` or pull source naming the cloud
metadata service, a database on the VPC, or ``localhost``. So:

- Only ``https`` (plain ``http`` only for allow-listed ``host:port``s) and ``s3://`` of the
  media bucket; no user info, no backslashes, whitespace or control characters, strict ports.
- We resolve the name ourselves and refuse it if *any* address is not public
  (:mod:`vodcover.net.addresses`), then connect to exactly the address we checked, sending the
  name as ``Host`` and as TLS SNI with certificate verification on: a DNS answer that changes
  between check and connect (rebinding) changes nothing.
- Redirects are followed by hand, each hop checked again, their number bounded.
- Time is bounded as a whole, not per socket read: a watchdog shuts the socket when the
  deadline passes, so a server trickling headers or body one byte at a time cannot hold us.
- Bodies are counted as they arrive and never read past ``max_bytes + 1``; a declared
  ``Content-Length`` over the cap is refused before reading, a short body is an error.

Errors come from the :class:`UrlPolicy`, so cover URLs fail with ``CoverUrl.*`` and pull
sources with ``SourceUrl.*`` from the same code.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from email.message import Message
from functools import cache
from typing import Any, Protocol
from urllib.parse import SplitResult, quote, unquote, urljoin, urlsplit

from botocore.exceptions import BotoCoreError, ClientError

from vodcover.dal.aws import client
from vodcover.errors import (
    CoverUrlForbidden,
    CoverUrlUnreachable,
    InvalidImageTooLarge,
    SourceUrlForbidden,
    SourceUrlTooLarge,
    SourceUrlUnreachable,
    VodcoverError,
)
from vodcover.net.addresses import IPAddress, is_public_address, parse_ip_literal
from vodcover.settings import Settings

MAX_URL_LENGTH = 8192
DEFAULT_PORTS = {"http": 80, "https": 443}
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
OCTET_STREAM = "application/octet-stream"
_USER_AGENT = "vodcover-fetch/1"
_READ_SIZE = 64 * 1024

_AUTHORITY = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[^\[\]:@]+)(?::(?P<port>[0-9]{1,5}))?$")
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$")


# --- policy and targets ------------------------------------------------------------------
@dataclass(frozen=True)
class UrlPolicy:
    """What a caller may fetch, and which errors say no (cover URLs by default)."""

    allow_hosts: frozenset[str]  # lower-case "host:port", exempt from the address check
    media_bucket: str  # the only bucket s3:// URLs may name
    max_redirects: int = 5
    resolve_timeout: float = 5.0
    forbidden: type[VodcoverError] = CoverUrlForbidden
    unreachable: type[VodcoverError] = CoverUrlUnreachable
    too_large: type[VodcoverError] = InvalidImageTooLarge


def cover_url_policy(settings: Settings) -> UrlPolicy:
    """``coverUrl``: ``CoverUrl.Forbidden`` / ``CoverUrl.Unreachable`` / ``InvalidImage.TooLarge``."""
    return UrlPolicy(allow_hosts=settings.allowed_cover_hosts, media_bucket=settings.media_bucket)


def source_url_policy(base: UrlPolicy | Settings) -> UrlPolicy:
    """Pull-upload sources: the same address rules, ``SourceUrl.*`` errors."""
    policy = base if isinstance(base, UrlPolicy) else cover_url_policy(base)
    return replace(
        policy, forbidden=SourceUrlForbidden, unreachable=SourceUrlUnreachable, too_large=SourceUrlTooLarge
    )


@dataclass(frozen=True)
class HttpTarget:
    """An http(s) URL that passed the checks, with the addresses it may be fetched from."""

    url: str  # normalised: what redirects are resolved against
    scheme: str
    host: str  # lower-case name, or the canonical text of an IP literal (no brackets)
    port: int
    request_target: str  # path and query, ASCII, as sent on the request line
    addresses: tuple[IPAddress, ...]
    trusted: bool  # named in the allow-list

    @property
    def authority(self) -> str:
        """``Host`` header value: brackets around IPv6, the port only when not the default."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if DEFAULT_PORTS[self.scheme] == self.port else f"{host}:{self.port}"


@dataclass(frozen=True)
class S3Target:
    bucket: str
    key: str

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


Target = HttpTarget | S3Target


@dataclass(frozen=True)
class Fetched:
    data: bytes
    content_type: str  # media type without parameters, lower-case; octet-stream when unknown
    final_url: str  # after redirects


# --- checking a URL ----------------------------------------------------------------------
class _Deadline:
    """One wall-clock budget shared by every step of a fetch, redirects included."""

    def __init__(self, seconds: float) -> None:
        self._end = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self._end - time.monotonic())

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self._end


def check_url(url: str, policy: UrlPolicy) -> Target:
    """The target ``url`` names, or the policy's Forbidden / Unreachable error.

    Resolves the host (the only network use) so that a name pointing at a private address
    is refused now; fetching re-checks, so calling this first is an early answer, not a pass.
    """
    return _check_url(url, policy, deadline=None)


def _check_url(url: str, policy: UrlPolicy, deadline: _Deadline | None) -> Target:
    parts = _split(url, policy)
    if parts.scheme == "s3":
        return _check_s3(url, parts, policy)
    if parts.scheme not in DEFAULT_PORTS:
        raise policy.forbidden("Only https URLs (or s3:// of the media bucket) are accepted.")
    return _check_http(parts, policy, deadline)


def _split(url: str, policy: UrlPolicy) -> SplitResult:
    if not isinstance(url, str) or not url:
        raise policy.forbidden("The URL is empty.")
    if len(url) > MAX_URL_LENGTH:
        raise policy.forbidden(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    if any(_is_forbidden_char(ch) for ch in url):
        raise policy.forbidden("The URL contains whitespace, control characters or backslashes.")
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise policy.forbidden("The URL cannot be parsed.") from exc
    return parts._replace(scheme=parts.scheme.lower())


def _is_forbidden_char(ch: str) -> bool:
    """Parsers disagree about these (``\\`` is ``/`` to browsers), so none is let through."""
    code = ord(ch)
    return ch == "\\" or code <= 0x20 or code == 0x7F or (code > 0x7F and not ch.isprintable())


def _check_s3(url: str, parts: SplitResult, policy: UrlPolicy) -> S3Target:
    if "?" in url or "#" in url or "@" in parts.netloc:
        raise policy.forbidden("An s3:// URL names a bucket and a key, nothing else.")
    key = unquote(parts.path[1:])
    if parts.netloc != policy.media_bucket:
        raise policy.forbidden("s3:// URLs may only name the media bucket.")
    # Decoded keys may hold spaces (``%20``), as S3 keys do; control characters never.
    if not key or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in key):
        raise policy.forbidden("The s3:// URL names no valid key.")
    return S3Target(bucket=parts.netloc, key=key)


def _check_http(parts: SplitResult, policy: UrlPolicy, deadline: _Deadline | None) -> HttpTarget:
    host, port = _authority(parts, policy)
    literal = _ip_literal(host, policy)
    if literal is not None:
        host = str(literal)
    bracketed = f"[{host}]" if ":" in host else host
    trusted = f"{bracketed}:{port}" in policy.allow_hosts
    if parts.scheme == "http" and not trusted:
        raise policy.forbidden("Plain http is refused: use https.")
    addresses = (literal,) if literal is not None else _resolve(host, port, policy, deadline)
    if not trusted:
        _require_public(host, addresses, policy)
    request_target = _request_target(parts)
    authority = bracketed if DEFAULT_PORTS[parts.scheme] == port else f"{bracketed}:{port}"
    return HttpTarget(
        url=f"{parts.scheme}://{authority}{request_target}",
        scheme=parts.scheme,
        host=host,
        port=port,
        request_target=request_target,
        addresses=addresses,
        trusted=trusted,
    )


def _authority(parts: SplitResult, policy: UrlPolicy) -> tuple[str, int]:
    """Host and port from the netloc, parsed strictly (urlsplit's own port parsing is lax)."""
    netloc = parts.netloc
    if "@" in netloc:
        raise policy.forbidden("URLs with a user name or password are refused.")
    match = _AUTHORITY.match(netloc)
    if not match:
        raise policy.forbidden("The URL has no valid host.")
    port = int(match["port"]) if match["port"] else DEFAULT_PORTS[parts.scheme]
    if not 1 <= port <= 65535:
        raise policy.forbidden("The URL's port is out of range.")
    return _normalise_host(match["host"], policy), port


def _normalise_host(raw: str, policy: UrlPolicy) -> str:
    if raw.startswith("["):
        return raw[1:-1].lower()  # checked as an IPv6 literal by _ip_literal
    try:
        host = raw.encode("idna").decode("ascii").lower() if not raw.isascii() else raw.lower()
    except UnicodeError as exc:
        raise policy.forbidden("The URL's host name is not valid.") from exc
    if host.endswith("."):
        host = host[:-1]
    labels = host.split(".")
    if not host or len(host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise policy.forbidden("The URL's host name is not valid.")
    return host


def _ip_literal(host: str, policy: UrlPolicy) -> IPAddress | None:
    try:
        return parse_ip_literal(host)
    except ValueError as exc:
        raise policy.forbidden("The URL's host is neither a valid name nor a valid address.") from exc


def _resolve(host: str, port: int, policy: UrlPolicy, deadline: _Deadline | None) -> tuple[IPAddress, ...]:
    """Every address the name has; in a helper thread because getaddrinfo has no timeout."""
    answers: list[Any] = []

    def lookup() -> None:
        try:
            answers.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError) as exc:
            answers.append(exc)

    limit = policy.resolve_timeout if deadline is None else min(policy.resolve_timeout, deadline.remaining())
    worker = threading.Thread(target=lookup, name="vodcover-resolve", daemon=True)
    worker.start()
    worker.join(limit)
    if not answers:
        raise policy.unreachable(f"Looking up {host} took too long.")
    if isinstance(answers[0], Exception):
        raise policy.unreachable(f"{host} could not be resolved.", detail=repr(answers[0]))
    addresses = tuple(dict.fromkeys(_sockaddr_address(info[4][0], policy) for info in answers[0]))
    if not addresses:
        raise policy.unreachable(f"{host} has no address.")
    return addresses


def _sockaddr_address(text: str, policy: UrlPolicy) -> IPAddress:
    try:
        return ipaddress.ip_address(text)
    except ValueError as exc:
        raise policy.forbidden("The URL's host resolves to something that is not an address.") from exc


def _require_public(host: str, addresses: tuple[IPAddress, ...], policy: UrlPolicy) -> None:
    """Any private address refuses the name: we might otherwise connect to that one."""
    private = [str(address) for address in addresses if not is_public_address(address)]
    if private:
        # The address stays in the log detail: telling callers what internal names resolve
        # to would make us a probe of the private network.
        raise policy.forbidden(
            f"{host} is not a public internet address.", detail=f"resolved to {', '.join(private)}"
        )


def _request_target(parts: SplitResult) -> str:
    """Path and query for the request line; non-ASCII is percent-encoded, the rest kept."""
    path = parts.path or "/"
    target = path + (f"?{parts.query}" if parts.query else "")
    return "".join(ch if ch.isascii() else quote(ch, safe="") for ch in target)


# --- the open source: one interface over HTTP and S3 ------------------------------------
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
    deadline = _Deadline(timeout)
    stall = min(timeout, stall_timeout or timeout)
    target = _check_url(url, policy, deadline)
    if isinstance(target, S3Target):
        stream = _open_s3(target, policy, max_bytes=max_bytes, deadline=deadline)
    else:
        stream = _open_http(target, policy, max_bytes=max_bytes, deadline=deadline, stall=stall)
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


# --- HTTP --------------------------------------------------------------------------------
class _Watchdog:
    """Shuts the socket down when the deadline passes, waking any blocked read.

    Per-read socket timeouts cannot bound a server that sends one byte just before each
    timeout; this can. ``socket.socket.shutdown`` is called on the file descriptor directly
    so it also works on a TLS socket another thread is reading from.
    """

    def __init__(self, deadline: _Deadline) -> None:
        self.sock: socket.socket | None = None
        self.fired = False
        self._timer = threading.Timer(deadline.remaining(), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        if self.sock is not None:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(self.sock, socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


class _HttpBody:
    """One response being read, with the connection and watchdog that serve it."""

    def __init__(
        self,
        connection: http.client.HTTPConnection,
        response: http.client.HTTPResponse,
        watchdog: _Watchdog,
        deadline: _Deadline,
        policy: UrlPolicy,
    ) -> None:
        self.connection = connection
        self.response = response
        self._watchdog = watchdog
        self._deadline = deadline
        self._policy = policy

    def read(self, size: int) -> bytes:
        try:
            chunk = self.response.read1(size)
        except (OSError, http.client.HTTPException) as exc:
            self._raise_if_late()
            raise self._policy.unreachable(
                "The source failed while sending its body.", detail=repr(exc)
            ) from exc
        self._raise_if_late()
        return chunk

    def _raise_if_late(self) -> None:
        # After the watchdog fires a read returns b"": that must not pass for a complete body.
        if self._watchdog.fired or self._deadline.expired:
            raise self._policy.unreachable("The source took too long to answer.")

    def close(self) -> None:
        self._watchdog.cancel()
        self.response.close()
        self.connection.close()


def _open_http(
    target: HttpTarget, policy: UrlPolicy, *, max_bytes: int, deadline: _Deadline, stall: float
) -> SourceStream:
    """Follow redirects by hand, checking every hop, to the first 2xx answer."""
    for _ in range(policy.max_redirects + 1):
        body = _send_get(target, policy, deadline, stall)
        status = body.response.status
        if status in REDIRECT_STATUSES:
            location = body.response.getheader("Location")
            body.close()
            target = _redirect_target(target, location, policy, deadline)
            continue
        if not 200 <= status < 300:
            body.close()
            raise policy.unreachable(f"{target.host} answered HTTP {status}.")
        return SourceStream(
            body,
            policy=policy,
            max_bytes=max_bytes,
            content_length=body.response.length,
            content_type=media_type(body.response.getheader("Content-Type")),
            file_name=_http_file_name(body.response.getheader("Content-Disposition"), target),
            final_url=target.url,
        )
    raise policy.unreachable(f"More than {policy.max_redirects} redirects.")


def _redirect_target(
    current: HttpTarget, location: str | None, policy: UrlPolicy, deadline: _Deadline
) -> HttpTarget:
    if not location:
        raise policy.unreachable(f"{current.host} redirected without a Location.")
    following = _check_url(urljoin(current.url, location.strip()), policy, deadline)
    if not isinstance(following, HttpTarget):
        raise policy.forbidden("A redirect may not lead to an s3:// URL.")
    return following


def _send_get(target: HttpTarget, policy: UrlPolicy, deadline: _Deadline, stall: float) -> _HttpBody:
    watchdog = _Watchdog(deadline)
    connection: http.client.HTTPConnection | None = None
    try:
        sock = _connect(target, policy, deadline, stall, watchdog)
        connection = http.client.HTTPConnection(target.host, target.port, timeout=stall)
        connection.sock = sock  # already connected to the checked address: never re-resolved
        connection.putrequest("GET", target.request_target, skip_host=True, skip_accept_encoding=True)
        for name, value in (
            ("Host", target.authority),
            ("User-Agent", _USER_AGENT),
            ("Accept", "*/*"),
            ("Accept-Encoding", "identity"),  # count the bytes we store, not compressed ones
            ("Connection", "close"),
        ):
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
    except (OSError, http.client.HTTPException) as exc:
        watchdog.cancel()
        if connection is not None:
            connection.close()
        if watchdog.fired or deadline.expired:
            raise policy.unreachable(f"{target.host} took too long to answer.") from exc
        raise policy.unreachable(f"{target.host} could not be reached.", detail=repr(exc)) from exc
    except BaseException:
        watchdog.cancel()
        if connection is not None:
            connection.close()
        raise
    if watchdog.fired or deadline.expired:
        watchdog.cancel()
        connection.close()
        raise policy.unreachable(f"{target.host} took too long to answer.")
    return _HttpBody(connection, response, watchdog, deadline, policy)


def _connect(
    target: HttpTarget, policy: UrlPolicy, deadline: _Deadline, stall: float, watchdog: _Watchdog
) -> socket.socket:
    """A socket to one of the checked addresses, TLS-wrapped (verified) for https."""
    last_error: OSError | None = None
    for address in target.addresses:
        family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        watchdog.sock = sock
        try:
            sock.settimeout(max(0.001, min(stall, deadline.remaining())))
            sock.connect((str(address), target.port))
            if target.scheme == "https":
                sock = _start_tls(sock, target, watchdog)
        except ssl.SSLCertVerificationError as exc:
            sock.close()
            raise policy.unreachable(f"{target.host} did not present a trusted certificate.") from exc
        except OSError as exc:
            sock.close()
            last_error = exc
            if deadline.expired:
                break
            continue
        sock.settimeout(stall)
        return sock
    raise last_error or OSError("no address to connect to")


def _start_tls(sock: socket.socket, target: HttpTarget, watchdog: _Watchdog) -> ssl.SSLSocket:
    tls = _tls_context().wrap_socket(sock, server_hostname=target.host, do_handshake_on_connect=False)
    watchdog.sock = tls  # wrap_socket took over the descriptor; the watchdog must follow it
    try:
        tls.do_handshake()
    except BaseException:
        tls.close()
        raise
    return tls


@cache
def _tls_context() -> ssl.SSLContext:
    """Verifying context (hostname and chain), TLS 1.2+, certifi's roots when installed."""
    try:
        import certifi  # optional: the system's trust store serves when it is absent

        context = ssl.create_default_context(cafile=certifi.where())
    except ImportError:
        context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


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


# --- S3 ----------------------------------------------------------------------------------
class _S3Body:
    def __init__(self, streaming_body: Any, deadline: _Deadline, policy: UrlPolicy) -> None:
        self._body = streaming_body
        self._deadline = deadline
        self._policy = policy

    def read(self, size: int) -> bytes:
        if self._body is None:
            return b""
        if self._deadline.expired:
            raise self._policy.unreachable("Reading the object took too long.")
        try:
            return bytes(self._body.read(size))
        except (BotoCoreError, OSError) as exc:
            raise self._policy.unreachable("Reading the object failed.", detail=repr(exc)) from exc

    def close(self) -> None:
        if self._body is not None:
            self._body.close()


def _open_s3(target: S3Target, policy: UrlPolicy, *, max_bytes: int, deadline: _Deadline) -> SourceStream:
    """Ranged to ``max_bytes + 1`` bytes, so even a lie about size cannot make us read more."""
    try:
        answer = client("s3").get_object(Bucket=target.bucket, Key=target.key, Range=f"bytes=0-{max_bytes}")
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code == "InvalidRange":  # only an empty object has no byte 0
            answer = {"Body": None, "ContentLength": 0}
        elif code in {"NoSuchKey", "404", "NotFound"}:
            raise policy.unreachable(f"There is no object {target.url}.") from exc
        else:
            raise policy.unreachable(f"{target.url} could not be read ({code}).") from exc
    except BotoCoreError as exc:
        raise policy.unreachable(f"{target.url} could not be read.", detail=repr(exc)) from exc
    return SourceStream(
        _S3Body(answer["Body"], deadline, policy),
        policy=policy,
        max_bytes=max_bytes,
        content_length=_s3_object_size(answer),
        content_type=media_type(answer.get("ContentType")),
        file_name=safe_file_name(target.key),
        final_url=target.url,
    )


def _s3_object_size(answer: dict[str, Any]) -> int:
    """The whole object's size: the total in ``Content-Range`` when the answer was ranged."""
    content_range = str(answer.get("ContentRange") or "")
    total = content_range.rpartition("/")[2]
    if total.isdigit():
        return int(total)
    return int(answer.get("ContentLength") or 0)


# --- names and types from strangers ------------------------------------------------------
def safe_file_name(raw: str, *, fallback: str = "download") -> str:
    """A plain file name: last path part, letters, digits, ``._-`` only, at most 120 chars."""
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)
    name = re.sub(r"_{2,}", "_", name).strip("._-")  # no hidden files, no "..", no empty stems
    if len(name) > 120:
        stem, dot, extension = name.rpartition(".")
        name = f"{stem[: 119 - len(extension)]}.{extension}" if dot and len(extension) <= 10 else name[:120]
    return name or fallback


def media_type(header: str | None) -> str:
    """The media type of a Content-Type header, if it is a well-formed one; else octet-stream."""
    value = (header or "").split(";", 1)[0].strip().lower()
    return value if _MEDIA_TYPE.match(value) else OCTET_STREAM
