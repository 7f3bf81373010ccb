"""An owner's webhooks: ``POST /webhooks``, ``GET /webhooks``, ``DELETE /webhooks/{id}``
(docs/design.md, "Webhooks").

A new subscription is of format ``vodcover`` (Standard Webhooks, signed with its ``whsec_``
secret, made here when the caller gives none). Its URL passes the webhooks' SSRF rules now,
and again on every delivery. The owner's Alibaba callback (id ``alibaba``, made by
``SetMessageCallback``) is listed too, so one listing shows everything that hears about the
owner's videos, and may be deleted here as by ``DeleteMessageCallback``; it does not count
toward the limit.
"""

from __future__ import annotations

from vodcover.commands import CreateWebhookRequest
from vodcover.dal.webhooks import ALIBABA_SUBSCRIPTION_ID, COUNTED_FORMAT, WebhookStore, WebhookSubscription
from vodcover.domain.webhooks import new_secret, new_webhook_id
from vodcover.errors import NotOwner, TooManyWebhooks, WebhookNotFound
from vodcover.models import utc_now
from vodcover.net.url_policy import UrlPolicy, check_url

VODCOVER_FORMAT = COUNTED_FORMAT  # what POST /webhooks makes; the limit counts these
MAX_WEBHOOKS_PER_OWNER = 20


class WebhookSubscriptions:
    def __init__(self, *, webhooks: WebhookStore, policy: UrlPolicy) -> None:
        self._webhooks = webhooks
        self._policy = policy

    def create(self, owner: str, request: CreateWebhookRequest) -> WebhookSubscription:
        check_url(request.url, self._policy)
        subscription = WebhookSubscription(
            webhook_id=new_webhook_id(),
            owner=owner,
            url=request.url,
            events=sorted(set(request.events)),
            format=VODCOVER_FORMAT,
            secret=request.secret or new_secret(),
            created_at=utc_now(),
        )
        if not self._webhooks.add_within_limit(subscription, MAX_WEBHOOKS_PER_OWNER):
            raise TooManyWebhooks(f"At most {MAX_WEBHOOKS_PER_OWNER} webhooks per owner; delete one first.")
        return subscription

    def for_owner(self, owner: str) -> list[WebhookSubscription]:
        """Oldest first, the Alibaba callback among them."""
        return sorted(self._webhooks.for_owner(owner), key=lambda s: (s.created_at, s.webhook_id))

    def delete(self, owner: str, webhook_id: str) -> None:
        """Gone at once: an event published afterwards is not delivered to it."""
        if self._webhooks.delete(owner, webhook_id):
            return
        # The fixed Alibaba id is every owner's own: not having one is a 404, never a 403; a
        # random id the caller does not hold is someone else's when the index knows it.
        foreign = webhook_id != ALIBABA_SUBSCRIPTION_ID and self._webhooks.owners_of(webhook_id)
        if foreign:
            raise NotOwner("The webhook is another owner's.")
        raise WebhookNotFound(f"No webhook {webhook_id}.")
