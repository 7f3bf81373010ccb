"""Creating an upload: a record in ``Uploading`` and a presigned PUT bound to the file's type.

No Pillow or ffmpeg here: this module backs the light API function.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from vodcover.commands import CreateUploadRequest
from vodcover.dal.objects import MediaStore
from vodcover.dal.videos import VideoRepository
from vodcover.domain import keys
from vodcover.domain.videos import new_upload_record, only_if_new, require_readable
from vodcover.models import utc_now
from vodcover.settings import LibrarySettings
from vodcover.usecases.cover_urls import CoverUrls


@dataclass(frozen=True)
class NewUpload:
    """Where and how to PUT the file: ``headers`` are part of the signature, send exactly them."""

    video_id: str
    url: str
    headers: Mapping[str, str]
    expires_at: str
    key: str = ""  # where the upload lands in the media bucket


class Uploads:
    def __init__(self, *, videos: VideoRepository, store: MediaStore, settings: LibrarySettings) -> None:
        self._videos = videos
        self._store = store
        self._settings = settings
        self._cover_urls = CoverUrls(videos=videos, store=store, settings=settings)

    def create(self, caller: str, request: CreateUploadRequest) -> NewUpload:
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
        return self._upload(video_id, request.file_name, request.file_size)

    def refresh(self, caller: str, video_id: str) -> NewUpload:
        """A fresh upload URL for the caller's video (the last one expired, or the file changed):
        what lands there is processed as any new object of the video is."""
        record = require_readable(self._videos.get(video_id), video_id, caller)
        return self._upload(video_id, record.file_name or "video.mp4", None)

    def _upload(self, video_id: str, file_name: str, file_size: int | None) -> NewUpload:
        key = keys.upload_key(video_id, file_name)
        content_type = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        url, headers, expires_at = presigned_upload(self._store, self._settings, key, content_type, file_size)
        return NewUpload(video_id, url, headers, expires_at, key)


def presigned_upload(
    store: MediaStore, settings: LibrarySettings, key: str, content_type: str, size: int | None
) -> tuple[str, dict[str, str], str]:
    """A presigned PUT for ``key``: its URL, the headers the PUT must send, when it expires."""
    url = store.presigned_put(key, content_type=content_type, content_length=size)
    headers = {"Content-Type": content_type}
    if size:
        headers["Content-Length"] = str(size)
    expires = datetime.now(UTC) + timedelta(seconds=settings.url_ttl_seconds)
    return url, headers, expires.isoformat(timespec="seconds").replace("+00:00", "Z")
