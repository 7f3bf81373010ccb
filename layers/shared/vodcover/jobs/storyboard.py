"""The storyboard job: sprite sheets and a WebVTT file for a ``Normal`` video.

Runs in the screenshot function: right after the default snapshots when ``StoryboardOnUpload``
is on, or for ``{"storyboard": {"videoId", "run"}}`` started by ``POST /videos/{id}/storyboard``.
Each storyboard made lives in its own folder (``storyboard/{videoId}/{run}/``), so a player
holding the last VTT keeps working until the record names the new one; older folders go then.
A failure never touches the video's status: the storyboard alone is ``Failed``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from vodcover import observability
from vodcover.dal.objects import MediaStore
from vodcover.dal.videos import VideoRepository
from vodcover.domain import keys, storyboards
from vodcover.domain.failures import unexpected_error
from vodcover.errors import MediaError, MediaUnavailable, VodcoverError
from vodcover.jobs.captured import MadeStoryboard
from vodcover.jobs.outcomes import JobResult, Outcome
from vodcover.models import ErrorInfo, JobStatus, SourceObject, Storyboard, utc_now
from vodcover.usecases.deletion import erase_if_deleted

logger = logging.getLogger(__name__)

VTT_CONTENT_TYPE = "text/vtt; charset=utf-8"


class StoryboardMaker(Protocol):
    """``vodcover.media.storyboard.make_storyboard``, passed in by the handler."""

    def __call__(
        self,
        source: str,
        plan_for: Callable[[float], storyboards.StoryboardPlan],
        *,
        tile_width: int,
        timeout: float,
    ) -> MadeStoryboard: ...


class StoryboardJob:
    def __init__(self, *, videos: VideoRepository, store: MediaStore, make: StoryboardMaker) -> None:
        self._videos = videos
        self._store = store
        self._make = make

    def start_and_run(self, video_id: str, *, run: str, timeout: float) -> JobResult:
        """After the default snapshots: mark the storyboard as being made, then make it here."""
        try:
            outcome = self._videos.update(
                video_id,
                lambda current: (
                    storyboards.start_storyboard(current, run=run, now=utc_now()) if current else None
                ),
            )
        except VodcoverError as exc:  # not Normal (any more), or no picture: no storyboard
            logger.info("video %s: no storyboard (%s)", video_id, exc.code)
            return JobResult(video_id, Outcome.SKIPPED, None)
        if not outcome.written:
            return JobResult(video_id, Outcome.SKIPPED, outcome.record)
        try:
            return self.run(video_id, run=run, timeout=timeout)
        except Exception:  # the snapshots are done and announced: a storyboard's surprise stays its own
            logger.exception("video %s: storyboard failed unexpectedly", video_id)
            return self._fail(video_id, run, unexpected_error())

    @observability.traced
    def run(self, video_id: str, *, run: str, timeout: float) -> JobResult:
        record = self._videos.get(video_id)
        if not storyboards.is_current_run(record, run):
            logger.info("video %s: storyboard %s superseded or gone; nothing to do", video_id, run)
            return JobResult(video_id, Outcome.SKIPPED, record)
        assert record is not None and record.source is not None
        source = record.source
        try:
            images = self._make(
                self._store.job_read_url(source.key, for_seconds=timeout),
                storyboards.plan_storyboard,
                tile_width=storyboards.TILE_WIDTH,
                timeout=timeout,
            )
        except MediaUnavailable:
            if self._store.head(source.key) is not None:
                raise  # a cut read of an object that is there: Lambda retries
            return self._fail(
                video_id, run, ErrorInfo(code="Media.Unavailable", message="The video is gone.")
            )
        except MediaError as exc:
            logger.warning("video %s: storyboard failed: %s (%s)", video_id, exc.code, exc.detail[-500:])
            return self._fail(video_id, run, ErrorInfo(code=exc.code, message=exc.message))
        return self._store_and_complete(video_id, run, source, images)

    def _store_and_complete(
        self, video_id: str, run: str, source: SourceObject, images: MadeStoryboard
    ) -> JobResult:
        plan = storyboards.plan_storyboard(images.duration)
        tiles = len(images.tile_times)
        sheet_keys = [keys.storyboard_sheet_key(video_id, run, n) for n in range(len(images.sheets))]
        for key, sheet in zip(sheet_keys, images.sheets, strict=True):
            self._store.put_derived(key, sheet, "image/jpeg")
        vtt_key = keys.storyboard_vtt_key(video_id, run)
        vtt = storyboards.webvtt(plan, images.tile_width, images.tile_height, tiles)
        self._store.put_derived(vtt_key, vtt.encode(), VTT_CONTENT_TYPE)
        made = Storyboard(
            status=JobStatus.DONE,
            vtt=vtt_key,
            sheets=sheet_keys,
            tile_width=images.tile_width,
            tile_height=images.tile_height,
            interval=plan.interval,
            tiles=tiles,
        )
        outcome = self._videos.update(
            video_id,
            lambda current: storyboards.complete_storyboard(
                current, run=run, source=source, made=made, now=utc_now()
            ),
        )
        if outcome.record is None and erase_if_deleted(self._videos, self._store, video_id, ("storyboard/",)):
            return JobResult(video_id, Outcome.SKIPPED, None)
        run_folder = f"{keys.storyboard_prefix(video_id)}{run}/"
        if not outcome.written:
            self._store.delete(self._store.list_keys(run_folder))  # superseded: ours are named by nobody
            return JobResult(video_id, Outcome.SKIPPED, outcome.record)
        older = [
            k for k in self._store.list_keys(keys.storyboard_prefix(video_id)) if not k.startswith(run_folder)
        ]
        if older:
            self._store.delete(older)
        return JobResult(video_id, Outcome.PROCESSED, outcome.record)

    def _fail(self, video_id: str, run: str, error: ErrorInfo) -> JobResult:
        observability.count_failure(error.code)
        outcome = self._videos.update(
            video_id,
            lambda current: storyboards.fail_storyboard(current, run=run, error=error, now=utc_now()),
        )
        return JobResult(video_id, Outcome.FAILED, outcome.record)
