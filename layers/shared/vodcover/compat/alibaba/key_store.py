"""Access keys in DynamoDB, each secret encrypted with KMS and bound to its id and owner.

Why KMS-encrypted items rather than Secrets Manager: verifying a call already needs one read
of the key's item (is it still there, whose is it), and listing an owner's keys is a query on
an index; Secrets Manager would add a second service per call, costs per secret per month, and
lists only by tag filters. Here the secret is ``kms:Encrypt``-ed with the encryption context
``{accessKeyId, owner}``, so a ciphertext copied onto another item (another owner) does not
decrypt. Plain secrets exist only in memory: a decrypted secret is cached with its ciphertext,
so KMS is asked once per key and process, while every call still reads the item, so a revoked
key stops working at once (and its cached secret is dropped).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError
from pydantic import SecretStr

from vodcover.compat.alibaba.keys import AccessKey, AccessKeyExists, SigningKey
from vodcover.dal.aws import client
from vodcover.settings import AlibabaSettings

OWNER_INDEX = "byOwner"
_CONTEXT_ID = "vodcover:accessKeyId"
_CONTEXT_OWNER = "vodcover:owner"


def keys_table_definition(table_name: str) -> dict[str, Any]:
    """``create_table`` arguments (tests and the local stack; the template says the same)."""
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"} for name in ("accessKeyId", "owner", "createdAt")
        ],
        "KeySchema": [{"AttributeName": "accessKeyId", "KeyType": "HASH"}],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": OWNER_INDEX,
                "KeySchema": [
                    {"AttributeName": "owner", "KeyType": "HASH"},
                    {"AttributeName": "createdAt", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["accessKeyId"]},
            }
        ],
    }


class KmsAccessKeyStore:
    """Store, find, list and delete access keys; see the module docstring for the choice."""

    def __init__(self, table_name: str, kms_key_id: str) -> None:
        self._table_name = table_name
        self._kms_key_id = kms_key_id
        # accessKeyId → (ciphertext, secret): KMS once per key; a changed ciphertext decrypts anew
        self._decrypted: dict[str, tuple[bytes, SecretStr]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: AlibabaSettings) -> KmsAccessKeyStore:
        return cls(settings.alibaba_keys_table, settings.alibaba_keys_kms_key)

    def add(self, key: AccessKey, secret: SecretStr) -> None:
        ciphertext = client("kms").encrypt(
            KeyId=self._kms_key_id,
            Plaintext=secret.get_secret_value().encode(),
            EncryptionContext=_context(key.access_key_id, key.owner),
        )["CiphertextBlob"]
        try:
            client("dynamodb").put_item(
                TableName=self._table_name,
                Item={
                    "accessKeyId": {"S": key.access_key_id},
                    "owner": {"S": key.owner},
                    "createdAt": {"S": _timestamp(key.created_at)},
                    "secretCiphertext": {"B": ciphertext},
                },
                ConditionExpression="attribute_not_exists(accessKeyId)",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise AccessKeyExists(key.access_key_id) from None
            raise

    def signing_key(self, access_key_id: str) -> SigningKey | None:
        item = (
            client("dynamodb")
            .get_item(
                TableName=self._table_name, Key={"accessKeyId": {"S": access_key_id}}, ConsistentRead=True
            )
            .get("Item")
        )
        if not item:
            with self._lock:
                self._decrypted.pop(access_key_id, None)  # revoked: forget the plain secret too
            return None
        owner = item["owner"]["S"]
        ciphertext = bytes(item["secretCiphertext"]["B"])
        with self._lock:
            cached = self._decrypted.get(access_key_id)
        if cached is not None and cached[0] == ciphertext:
            return SigningKey(owner=owner, secret=cached[1])
        plain = client("kms").decrypt(
            CiphertextBlob=ciphertext, EncryptionContext=_context(access_key_id, owner)
        )["Plaintext"]
        secret = SecretStr(plain.decode())
        with self._lock:
            self._decrypted[access_key_id] = (ciphertext, secret)
        return SigningKey(owner=owner, secret=secret)

    def list(self, owner: str | None = None) -> list[AccessKey]:
        """An owner's keys (or everyone's), oldest first; never the secrets."""
        dynamodb = client("dynamodb")
        if owner is None:
            pages = dynamodb.get_paginator("scan").paginate(
                TableName=self._table_name,
                ProjectionExpression="accessKeyId, #owner, createdAt",
                ExpressionAttributeNames={"#owner": "owner"},
            )
        else:
            pages = dynamodb.get_paginator("query").paginate(
                TableName=self._table_name,
                IndexName=OWNER_INDEX,
                KeyConditionExpression="#owner = :owner",
                ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues={":owner": {"S": owner}},
            )
        keys = [_access_key(item) for page in pages for item in page.get("Items", [])]
        return sorted(keys, key=lambda key: (key.created_at, key.access_key_id))

    def remove(self, access_key_id: str) -> bool:
        """Delete the key (its ciphertext with it); False when there was none."""
        try:
            client("dynamodb").delete_item(
                TableName=self._table_name,
                Key={"accessKeyId": {"S": access_key_id}},
                ConditionExpression="attribute_exists(accessKeyId)",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True


def _context(access_key_id: str, owner: str) -> dict[str, str]:
    return {_CONTEXT_ID: access_key_id, _CONTEXT_OWNER: owner}


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _access_key(item: dict[str, Any]) -> AccessKey:
    created_at = datetime.strptime(item["createdAt"]["S"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return AccessKey(item["accessKeyId"]["S"], item["owner"]["S"], created_at)
