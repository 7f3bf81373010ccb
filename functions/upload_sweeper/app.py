"""Upload sweeper, on a schedule: records that waited too long end ``Upload.Expired``/``Process.Stalled``."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from vodcover import dependencies
from vodcover.domain.expiry import Deadlines
from vodcover.jobs.upload_sweeper import UploadSweeper
from vodcover.observability import logger, observed
from vodcover.settings import UploadSweeperSettings, settings_for

settings_for(UploadSweeperSettings)  # at cold start: a missing variable fails the init, named


def build_sweeper() -> UploadSweeper:
    return UploadSweeper(
        videos=dependencies.video_repository(),
        deadlines=Deadlines.for_url_ttl(settings_for(UploadSweeperSettings).url_ttl_seconds),
        events=dependencies.event_publisher(),
    )


@logger.inject_lambda_context(clear_state=True)
@observed("upload_sweeper")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = build_sweeper().run()
    logger.info(
        "sweep finished",
        extra={
            "expired": len(result.expired),
            "stalled": len(result.stalled),
            "smart_stalled": len(result.smart_stalled),
            "errors": result.errors,
        },
    )
    return {
        "expired": result.expired,
        "stalled": result.stalled,
        "smartStalled": result.smart_stalled,
        "errors": result.errors,
    }
