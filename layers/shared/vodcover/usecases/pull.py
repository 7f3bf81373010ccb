"""Pull-upload: a record per https URL, and a worker started for each URL not refused at once.

URLs are checked up front (scheme, address, the media bucket) so an obviously bad item fails at
once with its code (``UploadFail``), while the others are fetched by the pull worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vodcover.commands import PullItem
from vodcover.domain import keys
from vodcover.domain.file_names import file_name_from_url
from vodcover.domain.videos import only_if_new
from vodcover.errors import SourceUrlForbidden, VodcoverError
from vodcover.models import ErrorInfo, VideoStatus, utc_now
from vodcover.net.url_policy import check_url, source_url_policy
from vodcover.usecases.intake import VideoIntake


@dataclass(frozen=True)
class PullStarted:
    """One item's video: ``Uploading`` while its worker runs, or ``UploadFail`` with ``error``."""

    video_id: str
    url: str
    status: VideoStatus
    error: ErrorInfo | None = None


class Pulls(VideoIntake):
    def start(self, caller: str, items: Sequence[PullItem]) -> list[PullStarted]:
        return [self._start_one(caller, item) for item in items]

    def _start_one(self, caller: str, item: PullItem) -> PullStarted:
        video_id = keys.new_video_id()
        file_name = file_name_from_url(item.url)
        error = self._refusal(caller, item)
        record = self._new_record(
            video_id,
            caller,
            title=item.title,
            file_name=file_name,
            cover_url=item.cover_url,
            status=VideoStatus.UPLOAD_FAIL if error else VideoStatus.UPLOADING,
            now=utc_now(),
        ).changed(error=error)
        self._videos.update(video_id, only_if_new(record))
        if error is None:
            self._jobs.start(self._settings.pull_worker_function, {"videoId": video_id, "url": item.url})
        return PullStarted(video_id, item.url, record.status, error)

    def _refusal(self, caller: str, item: PullItem) -> ErrorInfo | None:
        """Check both URLs up front, so an obviously bad item fails at once with its code."""
        try:
            if item.url.lower().startswith("s3://") or self._store.key_of_url(item.url) is not None:
                raise SourceUrlForbidden("The video is in the media bucket already: register it instead.")
            check_url(item.url, source_url_policy(self._cover_urls.policy))
            if item.cover_url:
                self._cover_urls.check(caller, item.cover_url)
        except VodcoverError as exc:
            return ErrorInfo.of(exc)
        return None
