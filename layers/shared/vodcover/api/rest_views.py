"""The REST wire format: use-case results become typed answers here, and only here.

Every answer of the REST API is one of these models (docs/design.md, "HTTP API"); the route
handlers declare them, so the generated openapi.yaml is what the handlers send. Stored keys
become URLs only here, through the one URL-making function :class:`RestViews` is given
(``MediaStore.viewer_url`` today), and every record is shown as it stands now: an overdue wait
as the sweeper will store it (``domain.expiry.as_seen``), also in a PATCH answer.

A field that is left out when it has no value (``error``, ``nextToken``) is declared
:data:`Omitted` with ``default=ABSENT``; every other field is always present, null when it has
no value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from vodcover.commands import NullNotAllowed
from vodcover.domain import keys
from vodcover.domain.expiry import Deadlines, as_seen
from vodcover.errors import VodcoverError
from vodcover.models import (
    CoverSource,
    ErrorInfo,
    JobStatus,
    SmartStatus,
    SnapshotJob,
    StoredCover,
    Storyboard,
    VideoRecord,
    VideoStatus,
)

if TYPE_CHECKING:  # results only: a views module must not load every use case's dependencies
    from vodcover.dal.videos import Page
    from vodcover.settings import LibrarySettings
    from vodcover.usecases.batch_edit import BatchUpdateResult
    from vodcover.usecases.deletion import BatchDeletion
    from vodcover.usecases.media_jobs import SubmittedSnapshotJob
    from vodcover.usecases.pull import PullStarted
    from vodcover.usecases.read import BatchRead
    from vodcover.usecases.register import RegisterResult
    from vodcover.usecases.uploads import NewUpload

UrlFor = Callable[[str], str]
# The unsigned URL of a derived key, or None when nothing serves one (Cdn=off, no CdnBaseUrl).
PublicUrlFor = Callable[[str], "str | None"]


def _no_public_url(_key: str) -> str | None:
    return None


class View(BaseModel):
    """An answer's shape: camelCase keys, every field present unless it is :data:`Omitted`.

    Built when first used (``defer_build``), as the commands and stored models are: a function
    builds the answers its routes send, not every view this module declares.
    """

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True, defer_build=True)

    def answer(self) -> dict[str, Any]:
        """The JSON document the wire carries."""
        dumped: dict[str, Any] = self.model_dump(mode="json", by_alias=True)
        return dumped


def _absent(value: object) -> bool:
    return value is None


# A field documented as its type alone, left out of the answer (never null) when it has no value:
# ``name: Annotated[T | None, Omitted] = ABSENT``.
Omitted = NullNotAllowed
ABSENT: Any = Field(default=None, exclude_if=_absent)


class ErrorView(View):
    code: str
    message: str


class ErrorDetail(View):
    code: str
    message: str
    request_id: str


class ErrorBody(View):
    """Every error answer: ``{"error": {"code", "message", "requestId"}}`` with a stable code."""

    error: ErrorDetail

    @classmethod
    def of(cls, error: VodcoverError, request_id: str) -> ErrorBody:
        return cls(error=ErrorDetail(code=error.code, message=error.message, request_id=request_id))


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
            "change within 60 s (cached 30 s): for <img> and og:image. Null when no CDN serves images."
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


class SnapshotJobAnswer(View):
    video_id: str
    job_id: str
    status: Literal[JobStatus.PROCESSING]
    times: Annotated[list[float], Field(description="The instants the job takes, in seconds")]
    width: Annotated[int, Field(description="The snapshots' width (0: the source's)")]


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


def _snapshot_job_view(job: SnapshotJob) -> SnapshotJobView:
    return SnapshotJobView(
        job_id=job.job_id,
        status=job.status,
        times=job.times,
        width=job.width,
        requested_at=job.requested_at,
        error=_error_view(job.error),
    )


def _error_view(error: ErrorInfo | None) -> ErrorView | None:
    return None if error is None else ErrorView(code=error.code, message=error.message)


@dataclass(frozen=True)
class RestViews:
    """Results → REST answers, with one way of turning keys into URLs and one clock."""

    url_for: UrlFor
    deadlines: Deadlines
    public_url_for: PublicUrlFor = _no_public_url  # embedUrl: never a presigned (expiring) URL

    @classmethod
    def from_settings(
        cls, url_for: UrlFor, settings: LibrarySettings, *, public_url_for: PublicUrlFor = _no_public_url
    ) -> RestViews:
        """Views whose waits expire as the settings' upload URLs do (``UrlTtlSeconds``)."""
        return cls(
            url_for=url_for,
            deadlines=Deadlines.for_url_ttl(settings.url_ttl_seconds),
            public_url_for=public_url_for,
        )

    def cover(self, video_id: str, cover: StoredCover) -> CoverView:
        """docs/design.md, "Embedding": renditions, placeholder, and the URL that follows changes."""
        url = self.url_for
        placeholder = cover.placeholder
        return CoverView(
            url=url(cover.key),
            source=cover.source,
            width=cover.width,
            height=cover.height,
            updated_at=cover.updated_at,
            embed_url=self.public_url_for(keys.embed_key(video_id)),
            renditions=[
                RenditionView(
                    width=r.width,
                    height=r.height,
                    format=r.format,  # type: ignore[arg-type]  # written by media.renditions
                    aspect=r.aspect,  # type: ignore[arg-type]
                    url=url(r.key),
                )
                for r in cover.renditions
            ],
            placeholder=None
            if placeholder is None
            else PlaceholderView(blurhash=placeholder.blurhash, data_uri=placeholder.data_uri),
        )

    def video(self, stored: VideoRecord) -> VideoView:
        record = as_seen(stored, datetime.now(UTC), self.deadlines)
        url = self.url_for
        media, cover, smart = record.media, record.cover, record.smart_cover
        return VideoView(
            video_id=record.video_id,
            title=record.title,
            description=record.description,
            tags=list(record.tags),
            status=record.status,
            owner=record.owner,
            version=record.version,
            created_at=record.created_at,
            updated_at=record.updated_at,
            media=None
            if media is None
            else MediaView(
                duration=media.duration,
                width=media.width,
                height=media.height,
                rotation=media.rotation,  # type: ignore[arg-type]  # probing yields 0/90/180/270
                fps=media.fps,
                size=media.size,
            ),
            cover=None if cover is None else self.cover(record.video_id, cover),
            snapshots=[
                SnapshotView(index=s.index, time=s.time, url=url(s.key), width=s.width, height=s.height)
                for s in record.snapshots
            ],
            smart_cover=None
            if smart is None
            else SmartCoverView(
                status=smart.status,
                candidates=[
                    CandidateView(index=c.index, time=c.time, score=c.score, url=url(c.key))
                    for c in smart.candidates
                ],
                animated=None
                if smart.animated is None
                else AnimatedView(gif=url(smart.animated.gif), webp=url(smart.animated.webp)),
                error=_error_view(smart.error),
            ),
            source_url=None if record.source is None else url(record.source.key),
            snapshot_job=None if record.snapshot_job is None else _snapshot_job_view(record.snapshot_job),
            storyboard=None if record.storyboard is None else self._storyboard(record.storyboard),
            error=_error_view(record.error),
        )

    def _storyboard(self, board: Storyboard) -> StoryboardView:
        return StoryboardView(
            status=board.status,
            vtt=self.url_for(board.vtt) if board.vtt else None,
            sheets=[self.url_for(key) for key in board.sheets],
            tile_width=board.tile_width,
            tile_height=board.tile_height,
            interval=board.interval,
            tiles=board.tiles,
            error=_error_view(board.error),
        )

    @staticmethod
    def deletions(result: BatchDeletion) -> DeleteVideosAnswer:
        return DeleteVideosAnswer(
            deleted=result.deleted,
            non_exist_video_ids=result.missing,
            forbidden_video_ids=result.forbidden,
            failed=[
                BatchFailedItem(video_id=f.video_id, code=f.code, message=f.message) for f in result.failed
            ],
        )

    @staticmethod
    def snapshot_job(submitted: SubmittedSnapshotJob) -> SnapshotJobAnswer:
        job = submitted.record.snapshot_job
        assert job is not None
        return SnapshotJobAnswer(
            video_id=submitted.record.video_id,
            job_id=submitted.job_id,
            status=JobStatus.PROCESSING,
            times=job.times,
            width=job.width,
        )

    def videos(self, records: Sequence[VideoRecord]) -> list[VideoView]:
        return [self.video(record) for record in records]

    def library_page(self, page: Page) -> LibraryPage:
        return LibraryPage(videos=self.videos(page.records), next_token=page.next_token or None)

    def batch_read(self, read: BatchRead) -> BatchReadAnswer:
        return BatchReadAnswer(
            videos=self.videos(read.found),
            non_exist_video_ids=list(read.missing),
            forbidden_video_ids=list(read.forbidden),
        )

    @staticmethod
    def limits(settings: LibrarySettings) -> Limits:
        return Limits(
            cover_max_bytes=settings.cover_max_bytes,
            cover_max_long_side=settings.cover_max_long_side,
            cover_max_short_side=settings.cover_max_short_side,
            batch_limit=settings.batch_limit,
        )

    @staticmethod
    def upload_ticket(upload: NewUpload) -> UploadTicket:
        target = UploadTarget(
            url=upload.url, method="PUT", headers=dict(upload.headers), expires_at=upload.expires_at
        )
        return UploadTicket(video_id=upload.video_id, upload=target)

    @staticmethod
    def pull(started: Sequence[PullStarted]) -> PullAnswer:
        return PullAnswer(
            items=[
                PulledItem(
                    video_id=item.video_id,
                    url=item.url,
                    status=item.status,  # type: ignore[arg-type]  # a pull starts in one of the two
                    error=_error_view(item.error),
                )
                for item in started
            ]
        )

    @staticmethod
    def register(result: RegisterResult) -> RegisterAnswer:
        return RegisterAnswer(
            registered=[RegisteredItem(video_id=r.video_id, key=r.key) for r in result.registered],
            failed=[
                RegisterFailedItem(key=f.key, code=f.error.code, message=f.error.message)
                for f in result.failed
            ],
        )

    @staticmethod
    def batch_update(result: BatchUpdateResult) -> BatchUpdateAnswer:
        return BatchUpdateAnswer(
            updated=list(result.updated),
            non_exist_video_ids=list(result.missing),
            forbidden_video_ids=list(result.forbidden),
            failed=[
                BatchFailedItem(video_id=f.video_id, code=f.error.code, message=f.error.message)
                for f in result.failed
            ],
        )
