"""Starting media jobs on request: snapshots taken again with other settings, and storyboards.

The API fixes what a job will do (instants, width) on the record first, by a conditional write,
then starts the screenshot function; the job reads its orders from the record, so a retried or
late invocation takes exactly what was asked and a superseded one does nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vodcover.dal.invocations import JobStarter
from vodcover.dal.videos import VideoRepository
from vodcover.domain import snapshot_jobs, storyboards
from vodcover.domain.videos import require_readable
from vodcover.models import VideoRecord, utc_now

if TYPE_CHECKING:  # each function builds only its own settings class
    from vodcover.settings import AlibabaApiSettings, VideosApiSettings


@dataclass(frozen=True)
class SubmittedSnapshotJob:
    job_id: str
    record: VideoRecord


class MediaJobs:
    def __init__(
        self, *, videos: VideoRepository, jobs: JobStarter, settings: VideosApiSettings | AlibabaApiSettings
    ) -> None:
        self._videos = videos
        self._jobs = jobs
        self._settings = settings

    def submit_snapshots(
        self,
        caller: str,
        video_id: str,
        *,
        count: int | None = None,
        interval: float | None = None,
        offsets: Sequence[float] | None = None,
        width: int | None = None,
        height: int | None = None,
    ) -> SubmittedSnapshotJob:
        """Plan the job against the stored video (bad combinations: ``InvalidParameter.*``), record
        it, start it. A newer request supersedes one still running."""
        job_id = uuid.uuid4().hex

        def start(current: VideoRecord | None) -> VideoRecord | None:
            record = require_readable(current, video_id, caller)
            plan = snapshot_jobs.plan_snapshot_job(
                record,
                count=count,
                interval=interval,
                offsets=offsets,
                width=width,
                height=height,
                default_count=self._settings.snapshot_count,
                default_width=self._settings.snapshot_width,
            )
            return snapshot_jobs.start_snapshot_job(record, job_id=job_id, plan=plan, now=utc_now())

        outcome = self._videos.update(video_id, start)
        assert outcome.record is not None  # require_readable refused a missing record
        self._jobs.start(
            self._settings.screenshot_function, {"snapshotJob": {"videoId": video_id, "jobId": job_id}}
        )
        return SubmittedSnapshotJob(job_id=job_id, record=outcome.record)

    def start_storyboard(self, caller: str, video_id: str) -> VideoRecord:
        """Mark a storyboard as being made and start it; a request while one is made changes nothing."""
        run = storyboards.new_run()

        def start(current: VideoRecord | None) -> VideoRecord | None:
            return storyboards.start_storyboard(
                require_readable(current, video_id, caller), run=run, now=utc_now()
            )

        outcome = self._videos.update(video_id, start)
        if outcome.written:
            self._jobs.start(
                self._settings.screenshot_function, {"storyboard": {"videoId": video_id, "run": run}}
            )
        assert outcome.record is not None
        return outcome.record
