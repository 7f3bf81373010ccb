"""Screenshot function: S3 ObjectCreated under ``uploads/`` → snapshots and a default cover.

Also runs, invoked asynchronously, for objects registered through ``POST /videos/register``
(``{"register": {"videoId", "key"}}``, which may live anywhere in the bucket), for snapshot jobs
on demand (``{"snapshotJob": {"videoId", "jobId"}}``) and for storyboards (``{"storyboard":
{"videoId", "run"}}``; also made here right after the default snapshots, ``StoryboardOnUpload``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes import S3Event
from aws_lambda_powertools.utilities.typing import LambdaContext

from vodcover import dependencies
from vodcover.cover_media.service import InProcessCoverMedia
from vodcover.domain.keys import is_upload_key
from vodcover.domain.storyboards import new_run
from vodcover.jobs.outcomes import JobResult
from vodcover.jobs.screenshot import ScreenshotJob, SnapshotOptions
from vodcover.jobs.snapshot_jobs import SnapshotJobRequest, SnapshotJobRunner
from vodcover.jobs.storyboard import StoryboardJob
from vodcover.media.snapshots import capture_snapshots
from vodcover.media.storyboard import make_storyboard
from vodcover.models import VideoRecord
from vodcover.observability import bind_video, logger, observed
from vodcover.settings import ScreenshotSettings, settings_for
from vodcover.usecases.cover_images import CoverImages

settings_for(ScreenshotSettings)  # at cold start: a missing variable fails the init, named

# Leave time to record a failure before Lambda stops us.
SAFETY_MARGIN_SECONDS = 15.0


def build_job(context: LambdaContext | None = None) -> ScreenshotJob:
    settings = settings_for(ScreenshotSettings)
    store = dependencies.media_store()

    def after_snapshots(record: VideoRecord) -> None:
        if settings.storyboard_on_upload and context is not None:
            storyboard_job().start_and_run(record.video_id, run=new_run(), timeout=time_left(context))
        if settings.smart_cover_on_upload:
            start_smart_cover(record)

    return ScreenshotJob(
        videos=dependencies.video_repository(),
        store=store,
        events=dependencies.event_publisher(),
        capture=capture_snapshots,
        options=SnapshotOptions(
            count=settings.snapshot_count, width=settings.snapshot_width, quality=settings.jpeg_quality
        ),
        cover_images=CoverImages(store=store, settings=settings, media=InProcessCoverMedia()),
        derivatives=dependencies.cover_derivatives(),
        on_snapshots_done=after_snapshots,
    )


def storyboard_job() -> StoryboardJob:
    return StoryboardJob(
        videos=dependencies.video_repository(), store=dependencies.media_store(), make=make_storyboard
    )


def snapshot_job_runner() -> SnapshotJobRunner:
    return SnapshotJobRunner(
        videos=dependencies.video_repository(),
        store=dependencies.media_store(),
        events=dependencies.event_publisher(),
        capture=capture_snapshots,
        quality=settings_for(ScreenshotSettings).jpeg_quality,
        derivatives=dependencies.cover_derivatives(),
    )


def start_smart_cover(record: VideoRecord) -> None:
    """``SmartCoverOnUpload``: analyse every new video once its snapshots exist."""
    dependencies.job_starter().start(
        settings_for(ScreenshotSettings).smart_cover_function, {"videoId": record.video_id}
    )


def time_left(context: LambdaContext) -> float:
    return max(5.0, context.get_remaining_time_in_millis() / 1000 - SAFETY_MARGIN_SECONDS)


def report(result: JobResult) -> dict[str, str]:
    logger.info("snapshot job finished", extra={"outcome": str(result.outcome)})
    return {"videoId": result.video_id, "outcome": str(result.outcome)}


@logger.inject_lambda_context(clear_state=True)
@observed("screenshot")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "snapshotJob" in event:
        request = SnapshotJobRequest.from_event(event)
        bind_video(request.video_id)
        return {"results": [report(snapshot_job_runner().run(request, timeout=time_left(context)))]}
    if "storyboard" in event:
        video_id, run = event["storyboard"]["videoId"], event["storyboard"]["run"]
        bind_video(video_id)
        return {"results": [report(storyboard_job().run(video_id, run=run, timeout=time_left(context)))]}
    job = build_job(context)
    if "register" in event:
        request = event["register"]
        bind_video(request["videoId"])
        return {
            "results": [
                report(job.run_registered(request["videoId"], request["key"], timeout=time_left(context)))
            ]
        }

    results = []
    for record in S3Event(event).records:
        key = unquote_plus(record.s3.get_object.key)
        if not is_upload_key(key):  # the recursion guard, in case a filter is ever misconfigured
            logger.info("ignoring object outside uploads/", extra={"key": key})
            continue
        video_id = job.resolve_video_id(key)
        bind_video(video_id)
        obj = record.s3.get_object
        result = job.run(key, video_id=video_id, size=obj.size, etag=obj.etag, timeout=time_left(context))
        results.append(report(result))
    return {"results": results}
