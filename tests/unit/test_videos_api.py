"""The videos API function (create-upload, register, reads) under moto, with real proxy events."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tests.conftest import TEST_BUCKET
from tests.support.apigw import api_event, call, load_function
from vodcover import dependencies
from vodcover.domain import keys
from vodcover.models import VideoRecord, VideoStatus
from vodcover.settings import reset_settings

ALICE = "arn:aws:iam::123456789012:user/alice"
BOB = "arn:aws:iam::123456789012:user/bob"

pytestmark = pytest.mark.usefixtures("aws")


@pytest.fixture
def videos_api(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("VODCOVER_SCREENSHOT_FUNCTION", "screenshot")
    dependencies.reset()
    return load_function("videos_api")


@pytest.fixture
def started_jobs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Record job starts instead of invoking Lambda (moto would try to run a container)."""
    started: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(
        dependencies.job_starter(),
        "start",
        lambda name, payload: started.append((name, payload)),
        raising=False,
    )
    return started


def create(videos_api: Any, caller: str = ALICE, **fields: Any) -> dict[str, Any]:
    body = {"title": "Holiday", "fileName": "holiday clip.mp4", **fields}
    status, answer = call(videos_api, api_event("POST", "/videos", body=body, caller=caller))
    assert status == 201, answer
    return answer


def test_create_upload_answers_a_presigned_put_and_records_the_video(videos_api: Any) -> None:
    answer = create(videos_api, fileSize=1234, tags=["sea"])

    upload = answer["upload"]
    assert upload["method"] == "PUT"
    assert "uploads/" + answer["videoId"] + "/holiday%20clip.mp4" in upload["url"]
    assert upload["headers"] == {"Content-Type": "video/mp4", "Content-Length": "1234"}
    status, video = call(videos_api, api_event("GET", f"/videos/{answer['videoId']}"))
    assert status == 200
    assert video["status"] == "Uploading" and video["owner"] == ALICE and video["version"] == 1
    assert video["tags"] == ["sea"] and video["cover"] is None and video["snapshots"] == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"fileName": "a.mp4"}, "InvalidParameter.Title"),
        ({"title": "", "fileName": "a.mp4"}, "InvalidParameter.Title"),
        ({"title": "t", "fileName": "../etc/passwd"}, "InvalidParameter.FileName"),
        ({"title": "t", "fileName": "a.mp4", "fileSize": 0}, "InvalidParameter.FileSize"),
        ({"title": "t", "fileName": "a.mp4", "colour": "red"}, "InvalidParameter.Colour"),
        ({"title": 5, "fileName": "a.mp4"}, "InvalidParameter.Title"),
        ({"title": "t", "fileName": "a.mp4", "tags": ["x"] * 21}, "InvalidParameter.Tags"),
    ],
)
def test_create_upload_refuses_bad_bodies_with_a_stable_code(videos_api: Any, body: Any, code: str) -> None:
    status, answer = call(videos_api, api_event("POST", "/videos", body=body))

    assert status == 400
    assert answer["error"]["code"] == code
    assert answer["error"]["requestId"]


@pytest.mark.parametrize(
    "raw",
    ["{not json", "[" * 50_000 + "]" * 50_000, '{"title": "' + "x" * 300_000 + '"}'],
    ids=["malformed", "deeply-nested", "oversize"],
)
def test_malformed_json_is_invalid_json(videos_api: Any, raw: str) -> None:
    status, answer = call(videos_api, api_event("POST", "/videos", raw=raw))

    assert status == 400
    assert answer["error"]["code"] == "InvalidJson"


def test_reading_someone_elses_video_is_forbidden_and_unknown_is_not_found(videos_api: Any) -> None:
    video_id = create(videos_api)["videoId"]

    status, answer = call(videos_api, api_event("GET", f"/videos/{video_id}", caller=BOB))
    assert (status, answer["error"]["code"]) == (403, "Forbidden.NotOwner")
    status, answer = call(videos_api, api_event("GET", "/videos/0123456789abcdef"))
    assert (status, answer["error"]["code"]) == (404, "InvalidVideo.NotFound")
    status, answer = call(videos_api, api_event("GET", "/videos/..%2Fetc"))
    assert (status, answer["error"]["code"]) == (400, "InvalidParameter.VideoId")


def test_batch_get_splits_found_missing_and_forbidden(videos_api: Any) -> None:
    mine = create(videos_api)["videoId"]
    theirs = create(videos_api, caller=BOB)["videoId"]

    status, answer = call(videos_api, api_event("GET", "/videos", query={"ids": f"{mine},nope,{theirs}"}))

    assert status == 200
    assert [v["videoId"] for v in answer["videos"]] == [mine]
    assert answer["nonExistVideoIds"] == ["nope"]
    assert answer["forbiddenVideoIds"] == [theirs]
    too_many = ",".join(f"id{n}" for n in range(21))
    status, answer = call(videos_api, api_event("GET", "/videos", query={"ids": too_many}))
    assert (status, answer["error"]["code"]) == (400, "Batch.TooLarge")


def test_the_library_lists_only_my_videos_newest_first_in_pages(videos_api: Any) -> None:
    ids = [create(videos_api, title=f"v{n}")["videoId"] for n in range(3)]
    create(videos_api, caller=BOB)

    status, first = call(videos_api, api_event("GET", "/videos", query={"limit": "2"}))
    assert status == 200
    status, second = call(
        videos_api, api_event("GET", "/videos", query={"limit": "2", "nextToken": first["nextToken"]})
    )

    listed = [v["videoId"] for v in first["videos"] + second["videos"]]
    assert listed == list(reversed(ids))
    assert "nextToken" not in second
    status, answer = call(videos_api, api_event("GET", "/videos", query={"limit": "0"}))
    assert (status, answer["error"]["code"]) == (400, "InvalidParameter.Limit")


def test_register_records_existing_objects_and_reports_each_failure(
    videos_api: Any, started_jobs: list[tuple[str, dict[str, Any]]]
) -> None:
    s3 = boto3.client("s3")
    s3.put_object(Bucket=TEST_BUCKET, Key="library/2019/launch.mp4", Body=b"video bytes")
    items = [
        {"key": "library/2019/launch.mp4", "title": "Launch"},
        {"key": "library/missing.mp4"},
        {"key": "snapshots/x/0.jpg"},
    ]

    status, answer = call(videos_api, api_event("POST", "/videos/register", body={"items": items}))

    assert status == 200
    assert [r["key"] for r in answer["registered"]] == ["library/2019/launch.mp4"]
    assert [(f["key"], f["code"]) for f in answer["failed"]] == [
        ("library/missing.mp4", "Register.NotFound"),
        ("snapshots/x/0.jpg", "Register.InvalidKey"),
    ]
    video_id = answer["registered"][0]["videoId"]
    assert started_jobs == [
        ("screenshot", {"register": {"videoId": video_id, "key": "library/2019/launch.mp4"}})
    ]
    record = dependencies.video_repository().get(video_id)
    assert isinstance(record, VideoRecord)
    assert record.owner == ALICE and record.status == VideoStatus.UPLOAD_SUCC and record.title == "Launch"

    status, again = call(
        videos_api, api_event("POST", "/videos/register", body={"items": items[:1]}, caller=BOB)
    )
    assert again["failed"][0]["code"] == "Register.AlreadyRegistered"
    assert dependencies.video_repository().get(video_id).owner == ALICE  # type: ignore[union-attr]


def test_no_key_vodcover_writes_itself_can_be_registered(videos_api: Any) -> None:
    """Every derived folder (embed copies and storyboards too), not only the first four."""
    s3 = boto3.client("s3")
    items = []
    for prefix in keys.DERIVED_PREFIXES:
        key = f"{prefix}v1/0.jpg"
        s3.put_object(Bucket=TEST_BUCKET, Key=key, Body=b"image bytes")
        items.append({"key": key})

    status, answer = call(videos_api, api_event("POST", "/videos/register", body={"items": items}))

    assert status == 200 and answer["registered"] == []
    assert {(f["key"], f["code"]) for f in answer["failed"]} == {
        (item["key"], "Register.InvalidKey") for item in items
    }
    assert {"embed/v1/0.jpg", "storyboard/v1/0.jpg"} <= {item["key"] for item in items}


def test_batches_over_the_limit_are_refused(videos_api: Any) -> None:
    items = [{"key": f"k{n}"} for n in range(21)]

    status, answer = call(videos_api, api_event("POST", "/videos/register", body={"items": items}))

    assert (status, answer["error"]["code"]) == (400, "Batch.TooLarge")
    status, answer = call(videos_api, api_event("POST", "/videos/register", body={"items": []}))
    assert (status, answer["error"]["code"]) == (400, "InvalidParameter.Items")


def test_an_unknown_route_is_a_clear_404(videos_api: Any) -> None:
    status, answer = call(videos_api, api_event("DELETE", "/videos"))

    assert (status, answer["error"]["code"]) == (404, "NotFound")


def test_smart_cover_starts_once_and_only_on_processed_videos(
    videos_api: Any, started_jobs: list[tuple[str, dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VODCOVER_SMART_COVER_FUNCTION", "smart")
    reset_settings()  # the next request reads the name
    uploading = create(videos_api)["videoId"]
    status, answer = call(videos_api, api_event("POST", f"/videos/{uploading}/smart-cover"))
    assert (status, answer["error"]["code"]) == (403, "Forbidden.IllegalStatus")

    dependencies.video_repository().update(
        uploading, lambda c: c.changed(status=VideoStatus.NORMAL) if c else None
    )
    status, first = call(videos_api, api_event("POST", f"/videos/{uploading}/smart-cover"))
    status_again, again = call(videos_api, api_event("POST", f"/videos/{uploading}/smart-cover"))

    assert (status, status_again) == (202, 202)
    assert first["smartCover"]["status"] == again["smartCover"]["status"] == "Processing"
    assert started_jobs == [("smart", {"videoId": uploading})]
    status, answer = call(videos_api, api_event("POST", f"/videos/{uploading}/smart-cover", caller=BOB))
    assert (status, answer["error"]["code"]) == (403, "Forbidden.NotOwner")
