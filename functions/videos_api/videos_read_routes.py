"""Routes that read: one video, its cover history, the library or several videos by id, the
limits a client should check."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

import videos_wiring as wiring
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from vodcover.api.http import answer, caller_of, rest_views
from vodcover.api.params import QueryInteger, VideoIdParameter
from vodcover.api.rest_docs import answers
from vodcover.errors import BatchTooLarge, InvalidParameter


def add_read_routes(app: APIGatewayRestResolver) -> None:
    @app.get(
        "/videos/<videoId>",
        operation_id="getVideo",
        summary="One video",
        responses=answers(HTTPStatus.OK, "VideoView", "The video.", 400, 401, 403, 404),
    )
    def get_video(video_id: VideoIdParameter) -> Response[dict[str, Any]]:
        record = wiring.reads().get(caller_of(app), video_id)
        return answer(HTTPStatus.OK, wiring.views().video(record))

    @app.get(
        "/videos/<videoId>/covers",
        operation_id="listCoverHistory",
        summary="The video's last 20 covers, newest first (restore one with PATCH {coverHistory: index})",
        description=(
            "Every accepted cover change: a person's (`user`, `upload`) and vodcover's (`snapshot`, `smart`)."
            " `current` is the index of the current cover (0; null when the video has none)."
        ),
        responses=answers(HTTPStatus.OK, "CoverHistoryAnswer", "The cover history.", 400, 401, 403, 404),
    )
    def list_cover_history(video_id: VideoIdParameter) -> Response[dict[str, Any]]:
        history = wiring.reads().cover_history(caller_of(app), video_id)
        return answer(HTTPStatus.OK, wiring.views().cover_history(history))

    @app.get(
        "/videos",
        operation_id="listVideos",
        summary="The caller's media library (newest first), or several videos by id",
        responses=answers(
            HTTPStatus.OK,
            "LibraryPage | BatchReadAnswer",
            "Videos (with `nonExistVideoIds`/`forbiddenVideoIds` when `ids` is given).",
            400,
            401,
            403,
        ),
    )
    def list_videos(
        ids: Annotated[
            str | None,
            Query(
                max_length=20 * 65,
                description="Comma-separated video ids (at most 20). When given, paging is ignored.",
            ),
        ] = None,
        limit: Annotated[
            QueryInteger,
            Query(ge=1, le=100, description="Plain ASCII digits. Each query parameter may be given once."),
        ] = 20,
        next_token: Annotated[
            str | None,
            Query(
                alias="nextToken",
                max_length=2048,
                description="The signed token of the previous page, for the same caller only.",
            ),
        ] = None,
    ) -> Response[dict[str, Any]]:
        caller = caller_of(app)
        reads = wiring.reads()
        if ids is not None:
            return answer(
                HTTPStatus.OK, wiring.views().batch_read(reads.get_many(caller, requested_ids(ids)))
            )
        page = reads.library_page(caller, limit=limit, next_token=next_token)
        return answer(HTTPStatus.OK, wiring.views().library_page(page))

    @app.get(
        "/limits",
        operation_id="getLimits",
        summary="The limits a client should check before sending (from the stack's settings)",
        responses=answers(
            HTTPStatus.OK,
            "Limits",
            "Cover image limits and the batch size, as this stack enforces them.",
            401,
            403,
        ),
    )
    def get_limits() -> Response[dict[str, Any]]:
        return answer(HTTPStatus.OK, rest_views().limits(wiring.settings()))


def requested_ids(ids: str) -> list[str]:
    video_ids = [part.strip() for part in ids.split(",") if part.strip()]
    if not video_ids:
        raise InvalidParameter("Ids", "ids must name at least one video.")
    limit = wiring.settings().batch_limit
    if len(video_ids) > limit:
        raise BatchTooLarge(f"At most {limit} ids per request.")
    return video_ids
