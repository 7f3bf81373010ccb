"""Commands: what a caller asks, one strict model each, whatever wire format it came by.

Limits live here, not in handlers or use cases (docs/design.md, "Request bodies"). Types are
strict, as the generated openapi.yaml states them: a bool is not an integer, a string is not a
number, NaN is not a number, and ``null`` is never a value (leave a field out to leave it
unchanged). Field names are the product's camelCase document keys; a wire format that names
them otherwise (the Alibaba API's ``CoverURL``) maps its names to these before validating.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from vodcover.domain.cover_history import HISTORY_LIMIT
from vodcover.domain.keys import VIDEO_ID_PATTERN
from vodcover.errors import InvalidParameter, VodcoverError
from vodcover.settings import RequestLimits
from vodcover.validation import refusal_of

MAX_UPLOAD_BYTES = 5 * 1024**3  # one presigned PUT carries at most 5 GiB (an S3 limit)
MAX_KEY_BYTES = 1024  # S3 keys are at most 1024 bytes of UTF-8
MAX_FILE_NAME_BYTES = 255  # what file systems hold; keeps uploads/{id}/{name} a valid key
DOCUMENTED_BATCH_LIMIT: int = RequestLimits.model_fields["batch_limit"].default  # BatchLimit's default
T = TypeVar("T")


def _not_null(value: Any) -> Any:
    if value is None:
        raise PydanticCustomError("not_null", "null is not a value: leave the field out instead.")
    return value


class NullNotAllowed:
    """Documents an omittable field as its type alone: null is refused, so the schema says so."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        documented = handler(schema)
        branches = documented.get("anyOf")
        if isinstance(branches, list):
            kept = [branch for branch in branches if branch != {"type": "null"}]
            if len(kept) == 1:
                rest = {key: value for key, value in documented.items() if key != "anyOf"}
                return {**kept[0], **rest}
        return documented


# A field that may be left out but, when given, must be a T (never null).
Omittable = Annotated[T | None, BeforeValidator(_not_null), NullNotAllowed]

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
Description = Annotated[str, StringConstraints(max_length=2000)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Tags = Annotated[list[Tag], Field(max_length=20)]
CoverUrl = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2048)]
VideoId = Annotated[str, StringConstraints(pattern=VIDEO_ID_PATTERN.pattern)]
_FILE_NAME = re.compile(r"^[^/\\\x00-\x1f\x7f]{1,255}$")


class RequestModel(BaseModel):
    """Unknown fields are refused: a typo must not silently do nothing."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=False,
        extra="forbid",
        frozen=True,
        strict=True,
        defer_build=True,  # built by the first request of a route that takes this body
    )


# The function's own limit comes with each validation (``context={"batch_limit": n}``, see
# vodcover.api.http.json_body); a validator never reads settings itself.
def batch_within_limit(items: list[T], info: ValidationInfo) -> list[T]:
    limit = int((info.context or {}).get("batch_limit", DOCUMENTED_BATCH_LIMIT))
    if len(items) > limit:
        raise PydanticCustomError("batch_too_large", "At most {limit} items per request.", {"limit": limit})
    return items


class CreateUploadRequest(RequestModel):
    title: Title
    file_name: Annotated[
        str,
        Field(
            json_schema_extra={
                "minLength": 1,
                "maxLength": MAX_FILE_NAME_BYTES,
                "description": "At most 255 bytes of UTF-8; no slashes or control characters.",
            }
        ),
    ]
    file_size: Omittable[Annotated[int, Field(ge=1, le=MAX_UPLOAD_BYTES)]] = None
    description: Description = ""
    tags: Tags = Field(default_factory=list)
    cover_url: Omittable[CoverUrl] = None

    @field_validator("file_name")
    @classmethod
    def _plain_file_name(cls, value: str) -> str:
        if not _FILE_NAME.match(value) or value in {".", ".."}:
            raise ValueError("fileName must be a plain file name (no slashes or control characters).")
        if len(value.encode("utf-8")) > MAX_FILE_NAME_BYTES:
            raise ValueError(f"fileName must be at most {MAX_FILE_NAME_BYTES} bytes of UTF-8.")
        return value


class PullItem(RequestModel):
    url: CoverUrl
    title: Omittable[Title] = None
    cover_url: Omittable[CoverUrl] = None


class PullRequest(RequestModel):
    items: Annotated[
        list[PullItem], Field(min_length=1, json_schema_extra={"maxItems": DOCUMENTED_BATCH_LIMIT})
    ]

    _limit = field_validator("items")(batch_within_limit)


class RegisterItem(RequestModel):
    key: Annotated[str, StringConstraints(min_length=1, max_length=MAX_KEY_BYTES)]
    title: Omittable[Title] = None
    cover_url: Omittable[CoverUrl] = None

    @field_validator("key")
    @classmethod
    def _valid_object_key(cls, value: str) -> str:
        if len(value.encode("utf-8")) > MAX_KEY_BYTES:
            raise ValueError(f"key must be at most {MAX_KEY_BYTES} bytes of UTF-8 (an S3 limit).")
        if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
            raise ValueError("key must not contain control characters.")
        return value


class RegisterRequest(RequestModel):
    items: Annotated[
        list[RegisterItem], Field(min_length=1, json_schema_extra={"maxItems": DOCUMENTED_BATCH_LIMIT})
    ]

    _limit = field_validator("items")(batch_within_limit)


class VideoChanges(RequestModel):
    """What ``PATCH /videos/{id}`` may change; at most one way of choosing the cover."""

    title: Omittable[Title] = None
    description: Omittable[Description] = None
    tags: Omittable[Tags] = None
    cover_url: Omittable[CoverUrl] = None
    cover_snapshot: Omittable[Annotated[int, Field(ge=0, le=1000)]] = None
    cover_candidate: Omittable[Annotated[int, Field(ge=0, le=1000)]] = None
    cover_time: Omittable[Annotated[float, Field(ge=0, le=86_400 * 2, allow_inf_nan=False)]] = None
    # An entry of GET /videos/{id}/covers to make current again (docs/design.md, "Cover history").
    cover_history: Omittable[Annotated[int, Field(ge=0, lt=HISTORY_LIMIT)]] = None

    @model_validator(mode="after")
    def _one_cover_choice(self) -> VideoChanges:
        if len(self.cover_choices()) > 1:
            raise PydanticCustomError(
                "cover_conflict",
                "Give at most one of coverUrl, coverSnapshot, coverCandidate, coverTime, coverHistory.",
            )
        return self

    def cover_choices(self) -> list[str]:
        fields = ("cover_url", "cover_snapshot", "cover_candidate", "cover_time", "cover_history")
        return [name for name in fields if getattr(self, name) is not None]

    def is_empty(self) -> bool:
        return not self.model_fields_set


class BatchItem(VideoChanges):
    video_id: VideoId


class _DocumentedAsBatchItems:
    """``updates`` documented as a list of :class:`BatchItem`; that schema is built only when a
    document asks for it (``make openapi``), not when the module loads (docs/design.md, "Cold start")."""

    def __get_pydantic_json_schema__(
        self, _schema: core_schema.CoreSchema, _handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "array",
            "minItems": 1,
            "maxItems": DOCUMENTED_BATCH_LIMIT,
            "items": BatchItem.model_json_schema(),
        }


class BatchUpdateRequest(RequestModel):
    """Items are validated one by one later (:func:`parse_batch_item`), so one bad item never
    spoils the others; the schema still documents what each item must be."""

    updates: Annotated[
        list[dict[str, Any]],
        Field(min_length=1),
        _DocumentedAsBatchItems(),
    ]

    _limit = field_validator("updates")(batch_within_limit)


Seconds = Annotated[float, Field(ge=0, le=86_400 * 2, allow_inf_nan=False)]


class SnapshotJobRequest(RequestModel):
    """``POST /videos/{id}/snapshots``: which combinations mean what, vodcover.domain.snapshot_jobs."""

    count: Omittable[Annotated[int, Field(ge=1, le=32)]] = None
    interval: Omittable[Annotated[float, Field(gt=0, le=86_400 * 2, allow_inf_nan=False)]] = None
    offsets: Omittable[Annotated[list[Seconds], Field(min_length=1, max_length=30)]] = None
    width: Omittable[Annotated[int, Field(ge=16, le=7680)]] = None
    height: Omittable[Annotated[int, Field(ge=16, le=4320)]] = None


# vodcover's events (vodcover.dal.events.EventType; a test keeps the two the same).
WebhookEvent = Literal[
    "VideoUploaded", "SnapshotComplete", "CoverChanged", "SmartCoverComplete", "ProcessFailed", "VideoDeleted"
]
WebhookId = Annotated[str, StringConstraints(pattern=r"^(wh_[0-9a-f]{24}|alibaba)$")]
MAX_WEBHOOK_URL_LENGTH = 2048


class CreateWebhookRequest(RequestModel):
    """``POST /webhooks``: the URL passes the webhooks' SSRF rules in the use case (it resolves)."""

    url: Annotated[str, Field(min_length=1, max_length=MAX_WEBHOOK_URL_LENGTH)]
    events: Annotated[list[WebhookEvent], Field(min_length=1, max_length=32)]
    secret: Omittable[
        Annotated[
            str,
            StringConstraints(pattern=r"^whsec_[A-Za-z0-9+/]{32,88}={0,2}$"),
            Field(description="`whsec_` and the base64 of 24 to 64 random bytes; made for you when left out"),
        ]
    ] = None

    @field_validator("secret")
    @classmethod
    def _decodes(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                base64.b64decode(value.removeprefix("whsec_"), validate=True)
            except binascii.Error:
                raise PydanticCustomError("webhook_secret", "secret is not whsec_ + base64.") from None
        return value


class DeleteVideosRequest(RequestModel):
    video_ids: Annotated[
        list[VideoId], Field(min_length=1, json_schema_extra={"maxItems": DOCUMENTED_BATCH_LIMIT})
    ]

    _limit = field_validator("video_ids")(batch_within_limit)


@dataclass(frozen=True)
class RefusedItem:
    """A batch item that is not a valid :class:`BatchItem`: refused alone, with its code."""

    video_id: str | None
    error: VodcoverError


def parse_batch_item(raw: object) -> BatchItem | RefusedItem:
    """One item of ``PATCH /videos``'s ``updates`` (or any wire's batch), validated on its own."""
    if not isinstance(raw, dict):
        return RefusedItem(None, InvalidParameter("Updates", "Each update must be a JSON object."))
    video_id = raw.get("videoId") if isinstance(raw.get("videoId"), str) else None
    try:
        return BatchItem.model_validate(raw)
    except ValidationError as exc:
        return RefusedItem(video_id, refusal_of(exc.errors()))
