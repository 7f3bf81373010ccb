"""Delivering one event to one webhook: signed, POSTed, retried with backoff.

Each attempt is signed afresh (its own ``webhook-timestamp``); a 2xx ends it, anything else
(another status, a refused or failed connection) waits and tries again, up to
``len(BACKOFF_SECONDS) + 1`` attempts. A URL the SSRF rules refuse is never retried.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from vodcover.errors import VodcoverError, WebhookUrlForbidden
from vodcover.net.http_get import post_checked
from vodcover.net.url_policy import UrlPolicy

logger = logging.getLogger(__name__)

BACKOFF_SECONDS = (1.0, 4.0, 16.0)
ATTEMPT_TIMEOUT_SECONDS = 10.0


class SignedMessage(Protocol):
    """One event in a receiver's format (``domain.webhooks.WebhookMessage`` for vodcover's,
    ``compat.alibaba.callbacks.AlibabaMessage`` for Alibaba's), signed afresh per attempt."""

    @property
    def message_id(self) -> str: ...

    @property
    def body(self) -> bytes: ...

    def headers(self, secret: str, timestamp: int) -> dict[str, str]: ...


@dataclass(frozen=True)
class DeliveryResult:
    delivered: bool
    attempts: int
    status: int | None  # the last answer's status, None when none came
    error: str | None = None  # the last failure's code


def deliver(
    url: str,
    secret: str,
    message: SignedMessage,
    policy: UrlPolicy,
    *,
    backoff: Sequence[float] = BACKOFF_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
) -> DeliveryResult:
    status: int | None = None
    error: str | None = None
    for attempt, wait in enumerate((0.0, *backoff), start=1):
        if wait:
            sleep(wait)
        headers = message.headers(secret, int(clock()))
        try:
            status = post_checked(url, message.body, headers, policy, timeout=ATTEMPT_TIMEOUT_SECONDS)
            error = None
        except WebhookUrlForbidden as exc:
            logger.warning("webhook %s refused: %s", message.message_id, exc.message)
            return DeliveryResult(delivered=False, attempts=attempt, status=None, error=exc.code)
        except VodcoverError as exc:
            status, error = None, exc.code
        if status is not None and 200 <= status < 300:
            return DeliveryResult(delivered=True, attempts=attempt, status=status)
        logger.info("webhook %s attempt %d failed (%s)", message.message_id, attempt, status or error)
    return DeliveryResult(delivered=False, attempts=len(backoff) + 1, status=status, error=error)
