"""API Gateway REST proxy events, as API Gateway sends them to our handlers after IAM auth."""

from __future__ import annotations

import base64
import json
import sys
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

from vodcover_dev.function_modules import load_app_module

ROOT = Path(__file__).resolve().parents[2]


def load_function(name: str) -> ModuleType:
    """Import ``functions/<name>/app.py`` under a unique module name (every function has an app.py)."""
    module_name = f"vodcover_function_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    return load_app_module(ROOT / "functions" / name / "app.py", module_name)


class FakeContext:
    function_name = "test-function"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test-function"

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def api_event(
    method: str,
    path: str,
    *,
    caller: str = "arn:aws:iam::123456789012:user/alice",
    body: Any = None,
    raw: bytes | str | None = None,
    content_type: str = "application/json",
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A REST API proxy event; ``body`` is sent as JSON, ``raw`` as given (bytes → base64)."""
    is_base64 = isinstance(raw, bytes)
    if raw is not None:
        text = base64.b64encode(raw).decode() if isinstance(raw, bytes) else raw
    else:
        text = None if body is None else json.dumps(body)
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": {"content-type": content_type} if text is not None else {},
        "multiValueHeaders": {"content-type": [content_type]} if text is not None else {},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "stage": "prod",
            "httpMethod": method,
            "path": f"/prod{path}",
            "identity": {
                "userArn": caller,
                "caller": caller,
                "accessKey": "AKIDEXAMPLE",
                "sourceIp": "192.0.2.1",
            },
        },
        "body": text,
        "isBase64Encoded": is_base64,
    }


def call(function: ModuleType, event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    answer = function.lambda_handler(event, FakeContext())
    body = answer.get("body") or "{}"
    if answer.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    return answer["statusCode"], json.loads(body)
