"""The covers API function (PATCH one, PATCH many, PUT cover image) under moto."""

from __future__ import annotations

import io
from typing import Any

import boto3
import pytest
from PIL import Image

from tests.conftest import TEST_BUCKET
from tests.support.apigw import api_event, call, load_function
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
BOB = "arn:aws:iam::123456789012:user/bob"

pytestmark = pytest.mark.usefixtures("aws", "cover_media_function")


@pytest.fixture
def covers_api() -> Any:
    return load_function("covers_api")


def image_bytes(
    width: int, height: int, kind: str = "PNG", colour: tuple[int, int, int] = (200, 80, 40)
) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, kind)
    return buffer.getvalue()


def given_a_video(
    video_id: str = "vid1", *, owner: str = ALICE, status: VideoStatus = VideoStatus.NORMAL
) -> VideoRecord:
    """A processed video with two snapshot objects, the first one its cover."""
    s3 = boto3.client("s3")
    snapshots = []
    for index in range(2):
        key = f"snapshots/{video_id}/{index}.jpg"
        s3.put_object(Bucket=TEST_BUCKET, Key=key, Body=image_bytes(320, 180, "JPEG", (index * 100, 50, 50)))
        snapshots.append(StoredSnapshot(index=index, time=1.0 + index, key=key, width=320, height=180))
    now = utc_now()
    record = VideoRecord(
        video_id=video_id,
        owner=owner,
        title="Original",
        status=status,
        created_at=now,
        updated_at=now,
        source=SourceObject(key=f"uploads/{video_id}/a.mp4", size=10, etag="e"),
        media=MediaInfo(duration=10, width=320, height=180),
        snapshots=snapshots,
        cover=StoredCover(
            key=snapshots[0].key, source=CoverSource.SNAPSHOT, width=320, height=180, updated_at=now
        ),
    )
    outcome = dependencies.video_repository().update(video_id, lambda _current: record)
    assert outcome.record is not None
    return outcome.record


def stored(video_id: str) -> VideoRecord:
    record = dependencies.video_repository().get(video_id)
    assert record is not None
    return record


def cover_objects(video_id: str) -> list[str]:
    return dependencies.media_store().list_keys(f"covers/{video_id}/")


def test_patch_changes_info_and_bumps_the_version(covers_api: Any) -> None:
    given_a_video()

    status, video = call(
        covers_api, api_event("PATCH", "/videos/vid1", body={"title": "New", "tags": ["a", "b"]})
    )

    assert status == 200
    assert (video["title"], video["tags"], video["version"]) == ("New", ["a", "b"], 2)
    assert video["cover"]["source"] == "snapshot"


def test_picking_a_snapshot_makes_a_person_cover_that_survives_reprocessing(covers_api: Any) -> None:
    given_a_video()

    status, video = call(covers_api, api_event("PATCH", "/videos/vid1", body={"coverSnapshot": 1}))

    assert status == 200
    assert video["cover"]["source"] == "user"
    record = stored("vid1")
    assert record.cover is not None and record.cover.key.startswith("covers/vid1/")
    # the cover and its renditions (issue 16), nothing else
    assert set(cover_objects("vid1")) == set(record.cover.keys) and record.cover.renditions


def test_uploading_a_cover_image_stores_it_by_digest_and_removes_the_replaced_renditions(
    covers_api: Any,
) -> None:
    given_a_video()
    first = image_bytes(640, 360)
    second = image_bytes(1080, 1920, "JPEG")  # portrait fits too

    status, video = call(
        covers_api, api_event("PUT", "/videos/vid1/cover", raw=first, content_type="image/png")
    )
    assert status == 200, video
    assert (video["cover"]["source"], video["cover"]["width"], video["cover"]["height"]) == ("user", 640, 360)
    status, video = call(
        covers_api, api_event("PUT", "/videos/vid1/cover", raw=second, content_type="image/jpeg")
    )

    assert status == 200
    assert (video["cover"]["width"], video["cover"]["height"]) == (1080, 1920)
    # the new cover and its renditions (a portrait's 9:16 renditions are its originals), and the
    # replaced image itself, without its renditions: the cover history still names it
    record = stored("vid1")
    replaced = record.cover_history[1].key
    assert replaced.startswith("covers/vid1/") and replaced.endswith(".png")
    assert set(cover_objects("vid1")) == {*record.cover.keys, replaced}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (image_bytes(1921, 1080), "InvalidImage.Dimensions"),
        (image_bytes(1200, 1200), "InvalidImage.Dimensions"),
        (image_bytes(64, 64, "GIF"), "InvalidImage.Format"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "InvalidImage.Format"),
        (image_bytes(64, 64, "JPEG")[:200], "InvalidImage.Corrupt"),
        (b"\xff\xd8\xff" + b"\0" * (1_048_576 - 2), "InvalidImage.TooLarge"),
    ],
    ids=["too-wide", "too-tall-square", "gif", "svg", "truncated", "over-1mb"],
)
def test_bad_cover_images_are_refused_and_nothing_changes(covers_api: Any, payload: bytes, code: str) -> None:
    before = given_a_video()

    status, answer = call(
        covers_api, api_event("PUT", "/videos/vid1/cover", raw=payload, content_type="image/jpeg")
    )

    assert status in (400, 413)
    assert answer["error"]["code"] == code
    assert stored("vid1") == before
    assert cover_objects("vid1") == []


def test_cover_changes_are_gated_by_status_and_owner(covers_api: Any) -> None:
    given_a_video("failed1", status=VideoStatus.PROCESS_FAIL)
    given_a_video("bobs1", owner=BOB)

    status, answer = call(covers_api, api_event("PATCH", "/videos/failed1", body={"coverSnapshot": 0}))
    assert (status, answer["error"]["code"]) == (403, "Forbidden.IllegalStatus")
    status, answer = call(covers_api, api_event("PATCH", "/videos/bobs1", body={"title": "mine now"}))
    assert (status, answer["error"]["code"]) == (403, "Forbidden.NotOwner")
    assert stored("bobs1").title == "Original"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"coverSnapshot": 7}, "InvalidParameter.CoverSnapshot"),
        ({"coverSnapshot": 0, "coverTime": 1.0}, "InvalidParameter.Cover"),
        ({"coverCandidate": 0}, "InvalidParameter.CoverCandidate"),
        ({"coverTime": 99.0}, "InvalidParameter.CoverTime"),
        ({"coverSnapshot": "first"}, "InvalidParameter.CoverSnapshot"),
        ({"coverUrl": "http://169.254.169.254/latest/meta-data/"}, "CoverUrl.Forbidden"),
        ({"coverUrl": "file:///etc/passwd"}, "CoverUrl.Forbidden"),
    ],
)
def test_bad_cover_choices_have_stable_codes(covers_api: Any, body: dict[str, Any], code: str) -> None:
    before = given_a_video()

    status, answer = call(covers_api, api_event("PATCH", "/videos/vid1", body=body))

    assert status == 400
    assert answer["error"]["code"] == code
    assert stored("vid1") == before


def test_batch_update_reports_each_item_and_one_bad_item_spoils_nothing(covers_api: Any) -> None:
    given_a_video("a1")
    given_a_video("a2")
    given_a_video("b1", owner=BOB)
    given_a_video("f1", status=VideoStatus.PROCESS_FAIL)
    updates = [
        {"videoId": "a1", "title": "First"},
        {"videoId": "a2", "coverSnapshot": 1, "title": "Second"},
        {"videoId": "b1", "title": "not mine"},
        {"videoId": "nope", "title": "ghost"},
        {"videoId": "f1", "coverSnapshot": 0},
        {"videoId": "a1", "title": "again"},
        {"videoId": "a3", "title": 42},
        {"title": "no id"},
    ]

    status, answer = call(covers_api, api_event("PATCH", "/videos", body={"updates": updates}))

    assert status == 200
    assert sorted(answer["updated"]) == ["a1", "a2"]
    assert answer["nonExistVideoIds"] == ["nope"]
    assert answer["forbiddenVideoIds"] == ["b1"]
    assert sorted((f["videoId"] or "", f["code"]) for f in answer["failed"]) == [
        ("", "InvalidParameter.VideoId"),
        ("a1", "InvalidParameter.VideoId"),
        ("a3", "InvalidParameter.Title"),
        ("f1", "Forbidden.IllegalStatus"),
    ]
    assert stored("a1").title == "First"
    assert stored("a2").cover.source == CoverSource.USER  # type: ignore[union-attr]
    assert stored("b1").title == "Original"


def test_batch_limits(covers_api: Any) -> None:
    updates = [{"videoId": f"v{n}", "title": "t"} for n in range(21)]

    status, answer = call(covers_api, api_event("PATCH", "/videos", body={"updates": updates}))
    assert (status, answer["error"]["code"]) == (400, "Batch.TooLarge")
    status, answer = call(covers_api, api_event("PATCH", "/videos", body={"updates": []}))
    assert (status, answer["error"]["code"]) == (400, "InvalidParameter.Updates")
