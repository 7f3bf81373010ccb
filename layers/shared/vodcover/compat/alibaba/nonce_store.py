"""Nonces seen within the signature window, in DynamoDB: one conditional put per call.

The item's key is ``<AccessKeyId>#<nonce>``; ``expiresAt`` (epoch seconds) is the table's TTL
attribute. DynamoDB's TTL deletes lazily (up to days later), so the condition also lets a put
replace an item whose time has passed: a nonce is refused exactly while its signature window
lasts, never longer. The put is atomic, so two copies of one request racing each other cannot
both pass.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from vodcover.dal.aws import client

KEY_ATTRIBUTE = "nonceKey"
TTL_ATTRIBUTE = "expiresAt"
# ``update_time_to_live`` / the template's ``TimeToLiveSpecification``: expired nonces go by themselves.
TTL_SPECIFICATION = {"AttributeName": TTL_ATTRIBUTE, "Enabled": True}


def nonces_table_definition(table_name: str) -> dict[str, Any]:
    """``create_table`` arguments (tests and the local stack; the template says the same)."""
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": KEY_ATTRIBUTE, "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": KEY_ATTRIBUTE, "KeyType": "HASH"}],
    }


class DynamoNonceStore:
    """:class:`~vodcover.compat.alibaba.verifier.NonceStore` on a DynamoDB table."""

    def __init__(self, table_name: str) -> None:
        self._table_name = table_name

    def claim(self, access_key_id: str, nonce: str, *, now: datetime, expires_at: datetime) -> bool:
        try:
            client("dynamodb").put_item(
                TableName=self._table_name,
                Item={
                    KEY_ATTRIBUTE: {"S": f"{access_key_id}#{nonce}"},
                    TTL_ATTRIBUTE: {"N": str(math.ceil(expires_at.timestamp()))},
                },
                ConditionExpression="attribute_not_exists(#key) OR #expires < :now",
                ExpressionAttributeNames={"#key": KEY_ATTRIBUTE, "#expires": TTL_ATTRIBUTE},
                ExpressionAttributeValues={":now": {"N": str(math.floor(now.timestamp()))}},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True
