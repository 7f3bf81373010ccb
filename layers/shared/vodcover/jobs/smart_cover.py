"""The smart-cover job: analyse a processed video, store candidates and an animated cover.

Started asynchronously with ``{"videoId"}`` by ``POST /videos/{id}/smart-cover`` (which has
already set ``smartCover.status = Processing``) or, with ``SmartCoverOnUpload``, after the
default snapshots (then this job starts it itself). Lambda may deliver an event twice: keys are
content-addressed (``smart/{id}/{n}-{digest}.jpg``, ``animated/{id}/{digest}.{gif,webp}``) and every
record change is a pure domain function applied with optimistic concurrency, so a repeat writes
the same objects and records the same state; images the new record no longer names are deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from vodcover import observability
from vodcover.dal.events import EventPublisher, EventType
from vodcover.dal.objects import MediaStore
from vodcover.dal.videos import VideoRepository
from vodcover.deadline import deadline_in, seconds_left
from vodcover.domain import keys
from vodcover.domain.failures import unexpected_error
from vodcover.domain.smart_cover import (
    complete_smart_cover,
    fail_smart_cover,
    is_smart_cover_running,
    start_smart_cover,
)
from vodcover.errors import IllegalStatus, MediaError, VideoNotFound
from vodcover.jobs.captured import FoundCandidate, FoundCandidates, MadeAnimation, SafeMoment
from vodcover.jobs.outcomes import JobResult, Outcome
from vodcover.jobs.snapshot_store import store_frames
from vodcover.models import (
    AnimatedCover,
    CoverSource,
    ErrorInfo,
    SmartCandidate,
    SourceObject,
    VideoRecord,
    utc_now,
)
from vodcover.usecases.cover_derivatives import NO_DERIVATIVES, CoverDerivatives
from vodcover.usecases.deletion import erase_if_deleted

if TYPE_CHECKING:
    from vodcover.media.cover_image import CoverLimits

logger = logging.getLogger(__name__)

ANIMATION_SHARE = 0.35  # of the time budget left after selection; the animation is optional


class CandidateSelector(Protocol):
    """``vodcover.media.smart.select_candidates``."""

    def __call__(
        self, source: str, *, count: int, timeout: float, width: int, quality: int, limits: CoverLimits
    ) -> FoundCandidates: ...


class AnimationMaker(Protocol):
    """``vodcover.media.animated.make_animated_cover``."""

    def __call__(self, source: str, moments: Sequence[SafeMoment], *, timeout: float) -> MadeAnimation: ...


@dataclass(frozen=True)
class SmartCoverOptions:
    count: int
    width: int  # 0: the source size within the cover limits
    quality: int
    limits: CoverLimits  # candidates may become the cover: they keep within its limits
    animated: bool = True


class SmartCoverJob:
    def __init__(
        self,
        *,
        videos: VideoRepository,
        store: MediaStore,
        events: EventPublisher,
        select: CandidateSelector,
        animate: AnimationMaker | None,
        options: SmartCoverOptions,
        derivatives: CoverDerivatives | None = None,
    ) -> None:
        self._derivatives = derivatives or CoverDerivatives(store=store, videos=videos, derive=None)
        self._videos = videos
        self._store = store
        self._events = events
        self._select = select
        self._animate = animate
        self._options = options

    @observability.traced
    def run(self, video_id: str, *, timeout: float) -> JobResult:
        """Analyse ``video_id``; any failure but a verdict ends ``smartCover`` ``Failed``, then propagates.

        A retry restarts the analysis over ``Failed`` (:func:`start_smart_cover`), so recording
        every failure at once never stops Lambda's retries from succeeding.
        """
        deadline = deadline_in(timeout)
        record = self._claim(video_id)
        if record is None or record.source is None:
            return JobResult(video_id, Outcome.SKIPPED, record)
        source = record.source
        try:
            return self._analyse(video_id, source, deadline)
        except Exception:
            logger.exception("video %s: smart cover failed unexpectedly; recording it", video_id)
            try:
                self._fail(video_id, source, unexpected_error())
            except Exception:
                logger.exception("video %s: recording the failure failed too", video_id)
            raise

    def _analyse(self, video_id: str, source: SourceObject, deadline: float) -> JobResult:
        timeout = seconds_left(deadline, at_least=1.0)
        url = self._store.job_read_url(source.key, for_seconds=timeout)
        try:
            result = self._select(
                url,
                count=self._options.count,
                timeout=seconds_left(deadline, at_least=1.0),
                width=self._options.width,
                quality=self._options.quality,
                limits=self._options.limits,
            )
        except MediaError as exc:
            logger.warning("video %s: smart cover failed: %s (%s)", video_id, exc.code, exc.detail[-500:])
            return self._fail(video_id, source, ErrorInfo.of(exc))
        candidates = self._store_candidates(video_id, result.candidates)
        animated = self._store_animation(video_id, url, result.moments, deadline)
        best = result.candidates[0].jpeg if result.candidates else None
        return self._complete(video_id, source, candidates, animated, best)

    def _claim(self, video_id: str) -> VideoRecord | None:
        """Mark the analysis as running (unless the API already did); None when it must not run."""

        def start(current: VideoRecord | None) -> VideoRecord | None:
            if is_smart_cover_running(current):
                return None  # started by the API: carry on
            return start_smart_cover(current, now=utc_now())

        try:
            outcome = self._videos.update(video_id, start)
        except (VideoNotFound, IllegalStatus) as exc:
            logger.info("video %s: smart cover not started: %s", video_id, exc.message)
            return None
        return outcome.record if is_smart_cover_running(outcome.record) else None

    def _store_candidates(self, video_id: str, found: Sequence[FoundCandidate]) -> list[SmartCandidate]:
        written = store_frames(self._store, found, lambda index, jpeg: keys.smart_key(video_id, index, jpeg))
        return [
            SmartCandidate(
                index=index,
                time=round(c.time, 3),
                score=round(c.score, 4),
                key=key,
                width=c.width,
                height=c.height,
            )
            for index, (c, key) in enumerate(zip(found, written, strict=True))
        ]

    def _store_animation(
        self, video_id: str, url: str, moments: Sequence[SafeMoment], deadline: float
    ) -> AnimatedCover | None:
        """The animated cover is a bonus: when it cannot be made, the candidates still count."""
        if self._animate is None or not self._options.animated or not moments:
            return None
        try:
            animation = self._animate(
                url, moments, timeout=max(5.0, seconds_left(deadline, at_least=1.0) * ANIMATION_SHARE)
            )
        except MediaError as exc:
            logger.warning("video %s: no animated cover: %s (%s)", video_id, exc.code, exc.detail[-300:])
            return None
        gif_key = keys.animated_key(video_id, animation.gif, "gif")
        webp_key = keys.animated_key(video_id, animation.webp, "webp")
        self._store.put_derived(gif_key, animation.gif, "image/gif")
        self._store.put_derived(webp_key, animation.webp, "image/webp")
        return AnimatedCover(gif=gif_key, webp=webp_key)

    def _complete(
        self,
        video_id: str,
        source: SourceObject,
        candidates: list[SmartCandidate],
        animated: AnimatedCover | None,
        best_jpeg: bytes | None,
    ) -> JobResult:
        current = self._videos.get(video_id)
        derived = NO_DERIVATIVES
        if candidates and best_jpeg is not None and current is not None and not current.has_person_cover:
            derived = self._derivatives.derive(video_id, candidates[0].key, best_jpeg)

        def complete(current: VideoRecord | None) -> VideoRecord | None:
            best = candidates[0] if candidates else None
            cover = (
                None
                if best is None
                else derived.cover(best.key, best.width, best.height, CoverSource.SMART, utc_now())
            )
            return complete_smart_cover(
                current,
                source=source,
                candidates=candidates,
                animated=animated,
                best_cover=cover,
                now=utc_now(),
            )

        outcome = self._derivatives.write(video_id, complete)
        record = outcome.record
        if record is None and erase_if_deleted(self._videos, self._store, video_id, ("smart/", "animated/")):
            return JobResult(video_id, Outcome.SKIPPED, None)
        written = [c.key for c in candidates] + derived.keys
        if animated is not None:
            written += [animated.gif, animated.webp]
        if record is None or record.source != source:
            logger.info("video %s: object replaced while analysing; results dropped", video_id)
            self._derivatives.refused(video_id, written)
            return JobResult(video_id, Outcome.SKIPPED, record)
        # A person's cover won meanwhile, or a repeat found its renditions named already.
        self._derivatives.keep_named(video_id, written, record)
        self._events.publish(
            EventType.SMART_COVER_COMPLETE,
            {
                "videoId": video_id,
                "candidateCount": len(candidates),
                "animated": animated is not None,
                "coverSource": str(record.cover.source) if record.cover else None,
            },
        )
        return JobResult(video_id, Outcome.PROCESSED, record)

    def _fail(self, video_id: str, source: SourceObject, error: ErrorInfo) -> JobResult:
        def fail(current: VideoRecord | None) -> VideoRecord | None:
            if not is_smart_cover_running(current):
                return None  # finished (or restarted) meanwhile: a failure of ours never undoes that
            return fail_smart_cover(current, source=source, error=error, now=utc_now())

        outcome = self._videos.update(video_id, fail)
        if outcome.written:
            observability.count_failure(error.code)
        return JobResult(video_id, Outcome.FAILED, outcome.record)
