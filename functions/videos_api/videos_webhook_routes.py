"""Routes of the owner's webhooks: subscribe a URL, list the subscriptions, stop one."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import videos_wiring as wiring
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from vodcover.api.http import answer, caller_of, json_body, json_request
from vodcover.api.params import WebhookIdParameter
from vodcover.api.rest_docs import answers
from vodcover.api.webhook_views import CreatedWebhook, WebhookList
from vodcover.commands import CreateWebhookRequest
from vodcover.usecases.webhook_subscriptions import MAX_WEBHOOKS_PER_OWNER


def add_webhook_routes(app: APIGatewayRestResolver) -> None:
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
            HTTPStatus.CREATED,
            "CreatedWebhook",
            "The subscription and its signing secret.",
            400,
            401,
            403,
            415,
        ),
        openapi_extensions=json_request("CreateWebhookRequest"),
    )
    def create_webhook() -> Response[dict[str, Any]]:
        request = json_body(app, CreateWebhookRequest)
        created = wiring.webhook_subscriptions().create(caller_of(app), request)
        return answer(HTTPStatus.CREATED, CreatedWebhook.created(created))

    @app.get(
        "/webhooks",
        operation_id="listWebhooks",
        summary="The caller's webhooks, oldest first, without their secrets",
        description="The caller's Alibaba callback (SetMessageCallback) is listed too, as `format: alibaba`.",
        responses=answers(HTTPStatus.OK, "WebhookList", "The caller's subscriptions.", 401, 403),
    )
    def list_webhooks() -> Response[dict[str, Any]]:
        return answer(HTTPStatus.OK, WebhookList.of(wiring.webhook_subscriptions().for_owner(caller_of(app))))

    @app.delete(
        "/webhooks/<webhookId>",
        operation_id="deleteWebhook",
        summary="Stop a webhook (events published afterwards are not delivered to it)",
        description="`alibaba` is the caller's Alibaba callback (as DeleteMessageCallback).",
        responses=answers(HTTPStatus.NO_CONTENT, None, "Deleted.", 400, 401, 403, 404),
    )
    def delete_webhook(webhook_id: WebhookIdParameter) -> Response[None]:
        wiring.webhook_subscriptions().delete(caller_of(app), webhook_id)
        return Response(status_code=HTTPStatus.NO_CONTENT, body=None)
