"""``POST /webhooks`` accepts exactly the events vodcover publishes."""

from __future__ import annotations

from typing import get_args

from vodcover.commands import WebhookEvent
from vodcover.dal.events import EventType


def test_the_subscribable_events_are_the_published_ones() -> None:
    assert set(get_args(WebhookEvent)) == {str(e) for e in EventType}
