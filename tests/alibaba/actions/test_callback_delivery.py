"""Alibaba callbacks delivered end to end: both official SDKs against ``vodcover local``.

Given an owner whose callback is set with ``SetMessageCallback`` (an AuthKey, a loopback receiver
allow-listed by ``VODCOVER_WEBHOOK_ALLOW_HOSTS``), when a script uploads a video and then changes
its cover with ``UpdateVideoInfo``, then the receiver gets Alibaba's ``FileUploadComplete``,
``SnapshotComplete`` (with the cover ``GetVideoInfo`` shows) and ``MediaBaseChangeComplete`` with
the old and the new ``CoverURL``, each carrying an ``X-VOD-SIGNATURE`` that verifies as Alibaba's
documentation says: md5 hex of ``<CallbackURL>|<X-VOD-TIMESTAMP>|<AuthKey>``.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import pytest

from tests.alibaba.actions.conftest import Media
from tests.alibaba.actions.test_callback_actions import sdk
from tests.alibaba.actions.vod_steps import put_file, settled_video
from tests.alibaba.vod_sdks import VodSdk
from tests.integration.loopback import FileServer, Received
from vodcover_dev.local.stack import LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.media]
__all__ = ["sdk"]  # the fixture: both SDKs as `local`, its callback deleted afterwards

AUTH_KEY = "Key123abcXYZ"


def verified(post: Received, callback_url: str) -> dict[str, Any]:
    """The body, after checking the signature as an Alibaba receiver does."""
    timestamp = post.headers["X-VOD-TIMESTAMP"]
    assert len(timestamp) == 10 and abs(time.time() - int(timestamp)) < 300
    expected = hashlib.md5(f"{callback_url}|{timestamp}|{AUTH_KEY}".encode()).hexdigest()
    assert post.headers["X-VOD-SIGNATURE"] == expected
    body: dict[str, Any] = json.loads(post.body)
    return body


def events_of(web: FileServer, path: str, url: str, event_type: str, video_id: str) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 60
    while True:
        bodies = [verified(p, url) for p in web.posted(path, timeout=0)]
        found = [
            b
            for b in bodies
            if b["EventType"] == event_type and video_id in (b.get("VideoId"), b.get("MediaId"))
        ]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_upload_snapshots_and_a_cover_change_reach_the_callback_signed(
    stack: LocalStack, sdk: VodSdk, web: FileServer, media: Media
) -> None:
    path = f"alibaba-callback-{sdk.name}"
    url = web.url(path)
    sdk.call(
        "SetMessageCallback",
        CallbackType="HTTP",
        CallbackURL=url,
        EventTypeList="FileUploadComplete,SnapshotComplete,MediaBaseChangeComplete",
        AuthSwitch="on",
        AuthKey=AUTH_KEY,
    )

    created = sdk.call("CreateUploadVideo", Title="Called back", FileName="called.mp4")
    video_id = created["VideoId"]
    put_file(created["UploadAuth"], created["UploadAddress"], media.video.read_bytes())
    before = settled_video(stack, sdk, video_id)
    assert before["Status"] == "Normal"

    [uploaded] = events_of(web, path, url, "FileUploadComplete", video_id)[:1]
    assert (uploaded["Status"], uploaded["Size"]) == ("success", media.video.stat().st_size)
    [snapshots] = events_of(web, path, url, "SnapshotComplete", video_id)[:1]
    assert snapshots["Status"] == "success"
    assert snapshots["CoverUrl"] == before["CoverURL"]
    [info] = snapshots["SnapshotInfos"]
    assert info["SnapshotType"] == "CoverSnapshot" and info["SnapshotCount"] == len(info["SnapshotUrls"]) > 0

    sdk.call("UpdateVideoInfo", VideoId=video_id, CoverURL=media.cover_url)
    after = settled_video(stack, sdk, video_id)
    assert after["CoverURL"] != before["CoverURL"]

    [changed] = events_of(web, path, url, "MediaBaseChangeComplete", video_id)[:1]
    assert (changed["Status"], changed["MediaType"], changed["OperateMode"]) == ("success", "video", "update")
    assert json.loads(changed["MediaContent"]["CoverURL"]) == {
        "OldValue": before["CoverURL"],
        "NewValue": after["CoverURL"],
    }
    # Only what the EventTypeList named: no AI or deletion events reached this receiver.
    kinds = {json.loads(p.body)["EventType"] for p in web.posted(path, timeout=0)}
    assert kinds <= {"FileUploadComplete", "SnapshotComplete", "MediaBaseChangeComplete"}
