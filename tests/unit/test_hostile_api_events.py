"""The API functions' answers to hostile events, as API Gateway would deliver them (issue 11).

The cases only an event can carry: a header or query parameter given twice (multiValue* fields),
base64 bodies, the exact requests of issue 11 items 2 and 4. Everything else is sent end to end
by ``tests/integration/test_hostile_api.py``.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.support.apigw import FakeContext, api_event, call, load_function
from vodcover import dependencies
from vodcover.models import (
    CoverSource,
    MediaInfo,
    SourceObject,
    StoredCover,
    StoredSnapshot,
    VideoRecord,
    VideoStatus,
    utc_now,
)

ALICE = "arn:aws:iam::123456789012:user/alice"

pytestmark = pytest.mark.usefixtures("aws")


@pytest.fixture
def videos_api() -> Any:
    return load_function("videos_api")


@pytest.fixture
def covers_api() -> Any:
    return load_function("covers_api")


def processed(video_id: str = "vid1") -> VideoRecord:
    now = utc_now()
    snapshots = [
        StoredSnapshot(index=i, time=float(i), key=f"snapshots/{video_id}/{i}.jpg", width=64, height=36)
        for i in range(3)
    ]
    record = VideoRecord(
        video_id=video_id,
        owner=ALICE,
        status=VideoStatus.NORMAL,
        created_at=now,
        updated_at=now,
        source=SourceObject(key=f"uploads/{video_id}/a.mp4"),
        media=MediaInfo(duration=10, width=64, height=36),
        snapshots=snapshots,
        cover=StoredCover(
            key=snapshots[0].key, source=CoverSource.SNAPSHOT, width=64, height=36, updated_at=now
        ),
    )
    outcome = dependencies.video_repository().update(video_id, lambda _current: record)
    assert outcome.record is not None
    return outcome.record


def with_headers(event: dict[str, Any], headers: dict[str, list[str]]) -> dict[str, Any]:
    event["multiValueHeaders"] = headers
    event["headers"] = {name: values[-1] for name, values in headers.items()}
    return event


def test_issue_11_invalid_utf8_is_invalid_json(videos_api: Any) -> None:
    event = api_event("POST", "/videos", raw=b'{"title": "\xff", "fileName": "a.mp4"}')

    status, answer = call(videos_api, event)

    assert (status, answer["error"]["code"]) == (400, "InvalidJson")


def test_issue_11_text_plain_with_a_json_body_is_415(videos_api: Any) -> None:
    event = api_event("POST", "/videos", raw='{"title": "t", "fileName": "a.mp4"}', content_type="text/plain")

    status, answer = call(videos_api, event)

    assert (status, answer["error"]["code"]) == (415, "Request.UnsupportedMediaType")


@pytest.mark.parametrize(
    "body",
    [{"coverSnapshot": True}, {"coverSnapshot": "1"}, {"coverTime": True}],
    ids=["true", "one", "time"],
)
def test_issue_11_coerced_cover_choices_change_nothing(covers_api: Any, body: dict[str, Any]) -> None:
    before = processed()

    status, answer = call(covers_api, api_event("PATCH", "/videos/vid1", body=body))

    assert status == 400 and answer["error"]["code"].startswith("InvalidParameter.Cover")
    assert dependencies.video_repository().get("vid1") == before


@pytest.mark.parametrize(
    "headers",
    [
        {"content-type": ["application/json", "text/plain"]},
        {"Content-Type": ["text/plain"], "content-type": ["application/json"]},
        {"content-type": ["application/json", "application/json; charset=latin-1"]},
    ],
    ids=["two-values", "two-spellings", "two-charsets"],
)
def test_two_content_types_are_415(covers_api: Any, headers: dict[str, list[str]]) -> None:
    before = processed()
    event = with_headers(api_event("PATCH", "/videos/vid1", body={"title": "changed"}), headers)

    status, answer = call(covers_api, event)

    assert (status, answer["error"]["code"]) == (415, "Request.UnsupportedMediaType")
    assert dependencies.video_repository().get("vid1") == before


def test_the_same_content_type_twice_is_still_json(covers_api: Any) -> None:
    processed()
    headers = {"content-type": ["application/json", "application/json"]}
    event = with_headers(api_event("PATCH", "/videos/vid1", body={"title": "changed"}), headers)

    status, video = call(covers_api, event)

    assert (status, video["title"]) == (200, "changed")


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("e30=!!", "InvalidJson"),  # not base64
        (base64.b64encode('{"title": "Café"}'.encode("latin-1")).decode(), "InvalidJson"),
        (base64.b64encode(b'{"title": "ok"}').decode(), None),
    ],
    ids=["broken-base64", "latin1", "valid"],
)
def test_base64_bodies_are_decoded_once_and_strictly(covers_api: Any, raw: str, code: str | None) -> None:
    processed()
    event = api_event("PATCH", "/videos/vid1", raw=raw)
    event["isBase64Encoded"] = True

    status, answer = call(covers_api, event)

    if code is None:
        assert (status, answer["title"]) == (200, "ok")
    else:
        assert (status, answer["error"]["code"]) == (400, code)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"limit": ["5", "50"]}, "InvalidParameter.Limit"),
        ({"ids": ["a", "b"]}, "InvalidParameter.Ids"),
        ({"nextToken": ["x", "y"]}, "InvalidParameter.NextToken"),
        ({"unknown": ["1", "2"]}, "InvalidParameter.Unknown"),
    ],
)
def test_a_query_parameter_given_twice_is_refused(
    videos_api: Any, query: dict[str, list[str]], code: str
) -> None:
    event = api_event("GET", "/videos", query={name: values[-1] for name, values in query.items()})
    event["multiValueQueryStringParameters"] = query

    status, answer = call(videos_api, event)

    assert (status, answer["error"]["code"]) == (400, code)


def test_ids_no_video_can_have_are_missing_without_a_lookup(videos_api: Any) -> None:
    processed()
    ids = ["vid1", "😀" * 600, "../vid1", "vid1\x00"]

    status, answer = call(videos_api, api_event("GET", "/videos", query={"ids": ",".join(ids)}))

    assert status == 200
    assert [v["videoId"] for v in answer["videos"]] == ["vid1"]
    assert answer["nonExistVideoIds"] == ids[1:]


def test_an_error_body_is_always_json_with_a_request_id(videos_api: Any) -> None:
    event = api_event("POST", "/videos", raw=b"\x00\xff" * 10)

    answer = videos_api.lambda_handler(event, FakeContext())

    assert answer["statusCode"] == 400
    assert json.loads(answer["body"])["error"]["requestId"]


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [(b"", "image/jpeg"), (b'{"coverSnapshot": 1}', "application/json"), (b"\xff\xd8\xff", "image/jpeg")],
    ids=["empty", "json", "three-bytes"],
)
def test_a_cover_upload_that_is_no_image_is_refused(covers_api: Any, raw: bytes, content_type: str) -> None:
    before = processed()

    status, answer = call(
        covers_api, api_event("PUT", "/videos/vid1/cover", raw=raw, content_type=content_type)
    )

    assert status == 400 and answer["error"]["code"].startswith("InvalidImage."), answer
    assert dependencies.video_repository().get("vid1") == before
    assert dependencies.media_store().list_keys("covers/") == []
