"""A loopback HTTP server publishing files, standing in for a trusted CDN (the allow-list), and
recording what is POSTed to it (a webhook receiver)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class FileServer:
    """Serve ``publish``-ed bytes at ``http://127.0.0.1:<port>/<name>``; anything else is a 404.
    Every POST is kept in ``posts`` and answered 200, or first what :meth:`fail_next` queued."""

    def __init__(self) -> None:
        files: dict[str, tuple[bytes, str]] = {}
        self._files = files
        posts: list[Received] = []
        self.posts = posts
        failures: dict[str, list[int]] = {}
        self._failures = failures

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                found = files.get(self.path.split("?", 1)[0].lstrip("/"))
                if found is None:
                    self.send_error(404)
                    return
                body, content_type = found
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                posts.append(Received(self.path, dict(self.headers.items()), body))
                queued = failures.get(self.path.split("?", 1)[0].lstrip("/"))
                self.send_response(queued.pop(0) if queued else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def authority(self) -> str:
        port = self._server.server_address[1]
        return f"127.0.0.1:{port}"

    def url(self, name: str) -> str:
        return f"http://{self.authority}/{name}"

    def publish(self, name: str, body: bytes, content_type: str) -> str:
        self._files[name] = (body, content_type)
        return self.url(name)

    def fail_next(self, name: str, *statuses: int) -> None:
        """Answer the next POSTs to ``/<name>`` with these statuses (then 200 again)."""
        self._failures[name] = list(statuses)

    def posted(self, name: str, *, timeout: float = 60.0, count: int = 1) -> list[Received]:
        """The POSTs to ``/<name>``, once there are ``count`` of them (waits up to ``timeout``)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [p for p in list(self.posts) if p.path.split("?", 1)[0] == f"/{name}"]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.1)

    def __enter__(self) -> FileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
