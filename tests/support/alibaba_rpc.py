"""A small real HTTP server on loopback that runs vodcover's Alibaba verifier.

It stands in for the RPC endpoint that issue 15 still needs: every request goes through the
real :class:`~vodcover.compat.alibaba.verifier.AlibabaVerifier` and the real rendering; a
verified call is answered with a canned result shaped like Alibaba's for that action (the SDKs
parse it into their models). Every request is kept as received, so tests can replay one.
Also :class:`MemoryNonceStore`, the in-memory nonce store for unit tests only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from typing import Any

from werkzeug.serving import make_server

from vodcover.compat.alibaba.errors import UnknownAction
from vodcover.compat.alibaba.rendering import (
    RpcAnswer,
    error_answer,
    new_request_id,
    response_format,
    result_answer,
)
from vodcover.compat.alibaba.request import ReceivedRequest, is_rpc_request
from vodcover.compat.alibaba.verifier import AlibabaVerifier, VerifiedCall
from vodcover.errors import VodcoverError

VIDEO_ID = "8f3b1c2d4e5f4a6b8c9d0e1f2a3b4c5d"


def canned_result(call: VerifiedCall) -> dict[str, Any]:
    """What Alibaba answers for a few actions, with what the caller sent echoed back."""
    if call.action == "GetVideoInfo":
        return {
            "Video": {
                "VideoId": call.parameters.get("VideoId", VIDEO_ID),
                "Title": "caller:" + call.owner,
                "Status": "Normal",
                "Duration": 12.5,
                "CoverURL": "https://media.example.com/snapshots/1.jpg",
                "CreationTime": "2026-12-02T05:00:00Z",
                "Snapshots": {"Snapshot": ["https://media.example.com/snapshots/0.jpg"]},
            }
        }
    if call.action == "CreateUploadVideo":
        return {"VideoId": VIDEO_ID, "UploadAddress": "e30=", "UploadAuth": "e30="}
    if call.action in ("UpdateVideoInfo", "DeleteVideo"):
        return {}
    if call.action == "DescribeVodDomainMax95BpsData":
        return {"DomainName": call.parameters.get("DomainName", ""), "Max95Bps": "0"}
    raise UnknownAction()


def environ_request(environ: dict[str, Any]) -> ReceivedRequest:
    """A WSGI environ as a :class:`ReceivedRequest` (raw query, headers as sent)."""
    headers = [(k[5:].replace("_", "-").lower(), str(v)) for k, v in environ.items() if k.startswith("HTTP_")]
    for name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(name):
            headers.append((name.replace("_", "-").lower(), environ[name]))
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    return ReceivedRequest(
        method=environ["REQUEST_METHOD"],
        raw_path=environ.get("RAW_URI", environ.get("PATH_INFO", "/")).split("?", 1)[0],
        raw_query=environ.get("QUERY_STRING", ""),
        headers=headers,
        body=body,
    )


@dataclass
class RpcServer:
    """The running server: its address, and what it received and answered."""

    endpoint: str  # host:port, as the SDKs want it
    received: list[ReceivedRequest] = field(default_factory=list)
    answers: list[RpcAnswer] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{self.endpoint}"


@contextmanager
def serve_rpc(
    verifier: AlibabaVerifier, result_for: Callable[[VerifiedCall], dict[str, Any]] = canned_result
) -> Iterator[RpcServer]:
    state: RpcServer | None = None

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = environ_request(environ)
        fmt = response_format(request)
        request_id = new_request_id()
        try:
            if not is_rpc_request(request):
                raise UnknownAction()
            call = verifier.verify(request)
            answer = result_answer(call.action, result_for(call), fmt, request_id=request_id)
        except VodcoverError as exc:
            answer = error_answer(exc, fmt, request_id=request_id, host_id=request.host)
        assert state is not None
        state.received.append(request)
        state.answers.append(answer)
        start_response(f"{answer.status} {HTTPStatus(answer.status).phrase}", list(answer.headers.items()))
        return [answer.body]

    server = make_server("127.0.0.1", 0, app, threaded=True)
    state = RpcServer(endpoint=f"127.0.0.1:{server.server_port}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        thread.join(timeout=10)


class MemoryNonceStore:
    """Nonces in a dict, for unit tests only (the product uses ``DynamoNonceStore``)."""

    def __init__(self) -> None:
        self._expiry: dict[tuple[str, str], datetime] = {}
        self._lock = threading.Lock()

    def claim(self, access_key_id: str, nonce: str, *, now: datetime, expires_at: datetime) -> bool:
        with self._lock:
            seen = self._expiry.get((access_key_id, nonce))
            if seen is not None and seen >= now:
                return False
            self._expiry[(access_key_id, nonce)] = expires_at
            return True
