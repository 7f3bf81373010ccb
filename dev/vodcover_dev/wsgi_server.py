"""The HTTP servers this machine runs (``vodcover local``, ``vodcover console``): waitress.

waitress parses HTTP/1.1 itself and refuses bad framing with 400 before any application code
runs (``Content-Length: abc`` or ``-1``, a malformed chunk size, a bad request line or header);
it reads whole requests in its I/O loop, so a slow or never-finishing client holds a socket
until ``channel_timeout`` closes it, never a worker thread; bodies above ``max_body_bytes``
are refused with 413 (applications answer their own 413 below that). Applications are plain
WSGI callables; :func:`request_parts` gives them the request as it arrived on the wire.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any

from vodcover_dev import logger_for

logger = logger_for(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# A client that sends nothing for this long loses its connection (slowloris, idle keep-alive).
CHANNEL_TIMEOUT_SECONDS = 30
_CLEANUP_INTERVAL_SECONDS = 5
_STOP_TIMEOUT_SECONDS = 10
# The server's own business, never the application's (WSGI forbids them; waitress asserts).
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers"}
    | {"transfer-encoding", "upgrade"}
)


class ServerStartError(OSError):
    """The address could not be bound (port in use, address not available)."""

    def __init__(self, errno: int | None, strerror: str | None, address: tuple[str, int]) -> None:
        super().__init__(errno, strerror)
        self.address = address

    def __str__(self) -> str:
        return f"cannot listen on {self.address[0]}:{self.address[1]}: {self.strerror}"


class BackgroundWsgiServer:
    """A waitress server on a daemon thread; the port is bound by :meth:`start` (port 0 picks
    a free one) and released by :meth:`stop`."""

    def __init__(
        self,
        host: str,
        port: int,
        app: WsgiApp,
        *,
        name: str,
        threads: int = 8,
        max_body_bytes: int,
        channel_timeout: int = CHANNEL_TIMEOUT_SECONDS,
    ) -> None:
        self._address = (host, port)
        self._app = app
        self._name = name
        self._threads = threads
        self._max_body_bytes = max_body_bytes
        self._channel_timeout = channel_timeout
        self._server: Any = None
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return self._address[0]

    @property
    def port(self) -> int:
        if self._server is not None:
            return int(self._server.effective_port)
        if self._socket is not None:
            return int(self._socket.getsockname()[1])
        return self._address[1]

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def bind(self) -> None:
        """Reserve the address now (port 0 gets its number) without accepting connections:
        a client that connects before :meth:`start` is refused, not left waiting."""
        if self._socket is not None:
            return
        host, port = self._address
        try:
            family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
            sock = socket.socket(family, kind, proto)
        except OSError as exc:
            raise ServerStartError(exc.errno, exc.strerror, self._address) from exc
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
        except OSError as exc:
            sock.close()
            raise ServerStartError(exc.errno, exc.strerror, self._address) from exc
        self._socket = sock

    def start(self) -> None:
        """Listen and serve (binding first, unless :meth:`bind` already did)."""
        from waitress.server import create_server

        self.bind()
        self._server = create_server(
            self._app,
            sockets=[self._socket],
            threads=self._threads,
            ident=self._name,
            channel_timeout=self._channel_timeout,
            cleanup_interval=_CLEANUP_INTERVAL_SECONDS,
            max_request_body_size=self._max_body_bytes,
            expose_tracebacks=False,
            clear_untrusted_proxy_headers=True,
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True, name=self._name)
        self._thread.start()

    def stop(self) -> None:
        """Close the listening socket and every connection, then the worker threads."""
        server, self._server = self._server, None
        sock, self._socket = self._socket, None
        if server is None:
            if sock is not None:  # bound, never started
                sock.close()
            return
        from waitress import wasyncore

        # Closing sockets from the loop's own thread: the loop ends when its map is empty.
        try:
            server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map, ignore_all=True))
        except OSError as exc:
            # The wake-up pipe is already gone (seen once in CI: EBADF): the loop cannot be woken,
            # so close its sockets from here; the loop then ends on its empty map.
            logger.warning("%s: could not wake the I/O loop (%s); closing its sockets here", self._name, exc)
            wasyncore.close_all(server._map, ignore_all=True)
        if self._thread is not None:
            self._thread.join(_STOP_TIMEOUT_SECONDS)
            if self._thread.is_alive():  # pragma: no cover - the loop did not wake
                logger.warning("%s: I/O loop still running after stop", self._name)
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=_STOP_TIMEOUT_SECONDS)
        self._thread = None


def request_parts(environ: dict[str, Any]) -> tuple[str, str, str, list[tuple[str, str]], bytes]:
    """(method, raw path, raw query, headers, body) of a WSGI request, as sent on the wire.

    The path stays percent-encoded (SigV4 signs it that way); header names come back in their
    usual ``Title-Case`` (WSGI keeps no original spelling; header names are case-insensitive).
    """
    request_uri = environ.get("REQUEST_URI") or environ.get("PATH_INFO") or "/"
    raw_path = request_uri.split("?", 1)[0].split("#", 1)[0] or "/"
    if "://" in raw_path:  # absolute-form request target
        raw_path = "/" + raw_path.split("://", 1)[1].partition("/")[2]
    headers: list[tuple[str, str]] = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:]
        elif key in {"CONTENT_TYPE", "CONTENT_LENGTH"}:
            name = key
        else:
            continue
        if value == "" and key in {"CONTENT_TYPE", "CONTENT_LENGTH"}:
            continue
        headers.append(("-".join(part.capitalize() for part in name.split("_")), value))
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    return environ["REQUEST_METHOD"], raw_path, environ.get("QUERY_STRING", ""), headers, body


def content_length(environ: dict[str, Any]) -> int:
    """The body's length (waitress has checked the header and de-chunked the body)."""
    return int(environ.get("CONTENT_LENGTH") or 0)


def respond(
    start_response: Callable[..., Any],
    status: int,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    *,
    head: bool = False,
) -> list[bytes]:
    """Send ``status``, ``headers`` (plus ``Content-Length``) and ``body`` (none for HEAD)."""
    from http import HTTPStatus

    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    header_list = [(str(k), str(v)) for k, v in headers if str(k).lower() not in _HOP_BY_HOP]
    if not any(k.lower() == "content-length" for k, _ in header_list):
        header_list.append(("Content-Length", str(len(body))))
    start_response(f"{status} {reason}", header_list)
    return [] if head else [body]
