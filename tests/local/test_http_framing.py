"""Bad HTTP framing at the local fronts gets 400 (as API Gateway answers), over raw sockets;
slow and silent clients never hold a worker thread, and idle ones are disconnected."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest
import requests
from botocore.auth import SigV4Auth as BotocoreSigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.local.conftest import USERS
from tests.support.sigv4 import SigV4Auth
from vodcover_dev.console_proxy import ConsoleProxy, ConsoleServer, static_credentials
from vodcover_dev.local.stack import LocalStack
from vodcover_dev.wsgi_server import BackgroundWsgiServer

pytestmark = pytest.mark.integration

READ_TIMEOUT = 30  # a front that never answers fails the test instead of hanging it


def exchange(port: int, raw: bytes, *, until_closed: bool = False) -> bytes:
    """Send ``raw`` and read until the server closes or stops sending."""
    with socket.create_connection(("127.0.0.1", port), timeout=READ_TIMEOUT) as connection:
        connection.sendall(raw)
        chunks = []
        try:
            while chunk := connection.recv(65536):
                chunks.append(chunk)
                if b"\r\n\r\n" in b"".join(chunks) and not until_closed:
                    break
        except TimeoutError:
            pytest.fail(f"no answer within {READ_TIMEOUT}s; got {b''.join(chunks)[:200]!r}")
        return b"".join(chunks)


def status_of(answer: bytes) -> int:
    assert answer.startswith((b"HTTP/1.1 ", b"HTTP/1.0 ")), answer[:200]
    return int(answer.split(b" ", 2)[1])


BAD_FRAMING = {
    "content-length-not-a-number": b"POST /videos HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}",
    "content-length-negative": b"POST /videos HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}",
    "content-length-plus-sign": b"POST /videos HTTP/1.1\r\nHost: x\r\nContent-Length: +2\r\n\r\n{}",
    "content-length-twice-differing": (
        b"POST /videos HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}"
    ),
    "content-length-hex": b"POST /videos HTTP/1.1\r\nHost: x\r\nContent-Length: 0x2\r\n\r\n{}",
    "chunk-size-not-hex": (
        b"POST /videos HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"
    ),
    "chunk-size-negative": (
        b"POST /videos HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-2\r\n{}\r\n0\r\n\r\n"
    ),
    "chunk-longer-than-its-size": (
        b"POST /videos HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n{}\r\n0\r\n\r\n"
    ),
    "header-without-colon": b"GET /videos HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n",
    "bare-lf-in-header": b"GET /videos HTTP/1.1\r\nHost: x\r\nX-A: b\nX-C: d\r\n\r\n",
    "space-before-colon": b"GET /videos HTTP/1.1\r\nHost: x\r\nX-A : b\r\n\r\n",
    "garbage-request-line": b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n",
}


@pytest.mark.parametrize("raw", BAD_FRAMING.values(), ids=BAD_FRAMING.keys())
def test_bad_framing_is_answered_400(stack: LocalStack, raw: bytes) -> None:
    answer = exchange(stack.api.port, raw)
    assert status_of(answer) == 400, answer[:300]


def test_a_header_section_over_the_limit_is_answered_431(stack: LocalStack) -> None:
    raw = b"GET /videos HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 300_000 + b"\r\n\r\n"
    assert status_of(exchange(stack.api.port, raw)) == 431


def test_content_length_beside_chunked_is_ignored_not_smuggled(stack: LocalStack) -> None:
    # The chunked body is read; the Content-Length cannot make the rest a second request.
    raw = (
        b"POST /videos/pull HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
    )
    answer = exchange(stack.api.port, raw, until_closed=True)
    assert status_of(answer) == 401
    assert answer.count(b"HTTP/1.") == 1
    assert b"Auth.Missing" in answer


def test_an_unknown_transfer_coding_is_answered_501(stack: LocalStack) -> None:
    raw = b"POST /videos HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n{}"
    assert status_of(exchange(stack.api.port, raw)) == 501


def test_bad_framing_at_the_lambda_endpoint_and_the_console_is_answered_400(stack: LocalStack) -> None:
    raw = BAD_FRAMING["content-length-negative"]
    assert status_of(exchange(stack.lambda_endpoint.port, raw)) == 400
    proxy = ConsoleProxy(stack.api_endpoint, static_credentials("local", USERS["local"]), region="us-east-1")
    with ConsoleServer(proxy, port=0) as console:
        assert status_of(exchange(console.port, raw)) == 400


def test_a_signed_chunked_body_reaches_the_function_whole(stack: LocalStack) -> None:
    # Given a body signed as a whole and sent in two chunks
    body = b'{"items": [{"url": "u"}]}'
    url = f"{stack.api_endpoint}/videos/pull"
    request = AWSRequest(method="POST", url=url, data=body, headers={"Content-Type": "application/json"})
    BotocoreSigV4Auth(Credentials("local", USERS["local"]), "execute-api", "us-east-1").add_auth(request)
    head = ["POST /videos/pull HTTP/1.1", f"Host: 127.0.0.1:{stack.api.port}", "Connection: close"]
    head += [f"{k}: {v}" for k, v in request.headers.items()] + ["Transfer-Encoding: chunked"]
    raw = ("\r\n".join(head) + "\r\n\r\n").encode()
    raw += b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (10, body[:10], len(body) - 10, body[10:])
    # When it is sent, then the function sees the joined body
    answer = exchange(stack.api.port, raw, until_closed=True)
    assert status_of(answer) == 200, answer[:400]
    event = json.loads(answer.partition(b"\r\n\r\n")[2])["event"]
    assert json.loads(event["body"]) == {"items": [{"url": "u"}]}


@pytest.fixture
def slow_clients(stack: LocalStack) -> Iterator[list[socket.socket]]:
    """Twenty clients that send half a request and then nothing (more than the worker threads)."""
    clients = []
    for index in range(20):
        client = socket.create_connection(("127.0.0.1", stack.api.port), timeout=READ_TIMEOUT)
        partial = (
            b"POST /videos HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{" if index % 2 else b"GET /vi"
        )
        client.sendall(partial)
        clients.append(client)
    yield clients
    for client in clients:
        client.close()


def test_slow_clients_do_not_hold_the_workers(stack: LocalStack, slow_clients: list[socket.socket]) -> None:
    # Given more never-finishing requests than the front has worker threads
    # When a well-formed signed request arrives
    response = requests.get(
        f"{stack.api_endpoint}/videos/v1", auth=SigV4Auth("local", USERS["local"]), timeout=READ_TIMEOUT
    )
    # Then it is answered at once
    assert response.status_code == 200


def test_a_silent_client_is_disconnected_after_the_channel_timeout() -> None:
    # Given a front with a one-second channel timeout
    def app(environ, start_response):
        start_response("200 OK", [("Content-Length", "2")])
        return [b"ok"]

    server = BackgroundWsgiServer("127.0.0.1", 0, app, name="test", max_body_bytes=1024, channel_timeout=1)
    server.start()
    try:
        # When a client sends half a request and then nothing
        with socket.create_connection(("127.0.0.1", server.port), timeout=READ_TIMEOUT) as client:
            client.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{")
            try:
                closed = client.recv(1024) == b""
            except TimeoutError:
                closed = False
        # Then the server closed the connection (rather than waiting for ever)
        assert closed
    finally:
        server.stop()


def test_a_chunked_body_over_ten_mib_is_413_with_the_api_error_body(stack: LocalStack) -> None:
    chunk = b"x" * (1024 * 1024)
    body = iter([chunk] * 10 + [b"x"])  # requests sends an iterator chunked: no Content-Length
    response = requests.post(f"{stack.api_endpoint}/videos", data=body, timeout=READ_TIMEOUT)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "Request.TooLarge"
