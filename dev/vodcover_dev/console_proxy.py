"""The console's signing proxy: the browser never holds AWS secrets.

The console's JavaScript calls the API at a same-origin path (``/console/api/videos``). This
proxy forwards each call to the real API and signs it with SigV4 (botocore, service
``execute-api``), so the deployed API keeps IAM auth and the page needs no keys:

- ``vodcover local`` hooks it into its HTTP front, signing as a configured local user;
- ``vodcover console --endpoint URL`` runs :class:`ConsoleServer` on 127.0.0.1, serving the
  same page and signing with the user's credentials from the normal boto3 chain.

A proxy that signs whatever reaches it must not become a signing oracle for other web pages,
so a call must carry the console's own header (:data:`CONSOLE_HEADER`: a foreign page cannot
send it without a CORS preflight, which is never granted), a browser's ``Origin`` and
``Sec-Fetch-Site``, when sent, must say the call is same-origin, and :class:`ConsoleServer`
answers only to its own host names (DNS rebinding).
"""

from __future__ import annotations

import http.client
import json
import mimetypes
import re
import ssl
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import ReadOnlyCredentials

from vodcover import errors
from vodcover.api.statuses import status_of
from vodcover.api.view import ErrorBody
from vodcover_dev import logger_for
from vodcover_dev.wsgi_server import BackgroundWsgiServer, content_length, request_parts, respond

logger = logger_for(__name__)

CONSOLE_PREFIX = "/console/"
CONSOLE_API_PREFIX = "/console/api/"
CONSOLE_DIR = Path(__file__).resolve().parent / "console"
CONSOLE_HEADER = "X-Vodcover-Console"
SERVICE = "execute-api"
MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
DEFAULT_TIMEOUT_SECONDS = 60.0  # above API Gateway's own 29 s integration timeout
# Headers worth passing on, each way; everything else (cookies, hop-by-hop) stays behind.
_FORWARDED_REQUEST_HEADERS = ("content-type", "accept")
_FORWARDED_RESPONSE_HEADERS = ("content-type", "x-amzn-errortype")
_EXECUTE_API_HOST = re.compile(r"^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$")

CredentialSource = Callable[[], ReadOnlyCredentials]


class ConsoleCredentialsMissing(Exception):
    """No AWS credentials to sign with (no profile, no environment, no instance role)."""


@dataclass(frozen=True)
class ConsoleAnswer:
    """What the proxy answers the browser: status, headers and body bytes."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def error_answer(error: errors.VodcoverError) -> ConsoleAnswer:
    """An answer the proxy gives itself: the API's one error body, at the REST status table's status."""
    body = ErrorBody.of(error, str(uuid.uuid4())).answer()
    return ConsoleAnswer(
        status_of(error),
        [("Content-Type", "application/json"), ("Cache-Control", "no-store")],
        json.dumps(body).encode("utf-8"),
    )


def static_credentials(access_key: str, secret_key: str) -> CredentialSource:
    """A fixed key pair (the local stack's users)."""
    frozen = ReadOnlyCredentials(access_key, secret_key, None)
    return lambda: frozen


def boto3_credentials(profile: str | None = None) -> CredentialSource:
    """The normal boto3 chain (profile, environment, SSO, instance role), refreshed as needed."""
    import boto3

    credentials = boto3.session.Session(profile_name=profile).get_credentials()
    if credentials is None:
        raise ConsoleCredentialsMissing(
            "no AWS credentials found: set AWS_PROFILE (or --profile), run `aws configure` or "
            "`aws sso login`, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
        )
    return credentials.get_frozen_credentials


def region_of(endpoint: str) -> str | None:
    """The region in an API Gateway endpoint's host name, when it has one."""
    match = _EXECUTE_API_HOST.match((urlsplit(endpoint).hostname or "").lower())
    return match.group(1) if match else None


class ConsoleProxy:
    """Forward console calls to ``endpoint``, signed with SigV4 for ``execute-api``.

    ``endpoint`` is the API's base URL (stage included, e.g. ``https://…/v1``) or a callable
    giving it, for a front whose port is known only once it listens.
    """

    def __init__(
        self,
        endpoint: str | Callable[[], str],
        credentials: CredentialSource,
        *,
        region: str,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self._endpoint = endpoint
        self._credentials = credentials
        self.region = region
        self.timeout = timeout

    @property
    def endpoint(self) -> str:
        endpoint = self._endpoint() if callable(self._endpoint) else self._endpoint
        return endpoint.rstrip("/")

    def forward(
        self,
        method: str,
        raw_path: str,
        raw_query: str,
        headers: Sequence[tuple[str, str]],
        body: bytes,
        *,
        host: str,
    ) -> ConsoleAnswer:
        """Check that the browser's call is the console's own, then sign and forward it.

        ``raw_path`` is the full request path (``/console/api/videos/abc``), still
        percent-encoded; ``host`` is the Host the browser addressed.
        """
        refusal = _refusal(method, raw_path, headers, host)
        if refusal is not None:
            return refusal
        api_path = "/" + raw_path[len(CONSOLE_API_PREFIX) :]
        url = self.endpoint + api_path + (f"?{raw_query}" if raw_query else "")
        forwarded = {name: value for name, value in headers if name.lower() in _FORWARDED_REQUEST_HEADERS}
        try:
            credentials = self._credentials()
        except Exception as exc:  # botocore's refresh errors have no common base worth naming
            logger.warning("console proxy: no credentials: %s", exc)
            return error_answer(errors.ConsoleNoCredentials(f"No AWS credentials to sign with: {exc}"))
        request = AWSRequest(method=method, url=url, headers=forwarded, data=body)
        SigV4Auth(credentials, SERVICE, self.region).add_auth(request)
        try:
            return self._send(url, method, dict(request.headers.items()), body)
        except (OSError, http.client.HTTPException) as exc:
            logger.warning("console proxy: %s %s failed: %s", method, url, exc)
            return error_answer(
                errors.ConsoleUnreachable(f"The API at {self.endpoint} did not answer: {exc}")
            )

    def _send(self, url: str, method: str, headers: dict[str, str], body: bytes) -> ConsoleAnswer:
        parts = urlsplit(url)
        connection: http.client.HTTPConnection
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(
                parts.netloc, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            connection = http.client.HTTPConnection(parts.netloc, timeout=self.timeout)
        try:
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            connection.request(method, target, body=body or None, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            kept = [
                (name, value)
                for name, value in response.getheaders()
                if name.lower() in _FORWARDED_RESPONSE_HEADERS
            ]
            return ConsoleAnswer(response.status, [*kept, ("Cache-Control", "no-store")], payload)
        finally:
            connection.close()


def _refusal(
    method: str, raw_path: str, headers: Sequence[tuple[str, str]], host: str
) -> ConsoleAnswer | None:
    """Why this call must not be signed, or None when it is the console's own."""
    names = {name.lower(): value for name, value in headers}
    if CONSOLE_HEADER.lower() not in names:
        return error_answer(errors.ConsoleForbidden(f"Console API calls need the {CONSOLE_HEADER} header."))
    origin = names.get("origin")
    if origin is not None and origin not in {f"http://{host}", f"https://{host}"}:
        return error_answer(errors.ConsoleForbidden("Console API calls must come from the console's origin."))
    if names.get("sec-fetch-site", "same-origin") not in {"same-origin", "none"}:
        return error_answer(errors.ConsoleForbidden("Console API calls must come from the console's origin."))
    if not raw_path.startswith(CONSOLE_API_PREFIX):
        return error_answer(errors.RouteNotFound(f"No console API route {unquote(raw_path)}."))
    segments = unquote(raw_path[len(CONSOLE_API_PREFIX) :]).split("/")
    if any(segment in {".", ".."} for segment in segments):
        return error_answer(errors.ConsoleBadPath("Console API paths may not contain '.' or '..'."))
    if method.upper() not in {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}:
        return error_answer(errors.ConsoleBadMethod(f"{method} is not forwarded."))
    return None


def read_console_file(console_dir: Path, raw_path: str) -> tuple[str, bytes]:
    """The content type and bytes of a static file of the console (``raw_path`` under
    ``/console/``); ``RouteNotFound`` for anything else, a path out of the folder included."""
    relative = unquote(raw_path[len(CONSOLE_PREFIX) :]) or "index.html"
    root = console_dir.resolve()
    path = (root / relative).resolve()
    if path.is_dir():
        path = path / "index.html"
    if not path.is_relative_to(root) or not path.is_file():
        raise errors.RouteNotFound(f"No console file {relative}.")
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if content_type.startswith("text/") or content_type in {"application/javascript", "image/svg+xml"}:
        content_type += "; charset=utf-8"
    return content_type, path.read_bytes()


def console_file(console_dir: Path, raw_path: str) -> ConsoleAnswer:
    """A static file of the console, or the error body."""
    try:
        content_type, body = read_console_file(console_dir, raw_path)
    except errors.RouteNotFound as exc:
        return error_answer(exc)
    return ConsoleAnswer(200, [("Content-Type", content_type), ("Cache-Control", "no-cache")], body)


class ConsoleServer:
    """``vodcover console``: the page and the signing proxy on one local port.

    Binds ``host:port`` (port 0 picks one) on a daemon thread (waitress: bad framing and slow
    clients are its business); answers only requests whose Host is one of its own names.
    """

    def __init__(
        self,
        proxy: ConsoleProxy,
        *,
        host: str = "127.0.0.1",
        port: int = 8080,
        console_dir: Path = CONSOLE_DIR,
    ) -> None:
        self.proxy = proxy
        self.console_dir = console_dir
        self._address = (host, port)
        self._server = BackgroundWsgiServer(
            host, port, self._wsgi, name="vodcover-console", max_body_bytes=2 * MAX_BODY_BYTES
        )

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def url(self) -> str:
        host = self._address[0]
        shown = "127.0.0.1" if host in {"", "0.0.0.0"} else host  # noqa: S104 - a display name only
        return f"http://{shown}:{self.port}{CONSOLE_PREFIX}"

    def allowed_hosts(self) -> frozenset[str]:
        names = {"127.0.0.1", "localhost", "[::1]", self._address[0]}
        return frozenset(f"{name}:{self.port}" for name in names if name)

    def start(self) -> ConsoleServer:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> ConsoleServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def answer(
        self, method: str, raw_path: str, raw_query: str, headers: Iterable[tuple[str, str]], body: bytes
    ) -> ConsoleAnswer:
        header_list = list(headers)
        host = next((v for k, v in header_list if k.lower() == "host"), "")
        if host not in self.allowed_hosts():
            return error_answer(errors.ConsoleWrongHost(f"This console answers only on {self.url}."))
        if raw_path in {"/", CONSOLE_PREFIX.rstrip("/")}:
            return ConsoleAnswer(302, [("Location", CONSOLE_PREFIX)])
        if raw_path.startswith(CONSOLE_API_PREFIX):
            return self.proxy.forward(method, raw_path, raw_query, header_list, body, host=host)
        if raw_path.startswith(CONSOLE_PREFIX) and method in {"GET", "HEAD"}:
            return console_file(self.console_dir, raw_path)
        return error_answer(errors.RouteNotFound(f"No route for {method} {unquote(raw_path)}."))

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if content_length(environ) > MAX_BODY_BYTES:
            answer = error_answer(errors.RequestTooLarge("The request body exceeds 10 MB."))
        else:
            answer = self.answer(*request_parts(environ))
        headers = [*answer.headers, ("X-Content-Type-Options", "nosniff")]
        return respond(
            start_response, answer.status, headers, answer.body, head=environ["REQUEST_METHOD"] == "HEAD"
        )


__all__ = [
    "CONSOLE_API_PREFIX",
    "CONSOLE_DIR",
    "CONSOLE_HEADER",
    "ConsoleAnswer",
    "ConsoleCredentialsMissing",
    "ConsoleProxy",
    "ConsoleServer",
    "boto3_credentials",
    "region_of",
    "static_credentials",
]
