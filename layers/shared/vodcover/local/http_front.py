"""The local API Gateway: SigV4 in, REST (v1) proxy events to handlers, proxy responses out.

Routes come from the template's ``Type: Api`` events and match as API Gateway matches them:
literal segments before ``{param}`` before ``{proxy+}``, an exact method before ``ANY``.
Requests are checked with :class:`~vodcover.local.sigv4.SigV4Verifier`; the caller's access
key id becomes ``requestContext.identity`` (locally the principal is the access key id).
``/console/`` serves the static console from the package, without authentication, and
``/console/api/…`` reaches the API through the console's signing proxy (when one is given).
"""

from __future__ import annotations

import base64
import json
import logging
import mimetypes
import threading
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from vodcover.console_proxy import CONSOLE_API_PREFIX, ConsoleProxy
from vodcover.errors import VodcoverError
from vodcover.local.emulator import PortInUse
from vodcover.local.invoker import LocalLambda
from vodcover.local.sigv4 import Caller, ReceivedRequest, SigV4Verifier
from vodcover.local.template import SamTemplate

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
STAGE = "local"
API_ID = "local"
CONSOLE_PREFIX = "/console/"
_TEXT_TYPES = (
    "application/json",
    "application/xml",
    "application/javascript",
    "application/x-www-form-urlencoded",
)


class HttpError(VodcoverError):
    """An answer the front gives itself (no function involved)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message, code=code)
        self.status = status


# --- routing ---------------------------------------------------------------------------
_LITERAL, _PARAM, _GREEDY = 0, 1, 2


@dataclass(frozen=True)
class Route:
    """One ``Type: Api`` event: its method, path template and function."""

    method: str
    path: str
    function: str

    @property
    def segments(self) -> tuple[str, ...]:
        return _split(self.path)

    @property
    def specificity(self) -> tuple[tuple[int, ...], int]:
        """Smaller is more specific: literal < {param} < {proxy+}, then exact method < ANY."""
        ranks = tuple(_segment_rank(s) for s in self.segments)
        return ranks, int(self.method == "ANY")

    def match(self, method: str, segments: Sequence[str]) -> dict[str, str] | None:
        """Path parameters (decoded) when ``method segments`` reach this route, else None."""
        if self.method not in {"ANY", method}:
            return None
        params: dict[str, str] = {}
        template = self.segments
        for index, pattern in enumerate(template):
            rank = _segment_rank(pattern)
            if rank == _GREEDY:
                rest = segments[index:]
                if not rest:
                    return None
                params[pattern[1:-2]] = "/".join(unquote(s) for s in rest)
                return params
            if index >= len(segments):
                return None
            if rank == _PARAM:
                params[pattern[1:-1]] = unquote(segments[index])
            elif pattern != unquote(segments[index]):
                return None
        return params if len(segments) == len(template) else None


def _segment_rank(segment: str) -> int:
    if segment.startswith("{") and segment.endswith("+}"):
        return _GREEDY
    if segment.startswith("{") and segment.endswith("}"):
        return _PARAM
    return _LITERAL


def _split(path: str) -> tuple[str, ...]:
    return tuple(s for s in path.strip("/").split("/") if s)


class Router:
    """Every API route in the template, most specific first."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = sorted(routes, key=lambda r: r.specificity)

    @classmethod
    def from_template(cls, template: SamTemplate) -> Router:
        return cls(Route(e.method, e.path, spec.logical_id) for spec, e in template.api_routes())

    def match(self, method: str, raw_path: str) -> tuple[Route, dict[str, str]] | None:
        segments = _split(raw_path)
        for route in self.routes:
            params = route.match(method.upper(), segments)
            if params is not None:
                return route, params
        return None


# --- proxy event and response ----------------------------------------------------------
def is_binary(content_type: str | None) -> bool:
    """Whether API Gateway (binary media types configured) would base64 this body."""
    if not content_type:
        return False
    media_type = content_type.split(";", 1)[0].strip().lower()
    textual = media_type.startswith("text/") or media_type in _TEXT_TYPES or media_type.endswith("+json")
    return not textual


def build_proxy_event(
    request: ReceivedRequest,
    route: Route,
    path_parameters: Mapping[str, str],
    caller: Caller,
    *,
    request_id: str,
    source_ip: str,
) -> dict[str, Any]:
    """The REST API (v1) Lambda proxy integration event for ``request``."""
    multi_headers: dict[str, list[str]] = {}
    for name, value in request.headers:
        multi_headers.setdefault(name, []).append(value)
    multi_query: dict[str, list[str]] = {}
    for name, value in parse_qsl(request.raw_query, keep_blank_values=True):
        multi_query.setdefault(name, []).append(value)
    body, encoded = _event_body(request.body, request.header("content-type"))
    path = unquote(request.raw_path)
    now = time.time()
    return {
        "resource": route.path,
        "path": path,
        "httpMethod": request.method,
        "headers": {k: v[-1] for k, v in multi_headers.items()} or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": dict(path_parameters) or None,
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": API_ID,
            "resourceId": route.function,
            "resourcePath": route.path,
            "httpMethod": request.method,
            "path": f"/{STAGE}{path}",
            "stage": STAGE,
            "protocol": "HTTP/1.1",
            "domainName": request.host,
            "requestId": request_id,
            "extendedRequestId": request_id,
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "requestTimeEpoch": int(now * 1000),
            "identity": {
                "accessKey": caller.access_key,
                "accountId": "123456789012",
                "caller": caller.access_key,
                "user": caller.access_key,
                "userArn": caller.access_key,
                "sourceIp": source_ip,
                "userAgent": request.header("user-agent"),
                "cognitoIdentityId": None,
                "cognitoIdentityPoolId": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
            },
        },
        "body": body,
        "isBase64Encoded": encoded,
    }


def _event_body(body: bytes, content_type: str | None) -> tuple[str | None, bool]:
    if not body:
        return None, False
    if not is_binary(content_type):
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(body).decode("ascii"), True


@dataclass(frozen=True)
class ProxyResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def parse_proxy_response(result: Any) -> ProxyResponse:
    """Turn a handler's proxy response into status, headers and bytes, as API Gateway does."""
    if not isinstance(result, Mapping) or "statusCode" not in result:
        raise HttpError(502, "Internal.BadResponse", "The function returned a malformed proxy response.")
    headers = [(str(k), str(v)) for k, v in (result.get("headers") or {}).items()]
    single = {k.lower() for k, _ in headers}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        if name.lower() not in single:
            headers.extend((str(name), str(v)) for v in values)
    body = result.get("body") or ""
    if result.get("isBase64Encoded"):
        raw = base64.b64decode(body)
    else:
        raw = body.encode("utf-8") if isinstance(body, str) else json.dumps(body).encode("utf-8")
    return ProxyResponse(int(result["statusCode"]), headers, raw)


def error_response(status: int, code: str, message: str, request_id: str) -> ProxyResponse:
    body = json.dumps({"error": {"code": code, "message": message, "requestId": request_id}})
    return ProxyResponse(status, [("Content-Type", "application/json")], body.encode("utf-8"))


# --- the server ------------------------------------------------------------------------
class BackgroundHTTPServer:
    """A ``ThreadingHTTPServer`` on a daemon thread; the port is bound by :meth:`start`
    (port 0 picks a free one) and released by :meth:`stop`."""

    def __init__(self, host: str, port: int, handler: type[BaseHTTPRequestHandler]) -> None:
        self._address = (host, port)
        self._handler = handler
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self._server.server_address[0]) if self._server else self._address[0]

    @property
    def port(self) -> int:
        return int(self._server.server_address[1]) if self._server else self._address[1]

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        try:
            self._server = ThreadingHTTPServer(self._address, self._handler)
        except OSError as exc:
            raise PortInUse(
                f"cannot listen on {self._address[0]}:{self._address[1]}: {exc.strerror}"
            ) from exc
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True, name=self._handler.__name__
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is None:
            return
        if self._thread is not None and self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
        self._server = None
        self._thread = None


class ApiFront(BackgroundHTTPServer):
    """The local API endpoint (plus ``/console/``)."""

    def __init__(
        self,
        router: Router,
        verifier: SigV4Verifier,
        lambda_: LocalLambda,
        *,
        console_dir: Path,
        console_proxy: ConsoleProxy | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        front = self

        class Handler(_ApiRequestHandler):
            app = front

        super().__init__(host, port, Handler)
        self.router = router
        self.verifier = verifier
        self.lambda_ = lambda_
        self.console_dir = console_dir
        self.console_proxy = console_proxy

    @property
    def allowed_origins(self) -> frozenset[str]:
        return frozenset({self.endpoint, f"http://localhost:{self.port}", f"http://127.0.0.1:{self.port}"})

    def answer(self, request: ReceivedRequest, source_ip: str) -> ProxyResponse:
        """Route, authenticate and invoke; every failure becomes the DESIGN §3 error body."""
        request_id = str(uuid.uuid4())
        response = self._answer(request, source_ip, request_id)
        response.headers.append(("x-amzn-RequestId", request_id))
        return response

    def _answer(self, request: ReceivedRequest, source_ip: str, request_id: str) -> ProxyResponse:
        try:
            if self.console_proxy is not None and request.raw_path.startswith(CONSOLE_API_PREFIX):
                return self._console_api(request)
            if request.raw_path == CONSOLE_PREFIX.rstrip("/") or request.raw_path.startswith(CONSOLE_PREFIX):
                return self._console(request)
            matched = self.router.match(request.method, request.raw_path)
            if matched is None:
                raise HttpError(
                    404, "NotFound", f"No route for {request.method} {unquote(request.raw_path)}."
                )
            route, params = matched
            caller = self.verifier.verify(request)
            event = build_proxy_event(
                request, route, params, caller, request_id=request_id, source_ip=source_ip
            )
            return parse_proxy_response(self._invoke(route, event, request_id))
        except VodcoverError as exc:
            return error_response(exc.status, exc.code, exc.message, request_id)

    def _invoke(self, route: Route, event: Mapping[str, Any], request_id: str) -> Any:
        try:
            return self.lambda_.invoke(route.function, event, request_id=request_id)
        except Exception as exc:
            logger.exception("%s failed on %s %s", route.function, route.method, route.path)
            raise HttpError(502, "Internal.Error", f"{route.function} failed: {type(exc).__name__}") from exc

    def _console_api(self, request: ReceivedRequest) -> ProxyResponse:
        assert self.console_proxy is not None
        answer = self.console_proxy.forward(
            request.method,
            request.raw_path,
            request.raw_query,
            request.headers,
            request.body,
            host=request.host,
        )
        return ProxyResponse(answer.status, list(answer.headers), answer.body)

    def _console(self, request: ReceivedRequest) -> ProxyResponse:
        if request.raw_path == CONSOLE_PREFIX.rstrip("/"):
            return ProxyResponse(301, [("Location", CONSOLE_PREFIX)], b"")
        relative = unquote(request.raw_path[len(CONSOLE_PREFIX) :]) or "index.html"
        root = self.console_dir.resolve()
        path = (root / relative).resolve()
        if path.is_dir():
            path = path / "index.html"
        if not path.is_relative_to(root) or not path.is_file():
            raise HttpError(404, "NotFound", f"No console file {relative}.")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type == "application/javascript":
            content_type += "; charset=utf-8"
        return ProxyResponse(200, [("Content-Type", content_type)], path.read_bytes())


class _ApiRequestHandler(BaseHTTPRequestHandler):
    app: ApiFront
    server_version = "vodcover-local"

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    def do_OPTIONS(self) -> None:
        """CORS preflight: API Gateway answers it without calling a function or checking auth."""
        self._write(ProxyResponse(204, self._cors_preflight_headers(), b""))

    def _handle(self) -> None:
        try:
            body = self._read_body()
        except HttpError as exc:
            self._write(error_response(exc.status, exc.code, exc.message, str(uuid.uuid4())))
            return
        split = urlsplit(self.path)
        request = ReceivedRequest(
            method=self.command,
            host=self.headers.get("Host", f"{self.app.host}:{self.app.port}"),
            raw_path=split.path or "/",
            raw_query=split.query,
            headers=list(self.headers.items()),
            body=body,
        )
        self._write(self.app.answer(request, self.client_address[0]))

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            raise HttpError(413, "Request.TooLarge", "The request body exceeds 10 MB.")
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                raise HttpError(413, "Request.TooLarge", "The request body exceeds 10 MB.")
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _cors_headers(self) -> list[tuple[str, str]]:
        origin = self.headers.get("Origin")
        if origin and origin in self.app.allowed_origins:
            return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
        return []

    def _cors_preflight_headers(self) -> list[tuple[str, str]]:
        headers = self._cors_headers()
        if headers:
            headers += [
                ("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS"),
                (
                    "Access-Control-Allow-Headers",
                    "Authorization, Content-Type, X-Amz-Date, X-Amz-Content-Sha256",
                ),
                ("Access-Control-Max-Age", "600"),
            ]
        return headers

    def _write(self, response: ProxyResponse) -> None:
        self.send_response(response.status)
        names: set[str] = set()
        for name, value in [*response.headers, *self._cors_headers()]:
            names.add(name.lower())
            self.send_header(name, value)
        if "content-length" not in names:
            self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        logger.info("%s %s", self.address_string(), format % args)
