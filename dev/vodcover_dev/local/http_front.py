"""The local API Gateway: SigV4 in, REST (v1) proxy events to handlers, proxy responses out.

Routes come from the template's ``Type: Api`` events and match as API Gateway matches them:
literal segments before ``{param}`` before ``{proxy+}``, an exact method before ``ANY``.
Requests are checked with :class:`~vodcover_dev.local.sigv4.SigV4Verifier`; the caller's access
key id becomes ``requestContext.identity`` (locally the principal is the access key id).
``/console/`` serves the static console from the package, without authentication, and
``/console/api/…`` reaches the API through the console's signing proxy (when one is given).
HTTP itself (framing, timeouts, slow clients) is waitress's job: see :mod:`vodcover_dev.wsgi_server`.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import threading
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

from vodcover.api.rest_views import ErrorBody
from vodcover.api.statuses import status_of
from vodcover.errors import (
    InternalBadResponse,
    InternalError,
    LocalStarting,
    RequestTooLarge,
    RouteNotFound,
    VodcoverError,
)
from vodcover_dev import logger_for
from vodcover_dev.console_proxy import CONSOLE_API_PREFIX, ConsoleProxy
from vodcover_dev.local.emulator import PortInUse
from vodcover_dev.local.invoker import LocalLambda
from vodcover_dev.local.rpc_front import http_api_event, is_rpc_call
from vodcover_dev.local.sigv4 import Caller, ReceivedRequest, SigV4Verifier
from vodcover_dev.local.template import SamTemplate
from vodcover_dev.wsgi_server import (
    BackgroundWsgiServer,
    ServerStartError,
    content_length,
    request_parts,
    respond,
)

logger = logger_for(__name__)

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
        raise InternalBadResponse("The function returned a malformed proxy response.")
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


def error_response(error: VodcoverError, request_id: str, *, status: int | None = None) -> ProxyResponse:
    """An answer the front gives itself, in the API's one error body, at the REST status table's
    status unless the front has its own reason (a crashed function is a 502, as on API Gateway)."""
    body = json.dumps(ErrorBody.of(error, request_id).answer())
    answered = status_of(error) if status is None else status
    return ProxyResponse(answered, [("Content-Type", "application/json")], body.encode("utf-8"))


# --- the server ------------------------------------------------------------------------
class ApiFront(BackgroundWsgiServer):
    """The local API endpoint (plus ``/console/``), served by waitress.

    :meth:`bind` reserves the port (so the bucket's CORS can name the origin) and
    :meth:`start` opens it; until :meth:`ready` is called every request is answered 503 with
    ``Retry-After``. The stack opens the port last, so a client should never see that.
    """

    def __init__(
        self,
        router: Router,
        verifier: SigV4Verifier,
        lambda_: LocalLambda,
        *,
        console_dir: Path,
        console_proxy: ConsoleProxy | None = None,
        rpc_function: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(host, port, self._wsgi, name="vodcover-local", max_body_bytes=2 * MAX_BODY_BYTES)
        self.router = router
        self.verifier = verifier
        self.lambda_ = lambda_
        self.console_dir = console_dir
        self.console_proxy = console_proxy
        self.rpc_function = rpc_function  # Alibaba RPC calls at "/" (vodcover_dev.local.rpc_front)
        self._ready = threading.Event()

    def bind(self) -> None:
        try:
            super().bind()
        except ServerStartError as exc:
            raise PortInUse(str(exc)) from exc

    def ready(self) -> None:
        """Everything behind the front is provisioned: answer requests from now on."""
        self._ready.set()

    @property
    def allowed_origins(self) -> frozenset[str]:
        return frozenset({self.endpoint, f"http://localhost:{self.port}", f"http://127.0.0.1:{self.port}"})

    def answer(self, request: ReceivedRequest, source_ip: str) -> ProxyResponse:
        """Route, authenticate and invoke; every failure becomes the API's JSON error body."""
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
            if self.rpc_function is not None and is_rpc_call(request):
                event = http_api_event(request, request_id=request_id, source_ip=source_ip)
                rpc_route = Route("ANY", "/", self.rpc_function)
                return parse_proxy_response(self._invoke(rpc_route, event, request_id))
            matched = self.router.match(request.method, request.raw_path)
            if matched is None:
                raise RouteNotFound(f"No route for {request.method} {unquote(request.raw_path)}.")
            route, params = matched
            caller = self.verifier.verify(request)
            event = build_proxy_event(
                request, route, params, caller, request_id=request_id, source_ip=source_ip
            )
            return parse_proxy_response(self._invoke(route, event, request_id))
        except InternalError as exc:  # the function crashed: API Gateway answers 502
            return error_response(exc, request_id, status=HTTPStatus.BAD_GATEWAY)
        except VodcoverError as exc:
            return error_response(exc, request_id)

    def _invoke(self, route: Route, event: Mapping[str, Any], request_id: str) -> Any:
        try:
            return self.lambda_.invoke(route.function, event, request_id=request_id)
        except Exception as exc:
            logger.exception(
                "%s failed on %s %s",
                route.function,
                route.method,
                route.path,
                extra=self.lambda_.log_labels(route.function, request_id),
            )
            raise InternalError(f"{route.function} failed: {type(exc).__name__}") from exc

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
            raise RouteNotFound(f"No console file {relative}.")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type == "application/javascript":
            content_type += "; charset=utf-8"
        return ProxyResponse(200, [("Content-Type", content_type)], path.read_bytes())

    # WSGI -----------------------------------------------------------------------------
    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        head = environ["REQUEST_METHOD"] == "HEAD"
        cors = self._cors_headers(environ.get("HTTP_ORIGIN"))
        response = self._respond(environ, cors)
        return respond(start_response, response.status, [*response.headers, *cors], response.body, head=head)

    def _respond(self, environ: dict[str, Any], cors: list[tuple[str, str]]) -> ProxyResponse:
        if not self._ready.is_set():
            response = error_response(
                LocalStarting("The local stack is still starting; retry shortly."), str(uuid.uuid4())
            )
            response.headers.append(("Retry-After", "1"))
            return response
        if environ["REQUEST_METHOD"] == "OPTIONS":
            # CORS preflight: API Gateway answers it without calling a function or checking auth.
            return ProxyResponse(204, self._cors_preflight_headers(cors), b"")
        if content_length(environ) > MAX_BODY_BYTES:
            return error_response(RequestTooLarge("The request body exceeds 10 MB."), str(uuid.uuid4()))
        method, raw_path, raw_query, headers, body = request_parts(environ)
        request = ReceivedRequest(
            method=method,
            host=environ.get("HTTP_HOST") or f"{self.host}:{self.port}",
            raw_path=raw_path,
            raw_query=raw_query,
            headers=headers,
            body=body,
        )
        return self.answer(request, environ.get("REMOTE_ADDR", ""))

    def _cors_headers(self, origin: str | None) -> list[tuple[str, str]]:
        if origin and origin in self.allowed_origins:
            return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
        return []

    @staticmethod
    def _cors_preflight_headers(cors: list[tuple[str, str]]) -> list[tuple[str, str]]:
        if not cors:
            return []
        return [
            ("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS"),
            ("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Amz-Date, X-Amz-Content-Sha256"),
            ("Access-Control-Max-Age", "600"),
        ]
