"""A local stand-in for the Lambda ``Invoke`` API, so product code starts jobs the AWS way.

Product code starts background work (pull worker, smart cover) with plain boto3:
``boto3.client("lambda").invoke(FunctionName=settings.smart_cover_function,
InvocationType="Event", Payload=...)``. The local stack points ``AWS_ENDPOINT_URL_LAMBDA`` here
and names functions by logical id, so that very call runs the function in-process through
:class:`~vodcover_dev.local.invoker.LocalLambda`: no local branch in the product at all.
"""

from __future__ import annotations

import json
import re
import traceback
from typing import Any
from urllib.parse import unquote

from vodcover_dev import logger_for
from vodcover_dev.local.invoker import FunctionNotFound, HandlerLoadError, LocalLambda
from vodcover_dev.wsgi_server import BackgroundWsgiServer, request_parts, respond

logger = logger_for(__name__)

MAX_PAYLOAD_BYTES = 6 * 1024 * 1024  # Lambda's synchronous payload limit
Answer = tuple[int, bytes, dict[str, str]]
_INVOKE_PATH = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations$")


class LambdaEndpoint(BackgroundWsgiServer):
    """Serves ``POST /2015-03-31/functions/{name}/invocations`` (Event, RequestResponse, DryRun)."""

    def __init__(self, lambda_: LocalLambda, *, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(
            host, port, self._wsgi, name="vodcover-local-lambda", max_body_bytes=MAX_PAYLOAD_BYTES
        )
        self.lambda_ = lambda_

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        status, body, headers = self._answer(environ)
        all_headers = {"Content-Type": "application/json", "X-Amz-Executed-Version": "$LATEST", **headers}
        return respond(start_response, status, all_headers.items(), body)

    def _answer(self, environ: dict[str, Any]) -> Answer:
        method, raw_path, _query, _headers, payload = request_parts(environ)
        match = _INVOKE_PATH.match(raw_path)
        if method != "POST" or match is None:
            return _error(404, "UnknownOperationException", f"Unsupported operation {method} {raw_path}")
        name = unquote(match["name"])
        invocation_type = environ.get("HTTP_X_AMZ_INVOCATION_TYPE", "RequestResponse")
        try:
            event = json.loads(payload) if payload else {}
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _error(400, "InvalidRequestContentException", "Could not parse request body into json")
        try:
            return self._invoke(name, invocation_type, event)
        except FunctionNotFound as exc:
            return _error(404, "ResourceNotFoundException", str(exc))

    def _invoke(self, name: str, invocation_type: str, event: Any) -> Answer:
        spec = self.lambda_.spec(name)
        if invocation_type == "DryRun":
            return 204, b"", {}
        if invocation_type == "Event":
            self.lambda_.invoke_async(spec.logical_id, event)
            return 202, b"", {}
        return self._invoke_sync(spec.logical_id, event)

    def _invoke_sync(self, logical_id: str, event: Any) -> Answer:
        try:
            result = self.lambda_.invoke(logical_id, event)
        except HandlerLoadError as exc:
            return _error(502, "ServiceException", str(exc))
        except Exception as exc:
            logger.exception("%s failed (RequestResponse)", logical_id)
            body = {
                "errorMessage": str(exc),
                "errorType": type(exc).__name__,
                "stackTrace": traceback.format_tb(exc.__traceback__),
            }
            return 200, json.dumps(body).encode(), {"X-Amz-Function-Error": "Unhandled"}
        return 200, json.dumps(result).encode(), {}


def _error(status: int, error_type: str, message: str) -> Answer:
    body = json.dumps({"Type": "User", "message": message}).encode()
    return status, body, {"x-amzn-ErrorType": error_type}
