"""A local stand-in for the Lambda ``Invoke`` API, so product code starts jobs the AWS way.

Product code starts background work (pull worker, smart cover) with plain boto3:
``boto3.client("lambda").invoke(FunctionName=settings.smart_cover_function,
InvocationType="Event", Payload=...)``. The local stack points ``AWS_ENDPOINT_URL_LAMBDA`` here
and names functions by logical id, so that very call runs the function in-process through
:class:`~vodcover.local.invoker.LocalLambda`: no local branch in the product at all.
"""

from __future__ import annotations

import json
import logging
import re
import traceback
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote

from vodcover.local.http_front import BackgroundHTTPServer
from vodcover.local.invoker import FunctionNotFound, HandlerLoadError, LocalLambda

logger = logging.getLogger(__name__)

_INVOKE_PATH = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations$")


class LambdaEndpoint(BackgroundHTTPServer):
    """Serves ``POST /2015-03-31/functions/{name}/invocations`` (Event, RequestResponse, DryRun)."""

    def __init__(self, lambda_: LocalLambda, *, host: str = "127.0.0.1", port: int = 0) -> None:
        endpoint = self

        class Handler(_InvokeHandler):
            app = endpoint

        super().__init__(host, port, Handler)
        self.lambda_ = lambda_


class _InvokeHandler(BaseHTTPRequestHandler):
    app: LambdaEndpoint
    server_version = "vodcover-local-lambda"
    protocol_version = "HTTP/1.1"  # botocore keeps connections alive

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        payload = self.rfile.read(length) if length else b""
        match = _INVOKE_PATH.match(self.path.split("?", 1)[0])
        if match is None:
            self._error(404, "UnknownOperationException", f"Unsupported path {self.path}")
            return
        name = unquote(match["name"])
        invocation_type = self.headers.get("X-Amz-Invocation-Type", "RequestResponse")
        try:
            event = json.loads(payload) if payload else {}
        except json.JSONDecodeError:
            self._error(400, "InvalidRequestContentException", "Could not parse request body into json")
            return
        try:
            self._invoke(name, invocation_type, event)
        except FunctionNotFound as exc:
            self._error(404, "ResourceNotFoundException", str(exc))

    def _invoke(self, name: str, invocation_type: str, event: Any) -> None:
        spec = self.app.lambda_.spec(name)
        if invocation_type == "DryRun":
            self._send(204, b"")
        elif invocation_type == "Event":
            self.app.lambda_.invoke_async(spec.logical_id, event)
            self._send(202, b"")
        else:
            self._invoke_sync(spec.logical_id, event)

    def _invoke_sync(self, logical_id: str, event: Any) -> None:
        try:
            result = self.app.lambda_.invoke(logical_id, event)
        except HandlerLoadError as exc:
            self._error(502, "ServiceException", str(exc))
            return
        except Exception as exc:
            logger.exception("%s failed (RequestResponse)", logical_id)
            body = {
                "errorMessage": str(exc),
                "errorType": type(exc).__name__,
                "stackTrace": traceback.format_tb(exc.__traceback__),
            }
            self._send(200, json.dumps(body).encode(), {"X-Amz-Function-Error": "Unhandled"})
            return
        self._send(200, json.dumps(result).encode())

    def _error(self, status: int, error_type: str, message: str) -> None:
        body = json.dumps({"Type": "User", "message": message}).encode()
        self._send(status, body, {"x-amzn-ErrorType": error_type})

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Amz-Executed-Version", "$LATEST")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("lambda endpoint: " + format, *args)
