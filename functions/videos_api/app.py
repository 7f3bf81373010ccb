"""Videos API: create uploads, pull from URLs, register objects, read videos, the library, cover
history, limits, delete, media jobs, the owner's webhooks.

The light API function: no ffmpeg, no Pillow, only the shared layer.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from vodcover import dependencies
from vodcover.api.http import answer, caller_of, create_app, json_body, json_request, rest_views
from vodcover.api.params import QueryInteger
from vodcover.api.rest_docs import answers
from vodcover.api.webhook_views import CreatedWebhook, WebhookList
from vodcover.commands import (
    CreateUploadRequest,
    CreateWebhookRequest,
    DeleteVideosRequest,
    PullRequest,
    RegisterRequest,
    SnapshotJobRequest,
    VideoId,
    WebhookId,
)
from vodcover.dal.webhooks import DynamoWebhookStore
from vodcover.errors import BatchTooLarge, InvalidParameter
from vodcover.net.url_policy import webhook_url_policy
from vodcover.observability import logger, observed
from vodcover.settings import VideosApiSettings, settings_for
from vodcover.usecases.deletion import VideoDeletion
from vodcover.usecases.media_jobs import MediaJobs
from vodcover.usecases.pull import Pulls
from vodcover.usecases.read import Reads
from vodcover.usecases.register import Registrations
from vodcover.usecases.smart_cover import SmartCoverStarts
from vodcover.usecases.uploads import Uploads
from vodcover.usecases.webhook_subscriptions import MAX_WEBHOOKS_PER_OWNER, WebhookSubscriptions

if TYPE_CHECKING:
    from vodcover.api.rest_views import RestViews

settings_for(VideosApiSettings)  # at cold start: a missing variable fails the init, named
app = create_app()
VideoIdParameter = Annotated[VideoId, Path(alias="videoId")]
WebhookIdParameter = Annotated[WebhookId, Path(alias="webhookId")]


def views() -> RestViews:
    store = dependencies.media_store()
    return rest_views().from_settings(
        store.viewer_url, settings_for(VideosApiSettings), public_url_for=store.public_url
    )


def batch_context() -> dict[str, Any]:
    """The batch limit for the body's validators (they never read settings themselves)."""
    return {"batch_limit": settings_for(VideosApiSettings).batch_limit}


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
    uploads = Uploads(
        videos=dependencies.video_repository(),
        store=dependencies.media_store(),
        settings=settings_for(VideosApiSettings),
    )
    return answer(HTTPStatus.CREATED, rest_views().upload_ticket(uploads.create(caller_of(app), request)))


IntakeT = TypeVar("IntakeT", Pulls, Registrations)


def intake(kind: type[IntakeT]) -> IntakeT:
    """Pulls and Registrations both record videos and start their jobs: wired alike."""
    return kind(
        videos=dependencies.video_repository(),
        store=dependencies.media_store(),
        jobs=dependencies.job_starter(),
        settings=settings_for(VideosApiSettings),
    )


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
    request = json_body(app, PullRequest, context=batch_context())
    return answer(HTTPStatus.ACCEPTED, rest_views().pull(intake(Pulls).start(caller_of(app), request.items)))


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
    request = json_body(app, RegisterRequest, context=batch_context())
    registrations = intake(Registrations)
    return answer(HTTPStatus.OK, rest_views().register(registrations.register(caller_of(app), request.items)))


@app.get(
    "/videos/<videoId>",
    operation_id="getVideo",
    summary="One video",
    responses=answers(HTTPStatus.OK, "VideoView", "The video.", 400, 401, 403, 404),
)
def get_video(video_id: VideoIdParameter) -> Response[dict[str, Any]]:
    record = Reads(videos=dependencies.video_repository()).get(caller_of(app), video_id)
    return answer(HTTPStatus.OK, views().video(record))


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
    history = Reads(videos=dependencies.video_repository()).cover_history(caller_of(app), video_id)
    return answer(HTTPStatus.OK, views().cover_history(history))


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
    reads = Reads(videos=dependencies.video_repository())
    if ids is not None:
        return answer(HTTPStatus.OK, views().batch_read(reads.get_many(caller, requested_ids(ids))))
    page = reads.library_page(caller, limit=limit, next_token=next_token)
    return answer(HTTPStatus.OK, views().library_page(page))


def requested_ids(ids: str) -> list[str]:
    video_ids = [part.strip() for part in ids.split(",") if part.strip()]
    if not video_ids:
        raise InvalidParameter("Ids", "ids must name at least one video.")
    limit = settings_for(VideosApiSettings).batch_limit
    if len(video_ids) > limit:
        raise BatchTooLarge(f"At most {limit} ids per request.")
    return video_ids


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
    return answer(HTTPStatus.OK, rest_views().limits(settings_for(VideosApiSettings)))


@app.post(
    "/videos/<videoId>/smart-cover",
    operation_id="startSmartCover",
    summary="Start smart-cover analysis (candidates and an animated cover)",
    responses=answers(
        HTTPStatus.ACCEPTED, "VideoView", "The video, its smartCover now Processing.", 400, 401, 403, 404
    ),
)
def start_smart_cover(video_id: VideoIdParameter) -> Response[dict[str, Any]]:
    starts = SmartCoverStarts(
        videos=dependencies.video_repository(),
        jobs=dependencies.job_starter(),
        settings=settings_for(VideosApiSettings),
    )
    return answer(HTTPStatus.ACCEPTED, views().video(starts.start(caller_of(app), video_id)))


def media_jobs() -> MediaJobs:
    return MediaJobs(
        videos=dependencies.video_repository(),
        jobs=dependencies.job_starter(),
        settings=settings_for(VideosApiSettings),
    )


def deletion() -> VideoDeletion:
    return VideoDeletion(
        videos=dependencies.video_repository(),
        store=dependencies.media_store(),
        events=dependencies.event_publisher(),
    )


@app.post(
    "/videos/<videoId>/snapshots",
    operation_id="submitSnapshotJob",
    summary="Take the snapshots again with other settings (a Normal video); they replace the old ones",
    description=(
        "`offsets` (seconds, at most 30, taken where asked), or `count` (spread evenly), or `interval`"
        " (one every so many seconds from interval/2), or `count` and `interval` (that many, that far"
        " apart); `width` and/or `height` (both: a box to fit; never upscaled). A person's cover stays,"
        " an automatic one becomes the new default; event `SnapshotComplete` with `jobId`. Codes:"
        " `InvalidParameter.Offsets` (with count or interval, or past the end), `InvalidParameter.Interval`"
        " (no instant, or more than 32), `InvalidParameter.Count` (count x interval past the end)."
    ),
    responses=answers(
        HTTPStatus.ACCEPTED, "SnapshotJobAnswer", "The job, started.", 400, 401, 403, 404, 409, 415
    ),
    openapi_extensions=json_request("SnapshotJobRequest"),
)
def submit_snapshot_job(video_id: VideoIdParameter) -> Response[dict[str, Any]]:
    body = json_body(app, SnapshotJobRequest)
    submitted = media_jobs().submit_snapshots(
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
    return answer(HTTPStatus.ACCEPTED, views().video(media_jobs().start_storyboard(caller_of(app), video_id)))


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
        HTTPStatus.NO_CONTENT, None, "Deleted (or already deleted by this caller).", 400, 401, 403, 404, 409
    ),
)
def delete_video(video_id: VideoIdParameter) -> Response[None]:
    deletion().delete(caller_of(app), video_id)
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
    return answer(
        HTTPStatus.OK, rest_views().deletions(deletion().delete_many(caller_of(app), request.video_ids))
    )


def webhook_subscriptions() -> WebhookSubscriptions:
    settings = settings_for(VideosApiSettings)
    return WebhookSubscriptions(
        webhooks=DynamoWebhookStore(settings.webhooks_table), policy=webhook_url_policy(settings)
    )


@app.post(
    "/webhooks",
    operation_id="createWebhook",
    summary="Subscribe a URL to events of the caller's videos (signed Standard Webhooks POSTs)",
    description=(
        "The URL passes the cover URLs' SSRF rules (https only; no private, loopback or link-local"
        " address; `VODCOVER_WEBHOOK_ALLOW_HOSTS` exempts `host:port`s), now and on every delivery:"
        " `WebhookUrl.Forbidden`, `WebhookUrl.Unreachable` (the name does not resolve). `events`"
        " names vodcover's events (`InvalidParameter.Events` otherwise). At most"
        f" {MAX_WEBHOOKS_PER_OWNER} per owner (`InvalidWebhook.LimitExceeded`). The answer is the"
        ' only one carrying `secret`; verify each delivery with it (docs/api.md, "Webhooks").'
    ),
    responses=answers(
        HTTPStatus.CREATED, "CreatedWebhook", "The subscription and its signing secret.", 400, 401, 403, 415
    ),
    openapi_extensions=json_request("CreateWebhookRequest"),
)
def create_webhook() -> Response[dict[str, Any]]:
    request = json_body(app, CreateWebhookRequest)
    created = webhook_subscriptions().create(caller_of(app), request)
    return answer(HTTPStatus.CREATED, CreatedWebhook.created(created))


@app.get(
    "/webhooks",
    operation_id="listWebhooks",
    summary="The caller's webhooks, oldest first, without their secrets",
    description="The caller's Alibaba callback (SetMessageCallback) is listed too, as `format: alibaba`.",
    responses=answers(HTTPStatus.OK, "WebhookList", "The caller's subscriptions.", 401, 403),
)
def list_webhooks() -> Response[dict[str, Any]]:
    return answer(HTTPStatus.OK, WebhookList.of(webhook_subscriptions().for_owner(caller_of(app))))


@app.delete(
    "/webhooks/<webhookId>",
    operation_id="deleteWebhook",
    summary="Stop a webhook (events published afterwards are not delivered to it)",
    description="`alibaba` is the caller's Alibaba callback (as DeleteMessageCallback).",
    responses=answers(HTTPStatus.NO_CONTENT, None, "Deleted.", 400, 401, 403, 404),
)
def delete_webhook(webhook_id: WebhookIdParameter) -> Response[None]:
    webhook_subscriptions().delete(caller_of(app), webhook_id)
    return Response(status_code=HTTPStatus.NO_CONTENT, body=None)


@logger.inject_lambda_context(clear_state=True)
@observed()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
