"""Judging a URL a stranger gave us before anything connects to it (server-side request forgery).

The threat: a ``coverUrl`` or pull source naming the cloud metadata service, a database on the
VPC, or ``localhost``. So only ``https`` (plain ``http`` only for allow-listed ``host:port``s) and
``s3://`` of the media bucket pass; no user info, no backslashes, whitespace or control
characters, strict ports. The name is resolved here and refused if *any* address is not public
(:mod:`vodcover.net.addresses`); the answer carries the addresses checked, and
:mod:`vodcover.net.http_get` connects to exactly those (DNS rebinding changes nothing).

Errors come from the :class:`UrlPolicy`, so cover URLs fail with ``CoverUrl.*`` and pull sources
with ``SourceUrl.*`` from the same code. See docs/design.md, "Outbound fetches".
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import SplitResult, quote, unquote, urlsplit

from vodcover.deadline import seconds_left
from vodcover.errors import (
    CoverUrlForbidden,
    CoverUrlUnreachable,
    InvalidImageTooLarge,
    SourceUrlForbidden,
    SourceUrlTooLarge,
    SourceUrlUnreachable,
    VodcoverError,
    WebhookUrlForbidden,
    WebhookUrlUnreachable,
)
from vodcover.net.addresses import IPAddress, is_public_address, parse_ip_literal
from vodcover.settings import CoverSettings, WebhookSettings

MAX_URL_LENGTH = 8192
DEFAULT_PORTS = {"http": 80, "https": 443}

_AUTHORITY = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[^\[\]:@]+)(?::(?P<port>[0-9]{1,5}))?$")
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")


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


def cover_url_policy(settings: CoverSettings) -> UrlPolicy:
    """``coverUrl``: ``CoverUrl.Forbidden`` / ``CoverUrl.Unreachable`` / ``InvalidImage.TooLarge``."""
    return UrlPolicy(allow_hosts=settings.allowed_cover_hosts, media_bucket=settings.media_bucket)


def webhook_url_policy(settings: WebhookSettings) -> UrlPolicy:
    """Webhook URLs: the cover URLs' address rules, their own allow-list, ``WebhookUrl.*`` errors.

    No bucket may be named (``s3://`` is refused) and no redirect is ever followed.
    """
    return UrlPolicy(
        allow_hosts=settings.allowed_webhook_hosts,
        media_bucket="",
        max_redirects=0,
        forbidden=WebhookUrlForbidden,
        unreachable=WebhookUrlUnreachable,
    )


def source_url_policy(base: UrlPolicy | CoverSettings) -> UrlPolicy:
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


# --- checking a URL ----------------------------------------------------------------------
def check_url(url: str, policy: UrlPolicy, deadline: float | None = None) -> Target:
    """The target ``url`` names, or the policy's Forbidden / Unreachable error.

    Resolves the host (the only network use) so that a name pointing at a private address
    is refused now; fetching re-checks every hop, so calling this first is an early answer,
    not a pass. ``deadline`` bounds the lookup when the check is part of a fetch.
    """
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


def _check_http(parts: SplitResult, policy: UrlPolicy, deadline: float | None) -> HttpTarget:
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


def _resolve(host: str, port: int, policy: UrlPolicy, deadline: float | None) -> tuple[IPAddress, ...]:
    """Every address the name has; in a helper thread because getaddrinfo has no timeout."""
    answers: list[Any] = []

    def lookup() -> None:
        try:
            answers.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError) as exc:
            answers.append(exc)

    limit = policy.resolve_timeout
    if deadline is not None:
        limit = min(limit, seconds_left(deadline))
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
