"""Cover media function: the covers API's Pillow and ffmpeg, invoked synchronously.

``{"operation": "check_image" | "frame_at", "request": {...}}`` → ``{"answer": {...}}`` or
``{"error": {"code", "message"}}`` (``vodcover.cover_media.protocol``). It reads nothing from
the environment and touches no AWS resource: limits and sizes come with each request, a video
through the presigned URL the API signed.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from vodcover.cover_media.service import handle
from vodcover.observability import logger, observed
from vodcover.settings import CoverMediaSettings, settings_for

settings_for(CoverMediaSettings)  # nothing to read today; kept so every function starts alike


@logger.inject_lambda_context(clear_state=True)
@observed("cover_media")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle(event)
