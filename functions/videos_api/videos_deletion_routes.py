"""Routes that delete videos: one (its record a tombstone, then every object erased) or up to 20."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import videos_wiring as wiring
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from vodcover.api.http import answer, caller_of, json_body, json_request, rest_views
from vodcover.api.params import VideoIdParameter
from vodcover.api.rest_docs import answers
from vodcover.commands import DeleteVideosRequest


def add_deletion_routes(app: APIGatewayRestResolver) -> None:
    @app.delete(
        "/videos/<videoId>",
        operation_id="deleteVideo",
        summary="Delete the video, its record and every object of it (idempotent; event VideoDeleted)",
        description=(
            "The record becomes a tombstone at once (jobs still running or arriving late cannot bring it"
            " back, and erase what they stored), then every version of every object under the video's"
            " folders is erased. Deleting it again answers 204. A registered video's object outside"
            " `uploads/` is the operator's and stays."
        ),
        responses=answers(
            HTTPStatus.NO_CONTENT,
            None,
            "Deleted (or already deleted by this caller).",
            400,
            401,
            403,
            404,
            409,
        ),
    )
    def delete_video(video_id: VideoIdParameter) -> Response[None]:
        wiring.deletion().delete(caller_of(app), video_id)
        return Response(status_code=HTTPStatus.NO_CONTENT, body=None)

    @app.post(
        "/videos/delete",
        operation_id="deleteVideos",
        summary="Delete up to 20 videos, each on its own (answered per item, like the batch update)",
        responses=answers(HTTPStatus.OK, "DeleteVideosAnswer", "What happened to each id.", 400, 401, 415),
        openapi_extensions=json_request("DeleteVideosRequest"),
    )
    def delete_videos() -> Response[dict[str, Any]]:
        request = json_body(app, DeleteVideosRequest)
        deleted = wiring.deletion().delete_many(caller_of(app), request.video_ids)
        return answer(HTTPStatus.OK, rest_views().deletions(deleted))
