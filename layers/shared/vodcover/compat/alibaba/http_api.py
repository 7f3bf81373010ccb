"""API Gateway HTTP API (payload 2.0) events as received requests, and answers as its results.

Payload 2.0 keeps what the signatures need: ``rawPath`` and ``rawQueryString`` as the client
sent them, the headers (repeats joined with commas, names in lower case), and the body.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from vodcover.compat.alibaba.rendering import RpcAnswer
from vodcover.compat.alibaba.request import ReceivedRequest


def request_of(event: Mapping[str, Any]) -> ReceivedRequest:
    http = (event.get("requestContext") or {}).get("http") or {}
    body = event.get("body") or ""
    data = base64.b64decode(body) if event.get("isBase64Encoded") else str(body).encode("utf-8")
    headers = [(str(name).lower(), str(value)) for name, value in (event.get("headers") or {}).items()]
    return ReceivedRequest(
        method=str(http.get("method") or "GET").upper(),
        raw_path=str(event.get("rawPath") or "/"),
        raw_query=str(event.get("rawQueryString") or ""),
        headers=headers,
        body=data,
    )


def result_of(answer: RpcAnswer) -> dict[str, Any]:
    return {
        "statusCode": answer.status,
        "headers": {"Content-Type": answer.content_type},
        "body": answer.body.decode("utf-8"),
        "isBase64Encoded": False,
    }
