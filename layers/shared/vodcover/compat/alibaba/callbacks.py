"""vodcover's events as Alibaba Cloud VOD's HTTP callbacks: its event names, bodies and signature.

Pure: an event and the video's record in, the JSON body and headers an Alibaba receiver expects
out (docs/alibaba.md, "Callbacks"). Checked against Alibaba's event pages and its "HTTP callback
authentication" page:

- the body is one JSON object with ``EventTime`` (``yyyy-MM-ddTHH:mm:ssZ``, UTC), ``EventType``,
  ``Status`` (``success``/``fail``) and the event's own fields;
- with authentication on, ``X-VOD-TIMESTAMP`` is the Unix time of the attempt (10 digits) and
  ``X-VOD-SIGNATURE`` = md5 hex of ``"<CallbackURL>|<X-VOD-TIMESTAMP>|<AuthKey>"``. The body is not
  signed (Alibaba's scheme; a receiver checks the URL it configured, the time and the key).

Which vodcover event becomes which Alibaba event (``CALLBACK_EVENTS``): ``VideoUploaded`` →
``FileUploadComplete``, ``SnapshotComplete`` → ``SnapshotComplete``, ``CoverChanged`` →
``MediaBaseChangeComplete`` (``CoverURL`` old and new), ``SmartCoverComplete`` →
``AIImageComplete`` (one of the AI events ``AIComplete`` turns on), ``ProcessFailed`` →
``VideoAnalysisComplete`` with ``Status: fail``, ``VideoDeleted`` → ``DeleteMediaComplete``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from vodcover.compat.alibaba.views import UrlFor, ai_image_views, alibaba_time
from vodcover.models import SmartStatus, VideoRecord

TIMESTAMP_HEADER = "X-VOD-TIMESTAMP"
SIGNATURE_HEADER = "X-VOD-SIGNATURE"

ALL_EVENTS = "ALL"  # EventTypeList: every event
AI_EVENTS = "AIComplete"  # EventTypeList: every AI event (Alibaba's console names them so)
AI_EVENT_TYPES = frozenset({"AIImageComplete"})

# Alibaba's other event names: accepted in EventTypeList (a script may name them), never sent.
UNSENT_EVENT_TYPES = frozenset(
    {
        "ImageUploadComplete",
        "AttachedMediaUploadComplete",
        "UploadByURLComplete",
        "RegisterMediaComplete",
        "StreamTranscodeComplete",
        "TranscodeComplete",
        "TranscodeParentComplete",
        "DynamicImageComplete",
        "AddLiveRecordVideoComplete",
        "LiveRecordVideoComposeStart",
        "CreateAuditComplete",
        "ProduceMediaComplete",
        "WorkflowTaskComplete",
        "AIMediaAuditComplete",
        "AIMediaDNAComplete",
        "AIVideoTagComplete",
        "UpdateMediaStorageClassComplete",
        "SubmitMediaRefreshComplete",
    }
)


class UnknownEventType(ValueError):
    """A name in EventTypeList that is none of Alibaba's event types."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def selected_events(event_type_list: str) -> frozenset[str]:
    """The vodcover events an ``EventTypeList`` turns on: ``ALL``, ``AIComplete`` or Alibaba names,
    comma-separated; blank turns every notification off, as Alibaba's SetMessageCallback does."""
    chosen: set[str] = set()
    by_alibaba_name = {alibaba: ours for ours, alibaba in CALLBACK_EVENTS.items()}
    for name in (word.strip() for word in event_type_list.split(",")):
        if not name:
            continue
        if name == ALL_EVENTS:
            chosen.update(CALLBACK_EVENTS)
        elif name == AI_EVENTS:
            chosen.update(by_alibaba_name[ai] for ai in AI_EVENT_TYPES)
        elif name in by_alibaba_name:
            chosen.add(by_alibaba_name[name])
        elif name not in UNSENT_EVENT_TYPES:
            raise UnknownEventType(name)
    return frozenset(chosen)


def signature(callback_url: str, timestamp: int, auth_key: str) -> str:
    """``X-VOD-SIGNATURE``: md5 hex of ``"<CallbackURL>|<timestamp>|<AuthKey>"``."""
    return hashlib.md5(f"{callback_url}|{timestamp}|{auth_key}".encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class AlibabaCallback:
    """One event as an Alibaba receiver gets it."""

    event_type: str  # Alibaba's EventType
    body: bytes

    def headers(self, callback_url: str, auth_key: str | None, timestamp: int) -> dict[str, str]:
        """The POST's headers; the two ``X-VOD-*`` only when authentication is on (a key is set)."""
        headers = {"Content-Type": "application/json"}
        if auth_key:
            headers[TIMESTAMP_HEADER] = str(timestamp)
            headers[SIGNATURE_HEADER] = signature(callback_url, timestamp, auth_key)
        return headers

    def to(self, callback_url: str, message_id: str) -> AlibabaMessage:
        return AlibabaMessage(message_id, self.body, callback_url, self)


@dataclass(frozen=True)
class AlibabaMessage:
    """A callback bound to its receiver's URL (part of what is signed), for the webhooks'
    delivery: ``headers(AuthKey or "", timestamp)`` as a ``vodcover`` message's with its secret."""

    message_id: str
    body: bytes
    callback_url: str
    callback: AlibabaCallback

    def headers(self, secret: str, timestamp: int) -> dict[str, str]:
        return self.callback.headers(self.callback_url, secret or None, timestamp)


Body = Callable[[Mapping[str, Any], VideoRecord | None, UrlFor], dict[str, Any]]


def render_callback(
    event_type: str,
    occurred_at: str,
    detail: Mapping[str, Any],
    record: VideoRecord | None,
    url_for: UrlFor,
) -> AlibabaCallback | None:
    """The callback for one vodcover event, or None for an event Alibaba has no callback for.

    ``record`` is the video as stored now (None once it is gone): it names what the event only
    counts (snapshot URLs, the cover, the candidates); ``url_for`` makes readable URLs of keys.
    """
    callback = _CALLBACKS.get(event_type)
    if callback is None:
        return None
    alibaba_type, body_of = callback
    fields = body_of(detail, record, url_for)
    body = {"EventTime": alibaba_time(occurred_at), "EventType": alibaba_type, **fields}
    return AlibabaCallback(alibaba_type, json.dumps(body, separators=(",", ":")).encode())


def _file_upload(detail: Mapping[str, Any], record: VideoRecord | None, url_for: UrlFor) -> dict[str, Any]:
    return {
        "VideoId": detail["videoId"],
        "Status": "success",
        "Size": detail.get("size", 0),
        "FileUrl": url_for(detail["key"]),
    }


def _snapshots(detail: Mapping[str, Any], record: VideoRecord | None, url_for: UrlFor) -> dict[str, Any]:
    """``CoverSnapshot`` for the upload-time snapshots, ``NormalSnapshot`` with ``SubType:
    SpecifiedTime`` for a ``SubmitSnapshotJob``'s. vodcover's keys follow no numbered pattern, so
    ``SnapshotFormat``/``SnapshotRegular`` are empty and ``SnapshotUrls`` lists them instead."""
    job_id = detail.get("jobId")
    snapshots = [url_for(s.key) for s in record.snapshots] if record is not None else []
    info = {
        "Status": "success",
        "SnapshotType": "NormalSnapshot" if job_id else "CoverSnapshot",
        "SnapshotCount": detail.get("snapshotCount", len(snapshots)),
        "SnapshotFormat": "",
        "SnapshotRegular": "",
        "JobId": job_id or detail["videoId"],
        "SnapshotUrls": snapshots,
    }
    fields: dict[str, Any] = {"VideoId": detail["videoId"], "Status": "success"}
    if job_id:
        fields["SubType"] = "SpecifiedTime"
    if record is not None and record.cover is not None:
        fields["CoverUrl"] = url_for(record.cover.key)
    fields["SnapshotInfos"] = [info]
    return fields


def _cover_change(detail: Mapping[str, Any], record: VideoRecord | None, url_for: UrlFor) -> dict[str, Any]:
    """``MediaContent.CoverURL`` is a JSON string ``{"OldValue", "NewValue"}`` (no ``OldValue``
    for a first cover), inside an object, as Alibaba's sample and receivers read it."""
    change = {"NewValue": url_for(detail["key"])}
    previous = detail.get("previous")
    if previous:
        change = {"OldValue": url_for(previous["key"]), **change}
    return {
        "Status": "success",
        "MediaId": detail["videoId"],
        "MediaType": "video",
        "OperateMode": "update",
        "MediaContent": {"CoverURL": json.dumps(change, separators=(",", ":"))},
    }


def _smart_cover(detail: Mapping[str, Any], record: VideoRecord | None, url_for: UrlFor) -> dict[str, Any]:
    """Shaped as Alibaba's AI events (``JobId``, ``MediaId``, ``Status``, ``Code``, ``Message``,
    ``Data`` a JSON string); ``Data`` holds ``ListAIImageInfo``'s ``AIImageInfoList``."""
    smart = record.smart_cover if record is not None else None
    failed = smart is not None and smart.status == SmartStatus.FAILED
    fields: dict[str, Any] = {
        "JobId": detail["videoId"],
        "MediaId": detail["videoId"],
        "Status": "fail" if failed else "success",
    }
    if failed and smart is not None and smart.error is not None:
        fields["Code"], fields["Message"] = smart.error.code, smart.error.message
    else:
        fields["Code"], fields["Message"] = "0", "OK"
    images = ai_image_views(record, url_for) if record is not None else []
    fields["Data"] = json.dumps({"AIImageInfoList": images}, separators=(",", ":"))
    return fields


def _process_failed(detail: Mapping[str, Any], record: VideoRecord | None, url_for: UrlFor) -> dict[str, Any]:
    return {
        "VideoId": detail["videoId"],
        "Status": "fail",
        "ErrorCode": detail.get("code", ""),
        "ErrorMessage": detail.get("message", ""),
    }


def _deleted(detail: Mapping[str, Any], record: VideoRecord | None, url_for: UrlFor) -> dict[str, Any]:
    return {"Status": "success", "MediaType": "video", "DeleteType": "all", "MediaId": detail["videoId"]}


# vodcover's DetailType → Alibaba's EventType and the fields of its body.
_CALLBACKS: Mapping[str, tuple[str, Body]] = {
    "VideoUploaded": ("FileUploadComplete", _file_upload),
    "SnapshotComplete": ("SnapshotComplete", _snapshots),
    "CoverChanged": ("MediaBaseChangeComplete", _cover_change),
    "SmartCoverComplete": ("AIImageComplete", _smart_cover),
    "ProcessFailed": ("VideoAnalysisComplete", _process_failed),
    "VideoDeleted": ("DeleteMediaComplete", _deleted),
}
CALLBACK_EVENTS: Mapping[str, str] = {ours: alibaba for ours, (alibaba, _) in _CALLBACKS.items()}
