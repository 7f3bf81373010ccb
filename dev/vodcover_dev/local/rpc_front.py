"""Alibaba RPC calls on the local API port: the deployed HTTP API's ``$default`` route, locally.

A request at the root path with an ``Action`` parameter or an ``x-acs-action`` header is an
Alibaba RPC call (``vodcover.compat.alibaba.request.is_rpc_request``). It goes, without SigV4,
as an API Gateway HTTP API payload 2.0 event to the function the template's ``HttpApi`` event
names, which verifies the Alibaba signature itself, exactly as deployed.
"""

from __future__ import annotations

import base64
import time
from typing import Any

from vodcover.compat.alibaba.request import ReceivedRequest as RpcRequest
from vodcover.compat.alibaba.request import is_rpc_request
from vodcover_dev.local.sigv4 import ReceivedRequest
from vodcover_dev.local.template import SamTemplate

API_ID = "local-alibaba"


def rpc_function(template: SamTemplate) -> str | None:
    """The function behind the template's ``$default`` HttpApi route, if there is one."""
    for spec, event in template.http_api_routes():
        if event.path in {"$default", "/"}:
            return spec.logical_id
    return None


def is_rpc_call(request: ReceivedRequest) -> bool:
    return request.raw_path == "/" and is_rpc_request(as_rpc_request(request))


def as_rpc_request(request: ReceivedRequest) -> RpcRequest:
    return RpcRequest(request.method, request.raw_path, request.raw_query, request.headers, request.body)


def http_api_event(request: ReceivedRequest, *, request_id: str, source_ip: str) -> dict[str, Any]:
    """The payload 2.0 event API Gateway would send: raw path and query, headers in lower case
    (repeats joined by commas), the body base64-encoded."""
    headers: dict[str, str] = {}
    for name, value in request.headers:
        key = name.lower()
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    headers.setdefault("host", request.host)
    now = time.time()
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query,
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": API_ID,
            "domainName": request.host,
            "http": {
                "method": request.method,
                "path": request.raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": request.header("user-agent") or "",
            },
            "requestId": request_id,
            "routeKey": "$default",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "body": base64.b64encode(request.body).decode("ascii") if request.body else None,
        "isBase64Encoded": bool(request.body),
    }
