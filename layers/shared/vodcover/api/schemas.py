"""Request bodies of DESIGN §3, one pydantic model each; limits live here, not in handlers."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from vodcover.domain.keys import VIDEO_ID_PATTERN
from vodcover.settings import get_settings

MAX_UPLOAD_BYTES = 5 * 1024**3  # one presigned PUT carries at most 5 GiB (an S3 limit)

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
Description = Annotated[str, StringConstraints(max_length=2000)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Tags = Annotated[list[Tag], Field(max_length=20)]
CoverUrl = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2048)]
VideoId = Annotated[str, StringConstraints(pattern=VIDEO_ID_PATTERN.pattern)]
_FILE_NAME = re.compile(r"^[^/\\\x00-\x1f\x7f]{1,255}$")


class RequestModel(BaseModel):
    """Unknown fields are refused: a typo must not silently do nothing."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=False, extra="forbid", frozen=True)


def batch_within_limit(items: list[Any]) -> list[Any]:
    limit = get_settings().batch_limit
    if len(items) > limit:
        raise PydanticCustomError("batch_too_large", "At most {limit} items per request.", {"limit": limit})
    return items


class CreateUploadRequest(RequestModel):
    title: Title
    file_name: str
    file_size: int | None = Field(default=None, ge=1, le=MAX_UPLOAD_BYTES)
    description: Description = ""
    tags: Tags = Field(default_factory=list)
    cover_url: CoverUrl | None = None

    @field_validator("file_name")
    @classmethod
    def _plain_file_name(cls, value: str) -> str:
        if not _FILE_NAME.match(value) or value in {".", ".."}:
            raise ValueError("fileName must be a plain file name (no slashes or control characters).")
        return value


class PullItem(RequestModel):
    url: CoverUrl
    title: Title | None = None
    cover_url: CoverUrl | None = None


class PullRequest(RequestModel):
    items: Annotated[list[PullItem], Field(min_length=1)]

    _limit = field_validator("items")(batch_within_limit)


class RegisterItem(RequestModel):
    key: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    title: Title | None = None
    cover_url: CoverUrl | None = None


class RegisterRequest(RequestModel):
    items: Annotated[list[RegisterItem], Field(min_length=1)]

    _limit = field_validator("items")(batch_within_limit)


class VideoChanges(RequestModel):
    """What ``PATCH /videos/{id}`` may change; at most one way of choosing the cover."""

    title: Title | None = None
    description: Description | None = None
    tags: Tags | None = None
    cover_url: CoverUrl | None = None
    cover_snapshot: Annotated[int, Field(ge=0, le=1000)] | None = None
    cover_candidate: Annotated[int, Field(ge=0, le=1000)] | None = None
    cover_time: Annotated[float, Field(ge=0, le=86_400 * 2)] | None = None

    @model_validator(mode="after")
    def _one_cover_choice(self) -> VideoChanges:
        if len(self.cover_choices()) > 1:
            raise PydanticCustomError(
                "cover_conflict", "Give at most one of coverUrl, coverSnapshot, coverCandidate, coverTime."
            )
        return self

    def cover_choices(self) -> list[str]:
        fields = ("cover_url", "cover_snapshot", "cover_candidate", "cover_time")
        return [name for name in fields if getattr(self, name) is not None]

    def is_empty(self) -> bool:
        return not self.model_fields_set


class BatchItem(VideoChanges):
    video_id: VideoId


class BatchUpdateRequest(RequestModel):
    """Items are validated one by one later, so one bad item never spoils the others."""

    updates: Annotated[list[dict[str, Any]], Field(min_length=1)]

    _limit = field_validator("updates")(batch_within_limit)


class LibraryQuery(RequestModel):
    limit: int = Field(default=20, ge=1, le=100)
    next_token: Annotated[str, StringConstraints(max_length=2048)] | None = None
