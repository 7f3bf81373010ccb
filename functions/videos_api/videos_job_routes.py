"""Routes that start work on a video: smart-cover analysis, snapshots again, the storyboard again."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import videos_wiring as wiring
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from vodcover.api.http import answer, caller_of, json_body, json_request, rest_views
from vodcover.api.params import VideoIdParameter
from vodcover.api.rest_docs import answers
from vodcover.commands import SnapshotJobRequest


def add_job_routes(app: APIGatewayRestResolver) -> None:
    @app.post(
        "/videos/<videoId>/smart-cover",
        operation_id="startSmartCover",
        summary="Start smart-cover analysis (candidates and an animated cover)",
        responses=answers(
            HTTPStatus.ACCEPTED, "VideoView", "The video, its smartCover now Processing.", 400, 401, 403, 404
        ),
    )
    def start_smart_cover(video_id: VideoIdParameter) -> Response[dict[str, Any]]:
        started = wiring.smart_cover_starts().start(caller_of(app), video_id)
        return answer(HTTPStatus.ACCEPTED, wiring.views().video(started))

    @app.post(
        "/videos/<videoId>/snapshots",
        operation_id="submitSnapshotJob",
        summary="Take the snapshots again with other settings (a Normal video); they replace the old ones",
        description=(
            "`offsets` (seconds, at most 30, taken where asked), or `count` (spread evenly), or `interval`"
            " (one every so many seconds from interval/2), or `count` and `interval` (that many, that far"
            " apart); `width` and/or `height` (both: a box to fit; never upscaled). A person's cover stays,"
            " an automatic one becomes the new default; event `SnapshotComplete` with `jobId`. Codes:"
            " `InvalidParameter.Offsets` (with count or interval, or past the end),"
            " `InvalidParameter.Interval` (no instant, or more than 32), `InvalidParameter.Count`"
            " (count x interval past the end)."
        ),
        responses=answers(
            HTTPStatus.ACCEPTED, "SnapshotJobAnswer", "The job, started.", 400, 401, 403, 404, 409, 415
        ),
        openapi_extensions=json_request("SnapshotJobRequest"),
    )
    def submit_snapshot_job(video_id: VideoIdParameter) -> Response[dict[str, Any]]:
        body = json_body(app, SnapshotJobRequest)
        submitted = wiring.media_jobs().submit_snapshots(
            caller_of(app),
            video_id,
            count=body.count,
            interval=body.interval,
            offsets=body.offsets,
            width=body.width,
            height=body.height,
        )
        return answer(HTTPStatus.ACCEPTED, rest_views().snapshot_job(submitted))

    @app.post(
        "/videos/<videoId>/storyboard",
        operation_id="startStoryboard",
        summary="Make the storyboard (sprite sheets + WebVTT for scrub previews) again",
        responses=answers(
            HTTPStatus.ACCEPTED,
            "VideoView",
            "The video, its storyboard Processing (a finished one stays readable meanwhile).",
            400,
            401,
            403,
            404,
        ),
    )
    def start_storyboard(video_id: VideoIdParameter) -> Response[dict[str, Any]]:
        started = wiring.media_jobs().start_storyboard(caller_of(app), video_id)
        return answer(HTTPStatus.ACCEPTED, wiring.views().video(started))
