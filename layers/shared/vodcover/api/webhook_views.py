"""The answers of ``/webhooks``: a subscription as its owner sees it, the secret only once."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from vodcover.api.view import View
from vodcover.dal.webhooks import WebhookSubscription


class WebhookView(View):
    webhook_id: str
    url: str
    events: list[str]
    format: Annotated[
        Literal["vodcover", "alibaba"],
        Field(description="`alibaba`: the Alibaba callback (SetMessageCallback), signed its own way"),
    ]
    created_at: str

    @classmethod
    def of(cls, subscription: WebhookSubscription) -> WebhookView:
        return cls(
            webhook_id=subscription.webhook_id,
            url=subscription.url,
            events=subscription.events,
            format=subscription.format,  # type: ignore[arg-type]  # the store holds these two
            created_at=subscription.created_at,
        )


class CreatedWebhook(WebhookView):
    """``POST /webhooks``: the only answer that carries the signing secret."""

    secret: Annotated[str, Field(description="`whsec_<base64>`: verify `webhook-signature` with it")]

    @classmethod
    def created(cls, subscription: WebhookSubscription) -> CreatedWebhook:
        return cls(**WebhookView.of(subscription).model_dump(), secret=subscription.secret or "")


class WebhookList(View):
    webhooks: list[WebhookView]

    @classmethod
    def of(cls, subscriptions: list[WebhookSubscription]) -> WebhookList:
        return cls(webhooks=[WebhookView.of(s) for s in subscriptions])
