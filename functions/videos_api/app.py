"""Videos API: create uploads, pull from URLs, register objects, read videos, the library, cover
history, limits, delete, media jobs, the owner's webhooks.

The light API function: no ffmpeg, no Pillow, only the shared layer. The routes live next to
this module, one module per concern (``videos_*_routes.py``), wired by ``videos_wiring.py``;
they are added in the order openapi.yaml lists them.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from videos_deletion_routes import add_deletion_routes
from videos_intake_routes import add_intake_routes
from videos_job_routes import add_job_routes
from videos_read_routes import add_read_routes
from videos_webhook_routes import add_webhook_routes

from vodcover.api.http import create_app
from vodcover.observability import logger, observed
from vodcover.settings import VideosApiSettings, settings_for

settings_for(VideosApiSettings)  # at cold start: a missing variable fails the init, named
app = create_app()
add_intake_routes(app)
add_read_routes(app)
add_job_routes(app)
add_deletion_routes(app)
add_webhook_routes(app)


@logger.inject_lambda_context(clear_state=True)
@observed()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
