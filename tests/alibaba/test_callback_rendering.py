"""vodcover's events rendered as Alibaba VOD's HTTP callbacks (``compat/alibaba/callbacks.py``).

Given an event as the bus carries it and the video as stored, when it is rendered for an Alibaba
receiver, then the body has Alibaba's event name and fields (as its event pages show them) and the
headers carry Alibaba's ``X-VOD-TIMESTAMP`` / ``X-VOD-SIGNATURE``, which verify as its "HTTP
callback authentication" page says.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from vodcover.compat.alibaba.callbacks import (
    CALLBACK_EVENTS,
    AlibabaCallback,
    UnknownEventType,
    render_callback,
    selected_events,
    signature,
)
from vodcover.models import (
    CoverSource,
    ErrorInfo,
    MediaInfo,
    SmartCandidate,
    SmartCover,
    SmartStatus,
    SourceObject,
    StoredCover,
    StoredSnapshot,
    VideoRecord,
    VideoStatus,
)

VIDEO = "0123456789abcdef0123456789abcdef"
AT = "2026-12-03T06:01:02.345Z"


def url_for(key: str) -> str:
    return f"https://cdn.example/{key}"


def record(**fields: Any) -> VideoRecord:
    base: dict[str, Any] = {
        "video_id": VIDEO,
        "owner": "local",
        "status": VideoStatus.NORMAL,
        "created_at": AT,
        "updated_at": AT,
        "source": SourceObject(key=f"uploads/{VIDEO}/a.mp4", size=1234),
        "media": MediaInfo(duration=4.0, width=640, height=360),
        "snapshots": [
            StoredSnapshot(index=i, time=float(i), key=f"snapshots/{VIDEO}/{i}.jpg", width=640, height=360)
            for i in range(3)
        ],
        "cover": StoredCover(
            key=f"snapshots/{VIDEO}/1.jpg", source=CoverSource.SNAPSHOT, width=640, height=360, updated_at=AT
        ),
    }
    return VideoRecord(**{**base, **fields})


def body_of(callback: AlibabaCallback | None) -> dict[str, Any]:
    assert callback is not None
    parsed: dict[str, Any] = json.loads(callback.body)
    return parsed


def test_the_signature_is_alibabas_documented_example() -> None:
    # Alibaba's page: md5sum(https://www.example.com/your/callback|1519375990|test123)
    # = c72b60894140fa98920f1279219b**** (the last four digits masked there).
    value = signature("https://www.example.com/your/callback", 1519375990, "test123")
    assert value.startswith("c72b60894140fa98920f1279219b") and len(value) == 32


def test_headers_carry_the_timestamp_and_a_signature_over_url_time_and_key() -> None:
    callback = render_callback("VideoDeleted", AT, {"videoId": VIDEO}, None, url_for)
    assert callback is not None
    url = "https://hooks.example/vod?x=1"

    headers = callback.headers(url, "Key123abc", 1764741600)

    assert headers["X-VOD-TIMESTAMP"] == "1764741600"
    expected = hashlib.md5(f"{url}|1764741600|Key123abc".encode()).hexdigest()
    assert headers["X-VOD-SIGNATURE"] == expected
    assert headers["Content-Type"] == "application/json"


def test_without_an_auth_key_no_signature_headers_are_sent() -> None:
    callback = render_callback("VideoDeleted", AT, {"videoId": VIDEO}, None, url_for)
    assert callback is not None
    assert set(callback.headers("https://hooks.example/vod", None, 1764741600)) == {"Content-Type"}


def test_an_upload_is_file_upload_complete_with_size_and_file_url() -> None:
    detail = {"videoId": VIDEO, "key": f"uploads/{VIDEO}/a.mp4", "size": 1234}

    body = body_of(render_callback("VideoUploaded", AT, detail, record(), url_for))

    assert body == {
        "EventTime": "2026-12-03T06:01:02Z",
        "EventType": "FileUploadComplete",
        "VideoId": VIDEO,
        "Status": "success",
        "Size": 1234,
        "FileUrl": f"https://cdn.example/uploads/{VIDEO}/a.mp4",
    }


def test_upload_time_snapshots_are_cover_snapshots_with_the_cover_url() -> None:
    detail = {"videoId": VIDEO, "snapshotCount": 3, "coverIndex": 1, "coverSource": "snapshot"}

    body = body_of(render_callback("SnapshotComplete", AT, detail, record(), url_for))

    assert (body["EventType"], body["VideoId"], body["Status"]) == ("SnapshotComplete", VIDEO, "success")
    assert body["CoverUrl"] == f"https://cdn.example/snapshots/{VIDEO}/1.jpg"
    assert "SubType" not in body
    [info] = body["SnapshotInfos"]
    assert (info["Status"], info["SnapshotType"], info["SnapshotCount"]) == ("success", "CoverSnapshot", 3)
    assert info["SnapshotUrls"] == [f"https://cdn.example/snapshots/{VIDEO}/{i}.jpg" for i in range(3)]


def test_a_snapshot_jobs_snapshots_are_normal_snapshots_of_that_job() -> None:
    detail = {
        "videoId": VIDEO,
        "snapshotCount": 3,
        "coverIndex": None,
        "coverSource": "user",
        "jobId": "job-7",
    }

    body = body_of(render_callback("SnapshotComplete", AT, detail, record(), url_for))

    assert body["SubType"] == "SpecifiedTime"
    [info] = body["SnapshotInfos"]
    assert (info["SnapshotType"], info["JobId"]) == ("NormalSnapshot", "job-7")


def test_a_cover_change_is_media_base_change_complete_with_old_and_new_cover_url() -> None:
    detail = {
        "videoId": VIDEO,
        "source": "user",
        "key": f"covers/{VIDEO}/new.jpg",
        "previous": {"key": f"snapshots/{VIDEO}/1.jpg", "source": "snapshot"},
    }

    body = body_of(render_callback("CoverChanged", AT, detail, record(), url_for))

    assert {k: body[k] for k in ("EventType", "Status", "MediaId", "MediaType", "OperateMode")} == {
        "EventType": "MediaBaseChangeComplete",
        "Status": "success",
        "MediaId": VIDEO,
        "MediaType": "video",
        "OperateMode": "update",
    }
    # Alibaba's MediaContent values are JSON strings (receivers json-decode MediaContent['CoverURL']).
    assert json.loads(body["MediaContent"]["CoverURL"]) == {
        "OldValue": f"https://cdn.example/snapshots/{VIDEO}/1.jpg",
        "NewValue": f"https://cdn.example/covers/{VIDEO}/new.jpg",
    }


def test_a_first_cover_has_no_old_value() -> None:
    detail = {"videoId": VIDEO, "source": "upload", "key": f"covers/{VIDEO}/c.jpg", "previous": None}

    body = body_of(render_callback("CoverChanged", AT, detail, record(), url_for))

    assert json.loads(body["MediaContent"]["CoverURL"]) == {
        "NewValue": f"https://cdn.example/covers/{VIDEO}/c.jpg"
    }


def test_a_smart_cover_is_an_ai_event_listing_the_candidates() -> None:
    smart = SmartCover(
        status=SmartStatus.DONE,
        candidates=[SmartCandidate(index=0, time=2.5, score=0.91, key=f"smart/{VIDEO}/0.jpg")],
    )
    detail = {"videoId": VIDEO, "candidateCount": 1, "animated": False, "coverSource": "smart"}

    body = body_of(render_callback("SmartCoverComplete", AT, detail, record(smart_cover=smart), url_for))

    assert (body["EventType"], body["JobId"], body["MediaId"]) == ("AIImageComplete", VIDEO, VIDEO)
    assert (body["Status"], body["Code"], body["Message"]) == ("success", "0", "OK")
    [image] = json.loads(body["Data"])["AIImageInfoList"]
    assert (image["FileURL"], image["Score"]) == (f"https://cdn.example/smart/{VIDEO}/0.jpg", "0.9100")


def test_a_failed_smart_cover_says_fail_with_vodcovers_code() -> None:
    smart = SmartCover(
        status=SmartStatus.FAILED, error=ErrorInfo(code="Media.Undecodable", message="No frames.")
    )
    detail = {"videoId": VIDEO, "candidateCount": 0, "animated": False, "coverSource": "snapshot"}

    body = body_of(render_callback("SmartCoverComplete", AT, detail, record(smart_cover=smart), url_for))

    assert (body["Status"], body["Code"], body["Message"]) == ("fail", "Media.Undecodable", "No frames.")


def test_a_failed_video_is_a_failed_analysis_and_a_deletion_is_delete_media_complete() -> None:
    failed = body_of(
        render_callback(
            "ProcessFailed", AT, {"videoId": VIDEO, "code": "Media.Unreadable", "message": "m"}, None, url_for
        )
    )
    deleted = body_of(render_callback("VideoDeleted", AT, {"videoId": VIDEO, "title": "t"}, None, url_for))

    assert (failed["EventType"], failed["Status"], failed["ErrorCode"]) == (
        "VideoAnalysisComplete",
        "fail",
        "Media.Unreadable",
    )
    assert (deleted["EventType"], deleted["MediaId"], deleted["DeleteType"]) == (
        "DeleteMediaComplete",
        VIDEO,
        "all",
    )


def test_events_alibaba_has_no_callback_for_render_nothing() -> None:
    assert render_callback("SomethingElse", AT, {"videoId": VIDEO}, None, url_for) is None


@pytest.mark.parametrize(
    ("event_type_list", "expected"),
    [
        ("ALL", set(CALLBACK_EVENTS)),
        ("", set()),
        ("SnapshotComplete, MediaBaseChangeComplete", {"SnapshotComplete", "CoverChanged"}),
        ("AIComplete,FileUploadComplete", {"SmartCoverComplete", "VideoUploaded"}),
        ("TranscodeComplete", set()),  # Alibaba's, never sent here
    ],
)
def test_event_type_list_selects_vodcover_events(event_type_list: str, expected: set[str]) -> None:
    assert selected_events(event_type_list) == expected


def test_an_unknown_event_name_is_refused() -> None:
    with pytest.raises(UnknownEventType) as refused:
        selected_events("SnapshotComplete,CoverChanged")
    assert refused.value.name == "CoverChanged"
