"""Creating uploads, registering objects, pulling from URLs, and reading videos.

No Pillow or ffmpeg here: this module backs the light API function.
"""

from __future__ import annotations

import mimetypes
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from vodcover.api.schemas import CreateUploadRequest, PullItem, RegisterItem
from vodcover.dal.jobs import JobStarter
from vodcover.dal.objects import MediaStore
from vodcover.dal.videos import Page, VideoRepository
from vodcover.domain import expiry, keys, smart
from vodcover.domain.file_names import file_name_from_url
from vodcover.domain.videos import new_upload_record, require_readable
from vodcover.errors import RegisterRefused, SourceUrlForbidden, VodcoverError
from vodcover.models import ErrorInfo, SourceObject, VideoRecord, VideoStatus, utc_now
from vodcover.net.url_policy import check_url, source_url_policy
from vodcover.settings import Settings
from vodcover.usecases.cover_urls import CoverUrls

# Prefixes the system writes to: registering them as videos would make no sense.
SYSTEM_PREFIXES = ("snapshots/", "covers/", "smart/", "animated/")


@dataclass(frozen=True)
class UploadTicket:
    video_id: str
    url: str
    headers: dict[str, str]
    expires_at: str
    key: str = ""  # where the upload lands in the media bucket


@dataclass(frozen=True)
class BatchRead:
    found: list[VideoRecord]
    missing: list[str]
    forbidden: list[str]


@dataclass(frozen=True)
class RegisterResult:
    registered: list[dict[str, str]]
    failed: list[dict[str, str]]


class Library:
    def __init__(
        self, *, videos: VideoRepository, store: MediaStore, jobs: JobStarter, settings: Settings
    ) -> None:
        self._videos = videos
        self._store = store
        self._jobs = jobs
        self._settings = settings
        self._cover_urls = CoverUrls(videos=videos, store=store, settings=settings)

    # --- create-upload -----------------------------------------------------------------
    def create_upload(self, caller: str, request: CreateUploadRequest) -> UploadTicket:
        if request.cover_url:
            self._cover_urls.check(caller, request.cover_url)  # refuse hostile URLs now, fetch later
        video_id = keys.new_video_id()
        record = new_upload_record(
            video_id=video_id,
            owner=caller,
            title=request.title,
            file_name=request.file_name,
            description=request.description,
            tags=list(request.tags),
            cover_url=request.cover_url,
            now=utc_now(),
        )
        self._videos.update(video_id, only_if_new(record))
        return self._upload_ticket(video_id, request.file_name, request.file_size)

    def refresh_upload(self, caller: str, video_id: str) -> UploadTicket:
        """A fresh upload URL for the caller's video (the last one expired, or the file changed):
        what lands there is processed as any new object of the video is."""
        record = require_readable(self._videos.get(video_id), video_id, caller)
        return self._upload_ticket(video_id, record.file_name or "video.mp4", None)

    def _upload_ticket(self, video_id: str, file_name: str, file_size: int | None) -> UploadTicket:
        key = keys.upload_key(video_id, file_name)
        content_type = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        url, headers, expires_at = presigned_upload(self._store, self._settings, key, content_type, file_size)
        return UploadTicket(video_id, url, headers, expires_at, key)

    # --- reading ------------------------------------------------------------------------
    def get(self, caller: str, video_id: str) -> VideoRecord:
        return self._as_seen(require_readable(self._videos.get(video_id), video_id, caller))

    def get_many(self, caller: str, video_ids: list[str]) -> BatchRead:
        # An id no video can have (``../x``, 600 emoji: past DynamoDB's 2048-byte key) is simply
        # missing; asking DynamoDB for it could only fail.
        records = self._videos.get_many([v for v in video_ids if keys.VIDEO_ID_PATTERN.match(v)])
        found, missing, forbidden = [], [], []
        for video_id in dict.fromkeys(video_ids):
            record = records.get(video_id)
            if record is None:
                missing.append(video_id)
            elif record.owner != caller:
                forbidden.append(video_id)
            else:
                found.append(self._as_seen(record))
        return BatchRead(found, missing, forbidden)

    def library(self, caller: str, *, limit: int, next_token: str | None) -> Page:
        page = self._videos.list_by_owner(caller, limit=limit, next_token=next_token)
        return Page([self._as_seen(record) for record in page.records], page.next_token)

    def _as_seen(self, record: VideoRecord) -> VideoRecord:
        """An overdue wait shows as the sweeper will store it (``Upload.Expired``): never a stale status."""
        return expiry.as_seen(
            record, datetime.now(UTC), expiry.Deadlines.for_url_ttl(self._settings.url_ttl_seconds)
        )

    # --- pull-upload --------------------------------------------------------------------
    def start_pull(self, caller: str, items: list[PullItem]) -> list[dict[str, Any]]:
        answers = []
        for item in items:
            video_id = keys.new_video_id()
            file_name = file_name_from_url(item.url)
            error = self._refusal(caller, item)
            record = new_upload_record(
                video_id=video_id,
                owner=caller,
                title=item.title or file_name,
                file_name=file_name,
                description="",
                tags=[],
                cover_url=item.cover_url,
                now=utc_now(),
                status=VideoStatus.UPLOAD_FAIL if error else VideoStatus.UPLOADING,
            ).changed(error=error)
            self._videos.update(video_id, only_if_new(record))
            if error is None:
                self._jobs.start(self._settings.pull_worker_function, {"videoId": video_id, "url": item.url})
            answer: dict[str, Any] = {"videoId": video_id, "url": item.url, "status": str(record.status)}
            if error is not None:
                answer["error"] = error.model_dump()
            answers.append(answer)
        return answers

    def _refusal(self, caller: str, item: PullItem) -> ErrorInfo | None:
        """Check both URLs up front, so an obviously bad item fails at once with its code."""
        try:
            if item.url.lower().startswith("s3://") or self._store.key_of_url(item.url) is not None:
                raise SourceUrlForbidden("The video is in the media bucket already: register it instead.")
            check_url(item.url, source_url_policy(self._cover_urls.policy))
            if item.cover_url:
                self._cover_urls.check(caller, item.cover_url)
        except VodcoverError as exc:
            return ErrorInfo(code=exc.code, message=exc.message)
        return None

    # --- register-media -----------------------------------------------------------------
    def register(self, caller: str, items: list[RegisterItem]) -> RegisterResult:
        registered: list[dict[str, str]] = []
        failed: list[dict[str, str]] = []
        for item in items:
            try:
                video_id = self._register_one(caller, item)
            except VodcoverError as exc:
                failed.append({"key": item.key, "code": exc.code, "message": exc.message})
            else:
                registered.append({"videoId": video_id, "key": item.key})
        return RegisterResult(registered=registered, failed=failed)

    def _register_one(self, caller: str, item: RegisterItem) -> str:
        key = item.key
        if key.startswith(SYSTEM_PREFIXES) or key.endswith("/"):
            raise RegisterRefused(
                "That key holds vodcover's own output, not a video.", code="Register.InvalidKey"
            )
        if item.cover_url:
            self._cover_urls.check(caller, item.cover_url)
        found = self._store.head(key)
        if found is None:
            raise RegisterRefused(f"No object {key} in the media bucket.", code="Register.NotFound")
        video_id = self._existing_id_for(key) or keys.orphan_video_id(key)
        source = SourceObject(key=key, size=found.size, etag=found.etag)
        now = utc_now()
        file_name = posixpath.basename(key)

        def claim(current: VideoRecord | None) -> VideoRecord | None:
            if current is not None and current.owner is not None:
                raise RegisterRefused(f"{key} is already registered.", code="Register.AlreadyRegistered")
            if current is not None:  # processed already, owned by nobody until now
                return current.changed(
                    owner=caller,
                    title=item.title or current.title,
                    pending_cover_url=item.cover_url,
                    updated_at=now,
                )
            return new_upload_record(
                video_id=video_id,
                owner=caller,
                title=item.title or file_name,
                file_name=file_name,
                description="",
                tags=[],
                cover_url=item.cover_url,
                now=now,
                status=VideoStatus.UPLOAD_SUCC,
                source=source,
            )

        outcome = self._videos.update(video_id, claim)
        record = outcome.record
        if record is not None and record.status == VideoStatus.UPLOAD_SUCC:
            self._jobs.start(
                self._settings.screenshot_function, {"register": {"videoId": video_id, "key": key}}
            )
        return video_id

    # --- smart cover --------------------------------------------------------------------
    def start_smart_cover(self, caller: str, video_id: str) -> VideoRecord:
        """Mark the analysis as running and start it; a repeated request changes nothing."""

        def start(current: VideoRecord | None) -> VideoRecord | None:
            return smart.start_smart_cover(require_readable(current, video_id, caller), now=utc_now())

        outcome = self._videos.update(video_id, start)
        if outcome.written:
            self._jobs.start(self._settings.smart_cover_function, {"videoId": video_id})
        assert outcome.record is not None  # require_readable refused a missing record
        return outcome.record

    def _existing_id_for(self, key: str) -> str | None:
        claimed = keys.parse_upload_key(key).claimed_video_id if keys.is_upload_key(key) else None
        if not claimed:
            return None
        record = self._videos.get(claimed)
        if record is None:
            return None
        if record.owner is not None:
            # The folder is that video's, uploaded or still being uploaded: never a second owner's.
            raise RegisterRefused(f"{key} belongs to a video already.", code="Register.AlreadyRegistered")
        if record.source is not None and record.source.key == key:
            return claimed
        return None


def presigned_upload(
    store: MediaStore, settings: Settings, key: str, content_type: str, size: int | None
) -> tuple[str, dict[str, str], str]:
    """A presigned PUT for ``key``: its URL, the headers the PUT must send, when it expires."""
    url = store.presigned_put(key, content_type=content_type, content_length=size)
    headers = {"Content-Type": content_type}
    if size:
        headers["Content-Length"] = str(size)
    expires = datetime.now(UTC) + timedelta(seconds=settings.url_ttl_seconds)
    return url, headers, expires.isoformat(timespec="seconds").replace("+00:00", "Z")


def only_if_new(record: VideoRecord) -> Callable[[VideoRecord | None], VideoRecord | None]:
    """A mutation creating ``record`` unless its (random) id is somehow taken already."""
    return lambda current: record if current is None else None
