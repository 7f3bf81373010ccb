"""``vodcover local`` answers only once it is ready, on a machine with no AWS configuration.

A script's readiness loop sends its first request the moment the port accepts; that request
must be answered as a ready stack answers it (never a 500 such as ``NoRegionError``). The port
is reserved first (so the bucket's CORS can name it) and opened last.
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.local.local_process import local_stack_process, vodcover, wait_for_port
from vodcover_dev.local.api_routes import Router
from vodcover_dev.local.http_front import ApiFront
from vodcover_dev.local.sigv4 import SigV4Verifier
from vodcover_dev.local.stack import LocalStack

pytestmark = pytest.mark.integration


def signed_request_bytes(endpoint: str, path: str) -> bytes:
    request = AWSRequest(method="GET", url=f"{endpoint}{path}")
    SigV4Auth(Credentials("local", "local-secret"), "execute-api", "us-east-1").add_auth(request)
    host = endpoint.split("://", 1)[1]
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in request.headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_response(connection) -> tuple[int, dict[str, str], bytes]:
    chunks = []
    while chunk := connection.recv(65536):
        chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in header_lines)}
    return int(status_line.split()[1]), headers, body


def test_the_first_request_when_the_port_opens_is_answered_by_a_ready_stack(tmp_path: Path) -> None:
    # Given a machine with no AWS region, credentials or ~/.aws, and `vodcover local` starting
    home = tmp_path / "home"
    home.mkdir()
    with local_stack_process(home) as local:
        # When a client signs a request the moment the port accepts a connection
        connection = wait_for_port(local.port, local.process)
        with connection:
            connection.sendall(signed_request_bytes(local.endpoint, "/videos"))
            status, _, body = read_response(connection)
        # Then the stack is ready: the port opens last, so not even a 503 gets through
        assert status == 200, (status, body[:300], local.logs()[-2000:])
        assert json.loads(body)["videos"] == []
        assert "NoRegionError" not in local.logs()
        # And what it prints (once started) tells how to upload in a way that works
        deadline = time.monotonic() + 30
        while "Try:" not in local.output() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "vodcover upload" in local.output()
        assert "uuidgen" not in local.output()


def test_a_port_in_use_is_reported_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = vodcover(["local", "--port", str(port)], tmp_path)
    assert result.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "choose another with --port" in result.stderr


def test_the_reserved_port_refuses_connections_until_the_front_starts(stack: LocalStack, console_dir) -> None:
    front = ApiFront(Router([]), SigV4Verifier({}), stack.lambda_, console_dir=console_dir)
    front.bind()
    try:
        assert front.port != 0
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", front.port), timeout=10)
    finally:
        front.stop()


def test_the_front_answers_503_with_retry_after_until_it_is_ready(stack: LocalStack, console_dir) -> None:
    # Given a front that is listening but not yet told everything behind it is ready
    front = ApiFront(Router([]), SigV4Verifier({}), stack.lambda_, console_dir=console_dir)
    front.start()
    try:
        # When a request arrives, then it is asked to come back
        early = requests.get(f"{front.endpoint}/videos", timeout=10)
        assert early.status_code == 503
        assert early.headers["Retry-After"] == "1"
        assert early.json()["error"]["code"] == "Local.Starting"
        # And once ready the same request is routed (here: no such route)
        front.ready()
        later = requests.get(f"{front.endpoint}/videos", timeout=10)
        assert later.status_code == 404
        assert later.json()["error"]["code"] == "NotFound"
    finally:
        front.stop()
