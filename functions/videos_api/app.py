"""Videos API: create uploads, pull from URLs, register objects, read videos, the library, limits.

The light API function: no ffmpeg, no Pillow, only the shared layer.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from vodcover import dependencies
from vodcover.api.http import caller_of, create_app, json_body, json_response
from vodcover.api.limits import limits_view
from vodcover.api.schemas import CreateUploadRequest, PullRequest, QueryInteger, RegisterRequest, VideoId
from vodcover.api.views import video_view
from vodcover.errors import BatchTooLarge, InvalidParameter
from vodcover.observability import logger, observed
from vodcover.settings import get_settings
from vodcover.usecases.library import Library

app = create_app()


def library() -> Library:
    return Library(
        videos=dependencies.video_repository(),
        store=dependencies.media_store(),
        jobs=dependencies.job_starter(),
        settings=get_settings(),
    )


def view(record: Any) -> dict[str, Any]:
    return video_view(record, dependencies.media_store().read_url)


@app.post("/videos")
def create_upload() -> Response[dict[str, Any]]:
    request = json_body(app, CreateUploadRequest)
    ticket = library().create_upload(caller_of(app), request)
    upload = {"url": ticket.url, "method": "PUT", "headers": ticket.headers, "expiresAt": ticket.expires_at}
    return json_response(HTTPStatus.CREATED, {"videoId": ticket.video_id, "upload": upload})


@app.post("/videos/pull")
def pull_upload() -> Response[dict[str, Any]]:
    request = json_body(app, PullRequest)
    items = library().start_pull(caller_of(app), list(request.items))
    return json_response(HTTPStatus.ACCEPTED, {"items": items})


@app.post("/videos/register")
def register_media() -> Response[dict[str, Any]]:
    request = json_body(app, RegisterRequest)
    result = library().register(caller_of(app), list(request.items))
    return json_response(HTTPStatus.OK, {"registered": result.registered, "failed": result.failed})


@app.get("/videos/<video_id>")
def get_video(video_id: VideoId) -> Response[dict[str, Any]]:
    return json_response(HTTPStatus.OK, view(library().get(caller_of(app), video_id)))


@app.get("/videos")
def list_videos(
    ids: Annotated[str | None, Query(max_length=20 * 65)] = None,
    limit: Annotated[QueryInteger, Query(ge=1, le=100)] = 20,
    next_token: Annotated[str | None, Query(alias="nextToken", max_length=2048)] = None,
) -> Response[dict[str, Any]]:
    caller = caller_of(app)
    if ids is not None:
        return json_response(HTTPStatus.OK, read_many(caller, ids))
    page = library().library(caller, limit=limit, next_token=next_token)
    body: dict[str, Any] = {"videos": [view(record) for record in page.records]}
    if page.next_token:
        body["nextToken"] = page.next_token
    return json_response(HTTPStatus.OK, body)


def read_many(caller: str, ids: str) -> dict[str, Any]:
    video_ids = [part.strip() for part in ids.split(",") if part.strip()]
    if not video_ids:
        raise InvalidParameter("Ids", "ids must name at least one video.")
    if len(video_ids) > get_settings().batch_limit:
        raise BatchTooLarge(f"At most {get_settings().batch_limit} ids per request.")
    read = library().get_many(caller, video_ids)
    return {
        "videos": [view(record) for record in read.found],
        "nonExistVideoIds": read.missing,
        "forbiddenVideoIds": read.forbidden,
    }


@app.get("/limits")
def get_limits() -> Response[dict[str, Any]]:
    return json_response(HTTPStatus.OK, limits_view(get_settings()))


@app.post("/videos/<video_id>/smart-cover")
def start_smart_cover(video_id: VideoId) -> Response[dict[str, Any]]:
    return json_response(HTTPStatus.ACCEPTED, view(library().start_smart_cover(caller_of(app), video_id)))


@logger.inject_lambda_context(clear_state=True)
@observed()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
