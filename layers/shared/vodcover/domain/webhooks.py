"""Webhook messages and their signatures, after the Standard Webhooks convention
(docs/design.md, "Webhooks"). Pure functions: no HTTP here.

Each delivery carries three headers:

- ``webhook-id``: the event's id, the same on every retry (receivers drop repeats by it);
- ``webhook-timestamp``: Unix seconds when this attempt was signed (receivers refuse old ones);
- ``webhook-signature``: ``v1,<base64 HMAC-SHA256>`` over ``"{id}.{timestamp}.{body}"``, keyed
  with the base64-decoded part of the secret ``whsec_<base64>``.

To verify: recompute the HMAC over exactly those bytes and compare in constant time (any of
the space-separated signatures may match), and refuse a timestamp more than 5 minutes away.
The ``standardwebhooks`` libraries (Python, JS, Go, ...) do exactly that.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
SECRET_BYTES = 24


def new_webhook_id() -> str:
    return "wh_" + secrets.token_hex(12)


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key a ``whsec_`` secret stands for."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


@dataclass(frozen=True)
class WebhookMessage:
    """One event as a receiver gets it: the JSON body and the headers that sign it."""

    message_id: str
    body: bytes

    def headers(self, secret: str, timestamp: int) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "webhook-id": self.message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature(secret, self.message_id, timestamp, self.body),
        }


def message_for(event_id: str, event_type: str, occurred_at: str, detail: dict[str, Any]) -> WebhookMessage:
    """``{"type", "timestamp", "data"}``, the Standard Webhooks payload shape."""
    body = json.dumps({"type": event_type, "timestamp": occurred_at, "data": detail}, separators=(",", ":"))
    return WebhookMessage(message_id=f"msg_{event_id}", body=body.encode())
