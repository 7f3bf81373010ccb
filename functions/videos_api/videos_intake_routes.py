"""Routes that bring videos in: an upload ticket, a pull from https URLs, a registration of
objects already in the bucket."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import videos_wiring as wiring
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from vodcover.api.http import answer, caller_of, json_body, json_request, rest_views
from vodcover.api.rest_docs import answers
from vodcover.commands import CreateUploadRequest, PullRequest, RegisterRequest
from vodcover.usecases.pull import Pulls
from vodcover.usecases.register import Registrations


def add_intake_routes(app: APIGatewayRestResolver) -> None:
    @app.post(
        "/videos",
        operation_id="createUpload",
        summary="Create an upload (a video id and a presigned PUT URL)",
        responses=answers(
            HTTPStatus.CREATED,
            "UploadTicket",
            "The upload ticket: PUT the file to `upload.url` with `upload.headers`.",
            400,
            401,
            403,
            415,
        ),
        openapi_extensions=json_request("CreateUploadRequest"),
    )
    def create_upload() -> Response[dict[str, Any]]:
        request = json_body(app, CreateUploadRequest)
        ticket = wiring.uploads().create(caller_of(app), request)
        return answer(HTTPStatus.CREATED, rest_views().upload_ticket(ticket))

    @app.post(
        "/videos/pull",
        operation_id="pullUpload",
        summary="Pull videos from https URLs (at most 20); answers at once",
        responses=answers(
            HTTPStatus.ACCEPTED,
            "PullAnswer",
            "One record per URL; refused URLs are `UploadFail` with an error at once.",
            400,
            401,
            403,
            415,
        ),
        openapi_extensions=json_request("PullRequest"),
    )
    def pull_upload() -> Response[dict[str, Any]]:
        request = json_body(app, PullRequest, context=wiring.batch_context())
        started = wiring.intake(Pulls).start(caller_of(app), request.items)
        return answer(HTTPStatus.ACCEPTED, rest_views().pull(started))

    @app.post(
        "/videos/register",
        operation_id="registerMedia",
        summary="Register objects already in the media bucket (at most 20), without copying them",
        responses=answers(
            HTTPStatus.OK, "RegisterAnswer", "Registered items and per-item failures.", 400, 401, 403, 415
        ),
        openapi_extensions=json_request("RegisterRequest"),
    )
    def register_media() -> Response[dict[str, Any]]:
        request = json_body(app, RegisterRequest, context=wiring.batch_context())
        registered = wiring.intake(Registrations).register(caller_of(app), request.items)
        return answer(HTTPStatus.OK, rest_views().register(registered))
