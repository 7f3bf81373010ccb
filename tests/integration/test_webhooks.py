"""Webhooks through real signed HTTP against the local stack: a loopback receiver subscribed with
``POST /webhooks`` hears a video's ``SnapshotComplete`` and ``CoverChanged`` (with the previous
cover), each signature checked the way docs/api.md ("Webhooks") tells a receiver to; a failed
delivery is retried, a deleted webhook hears nothing more, private URLs and strangers are refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import pytest

from tests.integration.api_client import Api
from tests.integration.conftest import Clips, upload_and_wait
from tests.integration.loopback import FileServer, Received
from vodcover_dev.local.stack import LocalStack

pytestmark = pytest.mark.integration

WEBHOOKS = "/webhooks"
WEBHOOK = "/webhooks/{webhookId}"
VIDEO = "/videos/{videoId}"


def verified(post: Received, secret: str) -> dict[str, Any]:
    """docs/api.md's recipe, written out: HMAC-SHA256 keyed with the base64 after ``whsec_``,
    over ``id.timestamp.body``, base64, as one of the ``v1,`` signatures; a recent timestamp."""
    headers = {k.lower(): v for k, v in post.headers.items()}
    message_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    assert abs(time.time() - int(timestamp)) < 300
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + post.body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert any(hmac.compare_digest(expected, given) for given in headers["webhook-signature"].split(" "))
    body: dict[str, Any] = json.loads(post.body)
    return body


def deliveries(
    receiver: FileServer, path: str, event_type: str, video_id: str, count: int = 1
) -> list[Received]:
    """The POSTs to ``/<path>`` of ``event_type`` for the video, once there are ``count``."""
    deadline = time.monotonic() + 60
    while True:
        found = [
            p
            for p in receiver.posted(path, timeout=0)
            if (body := json.loads(p.body))["type"] == event_type and body["data"].get("videoId") == video_id
        ]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def subscribe(api: Api, url: str, events: list[str]) -> dict[str, Any]:
    created: dict[str, Any] = api.expect(201, "POST", WEBHOOKS, json={"url": url, "events": events})
    return created


def test_a_receiver_hears_signed_snapshot_and_cover_events_until_it_is_deleted(
    stack: LocalStack, alice: Api, bob: Api, clips: Clips, receiver: FileServer
) -> None:
    # Given alice's webhook for two events, its receiver failing its first delivery once
    hook = subscribe(alice, receiver.url("alice-hook"), ["SnapshotComplete", "CoverChanged"])
    assert hook["secret"].startswith("whsec_") and len(base64.b64decode(hook["secret"][6:])) >= 24
    assert (hook["format"], hook["events"]) == ("vodcover", ["CoverChanged", "SnapshotComplete"])
    listed = alice.expect(200, "GET", WEBHOOKS)["webhooks"]
    assert [w for w in listed if w["webhookId"] == hook["webhookId"]] == [
        {k: v for k, v in hook.items() if k != "secret"}
    ]
    assert all(w["webhookId"] != hook["webhookId"] for w in bob.expect(200, "GET", WEBHOOKS)["webhooks"])
    bob.expect_error(403, "Forbidden.NotOwner", "DELETE", WEBHOOK, webhookId=hook["webhookId"])
    receiver.fail_next("alice-hook", 500)

    # When a video is uploaded
    video = upload_and_wait(stack, alice, clips.sample.read_bytes(), title="Heard")
    video_id = video["videoId"]

    # Then SnapshotComplete arrives signed, the failed attempt retried with the same webhook-id
    attempts = deliveries(receiver, "alice-hook", "SnapshotComplete", video_id, count=2)
    assert len(attempts) == 2
    assert attempts[0].headers["webhook-id"] == attempts[1].headers["webhook-id"]
    snapshots = verified(attempts[1], hook["secret"])
    assert snapshots["data"]["videoId"] == video_id

    # When alice picks another snapshot as the cover
    before = video["cover"]
    changed = alice.expect(200, "PATCH", VIDEO, videoId=video_id, json={"coverSnapshot": 1})

    # Then CoverChanged arrives signed, carrying the cover it replaced
    [cover_post] = deliveries(receiver, "alice-hook", "CoverChanged", video_id)
    cover = verified(cover_post, hook["secret"])["data"]
    assert (cover["source"], cover["setBy"]) == ("user", "alice")
    assert cover["previous"]["source"] == before["source"] == "snapshot"
    assert changed["cover"]["source"] == "user"

    # When alice deletes the webhook (a second one stays, to show events still flow)
    control = subscribe(alice, receiver.url("alice-control"), ["CoverChanged"])
    alice.expect(204, "DELETE", WEBHOOK, webhookId=hook["webhookId"])
    alice.expect_error(404, "InvalidWebhook.NotFound", "DELETE", WEBHOOK, webhookId=hook["webhookId"])
    alice.expect(200, "PATCH", VIDEO, videoId=video_id, json={"coverSnapshot": 2})

    # Then only the remaining webhook hears the next change
    [heard] = deliveries(receiver, "alice-control", "CoverChanged", video_id)
    assert verified(heard, control["secret"])["data"]["previous"]["source"] == "user"
    stack.wait_idle()
    assert len(deliveries(receiver, "alice-hook", "CoverChanged", video_id)) == 1
    alice.expect(204, "DELETE", WEBHOOK, webhookId=control["webhookId"])


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/hook",
        "https://127.0.0.1/hook",
        "ftp://example.com/hook",
    ],
)
def test_a_private_or_odd_url_is_refused(alice: Api, url: str) -> None:
    alice.expect_error(
        400, "WebhookUrl.Forbidden", "POST", WEBHOOKS, json={"url": url, "events": ["CoverChanged"]}
    )


def test_bad_bodies_and_ids_get_stable_codes(alice: Api, receiver: FileServer) -> None:
    url = receiver.url("never")
    alice.expect_error(
        400, "InvalidParameter.Events", "POST", WEBHOOKS, json={"url": url, "events": ["CoverEaten"]}
    )
    alice.expect_error(400, "InvalidParameter.Events", "POST", WEBHOOKS, json={"url": url, "events": []})
    alice.expect_error(
        400,
        "InvalidParameter.Secret",
        "POST",
        WEBHOOKS,
        json={"url": url, "events": ["CoverChanged"], "secret": "hunter2"},
    )
    alice.expect_error(400, "InvalidParameter.WebhookId", "DELETE", WEBHOOK, webhookId="not-a-webhook")
    alice.expect_error(404, "InvalidWebhook.NotFound", "DELETE", WEBHOOK, webhookId="wh_" + "0" * 24)


def test_a_given_secret_is_kept_and_the_limit_is_twenty(alice: Api, bob: Api, receiver: FileServer) -> None:
    secret = "whsec_" + base64.b64encode(bytes(range(32))).decode()
    url = receiver.url("bob-many")
    first = bob.expect(201, "POST", WEBHOOKS, json={"url": url, "events": ["VideoDeleted"], "secret": secret})
    assert first["secret"] == secret
    made = [first] + [subscribe(bob, url, ["VideoDeleted"]) for _ in range(19)]
    bob.expect_error(
        400, "InvalidWebhook.LimitExceeded", "POST", WEBHOOKS, json={"url": url, "events": ["VideoDeleted"]}
    )
    assert len(bob.expect(200, "GET", WEBHOOKS)["webhooks"]) == 20
    for hook in made:
        bob.expect(204, "DELETE", WEBHOOK, webhookId=hook["webhookId"])
    assert bob.expect(200, "GET", WEBHOOKS)["webhooks"] == []
