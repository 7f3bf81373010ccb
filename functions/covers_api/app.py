"""Covers API: change a video's info and cover, one or many at once, or upload a cover image.

No media layer: image checks (Pillow) and ``coverTime`` frames (ffmpeg) run in the cover media
function, invoked synchronously (``vodcover.cover_media.remote``); obvious bad images are
refused here first, by their headers.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from vodcover import dependencies
from vodcover.api.http import (
    answer,
    caller_of,
    create_app,
    json_body,
    json_request,
    raw_body,
    rest_views,
)
from vodcover.api.params import VideoIdParameter
from vodcover.api.rest_docs import answers
from vodcover.commands import BatchUpdateRequest, VideoChanges
from vodcover.cover_media.remote import RemoteCoverMedia
from vodcover.errors import InvalidImageTooLarge
from vodcover.observability import logger, observed
from vodcover.settings import CoversApiSettings, settings_for
from vodcover.usecases.batch_edit import BatchEditor
from vodcover.usecases.edit import VideoEditor

if TYPE_CHECKING:
    from vodcover.api.rest_views import RestViews

settings_for(CoversApiSettings)  # at cold start: a missing variable fails the init, named
app = create_app()
COVER_IMAGE_TYPES = ("image/jpeg", "image/png", "application/octet-stream")


def editor() -> VideoEditor:
    settings = settings_for(CoversApiSettings)
    return VideoEditor(
        videos=dependencies.video_repository(),
        store=dependencies.media_store(),
        events=dependencies.event_publisher(),
        settings=settings,
        media=RemoteCoverMedia(settings.cover_media_function),
    )


def views() -> RestViews:
    store = dependencies.media_store()
    return rest_views().from_settings(
        store.viewer_url, settings_for(CoversApiSettings), public_url_for=store.public_url
    )


@app.patch(
    "/videos/<videoId>",
    operation_id="updateVideo",
    summary="Change title, description, tags and/or the cover (one way of choosing it at most)",
    description=(
        "`coverHistory: index` makes an entry of `GET /videos/{videoId}/covers` the cover again (a new"
        " entry, source `user`); an index outside the history, or the current cover, is"
        " `InvalidParameter.CoverHistory`."
    ),
    responses=answers(
        HTTPStatus.OK,
        "VideoView",
        "The video after the change.",
        400,
        401,
        403,
        404,
        409,
        413,
        415,
        422,
        502,
        504,
    ),
    openapi_extensions=json_request("VideoChanges"),
)
def update_video(video_id: VideoIdParameter) -> Response[dict[str, Any]]:
    changes = json_body(app, VideoChanges)
    return answer(HTTPStatus.OK, views().video(editor().update(caller_of(app), video_id, changes)))


@app.patch(
    "/videos",
    operation_id="batchUpdate",
    summary="Change up to 20 videos at once, with a result per item",
    responses=answers(
        HTTPStatus.OK,
        "BatchUpdateAnswer",
        "Per-item results; one bad item never spoils the others.",
        400,
        401,
        403,
        415,
    ),
    openapi_extensions=json_request("BatchUpdateRequest"),
)
def batch_update() -> Response[dict[str, Any]]:
    request = json_body(
        app, BatchUpdateRequest, context={"batch_limit": settings_for(CoversApiSettings).batch_limit}
    )
    batch = BatchEditor(videos=dependencies.video_repository(), editor=editor())
    return answer(
        HTTPStatus.OK, rest_views().batch_update(batch.batch_update(caller_of(app), request.updates))
    )


@app.put(
    "/videos/<videoId>/cover",
    operation_id="uploadCover",
    summary="Upload a local image as the cover (JPG/PNG by content, ≤ 1 MB, ≤ 1920x1080 or 1080x1920)",
    responses=answers(
        HTTPStatus.OK, "VideoView", "The video with its new cover.", 400, 401, 403, 404, 409, 413
    ),
    openapi_extensions={
        "requestBody": {
            "required": True,
            "content": {
                kind: {"schema": {"type": "string", "format": "binary"}} for kind in COVER_IMAGE_TYPES
            },
        }
    },
)
def upload_cover(video_id: VideoIdParameter) -> Response[dict[str, Any]]:
    data = raw_body(app)
    limit = settings_for(CoversApiSettings).cover_max_bytes
    if len(data) > limit:
        raise InvalidImageTooLarge(f"A cover image may be at most {limit} bytes; this one is {len(data)}.")
    return answer(HTTPStatus.OK, views().video(editor().upload_cover(caller_of(app), video_id, data)))


@logger.inject_lambda_context(clear_state=True)
@observed()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
