"""The one door for outbound HTTP: every GET the product sends goes through urllib3 here.

urllib3 ships with botocore, so it is in every Lambda runtime and costs no layer bytes. Two
kinds of GET pass this door:

- **A stranger's URL** (:func:`open_checked`): the target was judged by
  :mod:`vodcover.net.url_policy`; we connect to exactly the address it checked, sending the
  name as ``Host`` and as TLS SNI with certificate verification on, so a DNS answer that
  changes between check and connect (rebinding) changes nothing. Redirects are followed by
  hand, each hop judged again, their number bounded. Time is bounded as a whole, not per socket
  read: a watchdog shuts the socket when the deadline passes, so a server trickling headers or
  body one byte at a time cannot hold us.
- **A URL we made** (:func:`range_pool`, :func:`open_range`, :func:`fetch_range`): presigned
  S3 GETs of our own bucket, read by byte range over kept-alive connections.

See docs/design.md, "Outbound fetches".
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urljoin

import urllib3
from urllib3.exceptions import HTTPError as TransportError

from vodcover.deadline import deadline_in, expired, seconds_left
from vodcover.net.url_policy import HttpTarget, UrlPolicy, check_url

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_USER_AGENT = "vodcover-fetch/1"
_READ_ERRORS = (OSError, TransportError)

__all__ = [
    "REDIRECT_STATUSES",
    "CheckedResponse",
    "RangeAnswer",
    "TransportError",
    "fetch_range",
    "open_checked",
    "open_range",
    "range_pool",
]


# --- a stranger's URL: pinned address, verified TLS, whole-fetch deadline ----------------
class _Watchdog:
    """Shuts the socket down when the deadline passes, waking any blocked read.

    Per-read socket timeouts cannot bound a server that sends one byte just before each
    timeout; this can. ``socket.socket.shutdown`` is called on the file descriptor directly
    so it also works on a TLS socket another thread is reading from.
    """

    def __init__(self, deadline: float) -> None:
        self.sock: socket.socket | None = None
        self.fired = False
        self._timer = threading.Timer(seconds_left(deadline), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        if self.sock is not None:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(self.sock, socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


@dataclass(frozen=True)
class _Pin:
    """Where one hop may connect, and what bounds it."""

    target: HttpTarget
    policy: UrlPolicy
    deadline: float
    stall: float
    watchdog: _Watchdog

    def connect(self) -> socket.socket:
        """A socket to one of the checked addresses, TLS-wrapped (verified, SNI = name) for https."""
        last_error: OSError | None = None
        for address in self.target.addresses:
            family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            self.watchdog.sock = sock
            try:
                sock.settimeout(max(0.001, min(self.stall, seconds_left(self.deadline))))
                sock.connect((str(address), self.target.port))
                if self.target.scheme == "https":
                    sock = self._start_tls(sock)
            except ssl.SSLCertVerificationError:
                sock.close()
                raise
            except OSError as exc:
                sock.close()
                last_error = exc
                if expired(self.deadline):
                    break
                continue
            sock.settimeout(self.stall)
            return sock
        raise last_error or OSError("no address to connect to")

    def _start_tls(self, sock: socket.socket) -> ssl.SSLSocket:
        tls = _tls_context().wrap_socket(
            sock, server_hostname=self.target.host, do_handshake_on_connect=False
        )
        self.watchdog.sock = tls  # wrap_socket took over the descriptor; the watchdog must follow it
        try:
            tls.do_handshake()
        except BaseException:
            tls.close()
            raise
        return tls


class _PinnedConnection(urllib3.connection.HTTPConnection):
    """urllib3's connection, except that it never resolves a name: it takes the pinned socket.

    TLS is done by :class:`_Pin` (verification against the name, on the checked address), so
    the class is urllib3's plain one even for https.
    """

    pin: _Pin

    def _new_conn(self) -> socket.socket:
        return self.pin.connect()


class _PinnedPool(urllib3.HTTPConnectionPool):
    """A one-connection pool for one hop; its connections are :class:`_PinnedConnection`."""

    ConnectionCls = _PinnedConnection

    def __init__(self, pin: _Pin) -> None:
        super().__init__(pin.target.host, pin.target.port, maxsize=1, block=False, retries=False)
        self._pin = pin

    def _new_conn(self) -> Any:
        connection = super()._new_conn()
        assert isinstance(connection, _PinnedConnection)
        connection.pin = self._pin
        return connection


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


class CheckedResponse:
    """A 2xx answer from a checked URL, read chunk by chunk within the fetch's deadline."""

    def __init__(self, pool: _PinnedPool, response: Any, pin: _Pin) -> None:
        self._pool = pool
        self._response = response
        self._pin = pin
        self.target = pin.target  # the last hop: what the body came from
        # Parsed by urllib3 from Content-Length (None when chunked, absent or malformed).
        self.content_length: int | None = response.length_remaining

    @property
    def status(self) -> int:
        return int(self._response.status)

    def header(self, name: str) -> str | None:
        value = self._response.headers.get(name)
        return str(value) if value is not None else None

    def read(self, size: int) -> bytes:
        policy = self._pin.policy
        try:
            chunk = self._response.read(size, decode_content=False)
        except _READ_ERRORS as exc:
            self._raise_if_late()
            raise policy.unreachable("The source failed while sending its body.", detail=repr(exc)) from exc
        self._raise_if_late()
        return bytes(chunk)

    def _raise_if_late(self) -> None:
        # After the watchdog fires a read returns b"": that must not pass for a complete body.
        if self._pin.watchdog.fired or expired(self._pin.deadline):
            raise self._pin.policy.unreachable("The source took too long to answer.")

    def close(self) -> None:
        self._pin.watchdog.cancel()
        self._response.close()
        self._pool.close()


def open_checked(target: HttpTarget, policy: UrlPolicy, *, deadline: float, stall: float) -> CheckedResponse:
    """GET ``target``, following redirects by hand (each hop checked again) to the first 2xx.

    ``stall`` bounds each wait for data; ``deadline`` bounds everything. The caller closes the
    answer; any other status is the policy's Unreachable error.
    """
    for _ in range(policy.max_redirects + 1):
        answer = _send_get(target, policy, deadline, stall)
        if answer.status in REDIRECT_STATUSES:
            location = answer.header("Location")
            answer.close()
            target = _redirect_target(target, location, policy, deadline)
            continue
        if not 200 <= answer.status < 300:
            answer.close()
            raise policy.unreachable(f"{target.host} answered HTTP {answer.status}.")
        return answer
    raise policy.unreachable(f"More than {policy.max_redirects} redirects.")


def _redirect_target(
    current: HttpTarget, location: str | None, policy: UrlPolicy, deadline: float
) -> HttpTarget:
    if not location:
        raise policy.unreachable(f"{current.host} redirected without a Location.")
    following = check_url(urljoin(current.url, location.strip()), policy, deadline)
    if not isinstance(following, HttpTarget):
        raise policy.forbidden("A redirect may not lead to an s3:// URL.")
    return following


def post_checked(url: str, body: bytes, headers: dict[str, str], policy: UrlPolicy, *, timeout: float) -> int:
    """POST ``body`` to a URL that passes ``policy`` (webhooks), on the checked address only, no
    redirects followed; the answer's status. Refusals and failures are the policy's errors."""
    deadline = deadline_in(timeout)
    target = check_url(url, policy, deadline)
    if not isinstance(target, HttpTarget):
        raise policy.forbidden("Only https URLs are accepted.")
    answer = _send_get(target, policy, deadline, timeout, method="POST", body=body, extra_headers=headers)
    try:
        return answer.status
    finally:
        answer.close()


def _send_get(
    target: HttpTarget,
    policy: UrlPolicy,
    deadline: float,
    stall: float,
    *,
    method: str = "GET",
    body: bytes | None = None,
    extra_headers: dict[str, str] | None = None,
) -> CheckedResponse:
    watchdog = _Watchdog(deadline)
    pin = _Pin(target, policy, deadline, stall, watchdog)
    pool = _PinnedPool(pin)
    headers = {
        "Host": target.authority,
        "User-Agent": _USER_AGENT,
        "Accept": "*/*",
        "Accept-Encoding": "identity",  # count the bytes we store, not compressed ones
        "Connection": "close",
        **(extra_headers or {}),
    }
    try:
        response = pool.urlopen(
            method,
            target.request_target,
            body=body,
            headers=headers,
            retries=False,
            redirect=False,
            assert_same_host=False,
            timeout=urllib3.Timeout(connect=stall, read=stall),
            preload_content=False,
            decode_content=False,
            release_conn=False,
        )
    except _READ_ERRORS as exc:
        watchdog.cancel()
        pool.close()
        if watchdog.fired or expired(deadline):
            raise policy.unreachable(f"{target.host} took too long to answer.") from exc
        if _caused_by(exc, ssl.SSLCertVerificationError):
            raise policy.unreachable(f"{target.host} did not present a trusted certificate.") from exc
        raise policy.unreachable(f"{target.host} could not be reached.", detail=repr(exc)) from exc
    except BaseException:
        watchdog.cancel()
        pool.close()
        raise
    answer = CheckedResponse(pool, response, pin)
    if watchdog.fired or expired(deadline):
        answer.close()
        raise policy.unreachable(f"{target.host} took too long to answer.")
    return answer


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether ``kind`` is anywhere in the chain urllib3 wrapped around the first error."""
    seen: set[int] = set()
    pending: list[object] = [exc]
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        if isinstance(current, kind):
            return True
        seen.add(id(current))
        pending.extend([current.__cause__, current.__context__, *current.args])
    return False


# --- a URL we made: ranged GETs over kept-alive connections ------------------------------
def range_pool(max_connections: int) -> urllib3.PoolManager:
    """Connections for reading our own presigned URLs: kept alive, no retries (callers retry)."""
    return urllib3.PoolManager(maxsize=max_connections, retries=False, block=False)


def open_range(
    pool: urllib3.PoolManager, url: str, first: int, last: int, *, connect_timeout: float, read_timeout: float
) -> Any:
    """``GET url`` with ``Range: bytes=first-last``; the body is left unread for the caller.

    Raises :data:`TransportError` when the request cannot be sent or answered.
    """
    return pool.request(
        "GET",
        url,
        headers={"Range": f"bytes={first}-{last}"},
        preload_content=False,
        timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
        retries=False,
    )


@dataclass(frozen=True)
class RangeAnswer:
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes


def fetch_range(url: str, first: int, last: int, *, timeout: float) -> RangeAnswer:
    """One ranged GET of a URL we made, read whole (the range bounds it). Raises TransportError."""
    pool = range_pool(1)
    try:
        response = open_range(pool, url, first, last, connect_timeout=timeout, read_timeout=timeout)
        try:
            body = response.read(last - first + 1)
            headers = {name.lower(): str(value) for name, value in response.headers.items()}
            return RangeAnswer(int(response.status), headers, bytes(body))
        finally:
            response.close()
    finally:
        pool.clear()
