"""Webhook subscriptions, per owner, in DynamoDB (docs/design.md, "Webhooks").

One item per subscription, keyed by ``owner`` and ``webhookId``, so an owner's subscriptions are
one query. A subscription names the events it wants (vodcover's ``DetailType``s) and the
``format`` its receiver reads: ``vodcover`` (Standard Webhooks, signed with ``secret``) or
``alibaba`` (Alibaba VOD's callbacks, signed with ``authKey``; one per owner, id ``alibaba``,
which ``SetMessageCallback`` replaces). The subscription travels as one JSON document beside
the keys: nothing queries inside it. A keys-only index by ``webhookId`` tells whose a
subscription is, so ``DELETE /webhooks/{id}`` can answer another owner's id with 403.

Each owner's partition also holds one counter item (id ``#count``) of its ``vodcover``
subscriptions, changed in the same transaction as each create and delete: the limit holds under
concurrent creates, which a count of the query's items could not promise.
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
COUNTER_ID = "#count"  # the owner's counted subscriptions; never a webhook id ("wh_...")
COUNT_ATTRIBUTE = "count"
COUNTED_FORMAT = "vodcover"


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

    def add_within_limit(self, subscription: WebhookSubscription, limit: int) -> bool: ...

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
        """Stores an uncounted subscription (the Alibaba callback, which replaces its own)."""
        client("dynamodb").put_item(TableName=self._table_name, Item=_item(subscription))

    def add_within_limit(self, subscription: WebhookSubscription, limit: int) -> bool:
        """Stores a counted subscription unless the owner holds ``limit`` already (False): the
        item and the count change in one transaction, so two creates never take one last place."""
        owner = subscription.owner
        for attempt in range(2):
            try:
                client("dynamodb").transact_write_items(
                    TransactItems=[
                        {"Update": self._count_change(owner, +1, "#n < :limit", limit=limit)},
                        {
                            "Put": {
                                "TableName": self._table_name,
                                "Item": _item(subscription),
                                "ConditionExpression": f"attribute_not_exists({ID_ATTRIBUTE})",
                            }
                        },
                    ]
                )
                return True
            except client("dynamodb").exceptions.TransactionCanceledException:
                if attempt or not self._start_count(owner):
                    return False
        return False

    def _count_change(self, owner: str, step: int, condition: str, **values: int) -> dict[str, Any]:
        return {
            "TableName": self._table_name,
            "Key": _key(owner, COUNTER_ID),
            "UpdateExpression": "ADD #n :step",
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#n": COUNT_ATTRIBUTE},
            "ExpressionAttributeValues": {
                ":step": {"N": str(step)},
                **{f":{name}": {"N": str(value)} for name, value in values.items()},
            },
        }

    def _start_count(self, owner: str) -> bool:
        """Creates the owner's counter from the subscriptions it already holds (a table from
        before the counter); False when it was there already."""
        held = sum(s.format == COUNTED_FORMAT for s in self.for_owner(owner))
        try:
            client("dynamodb").put_item(
                TableName=self._table_name,
                Item={**_key(owner, COUNTER_ID), COUNT_ATTRIBUTE: {"N": str(held)}},
                ConditionExpression=f"attribute_not_exists({ID_ATTRIBUTE})",
            )
        except client("dynamodb").exceptions.ConditionalCheckFailedException:
            return False
        return True

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
        return [
            _subscription(item)
            for page in pages
            for item in page.get("Items", [])
            if DOCUMENT_ATTRIBUTE in item  # not the counter
        ]

    def delete(self, owner: str, webhook_id: str) -> bool:
        """True when there was one to delete; a counted one leaves the count in the same write."""
        if webhook_id == COUNTER_ID:
            return False
        held = self.get(owner, webhook_id)
        if held is None:
            return False
        if held.format == COUNTED_FORMAT:
            try:
                client("dynamodb").transact_write_items(
                    TransactItems=[
                        {
                            "Delete": {
                                "TableName": self._table_name,
                                "Key": _key(owner, webhook_id),
                                "ConditionExpression": f"attribute_exists({ID_ATTRIBUTE})",
                            }
                        },
                        {"Update": self._count_change(owner, -1, "#n > :zero", zero=0)},
                    ]
                )
                return True
            except client("dynamodb").exceptions.TransactionCanceledException as exc:
                reasons = exc.response.get("CancellationReasons", [])
                if not reasons or reasons[0].get("Code") == "ConditionalCheckFailed":
                    return False  # deleted meanwhile
                # no counter yet (a table from before it): the next create counts what is left
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
        if webhook_id == COUNTER_ID:
            return []
        return [item[OWNER_ATTRIBUTE]["S"] for item in answer.get("Items", [])]


def _key(owner: str, webhook_id: str) -> dict[str, Any]:
    return {OWNER_ATTRIBUTE: {"S": owner}, ID_ATTRIBUTE: {"S": webhook_id}}


def _item(subscription: WebhookSubscription) -> dict[str, Any]:
    document = subscription.model_dump_json(by_alias=True, exclude_none=True)
    return {**_key(subscription.owner, subscription.webhook_id), DOCUMENT_ATTRIBUTE: {"S": document}}


def _subscription(item: dict[str, Any]) -> WebhookSubscription:
    return WebhookSubscription.model_validate_json(item[DOCUMENT_ATTRIBUTE]["S"])
