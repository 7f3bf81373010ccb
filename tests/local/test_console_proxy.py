"""The console's signing proxy: the page calls ``/console/api/…`` with no secrets; the proxy
signs with SigV4 and forwards, locally (inside the stack's front) and standalone (``vodcover
console``), and refuses to sign for anyone but the console's own page."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests

from tests.local.conftest import USERS
from vodcover_dev.console_proxy import (
    CONSOLE_HEADER,
    ConsoleProxy,
    ConsoleServer,
    region_of,
    static_credentials,
)
from vodcover_dev.local.stack import LocalStack

CONSOLE = {CONSOLE_HEADER: "1"}


@pytest.fixture
def alice_console(stack: LocalStack, console_dir) -> Iterator[ConsoleServer]:
    """``vodcover console`` as alice, against the local stack's API."""
    proxy = ConsoleProxy(stack.api_endpoint, static_credentials("alice", USERS["alice"]), region="us-east-1")
    with ConsoleServer(proxy, port=0, console_dir=console_dir) as server:
        yield server


# --- inside the local stack --------------------------------------------------------------------
@pytest.mark.integration
def test_the_stack_front_signs_console_calls_as_the_console_user(stack: LocalStack) -> None:
    response = requests.get(f"{stack.console_url}api/videos/v1?ids=a,b", headers=CONSOLE)

    assert response.status_code == 200
    event = response.json()["event"]
    assert event["path"] == "/videos/v1"
    assert event["queryStringParameters"] == {"ids": "a,b"}
    assert event["requestContext"]["identity"]["accessKey"] == "local"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.integration
def test_a_binary_body_is_forwarded_intact(stack: LocalStack) -> None:
    image = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    response = requests.put(
        f"{stack.console_url}api/videos/v1/cover",
        data=image,
        headers={**CONSOLE, "Content-Type": "image/png"},
    )

    assert response.status_code == 200
    assert response.content == image[::-1]  # the fixture answers the bytes reversed
    assert response.headers["Content-Type"] == "image/png"


@pytest.mark.integration
def test_the_apis_own_errors_come_through_unchanged(stack: LocalStack) -> None:
    response = requests.get(f"{stack.console_url}api/nothing/here", headers=CONSOLE)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NotFound"


@pytest.mark.integration
@pytest.mark.parametrize(
    ("headers", "path", "status"),
    [
        ({}, "videos", 403),  # not the console's own call (no header)
        ({**CONSOLE, "Origin": "https://evil.example"}, "videos", 403),
        ({**CONSOLE, "Sec-Fetch-Site": "cross-site"}, "videos", 403),
        (CONSOLE, "videos/%2e%2e/secret", 400),
    ],
)
def test_calls_that_are_not_the_consoles_own_are_refused(
    stack: LocalStack, headers: dict[str, str], path: str, status: int
) -> None:
    response = requests.get(f"{stack.console_url}api/{path}", headers=headers)

    assert response.status_code == status
    assert response.json()["error"]["code"].startswith("Console.")


@pytest.mark.integration
def test_a_same_origin_browser_call_is_signed(stack: LocalStack) -> None:
    origin = stack.api_endpoint
    response = requests.get(
        f"{stack.console_url}api/videos",
        headers={**CONSOLE, "Origin": origin, "Sec-Fetch-Site": "same-origin"},
    )

    assert response.status_code == 200


@pytest.mark.integration
def test_static_console_files_still_need_no_auth(stack: LocalStack) -> None:
    response = requests.get(stack.console_url)

    assert response.status_code == 200
    assert "vodcover" in response.text


# --- vodcover console (standalone) ------------------------------------------------------------------
@pytest.mark.integration
def test_the_standalone_console_signs_with_its_own_credentials(alice_console: ConsoleServer) -> None:
    response = requests.post(f"{alice_console.url}api/videos/pull", json={"items": []}, headers=CONSOLE)

    assert response.status_code == 200
    event = response.json()["event"]
    assert event["requestContext"]["identity"]["accessKey"] == "alice"
    assert json.loads(event["body"]) == {"items": []}


@pytest.mark.integration
def test_the_standalone_console_serves_the_page(alice_console: ConsoleServer) -> None:
    root = requests.get(alice_console.url.removesuffix("console/"), allow_redirects=False)
    page = requests.get(alice_console.url)

    assert root.status_code == 302 and root.headers["Location"] == "/console/"
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert requests.get(f"{alice_console.url}../../etc/passwd").status_code == 404


@pytest.mark.integration
def test_the_standalone_console_answers_only_to_its_own_host_names(alice_console: ConsoleServer) -> None:
    # DNS rebinding: a page at attacker.example resolved to 127.0.0.1 sends its own Host.
    response = requests.get(
        f"{alice_console.url}api/videos",
        headers={**CONSOLE, "Host": f"attacker.example:{alice_console.port}"},
    )

    assert response.status_code == 421
    assert response.json()["error"]["code"] == "Console.WrongHost"


def test_an_unreachable_api_is_a_clear_error() -> None:
    proxy = ConsoleProxy("http://127.0.0.1:9", static_credentials("a", "b"), region="us-east-1", timeout=2)

    answer = proxy.forward("GET", "/console/api/videos", "", [(CONSOLE_HEADER, "1")], b"", host="127.0.0.1:1")

    assert answer.status == 502
    assert json.loads(answer.body)["error"]["code"] == "Console.Unreachable"


def test_missing_credentials_are_a_clear_error() -> None:
    def no_credentials():
        raise RuntimeError("the SSO session has expired")

    proxy = ConsoleProxy("http://127.0.0.1:9", no_credentials, region="us-east-1")

    answer = proxy.forward("GET", "/console/api/videos", "", [(CONSOLE_HEADER, "1")], b"", host="127.0.0.1:1")

    assert answer.status == 500
    assert "SSO session has expired" in json.loads(answer.body)["error"]["message"]


@pytest.mark.parametrize(
    ("endpoint", "region"),
    [
        ("https://abc123.execute-api.eu-west-1.amazonaws.com/v1", "eu-west-1"),
        ("https://a1.execute-api.cn-north-1.amazonaws.com.cn/prod", "cn-north-1"),
        ("https://api.example.com/v1", None),
        ("http://127.0.0.1:3000", None),
    ],
)
def test_the_region_is_read_from_an_api_gateway_endpoint(endpoint: str, region: str | None) -> None:
    assert region_of(endpoint) == region
