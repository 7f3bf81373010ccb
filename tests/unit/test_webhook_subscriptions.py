"""The owner's webhooks under moto: what ``GET /webhooks`` lists, who may delete what, the limit.

The receiver's ``host:port`` is allow-listed, so no name is resolved (the SSRF refusals are
tested through HTTP in tests/integration/test_webhooks.py).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest

from vodcover.commands import CreateWebhookRequest
from vodcover.dal.webhooks import DynamoWebhookStore, WebhookSubscription, webhooks_table_definition
from vodcover.errors import NotOwner, TooManyWebhooks, WebhookNotFound
from vodcover.net.url_policy import UrlPolicy
from vodcover.usecases.webhook_subscriptions import MAX_WEBHOOKS_PER_OWNER, WebhookSubscriptions

TABLE = "webhooks-under-test"
URL = "http://127.0.0.1:9/hook"


@pytest.fixture
def subscriptions(aws: None) -> WebhookSubscriptions:
    boto3.client("dynamodb").create_table(**webhooks_table_definition(TABLE))
    policy = UrlPolicy(allow_hosts=frozenset({"127.0.0.1:9"}), media_bucket="", max_redirects=0)
    return WebhookSubscriptions(webhooks=DynamoWebhookStore(TABLE), policy=policy)


def request(**fields: object) -> CreateWebhookRequest:
    return CreateWebhookRequest.model_validate({"url": URL, "events": ["CoverChanged"], **fields})


def alibaba_callback(owner: str) -> WebhookSubscription:
    """What SetMessageCallback stores."""
    return WebhookSubscription(
        webhook_id="alibaba",
        owner=owner,
        url=URL,
        events=["CoverChanged"],
        format="alibaba",
        auth_key="Key123abcXYZ",
        created_at="2026-12-01T00:00:00.000Z",
    )


def test_the_alibaba_callback_is_listed_deletable_and_outside_the_limit(
    subscriptions: WebhookSubscriptions,
) -> None:
    DynamoWebhookStore(TABLE).put(alibaba_callback("alice"))
    made = [subscriptions.create("alice", request()) for _ in range(MAX_WEBHOOKS_PER_OWNER)]

    listed = subscriptions.for_owner("alice")
    assert [s.format for s in listed] == ["alibaba"] + ["vodcover"] * MAX_WEBHOOKS_PER_OWNER
    with pytest.raises(TooManyWebhooks):
        subscriptions.create("alice", request())

    subscriptions.delete("alice", "alibaba")
    assert [s.webhook_id for s in subscriptions.for_owner("alice")] == [s.webhook_id for s in made]


def test_another_owners_id_is_forbidden_but_a_missing_alibaba_callback_is_not_found(
    subscriptions: WebhookSubscriptions,
) -> None:
    DynamoWebhookStore(TABLE).put(alibaba_callback("alice"))
    hook = subscriptions.create("alice", request())

    with pytest.raises(NotOwner):
        subscriptions.delete("bob", hook.webhook_id)
    with pytest.raises(WebhookNotFound):
        subscriptions.delete("bob", "alibaba")  # alice has one; bob has none: not a 403
    subscriptions.delete("alice", hook.webhook_id)
    with pytest.raises(WebhookNotFound):
        subscriptions.delete("alice", hook.webhook_id)
    assert [s.webhook_id for s in subscriptions.for_owner("alice")] == ["alibaba"]


def test_repeated_events_are_stored_once_and_a_given_secret_is_kept(
    subscriptions: WebhookSubscriptions,
) -> None:
    secret = "whsec_" + "A" * 32
    hook = subscriptions.create(
        "alice", request(events=["SnapshotComplete", "CoverChanged", "CoverChanged"], secret=secret)
    )

    stored = DynamoWebhookStore(TABLE).get("alice", hook.webhook_id)
    assert stored is not None
    assert (stored.events, stored.secret, stored.format) == (
        ["CoverChanged", "SnapshotComplete"],
        secret,
        "vodcover",
    )


def test_concurrent_creates_never_pass_the_limit(subscriptions: WebhookSubscriptions) -> None:
    """Creates that race for the last places: the limit is counted in the write, not read before."""
    for _ in range(MAX_WEBHOOKS_PER_OWNER - 2):
        subscriptions.create("alice", request())
    start = threading.Barrier(8)

    def create() -> str:
        start.wait()
        try:
            subscriptions.create("alice", request())
        except TooManyWebhooks:
            return "refused"
        return "made"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda _: create(), range(8)))

    assert sorted(outcomes) == ["made"] * 2 + ["refused"] * 6
    assert len(subscriptions.for_owner("alice")) == MAX_WEBHOOKS_PER_OWNER


def test_a_table_from_before_the_counter_keeps_the_limit(subscriptions: WebhookSubscriptions) -> None:
    store = DynamoWebhookStore(TABLE)
    held = [
        WebhookSubscription(
            webhook_id=f"wh_{n:024d}",
            owner="alice",
            url=URL,
            secret="whsec_" + "A" * 32,
            created_at=f"2026-11-01T00:00:{n:02d}.000Z",
        )
        for n in range(MAX_WEBHOOKS_PER_OWNER)
    ]
    for subscription in held:
        store.put(subscription)  # what the webhooks API wrote before it counted

    with pytest.raises(TooManyWebhooks):
        subscriptions.create("alice", request())
    subscriptions.delete("alice", held[0].webhook_id)
    subscriptions.create("alice", request())  # the freed place
    with pytest.raises(TooManyWebhooks):
        subscriptions.create("alice", request())
    assert len(subscriptions.for_owner("alice")) == MAX_WEBHOOKS_PER_OWNER


def test_the_counter_is_neither_listed_nor_deletable(subscriptions: WebhookSubscriptions) -> None:
    made = subscriptions.create("alice", request())

    assert [s.webhook_id for s in subscriptions.for_owner("alice")] == [made.webhook_id]
    for owner in ("alice", "bob"):
        with pytest.raises(WebhookNotFound):
            subscriptions.delete(owner, "#count")
    for _ in range(MAX_WEBHOOKS_PER_OWNER - 1):
        subscriptions.create("alice", request())
    with pytest.raises(TooManyWebhooks):
        subscriptions.create("alice", request())  # the count survived the attempts
