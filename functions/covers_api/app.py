"""Covers API: change a video's info and cover, one or many at once, or upload a cover image.

Has the media layer (Pillow checks uploaded images; ffmpeg takes a frame for ``coverTime``),
imported lazily so requests that do not need them do not pay for them.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from vodcover import dependencies
from vodcover.api.http import caller_of, create_app, json_body, json_response, raw_body
from vodcover.api.schemas import BatchUpdateRequest, VideoChanges, VideoId
from vodcover.api.views import video_view
from vodcover.errors import InvalidImageTooLarge
from vodcover.observability import logger, observed
from vodcover.settings import get_settings
from vodcover.usecases.covers import CoverEditor

app = create_app()


def frame_at(url: str, seconds: float, width: int, quality: int, timeout: float) -> tuple[bytes, int, int]:
    from vodcover.media.snapshots import capture_frame_at

    return capture_frame_at(url, seconds, width=width, quality=quality, timeout=timeout)


def editor() -> CoverEditor:
    return CoverEditor(
        videos=dependencies.video_repository(),
        store=dependencies.media_store(),
        events=dependencies.event_publisher(),
        settings=get_settings(),
        frame_at=frame_at,
    )


def view(record: Any) -> dict[str, Any]:
    return video_view(record, dependencies.media_store().read_url)


@app.patch("/videos/<video_id>")
def update_video(video_id: VideoId) -> Response[dict[str, Any]]:
    changes = json_body(app, VideoChanges)
    return json_response(HTTPStatus.OK, view(editor().update(caller_of(app), video_id, changes)))


@app.patch("/videos")
def batch_update() -> Response[dict[str, Any]]:
    request = json_body(app, BatchUpdateRequest)
    return json_response(
        HTTPStatus.OK, editor().batch_update(caller_of(app), list(request.updates)).as_answer()
    )


@app.put("/videos/<video_id>/cover")
def upload_cover(video_id: VideoId) -> Response[dict[str, Any]]:
    data = raw_body(app)
    limit = get_settings().cover_max_bytes
    if len(data) > limit:
        raise InvalidImageTooLarge(f"A cover image may be at most {limit} bytes; this one is {len(data)}.")
    return json_response(HTTPStatus.OK, view(editor().upload_cover(caller_of(app), video_id, data)))


@logger.inject_lambda_context(clear_state=True)
@observed()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
