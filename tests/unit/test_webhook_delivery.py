"""Webhook deliveries over real HTTP to a receiver on loopback: signed so that the Standard
Webhooks reference verifier accepts them, retried with backoff, never sent to a private address."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from standardwebhooks import Webhook

from vodcover.domain.webhooks import message_for, new_secret
from vodcover.net.url_policy import webhook_url_policy
from vodcover.settings import WebhookSettings
from vodcover.usecases.webhook_delivery import deliver


class Receiver:
    """Answers each POST with the next status of ``statuses`` and keeps what it got."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 204
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def authority(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver([])
    yield server
    server.server.shutdown()


def allowing(authority: str) -> Any:
    return webhook_url_policy(WebhookSettings(webhook_allow_hosts=authority))


def test_a_delivery_verifies_with_the_standard_webhooks_library(receiver: Receiver) -> None:
    secret = new_secret()
    message = message_for(
        "e1", "CoverChanged", "2026-12-02T16:00:00.000Z", {"videoId": "v1", "previous": None}
    )

    result = deliver(f"http://{receiver.authority}/hook", secret, message, allowing(receiver.authority))

    assert result.delivered and result.attempts == 1
    ((headers, body),) = receiver.received
    payload = Webhook(secret).verify(body, headers)  # raises when the signature or time is wrong
    assert payload["type"] == "CoverChanged" and payload["data"]["videoId"] == "v1"
    assert headers["webhook-id"] == "msg_e1" and headers["webhook-signature"].startswith("v1,")
    with pytest.raises(Exception):  # noqa: B017 - the library's own verification error
        Webhook(new_secret()).verify(body, headers)


def test_failed_attempts_are_retried_with_backoff_and_each_is_signed(receiver: Receiver) -> None:
    receiver.statuses = [500, 503]
    waits: list[float] = []
    secret = new_secret()
    message = message_for("e2", "SnapshotComplete", "2026-12-02T16:00:00.000Z", {"videoId": "v2"})

    result = deliver(
        f"http://{receiver.authority}/hook", secret, message, allowing(receiver.authority), sleep=waits.append
    )

    assert result.delivered and result.attempts == 3 and waits == [1.0, 4.0]
    assert len({h["webhook-id"] for h, _ in receiver.received}) == 1  # the same id on every retry
    for headers, body in receiver.received:
        Webhook(secret).verify(body, headers)


def test_a_receiver_that_never_accepts_is_given_up_after_the_last_attempt(receiver: Receiver) -> None:
    receiver.statuses = [500] * 10
    message = message_for("e3", "VideoDeleted", "2026-12-02T16:00:00.000Z", {"videoId": "v3"})

    result = deliver(
        f"http://{receiver.authority}/",
        new_secret(),
        message,
        allowing(receiver.authority),
        sleep=lambda _: None,
    )

    assert not result.delivered and result.attempts == 4 and result.status == 500


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",  # loopback, not allow-listed (and plain http)
        "https://127.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::ffff:10.0.0.1]/hook",
        "https://localhost/hook",
        "s3://vodcover-media/key",
        "ftp://example.com/hook",
    ],
)
def test_a_private_or_odd_webhook_url_is_refused_with_a_stable_code_and_never_retried(url: str) -> None:
    waits: list[float] = []
    message = message_for("e4", "CoverChanged", "2026-12-02T16:00:00.000Z", {"videoId": "v4"})

    result = deliver(url, new_secret(), message, webhook_url_policy(WebhookSettings()), sleep=waits.append)

    assert not result.delivered and result.error == "WebhookUrl.Forbidden"
    assert result.attempts == 1 and waits == []
