"""Smart-cover function: ``{"videoId": "..."}`` → candidates, an animated cover, maybe the cover.

Invoked asynchronously by ``POST /videos/{id}/smart-cover`` and, when ``SmartCoverOnUpload`` is
on, after the default snapshots.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from vodcover import dependencies
from vodcover.domain.keys import VIDEO_ID_PATTERN
from vodcover.jobs.smart_cover import SmartCoverJob, SmartCoverOptions
from vodcover.media.animated import make_animated_cover
from vodcover.media.cover_image import CoverLimits
from vodcover.media.smart import select_candidates
from vodcover.observability import bind_video, logger, observed
from vodcover.settings import SmartCoverSettings, settings_for

settings_for(SmartCoverSettings)  # at cold start: a missing variable fails the init, named

# Leave time to record a failure before Lambda stops us.
SAFETY_MARGIN_SECONDS = 15.0


class SmartCoverRequest(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    video_id: str = Field(alias="videoId", pattern=VIDEO_ID_PATTERN.pattern)


def build_job() -> SmartCoverJob:
    settings = settings_for(SmartCoverSettings)
    return SmartCoverJob(
        videos=dependencies.video_repository(),
        store=dependencies.media_store(),
        events=dependencies.event_publisher(),
        select=select_candidates,
        animate=make_animated_cover,
        options=SmartCoverOptions(
            count=settings.candidate_count,
            width=0,
            quality=settings.jpeg_quality,
            limits=CoverLimits(
                settings.cover_max_bytes, settings.cover_max_long_side, settings.cover_max_short_side
            ),
        ),
        derivatives=dependencies.cover_derivatives(),
    )


@logger.inject_lambda_context(clear_state=True)
@observed("smart_cover")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = SmartCoverRequest.model_validate(event)
    bind_video(request.video_id)
    timeout = max(5.0, context.get_remaining_time_in_millis() / 1000 - SAFETY_MARGIN_SECONDS)
    result = build_job().run(request.video_id, timeout=timeout)
    logger.info("smart cover job finished", extra={"outcome": str(result.outcome)})
    return {"videoId": result.video_id, "outcome": str(result.outcome)}
