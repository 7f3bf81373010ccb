"""Announcements on EventBridge (source ``vodcover``), so other systems can react."""

from __future__ import annotations

import json
import logging
from enum import StrEnum
from typing import Any

from vodcover import observability
from vodcover.dal.aws import client
from vodcover.errors import PublishFailed

logger = logging.getLogger(__name__)

EVENT_SOURCE = "vodcover"


class EventType(StrEnum):
    VIDEO_UPLOADED = "VideoUploaded"
    SNAPSHOT_COMPLETE = "SnapshotComplete"
    COVER_CHANGED = "CoverChanged"
    SMART_COVER_COMPLETE = "SmartCoverComplete"
    PROCESS_FAILED = "ProcessFailed"
    VIDEO_DELETED = "VideoDeleted"


class EventPublisher:
    def __init__(self, bus_name: str) -> None:
        self._bus = bus_name

    def publish(self, event_type: EventType, detail: dict[str, Any]) -> None:
        """Put one event; a refused entry raises, so the job is retried rather than silent."""
        answer = client("events").put_events(
            Entries=[
                {
                    "Source": EVENT_SOURCE,
                    "DetailType": str(event_type),
                    "Detail": json.dumps(detail, separators=(",", ":")),
                    "EventBusName": self._bus,
                }
            ]
        )
        if answer.get("FailedEntryCount"):
            entry = answer["Entries"][0]
            raise PublishFailed(
                f"EventBridge refused {event_type}: {entry.get('ErrorCode')} {entry.get('ErrorMessage')}"
            )
        if event_type == EventType.COVER_CHANGED:  # published once per cover written, by every source
            observability.count_cover_change(str(detail.get("source", "")))
