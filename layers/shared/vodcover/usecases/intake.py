"""What the two ways of bringing in a video from elsewhere share: pull (``pull.py``, an https
URL fetched by the pull worker) and register (``register.py``, an object already in the bucket).

Both write a new record, check the caller's ``coverUrl`` and start a job: the same four
dependencies, built by the handler once.
"""

from __future__ import annotations

from vodcover.dal.invocations import JobStarter
from vodcover.dal.objects import MediaStore
from vodcover.dal.videos import VideoRepository
from vodcover.domain.videos import new_upload_record
from vodcover.models import SourceObject, VideoRecord, VideoStatus
from vodcover.settings import LibrarySettings
from vodcover.usecases.cover_urls import CoverUrls


class VideoIntake:
    def __init__(
        self, *, videos: VideoRepository, store: MediaStore, jobs: JobStarter, settings: LibrarySettings
    ) -> None:
        self._videos = videos
        self._store = store
        self._jobs = jobs
        self._settings = settings
        self._cover_urls = CoverUrls(videos=videos, store=store, settings=settings)

    @staticmethod
    def _new_record(
        video_id: str,
        caller: str,
        *,
        title: str | None,
        file_name: str,
        cover_url: str | None,
        status: VideoStatus,
        now: str,
        source: SourceObject | None = None,
    ) -> VideoRecord:
        """A video from elsewhere: the caller's title or its file's name, no description or tags."""
        return new_upload_record(
            video_id=video_id,
            owner=caller,
            title=title or file_name,
            file_name=file_name,
            description="",
            tags=[],
            cover_url=cover_url,
            now=now,
            status=status,
            source=source,
        )
