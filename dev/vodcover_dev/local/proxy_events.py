"""REST API (v1) Lambda proxy integration, both ways: the event a request becomes, and the answer
a handler's proxy response (or the front's own error) becomes, as API Gateway builds them."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from vodcover.api.statuses import status_of
from vodcover.api.view import ErrorBody
from vodcover.errors import InternalBadResponse, VodcoverError
from vodcover_dev.local.api_routes import Route
from vodcover_dev.local.sigv4 import Caller, ReceivedRequest

STAGE = "local"
API_ID = "local"
_TEXT_TYPES = (
    "application/json",
    "application/xml",
    "application/javascript",
    "application/x-www-form-urlencoded",
)


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
