"""A reverse proxy that counts the bytes it sends: the honest measure of what a reader fetched.

Put it in front of the local S3 (moto) and swap a presigned URL's host for the proxy's: the
proxy forwards each request with the upstream ``Host`` header (so the signature still holds),
streams the answer back, and counts every body byte it managed to send. A reader that asks for
an open-ended range and hangs up early is charged for what was actually pushed onto the
socket, as on a real network. Used by the media tests and ``bench/snapshot_bytes.py``.
"""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit, urlunsplit

FORWARDED_REQUEST_HEADERS = ("Range", "If-Match", "If-None-Match", "If-Range", "User-Agent", "Accept")
FORWARDED_RESPONSE_HEADERS = (
    "Content-Type",
    "Content-Range",
    "Accept-Ranges",
    "ETag",
    "Last-Modified",
)
CHUNK_BYTES = 64 * 1024


class CountingProxy:
    """``with CountingProxy("127.0.0.1", moto_port) as proxy: proxy.rewrite(url) ...``."""

    def __init__(self, upstream_host: str, upstream_port: int, *, honour_ranges: bool = True) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.honour_ranges = honour_ranges  # False: behave like a server without range support
        self._lock = threading.Lock()
        self.bytes_sent = 0
        self.requests = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def rewrite(self, url: str) -> str:
        """The same URL, pointed at the proxy."""
        parts = urlsplit(url)
        return urlunsplit(parts._replace(netloc=f"127.0.0.1:{self.port}"))

    def reset(self) -> None:
        with self._lock:
            self.bytes_sent = 0
            self.requests = 0

    def count(self, sent: int, *, request: bool = False) -> None:
        with self._lock:
            self.bytes_sent += sent
            self.requests += int(request)

    def start(self) -> CountingProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> CountingProxy:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _handler_for(proxy: CountingProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as S3 offers

        def do_GET(self) -> None:
            proxy.count(0, request=True)
            host, port = proxy.upstream
            upstream = http.client.HTTPConnection(host, port, timeout=60)
            headers = {"Host": f"{host}:{port}"}
            for name in FORWARDED_REQUEST_HEADERS:
                value = self.headers.get(name)
                if value is not None and (name != "Range" or proxy.honour_ranges):
                    headers[name] = value
            try:
                upstream.request("GET", self.path, headers=headers)
                answer = upstream.getresponse()
                self._relay(answer)
            finally:
                upstream.close()

        def _relay(self, answer: http.client.HTTPResponse) -> None:
            self.send_response(answer.status)
            length = answer.getheader("Content-Length")
            for name in FORWARDED_RESPONSE_HEADERS:
                value = answer.getheader(name)
                if value is not None:
                    self.send_header(name, value)
            if length is not None:
                self.send_header("Content-Length", length)
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            while chunk := answer.read(CHUNK_BYTES):
                try:
                    self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True
                    return
                proxy.count(len(chunk))

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler
