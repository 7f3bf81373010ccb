"""Pull worker: ``{"videoId", "url"}`` from the API (async invoke) → the source in ``uploads/``."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from vodcover import dependencies
from vodcover.jobs.pull import PullEvent, PullJob, PullOptions
from vodcover.net.url_policy import cover_url_policy, source_url_policy
from vodcover.observability import bind_video, logger, observed
from vodcover.settings import PullWorkerSettings, settings_for

settings_for(PullWorkerSettings)  # at cold start: a missing variable fails the init, named

# Leave time to abort the multipart upload and record the failure before Lambda stops us.
SAFETY_MARGIN_SECONDS = 30.0


def build_job() -> PullJob:
    settings = settings_for(PullWorkerSettings)
    return PullJob(
        videos=dependencies.video_repository(),
        bucket=settings.media_bucket,
        policy=source_url_policy(cover_url_policy(settings)),
        options=PullOptions(
            max_bytes=settings.pull_max_bytes,
            part_size=settings.pull_part_bytes,
            stall_timeout=settings.pull_stall_timeout_seconds,
        ),
    )


@logger.inject_lambda_context(clear_state=True)
@observed("pull")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = PullEvent.model_validate(event)
    bind_video(request.video_id)
    timeout = max(5.0, context.get_remaining_time_in_millis() / 1000 - SAFETY_MARGIN_SECONDS)
    result = build_job().run(request.video_id, request.url, timeout=timeout)
    logger.info("pull job finished", extra={"outcome": str(result.outcome), "key": result.key})
    answer: dict[str, Any] = {"videoId": result.video_id, "outcome": str(result.outcome)}
    if result.error is not None:
        answer["error"] = result.error.model_dump()
    return answer
