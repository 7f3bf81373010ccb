"""One bus event to every subscription of the video's owner that asked for it.

The owner is the video's (or, once deleted, whoever deleted it: only owners delete); each
subscription's ``format`` picks the renderer that turns the event into its receiver's message
(``vodcover``: Standard Webhooks; ``alibaba``: Alibaba VOD's callback), and ``deliver`` POSTs it
with retries. A subscription whose format has no renderer, or an event its format has no
message for, is skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from vodcover.dal.videos import VideoRepository
from vodcover.dal.webhooks import WebhookStore, WebhookSubscription
from vodcover.models import VideoRecord
from vodcover.net.url_policy import UrlPolicy
from vodcover.usecases.webhook_delivery import DeliveryResult, SignedMessage, deliver

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BusEvent:
    """An event as EventBridge hands it on: ``detail-type``, ``id``, ``time``, ``detail``."""

    event_type: str
    event_id: str
    time: str
    detail: Mapping[str, Any]

    @classmethod
    def of(cls, event: Mapping[str, Any]) -> BusEvent:
        return cls(str(event["detail-type"]), str(event["id"]), str(event["time"]), event.get("detail") or {})


class UndeliveredWebhooks(Exception):
    """Some receivers still failed after their retries: raised once all were tried, so the
    event is not lost but parked (Lambda's on-failure destination), not sent again to the
    receivers that answered."""

    def __init__(self, event_type: str, failed: int, tried: int) -> None:
        super().__init__(f"{event_type}: {failed} of {tried} webhook deliveries failed after retries")
        self.failed = failed


class Renderer(Protocol):
    def __call__(
        self, event: BusEvent, subscription: WebhookSubscription, record: VideoRecord | None
    ) -> SignedMessage | None: ...


class WebhookFanout:
    def __init__(
        self,
        *,
        videos: VideoRepository,
        webhooks: WebhookStore,
        renderers: Mapping[str, Renderer],
        policy: UrlPolicy,
        send: Callable[..., DeliveryResult] = deliver,
    ) -> None:
        self._videos = videos
        self._webhooks = webhooks
        self._renderers = renderers
        self._policy = policy
        self._send = send

    def announce(self, event: BusEvent) -> list[DeliveryResult]:
        """Every subscription that asked gets it; :class:`UndeliveredWebhooks` if some still failed."""
        video_id = str(event.detail.get("videoId", ""))
        record = self._videos.get(video_id) if video_id else None
        owner = (
            record.owner if record is not None else (self._videos.deleted_by(video_id) if video_id else None)
        )
        if not owner:
            return []
        results = []
        for subscription in self._webhooks.for_owner(owner):
            if event.event_type not in subscription.events:
                continue
            renderer = self._renderers.get(subscription.format)
            message = renderer(event, subscription, record) if renderer is not None else None
            if message is None:
                continue
            key = subscription.secret or subscription.auth_key or ""
            result = self._send(subscription.url, key, message, self._policy)
            logger.info(
                "webhook %s %s to %s: %s",
                subscription.webhook_id,
                event.event_type,
                subscription.format,
                "delivered" if result.delivered else f"failed ({result.status or result.error})",
            )
            results.append(result)
        failed = sum(not r.delivered for r in results)
        if failed:  # after every receiver had its retries: the event parks in the failure queue
            raise UndeliveredWebhooks(event.event_type, failed, len(results))
        return results
