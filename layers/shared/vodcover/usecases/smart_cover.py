"""Starting smart-cover analysis of a ``Normal`` video; the job itself is ``jobs.smart_cover``."""

from __future__ import annotations

from vodcover.dal.invocations import JobStarter
from vodcover.dal.videos import VideoRepository
from vodcover.domain.smart_cover import start_smart_cover
from vodcover.domain.videos import require_readable
from vodcover.models import VideoRecord, utc_now
from vodcover.settings import LibrarySettings


class SmartCoverStarts:
    def __init__(self, *, videos: VideoRepository, jobs: JobStarter, settings: LibrarySettings) -> None:
        self._videos = videos
        self._jobs = jobs
        self._settings = settings

    def start(self, caller: str, video_id: str) -> VideoRecord:
        """Mark the analysis as running and start it; a repeated request changes nothing."""

        def start(current: VideoRecord | None) -> VideoRecord | None:
            return start_smart_cover(require_readable(current, video_id, caller), now=utc_now())

        outcome = self._videos.update(video_id, start)
        if outcome.written:
            self._jobs.start(self._settings.smart_cover_function, {"videoId": video_id})
        assert outcome.record is not None  # require_readable refused a missing record
        return outcome.record
