"""Answers to intake and many-at-once requests: upload tickets, pulls, registrations, the
library page, batch reads, updates and deletions; and the limits those requests are judged by.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from vodcover.api.video_views import VideoView
from vodcover.api.view import ABSENT, ErrorView, Omitted, View
from vodcover.models import VideoStatus


class UploadTarget(View):
    url: str
    method: Literal["PUT"]
    headers: dict[str, str]
    expires_at: str


class UploadTicket(View):
    video_id: str
    upload: UploadTarget


class PulledItem(View):
    video_id: str
    url: str
    status: Literal[VideoStatus.UPLOADING, VideoStatus.UPLOAD_FAIL]
    error: Annotated[ErrorView | None, Omitted] = ABSENT


class PullAnswer(View):
    items: list[PulledItem]


class RegisteredItem(View):
    video_id: str
    key: str


class RegisterFailedItem(View):
    key: str
    code: str
    message: str


class RegisterAnswer(View):
    registered: list[RegisteredItem]
    failed: list[RegisterFailedItem]


class LibraryPage(View):
    videos: list[VideoView]
    next_token: Annotated[str | None, Omitted] = ABSENT


class BatchReadAnswer(View):
    videos: list[VideoView]
    non_exist_video_ids: list[str]
    forbidden_video_ids: list[str]


class BatchFailedItem(View):
    video_id: str | None
    code: str
    message: str


class BatchUpdateAnswer(View):
    updated: list[str]
    non_exist_video_ids: list[str]
    forbidden_video_ids: list[str]
    failed: list[BatchFailedItem]


class DeleteVideosAnswer(View):
    deleted: list[str]
    non_exist_video_ids: list[str]
    forbidden_video_ids: list[str]
    failed: list[BatchFailedItem]


class Limits(View):
    """``GET /limits``: what a client should check before it sends (the console reads them
    instead of copying numbers an operator can change); the server judges by the same settings."""

    cover_max_bytes: Annotated[
        int, Field(ge=1, description="Largest cover image (PUT /videos/{videoId}/cover, coverUrl), in bytes")
    ]
    cover_max_long_side: Annotated[
        int, Field(ge=1, description="Largest cover side, in pixels (either orientation)")
    ]
    cover_max_short_side: Annotated[int, Field(ge=1, description="Largest shorter cover side, in pixels")]
    batch_limit: Annotated[
        int,
        Field(
            ge=1,
            description="Most items per batch (PATCH /videos, GET /videos ids, pull and register)",
        ),
    ]
