"""Webhook subscriptions, per owner, in DynamoDB (docs/design.md, "Webhooks").

One item per subscription, keyed by ``owner`` and ``webhookId``, so an owner's subscriptions are
one query. A subscription names the events it wants (vodcover's ``DetailType``s) and the
``format`` its receiver reads: ``vodcover`` (Standard Webhooks, signed with ``secret``) or
``alibaba`` (Alibaba VOD's callbacks, signed with ``authKey``; one per owner, id ``alibaba``,
which ``SetMessageCallback`` replaces). The subscription travels as one JSON document beside
the keys: nothing queries inside it. A keys-only index by ``webhookId`` tells whose a
subscription is, so ``DELETE /webhooks/{id}`` can answer another owner's id with 403.
"""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import Field

from vodcover.dal.aws import client
from vodcover.models import CamelModel

OWNER_ATTRIBUTE = "owner"
ID_ATTRIBUTE = "webhookId"
DOCUMENT_ATTRIBUTE = "subscription"
BY_ID_INDEX = "byWebhookId"
ALIBABA_SUBSCRIPTION_ID = "alibaba"  # every owner's one Alibaba callback


class WebhookSubscription(CamelModel):
    webhook_id: str
    owner: str
    url: str
    events: list[str] = Field(default_factory=list)  # vodcover DetailTypes; empty: none
    format: str = "vodcover"
    secret: str | None = None  # format vodcover: the whsec_ signing secret
    auth_key: str | None = None  # format alibaba: AuthKey; None: no X-VOD-* signature
    options: dict[str, str] = Field(default_factory=dict)  # what a format echoes back as given
    created_at: str


class WebhookStore(Protocol):
    def put(self, subscription: WebhookSubscription) -> None: ...

    def get(self, owner: str, webhook_id: str) -> WebhookSubscription | None: ...

    def for_owner(self, owner: str) -> list[WebhookSubscription]: ...

    def delete(self, owner: str, webhook_id: str) -> bool: ...

    def owners_of(self, webhook_id: str) -> list[str]: ...


def webhooks_table_definition(table_name: str) -> dict[str, Any]:
    """``create_table`` arguments (tests and the local stack; the template says the same)."""
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": OWNER_ATTRIBUTE, "AttributeType": "S"},
            {"AttributeName": ID_ATTRIBUTE, "AttributeType": "S"},
        ],
        "KeySchema": [
            {"AttributeName": OWNER_ATTRIBUTE, "KeyType": "HASH"},
            {"AttributeName": ID_ATTRIBUTE, "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": BY_ID_INDEX,
                "KeySchema": [{"AttributeName": ID_ATTRIBUTE, "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    }


class DynamoWebhookStore:
    """:class:`WebhookStore` on botocore's low-level client."""

    def __init__(self, table_name: str) -> None:
        self._table_name = table_name

    def put(self, subscription: WebhookSubscription) -> None:
        client("dynamodb").put_item(TableName=self._table_name, Item=_item(subscription))

    def get(self, owner: str, webhook_id: str) -> WebhookSubscription | None:
        answer = client("dynamodb").get_item(
            TableName=self._table_name, Key=_key(owner, webhook_id), ConsistentRead=True
        )
        return _subscription(answer["Item"]) if "Item" in answer else None

    def for_owner(self, owner: str) -> list[WebhookSubscription]:
        paginator = client("dynamodb").get_paginator("query")
        pages = paginator.paginate(
            TableName=self._table_name,
            KeyConditionExpression="#owner = :owner",
            ExpressionAttributeNames={"#owner": OWNER_ATTRIBUTE},
            ExpressionAttributeValues={":owner": {"S": owner}},
        )
        return [_subscription(item) for page in pages for item in page.get("Items", [])]

    def delete(self, owner: str, webhook_id: str) -> bool:
        """True when there was one to delete."""
        answer = client("dynamodb").delete_item(
            TableName=self._table_name, Key=_key(owner, webhook_id), ReturnValues="ALL_OLD"
        )
        return "Attributes" in answer

    def owners_of(self, webhook_id: str) -> list[str]:
        """Who holds a subscription with this id (random ids: one owner at most; the fixed
        ``alibaba`` id: many)."""
        answer = client("dynamodb").query(
            TableName=self._table_name,
            IndexName=BY_ID_INDEX,
            KeyConditionExpression="#id = :id",
            ExpressionAttributeNames={"#id": ID_ATTRIBUTE},
            ExpressionAttributeValues={":id": {"S": webhook_id}},
            Limit=2,
        )
        return [item[OWNER_ATTRIBUTE]["S"] for item in answer.get("Items", [])]


def _key(owner: str, webhook_id: str) -> dict[str, Any]:
    return {OWNER_ATTRIBUTE: {"S": owner}, ID_ATTRIBUTE: {"S": webhook_id}}


def _item(subscription: WebhookSubscription) -> dict[str, Any]:
    document = subscription.model_dump_json(by_alias=True, exclude_none=True)
    return {**_key(subscription.owner, subscription.webhook_id), DOCUMENT_ATTRIBUTE: {"S": document}}


def _subscription(item: dict[str, Any]) -> WebhookSubscription:
    return WebhookSubscription.model_validate_json(item[DOCUMENT_ATTRIBUTE]["S"])
