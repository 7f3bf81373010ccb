"""Webhook delivery, fed by the bus: every vodcover event to the subscriptions that asked for it.

EventBridge hands over one event (``detail-type``, ``id``, ``time``, ``detail``); each of the
owner's subscriptions gets it in its format: ``vodcover`` (Standard Webhooks, docs/design.md,
"Webhooks") or ``alibaba`` (Alibaba VOD's callbacks, docs/alibaba.md, "Callbacks").
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from vodcover import dependencies
from vodcover.compat.alibaba.callbacks import render_callback
from vodcover.dal.webhooks import DynamoWebhookStore, WebhookSubscription
from vodcover.domain.webhooks import message_for
from vodcover.models import VideoRecord
from vodcover.net.url_policy import webhook_url_policy
from vodcover.observability import logger, observed
from vodcover.settings import WebhookDeliverySettings, settings_for
from vodcover.usecases.webhook_delivery import SignedMessage
from vodcover.usecases.webhook_fanout import BusEvent, WebhookFanout

settings_for(WebhookDeliverySettings)  # at cold start: a missing variable fails the init, named


def vodcover_message(
    event: BusEvent, subscription: WebhookSubscription, record: VideoRecord | None
) -> SignedMessage:
    return message_for(event.event_id, event.event_type, event.time, dict(event.detail))


def alibaba_message(
    event: BusEvent, subscription: WebhookSubscription, record: VideoRecord | None
) -> SignedMessage | None:
    url_for = dependencies.media_store().viewer_url
    callback = render_callback(event.event_type, event.time, event.detail, record, url_for)
    return callback.to(subscription.url, f"msg_{event.event_id}") if callback is not None else None


def build_fanout() -> WebhookFanout:
    settings = settings_for(WebhookDeliverySettings)
    return WebhookFanout(
        videos=dependencies.video_repository(),
        webhooks=DynamoWebhookStore(settings.webhooks_table),
        renderers={"vodcover": vodcover_message, "alibaba": alibaba_message},
        policy=webhook_url_policy(settings),
    )


@logger.inject_lambda_context(clear_state=True)
@observed("webhook_delivery")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    results = build_fanout().announce(BusEvent.of(event))
    return {"delivered": sum(r.delivered for r in results), "failed": sum(not r.delivered for r in results)}
