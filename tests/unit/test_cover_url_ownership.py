"""A cover URL naming the media bucket may name only the caller's own videos' objects (issue 11 item 9).

Before, any key of the bucket was accepted: ``s3://<bucket>/snapshots/<bob's video>/0.jpg`` made
bob's frame alice's cover. Every door a bucket key comes in by is tried here: s3:// and https
URLs of the bucket (virtual-hosted, path-style, presigned, the CDN), the routes that take a
coverUrl (PATCH one, PATCH many, create-upload, pull, register) and register's own keys.
"""

from __future__ import annotations

import io
from typing import Any

import boto3
import pytest
from PIL import Image

from tests.conftest import TEST_BUCKET
from tests.support.apigw import api_event, call, load_function
from vodcover import dependencies
from vodcover.dal.objects import MediaStore
from vodcover.domain import keys
from vodcover.models import MediaInfo, SourceObject, StoredSnapshot, VideoRecord, VideoStatus, utc_now

ALICE = "arn:aws:iam::123456789012:user/alice"
BOB = "arn:aws:iam::123456789012:user/bob"

pytestmark = pytest.mark.usefixtures("aws", "cover_media_function")


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 36), (10, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def given_a_video(video_id: str, owner: str | None, status: VideoStatus = VideoStatus.NORMAL) -> VideoRecord:
    s3 = boto3.client("s3")
    key = f"snapshots/{video_id}/0.jpg"
    s3.put_object(Bucket=TEST_BUCKET, Key=key, Body=jpeg())
    now = utc_now()
    record = VideoRecord(
        video_id=video_id,
        owner=owner,
        title="Original",
        status=status,
        created_at=now,
        updated_at=now,
        source=None if status == VideoStatus.UPLOADING else SourceObject(key=f"uploads/{video_id}/a.mp4"),
        media=MediaInfo(duration=10, width=64, height=36),
        snapshots=[StoredSnapshot(index=0, time=1.0, key=key, width=64, height=36)],
    )
    dependencies.video_repository().update(video_id, lambda _current: record)
    return record


def stored(video_id: str) -> VideoRecord | None:
    return dependencies.video_repository().get(video_id)


BOBS_FRAME = "snapshots/bobs1/0.jpg"


def forms_of(key: str) -> dict[str, str]:
    """Every way a URL can name ``key`` of the media bucket."""
    presigned = MediaStore(TEST_BUCKET, url_ttl_seconds=600).presigned_get(key)
    return {
        "s3": f"s3://{TEST_BUCKET}/{key}",
        "s3-encoded": f"s3://{TEST_BUCKET}/{key.replace('/', '%2F', 1)}",
        "virtual-hosted": f"https://{TEST_BUCKET}.s3.amazonaws.com/{key}",
        "virtual-hosted-regional": f"https://{TEST_BUCKET}.s3.eu-west-1.amazonaws.com/{key}",
        "virtual-hosted-dashed": f"https://{TEST_BUCKET}.s3-eu-west-1.amazonaws.com/{key}",
        "virtual-hosted-upper-case": f"https://{TEST_BUCKET.upper()}.S3.AMAZONAWS.COM/{key}",
        "path-style": f"https://s3.amazonaws.com/{TEST_BUCKET}/{key}",
        "path-style-regional": f"https://s3.us-east-1.amazonaws.com/{TEST_BUCKET}/{key}",
        "dualstack": f"https://{TEST_BUCKET}.s3.dualstack.us-east-1.amazonaws.com/{key}",
        "presigned": presigned,
        "traversal": f"s3://{TEST_BUCKET}/covers/alices1/../../{key}",
    }


def test_every_url_form_of_the_bucket_is_recognised_as_its_key() -> None:
    store = dependencies.media_store()
    found = {name: store.key_of_url(url) for name, url in forms_of("snapshots/v1/0.jpg").items()}
    assert list(found) == FORMS

    assert found == {
        **{name: "snapshots/v1/0.jpg" for name in found},
        "s3-encoded": "snapshots/v1/0.jpg",
        "traversal": "covers/alices1/../../snapshots/v1/0.jpg",
    }
    for other in (
        "s3://another-bucket/snapshots/v1/0.jpg",
        "https://another-bucket.s3.amazonaws.com/snapshots/v1/0.jpg",
        f"https://s3.amazonaws.com/another-bucket/{TEST_BUCKET}/x.jpg",
        f"https://{TEST_BUCKET}.example.com/snapshots/v1/0.jpg",
        "https://images.example.com/cover.jpg",
        "not a url",
    ):
        assert store.key_of_url(other) is None, other


def test_the_cdn_and_the_local_endpoint_name_the_bucket_too() -> None:
    store = MediaStore(TEST_BUCKET, url_ttl_seconds=600, cdn_base_url="https://cdn.example.com/media/")

    assert store.key_of_url("https://cdn.example.com/media/snapshots/v1/0.jpg?v=2") == "snapshots/v1/0.jpg"


@pytest.fixture
def covers_api() -> Any:
    given_a_video("alices1", ALICE)
    given_a_video("alices2", ALICE)
    given_a_video("bobs1", BOB)
    return load_function("covers_api")


FORMS = [
    "s3",
    "s3-encoded",
    "virtual-hosted",
    "virtual-hosted-regional",
    "virtual-hosted-dashed",
    "virtual-hosted-upper-case",
    "path-style",
    "path-style-regional",
    "dualstack",
    "presigned",
    "traversal",
]


@pytest.mark.parametrize("form", FORMS)
def test_another_owners_frame_cannot_become_my_cover(covers_api: Any, form: str) -> None:
    before = stored("alices1")

    status, answer = call(
        covers_api, api_event("PATCH", "/videos/alices1", body={"coverUrl": forms_of(BOBS_FRAME)[form]})
    )

    assert (status, answer["error"]["code"]) == (403, "CoverUrl.NotOwner"), answer
    assert stored("alices1") == before
    assert dependencies.media_store().list_keys("covers/") == []


def test_a_frame_of_my_other_video_can_become_my_cover(covers_api: Any) -> None:
    url = f"s3://{TEST_BUCKET}/snapshots/alices2/0.jpg"

    status, video = call(covers_api, api_event("PATCH", "/videos/alices1", body={"coverUrl": url}))

    assert status == 200, video
    assert video["cover"]["source"] == "user"


def test_objects_under_a_public_prefix_are_anyones(covers_api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    boto3.client("s3").put_object(Bucket=TEST_BUCKET, Key="stock/sea.jpg", Body=jpeg())
    url = f"s3://{TEST_BUCKET}/stock/sea.jpg"
    status, answer = call(covers_api, api_event("PATCH", "/videos/alices1", body={"coverUrl": url}))
    assert (status, answer["error"]["code"]) == (403, "CoverUrl.NotOwner")

    monkeypatch.setenv("VODCOVER_COVER_URL_PUBLIC_PREFIXES", "stock")
    dependencies.reset()
    status, video = call(covers_api, api_event("PATCH", "/videos/alices1", body={"coverUrl": url}))

    assert status == 200, video


def test_a_registered_object_outside_the_video_folders_is_its_owners(covers_api: Any) -> None:
    key = "library/poster.jpg"
    boto3.client("s3").put_object(Bucket=TEST_BUCKET, Key=key, Body=jpeg())
    orphan = keys.orphan_video_id(key)
    now = utc_now()
    dependencies.video_repository().update(
        orphan,
        lambda _c: VideoRecord(
            video_id=orphan,
            owner=BOB,
            status=VideoStatus.NORMAL,
            created_at=now,
            updated_at=now,
            source=SourceObject(key=key),
        ),
    )
    url = f"s3://{TEST_BUCKET}/{key}"

    status, answer = call(covers_api, api_event("PATCH", "/videos/alices1", body={"coverUrl": url}))
    assert (status, answer["error"]["code"]) == (403, "CoverUrl.NotOwner")
    status, _video = call(
        covers_api, api_event("PATCH", f"/videos/{orphan}", caller=BOB, body={"coverUrl": url})
    )
    assert status == 200


def test_a_batch_item_naming_another_owners_frame_fails_alone(covers_api: Any) -> None:
    updates = [
        {"videoId": "alices1", "coverUrl": f"s3://{TEST_BUCKET}/{BOBS_FRAME}"},
        {"videoId": "alices2", "title": "Renamed"},
    ]

    status, answer = call(covers_api, api_event("PATCH", "/videos", body={"updates": updates}))

    assert status == 200
    assert answer["updated"] == ["alices2"]
    assert [(f["videoId"], f["code"]) for f in answer["failed"]] == [("alices1", "CoverUrl.NotOwner")]
    assert stored("alices1").cover is None  # type: ignore[union-attr]


# --- the videos API: create-upload, pull, register ------------------------------------------------
@pytest.fixture
def videos_api() -> Any:
    given_a_video("bobs1", BOB)
    return load_function("videos_api")


def test_create_upload_refuses_another_owners_frame_and_creates_nothing(videos_api: Any) -> None:
    body = {"title": "t", "fileName": "a.mp4", "coverUrl": f"s3://{TEST_BUCKET}/{BOBS_FRAME}"}

    status, answer = call(videos_api, api_event("POST", "/videos", body=body))

    assert (status, answer["error"]["code"]) == (403, "CoverUrl.NotOwner")
    status, library = call(videos_api, api_event("GET", "/videos"))
    assert library["videos"] == []


def test_a_pull_item_with_another_owners_frame_fails_at_once(videos_api: Any) -> None:
    items = [{"url": "https://93.184.215.14/a.mp4", "coverUrl": f"s3://{TEST_BUCKET}/{BOBS_FRAME}"}]

    status, answer = call(videos_api, api_event("POST", "/videos/pull", body={"items": items}))

    assert status == 202
    assert (answer["items"][0]["status"], answer["items"][0]["error"]["code"]) == (
        "UploadFail",
        "CoverUrl.NotOwner",
    )


@pytest.mark.parametrize("form", ["virtual-hosted", "path-style", "presigned"])
def test_pulling_from_the_media_bucket_is_refused_in_every_url_form(videos_api: Any, form: str) -> None:
    url = forms_of("uploads/bobs1/a.mp4")[form]

    status, answer = call(videos_api, api_event("POST", "/videos/pull", body={"items": [{"url": url}]}))

    assert status == 202
    assert answer["items"][0]["error"]["code"] == "SourceUrl.Forbidden"


def test_a_register_item_with_another_owners_frame_fails(videos_api: Any) -> None:
    boto3.client("s3").put_object(Bucket=TEST_BUCKET, Key="library/mine.mp4", Body=b"x")
    item = {"key": "library/mine.mp4", "coverUrl": f"s3://{TEST_BUCKET}/{BOBS_FRAME}"}

    status, answer = call(videos_api, api_event("POST", "/videos/register", body={"items": [item]}))

    assert status == 200
    assert [(f["key"], f["code"]) for f in answer["failed"]] == [("library/mine.mp4", "CoverUrl.NotOwner")]
    assert answer["registered"] == []


def test_another_owners_upload_cannot_be_registered_while_it_is_being_uploaded(videos_api: Any) -> None:
    given_a_video("bobs2", BOB, status=VideoStatus.UPLOADING)
    key = "uploads/bobs2/holiday.mp4"
    boto3.client("s3").put_object(Bucket=TEST_BUCKET, Key=key, Body=b"bob's video")

    status, answer = call(videos_api, api_event("POST", "/videos/register", body={"items": [{"key": key}]}))

    assert status == 200
    assert [(f["key"], f["code"]) for f in answer["failed"]] == [(key, "Register.AlreadyRegistered")]
    assert stored(keys.orphan_video_id(key)) is None
