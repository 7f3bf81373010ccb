"""One bus event to the owner's subscriptions (``usecases/webhook_fanout.py``).

Given an owner's subscriptions in two formats, when an event of one of the owner's videos comes
off the bus, then each subscription that asked for it gets it rendered in its own format and
signed with its own key; others' subscriptions, unasked events and unknown formats get nothing,
and a deleted video's event still reaches the owner who deleted it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from vodcover.compat.alibaba.callbacks import render_callback
from vodcover.dal.webhooks import WebhookSubscription
from vodcover.domain.webhooks import message_for
from vodcover.models import VideoRecord, VideoStatus
from vodcover.net.url_policy import UrlPolicy
from vodcover.usecases.webhook_delivery import DeliveryResult, SignedMessage
from vodcover.usecases.webhook_fanout import BusEvent, UndeliveredWebhooks, WebhookFanout

VIDEO = "0123456789abcdef0123456789abcdef"
AT = "2026-12-03T06:00:00Z"
POLICY = UrlPolicy(allow_hosts=frozenset(), media_bucket="")


class Videos:
    def __init__(self, record: VideoRecord | None, deleted_by: str | None = None) -> None:
        self._record, self._deleted_by = record, deleted_by

    def get(self, video_id: str) -> VideoRecord | None:
        return self._record if self._record and self._record.video_id == video_id else None

    def deleted_by(self, video_id: str) -> str | None:
        return self._deleted_by


class Webhooks:
    def __init__(self, *subscriptions: WebhookSubscription) -> None:
        self._subscriptions = subscriptions

    def for_owner(self, owner: str) -> list[WebhookSubscription]:
        return [s for s in self._subscriptions if s.owner == owner]


def subscription(
    webhook_id: str, owner: str, fmt: str, events: list[str], **keys: str
) -> WebhookSubscription:
    return WebhookSubscription(
        webhook_id=webhook_id,
        owner=owner,
        url=f"https://hooks.example/{webhook_id}",
        events=events,
        format=fmt,
        created_at=AT,
        **keys,
    )


def vodcover(event: BusEvent, sub: WebhookSubscription, record: VideoRecord | None) -> SignedMessage:
    return message_for(event.event_id, event.event_type, event.time, dict(event.detail))


def alibaba(event: BusEvent, sub: WebhookSubscription, record: VideoRecord | None) -> SignedMessage | None:
    callback = render_callback(event.event_type, event.time, event.detail, record, lambda key: f"/{key}")
    return callback.to(sub.url, f"msg_{event.event_id}") if callback else None


def fanout(
    videos: Videos,
    webhooks: Webhooks,
    sent: list[tuple[str, dict[str, str], Any]],
    refusing: frozenset[str] = frozenset(),
) -> WebhookFanout:
    def send(url: str, key: str, message: SignedMessage, policy: UrlPolicy) -> DeliveryResult:
        sent.append((url, message.headers(key, 1764741600), json.loads(message.body)))
        if url in refusing:  # a receiver that still answered 503 after deliver()'s retries
            return DeliveryResult(delivered=False, attempts=4, status=503)
        return DeliveryResult(delivered=True, attempts=1, status=200)

    return WebhookFanout(
        videos=videos,  # type: ignore[arg-type]
        webhooks=webhooks,  # type: ignore[arg-type]
        renderers={"vodcover": vodcover, "alibaba": alibaba},
        policy=POLICY,
        send=send,
    )


def record(owner: str) -> VideoRecord:
    return VideoRecord(video_id=VIDEO, owner=owner, status=VideoStatus.NORMAL, created_at=AT, updated_at=AT)


def test_each_subscription_that_asked_gets_the_event_in_its_format() -> None:
    webhooks = Webhooks(
        subscription("native", "alice", "vodcover", ["VideoDeleted"], secret="whsec_c2VjcmV0"),
        subscription("alibaba", "alice", "alibaba", ["VideoDeleted"], auth_key="Key123abc"),
        subscription("unasked", "alice", "vodcover", ["SnapshotComplete"], secret="whsec_c2VjcmV0"),
        subscription("bobs", "bob", "alibaba", ["VideoDeleted"]),
        subscription("odd", "alice", "mystery", ["VideoDeleted"]),
    )
    sent: list[tuple[str, dict[str, str], Any]] = []
    event = BusEvent("VideoDeleted", "e-1", AT, {"videoId": VIDEO, "title": "t"})

    results = fanout(Videos(record("alice")), webhooks, sent).announce(event)

    assert len(results) == 2
    by_url = {url: (headers, body) for url, headers, body in sent}
    native_headers, native_body = by_url["https://hooks.example/native"]
    assert native_body["type"] == "VideoDeleted" and native_headers["webhook-id"] == "msg_e-1"
    alibaba_headers, alibaba_body = by_url["https://hooks.example/alibaba"]
    assert alibaba_body["EventType"] == "DeleteMediaComplete"
    assert set(alibaba_headers) == {"Content-Type", "X-VOD-TIMESTAMP", "X-VOD-SIGNATURE"}


def test_a_deleted_videos_event_reaches_the_owner_who_deleted_it() -> None:
    webhooks = Webhooks(subscription("alibaba", "alice", "alibaba", ["VideoDeleted"]))
    sent: list[tuple[str, dict[str, str], Any]] = []

    fanout(Videos(None, deleted_by="alice"), webhooks, sent).announce(
        BusEvent("VideoDeleted", "e-2", AT, {"videoId": VIDEO})
    )

    [(_url, headers, body)] = sent
    assert body["MediaId"] == VIDEO
    assert "X-VOD-SIGNATURE" not in headers  # no AuthKey: authentication off


def test_an_event_of_no_ones_video_goes_nowhere() -> None:
    sent: list[tuple[str, dict[str, str], Any]] = []
    webhooks = Webhooks(subscription("alibaba", "alice", "alibaba", ["VideoUploaded"]))

    results = fanout(Videos(None), webhooks, sent).announce(
        BusEvent("VideoUploaded", "e-3", AT, {"videoId": VIDEO, "key": "uploads/x", "size": 1})
    )

    assert (results, sent) == ([], [])


def test_a_receiver_that_kept_failing_does_not_stop_the_others_and_the_event_is_not_lost() -> None:
    """Every receiver is tried; then the run fails, so Lambda parks the event in the failure queue."""
    webhooks = Webhooks(
        subscription("down", "alice", "vodcover", ["VideoDeleted"], secret="whsec_c2VjcmV0"),
        subscription("up", "alice", "vodcover", ["VideoDeleted"], secret="whsec_c2VjcmV0"),
    )
    sent: list[tuple[str, dict[str, str], Any]] = []
    event = BusEvent("VideoDeleted", "e-3", AT, {"videoId": VIDEO})

    with pytest.raises(UndeliveredWebhooks, match="1 of 2"):
        fanout(Videos(record("alice")), webhooks, sent, frozenset({"https://hooks.example/down"})).announce(
            event
        )

    assert sorted(url for url, _headers, _body in sent) == [
        "https://hooks.example/down",
        "https://hooks.example/up",
    ]
