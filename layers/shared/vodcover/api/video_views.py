"""The video answer (``VideoView``) and its parts: media, cover with renditions, snapshots,
smart cover, snapshot job, storyboard; the answer to a snapshot job request; the cover history.

Shapes only: :class:`~vodcover.api.rest_views.RestViews` fills them, turning keys into URLs.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from vodcover.api.view import ABSENT, ErrorView, Omitted, View
from vodcover.models import CoverSource, JobStatus, SmartStatus, VideoStatus


class MediaView(View):
    duration: float
    width: int
    height: int
    rotation: Literal[0, 90, 180, 270]
    fps: float
    size: int


class RenditionView(View):
    width: int
    height: int
    format: Literal["jpeg", "webp", "avif"]
    aspect: Literal["original", "1:1", "9:16"]
    url: str


class PlaceholderView(View):
    blurhash: Annotated[str, Field(description="BlurHash, 4x3 components")]
    data_uri: Annotated[str, Field(max_length=2048, description="A tiny inline image")]


class CoverView(View):
    url: Annotated[
        str,
        Field(
            description="Unsigned and never expiring when a CDN serves derived images (Cdn=on, "
            "CdnBaseUrl, <api>/media locally): the key changes with the bytes. Otherwise a presigned GET."
        ),
    ]
    source: CoverSource
    width: int
    height: int
    updated_at: str
    embed_url: Annotated[
        str | None,
        Field(
            description="Stable for the life of the video; always shows the current cover, following a "
            "change within 60 s (cached 30 s): for <img> and og:image. Null when no CDN serves images, and"
            " in a private library (signed CDN URLs only: none outlives UrlTtlSeconds)."
        ),
    ]
    renditions: Annotated[
        list[RenditionView],
        Field(
            description="Widths 320, 640 and 1280 (never upscaled) in JPEG, WebP and AVIF (when the media "
            "layer writes it), for the original aspect and 1:1 and 9:16 crops centred on the most detailed "
            "region. Empty for covers set before renditions existed."
        ),
    ]
    placeholder: PlaceholderView | None


class SnapshotView(View):
    index: int
    time: float
    url: str
    width: int
    height: int


class CandidateView(View):
    index: int
    time: float
    score: float
    url: str


class AnimatedView(View):
    gif: str
    webp: str


class SmartCoverView(View):
    status: SmartStatus
    candidates: list[CandidateView]
    animated: AnimatedView | None
    error: Annotated[ErrorView | None, Omitted] = ABSENT


class SnapshotJobView(View):
    job_id: str
    status: JobStatus
    times: list[float]
    width: int
    requested_at: str
    error: Annotated[ErrorView | None, Omitted] = ABSENT


class StoryboardView(View):
    """Cues name sheets relative to the VTT (``0.jpg#xywh=x,y,w,h``): with a CDN base they
    resolve as they are; with presigned URLs a player maps sheet ``n`` to ``sheets[n]``."""

    status: JobStatus
    vtt: str | None
    sheets: list[str]
    tile_width: int
    tile_height: int
    interval: float
    tiles: int
    error: Annotated[ErrorView | None, Omitted] = ABSENT


class VideoView(View):
    video_id: str
    title: str
    description: str
    tags: list[str]
    status: VideoStatus
    owner: str | None
    version: int
    created_at: str
    updated_at: str
    media: MediaView | None
    cover: CoverView | None
    snapshots: list[SnapshotView]
    smart_cover: SmartCoverView | None
    # Beyond docs/design.md, "The video answer": lets the console play the uploaded video.
    source_url: str | None
    snapshot_job: SnapshotJobView | None = None
    storyboard: StoryboardView | None = None
    error: Annotated[ErrorView | None, Omitted] = ABSENT


class SnapshotJobAnswer(View):
    video_id: str
    job_id: str
    status: Literal[JobStatus.PROCESSING]
    times: Annotated[list[float], Field(description="The instants the job takes, in seconds")]
    width: Annotated[int, Field(description="The snapshots' width (0: the source's)")]


class CoverHistoryEntryView(View):
    index: Annotated[int, Field(description="What `PATCH /videos/{videoId}` `{coverHistory: index}` names")]
    url: str
    source: CoverSource
    width: int
    height: int
    set_at: str
    set_by: Annotated[
        str | None,
        Field(description="The principal who chose it; null when vodcover chose it (snapshot, smart)"),
    ]


class CoverHistoryAnswer(View):
    """``GET /videos/{videoId}/covers``: the last 20 covers, newest first."""

    covers: list[CoverHistoryEntryView]
    current: Annotated[int | None, Field(description="The index of the current cover; null without one")]
