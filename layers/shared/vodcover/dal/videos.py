"""The Videos table: records in, records out, with optimistic concurrency on ``version``.

Every writer goes through :meth:`VideoRepository.update`: read, apply a pure function from the
domain core, write back on the condition that nobody wrote in between, and retry otherwise.
So concurrent writers never lose an update, and the final state is always a serial order of
the accepted writes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from aws_lambda_powertools.shared.dynamodb_deserializer import TypeDeserializer
from botocore.exceptions import ClientError

from vodcover.dal.aws import client
from vodcover.dal.page_tokens import PageTokens, default_secret
from vodcover.domain.expiry import waiting_key
from vodcover.errors import ConcurrentUpdate
from vodcover.models import VideoRecord

logger = logging.getLogger(__name__)

OWNER_INDEX = "byOwner"
# A sparse index of records that wait on something (expiry.waiting_key): only they carry
# the attribute, so the sweeper queries a handful of items, never the table, and the index takes
# no writes for the many finished records (a status key would make one hot partition of them).
WAITING_INDEX = "byWaitingStatus"
WAITING_ATTRIBUTE = "waitingStatus"
Mutation = Callable[[VideoRecord | None], VideoRecord | None]
# A deleted video leaves a tombstone (docs/design.md, "Deleting a video"): no owner, no waiting
# key (so it is in neither index), only what stops a late job from writing the record again.
# DynamoDB's TTL removes it after the longest a late delivery can take (a failure-queue redrive:
# 14 days) plus a day.
DELETED_ATTRIBUTE = "deletedAt"
TOMBSTONE_TTL_ATTRIBUTE = "expiresAt"
TOMBSTONE_SECONDS = 15 * 86_400


@dataclass(frozen=True)
class UpdateOutcome:
    """What an update did: the record as stored afterwards and whether this call wrote it."""

    record: VideoRecord | None
    written: bool


@dataclass(frozen=True)
class Page:
    records: list[VideoRecord]
    next_token: str | None


class VideoRepository(Protocol):
    def get(self, video_id: str) -> VideoRecord | None: ...

    def get_many(self, video_ids: Iterable[str]) -> dict[str, VideoRecord]: ...

    def update(self, video_id: str, mutate: Mutation) -> UpdateOutcome: ...

    def list_by_owner(self, owner: str, *, limit: int, next_token: str | None) -> Page: ...

    def is_deleted(self, video_id: str) -> bool: ...

    def deleted_by(self, video_id: str) -> str | None: ...

    def bury(self, record: VideoRecord, *, deleted_at: str, now_epoch: int) -> bool: ...


def to_item(record: VideoRecord) -> dict[str, Any]:
    """A record as a DynamoDB item: camelCase, no nulls, floats as Decimal."""
    text = record.model_dump_json(by_alias=True, exclude_none=True)
    item: dict[str, Any] = json.loads(text, parse_float=Decimal)
    waiting = waiting_key(record)
    if waiting is not None:
        item[WAITING_ATTRIBUTE] = waiting
    return item


def from_item(item: dict[str, Any]) -> VideoRecord:
    return VideoRecord.model_validate(_plain(item))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class DynamoVideoRepository:
    """The DynamoDB implementation, on botocore's low-level client (thread-safe, unlike resources)."""

    def __init__(
        self, table_name: str, *, max_attempts: int = 10, page_token_secret: bytes | None = None
    ) -> None:
        self._table_name = table_name
        self._max_attempts = max_attempts
        self._page_tokens = PageTokens(page_token_secret or default_secret(table_name))

    @property
    def _dynamodb(self) -> Any:
        return client("dynamodb")

    def get(self, video_id: str) -> VideoRecord | None:
        """The record, or None when there is none or only a deleted video's tombstone."""
        item = self._get_item(video_id)
        return None if item is None or _is_tombstone(item) else from_item(item)

    def _get_item(self, video_id: str) -> dict[str, Any] | None:
        answer = self._dynamodb.get_item(
            TableName=self._table_name, Key={"videoId": {"S": video_id}}, ConsistentRead=True
        )
        item = answer.get("Item")
        return _unwrap(item) if item else None

    def is_deleted(self, video_id: str) -> bool:
        item = self._get_item(video_id)
        return item is not None and _is_tombstone(item)

    def deleted_by(self, video_id: str) -> str | None:
        """The owner of a deleted video (its tombstone remembers), for an idempotent repeat."""
        item = self._get_item(video_id)
        if item is None or not _is_tombstone(item):
            return None
        return str(item.get("deletedOwner") or "") or None

    def get_many(self, video_ids: Iterable[str]) -> dict[str, VideoRecord]:
        keys = [{"videoId": {"S": video_id}} for video_id in dict.fromkeys(video_ids)]
        found: dict[str, VideoRecord] = {}
        for start in range(0, len(keys), 100):
            request: dict[str, Any] = {
                self._table_name: {"Keys": keys[start : start + 100], "ConsistentRead": True}
            }
            while request:
                answer = self._dynamodb.batch_get_item(RequestItems=request)
                for item in answer["Responses"].get(self._table_name, []):
                    plain = _unwrap(item)
                    if not _is_tombstone(plain):
                        record = from_item(plain)
                        found[record.video_id] = record
                request = answer.get("UnprocessedKeys") or {}
        return found

    def update(self, video_id: str, mutate: Mutation) -> UpdateOutcome:
        """Apply ``mutate`` by a conditional write; a deleted video's tombstone is never rewritten,
        so a late job finds nothing to change (the outcome says nothing was written)."""
        item = self._get_item(video_id)
        if item is not None and _is_tombstone(item):
            return UpdateOutcome(None, written=False)
        current = from_item(item) if item is not None else None
        for _ in range(self._max_attempts):
            proposed = mutate(current)
            if proposed is None or proposed == current:
                return UpdateOutcome(current, written=False)
            stored = proposed.changed(version=(current.version if current else 0) + 1)
            try:
                self._put_if_unchanged(stored, current)
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                old = exc.response.get("Item")
                fresh = _unwrap(old) if old else self._get_item(video_id)
                if fresh is not None and _is_tombstone(fresh):
                    return UpdateOutcome(None, written=False)
                current = from_item(fresh) if fresh is not None else None
                logger.info("video %s changed underneath us; re-applying the change", video_id)
                continue
            return UpdateOutcome(stored, written=True)
        raise ConcurrentUpdate("The video is being changed by others; try again.")

    def bury(self, record: VideoRecord, *, deleted_at: str, now_epoch: int) -> bool:
        """Replace ``record`` by its tombstone, on the condition that it is still that version.

        False when the record changed meanwhile (the caller re-reads and judges again).
        """
        tombstone = {
            "videoId": record.video_id,
            DELETED_ATTRIBUTE: deleted_at,
            "deletedOwner": record.owner or "",
            "version": record.version + 1,
            TOMBSTONE_TTL_ATTRIBUTE: now_epoch + TOMBSTONE_SECONDS,
        }
        try:
            self._dynamodb.put_item(
                TableName=self._table_name,
                Item=_wrap(tombstone),
                ConditionExpression="version = :expected",
                ExpressionAttributeValues={":expected": {"N": str(record.version)}},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def _put_if_unchanged(self, stored: VideoRecord, current: VideoRecord | None) -> None:
        kwargs: dict[str, Any] = {
            "TableName": self._table_name,
            "Item": _wrap(to_item(stored)),
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        if current is None:
            kwargs["ConditionExpression"] = "attribute_not_exists(videoId)"
        else:
            kwargs["ConditionExpression"] = "version = :expected"
            kwargs["ExpressionAttributeValues"] = {":expected": {"N": str(current.version)}}
        self._dynamodb.put_item(**kwargs)

    def list_by_owner(self, owner: str, *, limit: int, next_token: str | None) -> Page:
        kwargs: dict[str, Any] = {
            "TableName": self._table_name,
            "IndexName": OWNER_INDEX,
            "KeyConditionExpression": "#owner = :owner",
            "ExpressionAttributeNames": {"#owner": "owner"},
            "ExpressionAttributeValues": {":owner": {"S": owner}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if next_token:
            kwargs["ExclusiveStartKey"] = _wrap(self._page_tokens.decode(next_token, owner))
        answer = self._dynamodb.query(**kwargs)
        records = [from_item(_unwrap(item)) for item in answer.get("Items", [])]
        last = answer.get("LastEvaluatedKey")
        return Page(records, self._page_tokens.encode(_plain(_unwrap(last))) if last else None)

    def waiting_ids(self, waiting: str, *, created_before: str) -> Iterator[str]:
        """Ids of records waiting on ``waiting`` (``expiry.WAITING_KEYS``) created before the timestamp."""
        kwargs: dict[str, Any] = {
            "TableName": self._table_name,
            "IndexName": WAITING_INDEX,
            "KeyConditionExpression": "#waiting = :status AND createdAt < :before",
            "ExpressionAttributeNames": {"#waiting": WAITING_ATTRIBUTE},
            "ExpressionAttributeValues": {":status": {"S": waiting}, ":before": {"S": created_before}},
        }
        for page in self._dynamodb.get_paginator("query").paginate(**kwargs):
            for item in page.get("Items", []):
                yield item["videoId"]["S"]


def _is_tombstone(item: dict[str, Any]) -> bool:
    return DELETED_ATTRIBUTE in item


_DESERIALIZER = TypeDeserializer()  # powertools' copy of boto3's: no boto3 import on the way


def _unwrap(item: dict[str, Any]) -> dict[str, Any]:
    """Typed attribute values ({"S": ...}) to plain ones."""
    return {key: _DESERIALIZER.deserialize(value) for key, value in item.items()}


def _wrap(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _attribute_value(value) for key, value in item.items()}


def _attribute_value(value: Any) -> dict[str, Any]:
    """A JSON-shaped value (what :func:`to_item` and page tokens hold) as a typed attribute value."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | Decimal):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, dict):
        return {"M": {str(k): _attribute_value(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [_attribute_value(v) for v in value]}
    raise TypeError(f"no DynamoDB type for {type(value).__name__}")
