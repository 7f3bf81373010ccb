"""The REST wire format: use-case results become typed answers here, and only here.

Every answer of the REST API is one of the models of :mod:`vodcover.api.video_views` and
:mod:`vodcover.api.batch_views` (on the base of :mod:`vodcover.api.view`; docs/design.md,
"HTTP API"); the route handlers declare them, so the generated openapi.yaml is what the handlers
send. Stored keys become URLs only here, through the one URL-making function :class:`RestViews`
is given (``MediaStore.viewer_url`` today), and every record is shown as it stands now: an
overdue wait as the sweeper will store it (``domain.expiry.as_seen``), also in a PATCH answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from vodcover.api.batch_views import (
    BatchFailedItem,
    BatchReadAnswer,
    BatchUpdateAnswer,
    DeleteVideosAnswer,
    LibraryPage,
    Limits,
    PullAnswer,
    PulledItem,
    RegisterAnswer,
    RegisteredItem,
    RegisterFailedItem,
    UploadTarget,
    UploadTicket,
)
from vodcover.api.video_views import (
    AnimatedView,
    CandidateView,
    CoverHistoryAnswer,
    CoverHistoryEntryView,
    CoverView,
    MediaView,
    PlaceholderView,
    RenditionView,
    SmartCoverView,
    SnapshotJobAnswer,
    SnapshotJobView,
    SnapshotView,
    StoryboardView,
    VideoView,
)
from vodcover.api.view import error_view
from vodcover.domain import keys
from vodcover.domain.expiry import Deadlines, as_seen
from vodcover.models import JobStatus, SnapshotJob, StoredCover, Storyboard, VideoRecord

if TYPE_CHECKING:  # results only: a views module must not load every use case's dependencies
    from vodcover.dal.videos import Page
    from vodcover.settings import LibrarySettings
    from vodcover.usecases.batch_edit import BatchUpdateResult
    from vodcover.usecases.deletion import BatchDeletion
    from vodcover.usecases.media_jobs import SubmittedSnapshotJob
    from vodcover.usecases.pull import PullStarted
    from vodcover.usecases.read import BatchRead, CoverHistory
    from vodcover.usecases.register import RegisterResult
    from vodcover.usecases.uploads import NewUpload

UrlFor = Callable[[str], str]
# The unsigned URL of a derived key, or None when nothing serves one (Cdn=off, no CdnBaseUrl).
PublicUrlFor = Callable[[str], "str | None"]


def _no_public_url(_key: str) -> str | None:
    return None


def _snapshot_job_view(job: SnapshotJob) -> SnapshotJobView:
    return SnapshotJobView(
        job_id=job.job_id,
        status=job.status,
        times=job.times,
        width=job.width,
        requested_at=job.requested_at,
        error=error_view(job.error),
    )


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

    def cover_history(self, history: CoverHistory) -> CoverHistoryAnswer:
        return CoverHistoryAnswer(
            covers=[
                CoverHistoryEntryView(
                    index=index,
                    url=self.url_for(entry.key),
                    source=entry.source,
                    width=entry.width,
                    height=entry.height,
                    set_at=entry.set_at,
                    set_by=entry.set_by,
                )
                for index, entry in enumerate(history.entries)
            ],
            current=history.current,
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
                error=error_view(smart.error),
            ),
            source_url=None if record.source is None else url(record.source.key),
            snapshot_job=None if record.snapshot_job is None else _snapshot_job_view(record.snapshot_job),
            storyboard=None if record.storyboard is None else self._storyboard(record.storyboard),
            error=error_view(record.error),
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
            error=error_view(board.error),
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
                    error=error_view(item.error),
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
