"""The webhook delivery function's settings, built only where it runs
(docs/design.md, "Cold start")."""

from __future__ import annotations

from vodcover.settings.sections import CdnSigningSettings, StorageSettings, WebhookSettings


class WebhookDeliverySettings(StorageSettings, WebhookSettings, CdnSigningSettings):
    """Delivers the bus's events to the owners' webhook subscriptions (Alibaba callbacks carry
    cover and snapshot URLs: signed in a private library)."""
