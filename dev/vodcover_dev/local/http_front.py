"""The local API Gateway: SigV4 in, REST (v1) proxy events to handlers, proxy responses out.

Routes come from the template's ``Type: Api`` events (:mod:`vodcover_dev.local.api_routes`);
events and answers are API Gateway's (:mod:`vodcover_dev.local.proxy_events`).
Requests are checked with :class:`~vodcover_dev.local.sigv4.SigV4Verifier`; the caller's access
key id becomes ``requestContext.identity`` (locally the principal is the access key id).
``/console/`` serves the static console from the package, without authentication, and
``/console/api/…`` reaches the API through the console's signing proxy (when one is given).
HTTP itself (framing, timeouts, slow clients) is waitress's job: see :mod:`vodcover_dev.wsgi_server`.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from vodcover.errors import InternalError, LocalStarting, RequestTooLarge, RouteNotFound, VodcoverError
from vodcover_dev import logger_for
from vodcover_dev.console_proxy import (
    CONSOLE_API_PREFIX,
    CONSOLE_PREFIX,
    MAX_BODY_BYTES,
    ConsoleProxy,
    read_console_file,
)
from vodcover_dev.local.api_routes import Route, Router
from vodcover_dev.local.emulator import PortInUse
from vodcover_dev.local.invoker import LocalLambda
from vodcover_dev.local.media_route import MediaRoute, is_media_path
from vodcover_dev.local.proxy_events import (
    ProxyResponse,
    build_proxy_event,
    error_response,
    parse_proxy_response,
)
from vodcover_dev.local.rpc_front import http_api_event, is_rpc_call
from vodcover_dev.local.sigv4 import ReceivedRequest, SigV4Verifier
from vodcover_dev.wsgi_server import (
    BackgroundWsgiServer,
    ServerStartError,
    content_length,
    request_parts,
    respond,
)

logger = logger_for(__name__)


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
        media: MediaRoute | None = None,
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
        self.media = media
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
            if self.media is not None and is_media_path(request.raw_path):
                media = self.media.answer(request.method, request.raw_path, request.header("if-none-match"))
                return ProxyResponse(media.status, media.headers, media.body)
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
        content_type, body = read_console_file(self.console_dir, request.raw_path)
        return ProxyResponse(200, [("Content-Type", content_type)], body)

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
