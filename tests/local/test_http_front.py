"""The local API front routes and shapes requests as API Gateway's REST proxy integration does."""

from __future__ import annotations

import base64
import json

import pytest
import requests

from vodcover_dev.local.api_routes import Route, Router
from vodcover_dev.local.proxy_events import is_binary
from vodcover_dev.local.stack import LocalStack

ROUTER = Router(
    [
        Route("GET", "/videos/{id}", "Get"),
        Route("POST", "/videos/pull", "Pull"),
        Route("ANY", "/videos/pull", "PullAny"),
        Route("GET", "/videos", "List"),
        Route("ANY", "/files/{proxy+}", "Files"),
        Route("PUT", "/videos/{id}/cover", "Cover"),
    ]
)


# --- routing, without a server ---------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "function", "params"),
    [
        ("GET", "/videos/abc", "Get", {"id": "abc"}),
        ("GET", "/videos/a%20b", "Get", {"id": "a b"}),
        ("POST", "/videos/pull", "Pull", {}),  # a literal beats {id}; an exact method beats ANY
        ("DELETE", "/videos/pull", "PullAny", {}),
        ("GET", "/videos/pull", "PullAny", {}),
        ("GET", "/videos", "List", {}),
        ("GET", "/videos/", "List", {}),
        ("PUT", "/videos/v1/cover", "Cover", {"id": "v1"}),
        ("PATCH", "/files/a/b/c.txt", "Files", {"proxy": "a/b/c.txt"}),
    ],
)
def test_routes_match_like_api_gateway(method: str, path: str, function: str, params: dict) -> None:
    matched = ROUTER.match(method, path)
    assert matched is not None
    route, found = matched
    assert (route.function, found) == (function, params)


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/videos/abc"), ("GET", "/videos/a/b"), ("GET", "/files"), ("GET", "/"), ("GET", "/nope")],
)
def test_unrouted_requests_match_nothing(method: str, path: str) -> None:
    assert ROUTER.match(method, path) is None


@pytest.mark.parametrize(
    ("content_type", "binary"),
    [
        ("image/png", True),
        ("application/octet-stream", True),
        ("application/json", False),
        ("application/json; charset=utf-8", False),
        ("text/plain", False),
        ("application/problem+json", False),
        (None, False),
    ],
)
def test_binary_content_types(content_type: str | None, binary: bool) -> None:
    assert is_binary(content_type) is binary


# --- through real HTTP ------------------------------------------------------------------
@pytest.mark.integration
def test_the_proxy_event_carries_path_query_headers_and_caller(stack: LocalStack, signed) -> None:
    response = signed.get(f"{stack.api_endpoint}/videos/v%201?ids=a,b&tag=x&tag=y", headers={"X-Trace": "t1"})

    assert response.status_code == 200
    event = response.json()["event"]
    assert event["resource"] == "/videos/{id}"
    assert event["path"] == "/videos/v 1"
    assert event["httpMethod"] == "GET"
    assert event["pathParameters"] == {"id": "v 1"}
    assert event["queryStringParameters"] == {"ids": "a,b", "tag": "y"}
    assert event["multiValueQueryStringParameters"] == {"ids": ["a,b"], "tag": ["x", "y"]}
    assert event["headers"]["X-Trace"] == "t1"
    assert event["multiValueHeaders"]["X-Trace"] == ["t1"]
    assert event["body"] is None and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["identity"]["accessKey"] == "local"
    assert context["resourcePath"] == "/videos/{id}"
    assert context["requestId"] == response.headers["x-amzn-RequestId"]
    assert response.json()["remainingMs"] > 0


@pytest.mark.integration
def test_response_headers_from_both_maps_are_written(stack: LocalStack, signed) -> None:
    response = signed.get(f"{stack.api_endpoint}/videos")
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Route"] == "/videos"


@pytest.mark.integration
def test_a_json_body_arrives_as_text(stack: LocalStack, signed) -> None:
    response = signed.post(f"{stack.api_endpoint}/videos/pull", json={"items": [{"url": "https://x/é"}]})
    event = response.json()["event"]
    assert event["isBase64Encoded"] is False
    assert json.loads(event["body"]) == {"items": [{"url": "https://x/é"}]}


@pytest.mark.integration
def test_a_binary_body_goes_both_ways_in_base64(stack: LocalStack, signed, calls) -> None:
    image = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    response = signed.put(
        f"{stack.api_endpoint}/videos/v1/cover", data=image, headers={"Content-Type": "image/png"}
    )

    assert response.status_code == 200
    (event,) = calls.of("ApiFunction")
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == image
    # the fixture answers the bytes reversed, base64-encoded: the front decodes them
    assert response.content == image[::-1]
    assert response.headers["Content-Type"] == "image/png"


@pytest.mark.integration
def test_a_greedy_path_reaches_its_function(stack: LocalStack, signed) -> None:
    response = signed.delete(f"{stack.api_endpoint}/files/a/b/c.txt")
    assert response.json()["event"]["pathParameters"] == {"proxy": "a/b/c.txt"}


@pytest.mark.integration
def test_an_unrouted_path_is_not_found(stack: LocalStack, signed) -> None:
    response = signed.get(f"{stack.api_endpoint}/nothing/here")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "NotFound"
    assert error["requestId"]


@pytest.mark.integration
def test_a_crashing_function_is_a_502_with_the_error_body(stack: LocalStack, signed) -> None:
    response = signed.get(f"{stack.api_endpoint}/broken")
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "Internal.Error"


@pytest.mark.integration
def test_the_console_is_served_without_auth(stack: LocalStack) -> None:
    index = requests.get(f"{stack.api_endpoint}/console/")
    assert index.status_code == 200
    assert index.headers["Content-Type"].startswith("text/html")
    assert "vodcover" in index.text
    assert requests.get(f"{stack.api_endpoint}/console", allow_redirects=False).status_code == 301


@pytest.mark.integration
def test_console_paths_cannot_escape_the_console_folder(stack: LocalStack) -> None:
    assert requests.get(f"{stack.api_endpoint}/console/missing.js").status_code == 404
    assert requests.get(f"{stack.api_endpoint}/console/..%2F..%2Fetc%2Fpasswd").status_code == 404
