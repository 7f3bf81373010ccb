"""Deleting videos (DELETE /videos/{id}, POST /videos/delete) under moto, with real proxy events.

Given a video with objects in every folder (several versions of some), when its owner deletes
it, then the record and every version of every object are gone, other videos keep theirs, and a
late S3 event for the video's upload brings nothing back.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tests.conftest import TEST_BUCKET, TEST_TABLE
from tests.support.apigw import api_event, call, load_function
from vodcover import dependencies
from vodcover.dal.videos import DynamoVideoRepository
from vodcover.domain import keys
from vodcover.jobs.outcomes import Outcome
from vodcover.models import CoverSource, SourceObject, StoredCover, VideoRecord, VideoStatus, utc_now

ALICE = "arn:aws:iam::123456789012:user/alice"
BOB = "arn:aws:iam::123456789012:user/bob"

pytestmark = pytest.mark.usefixtures("aws")


@pytest.fixture
def videos_api() -> Any:
    dependencies.reset()
    return load_function("videos_api")


@pytest.fixture
def s3() -> Any:
    client = boto3.client("s3")
    client.put_bucket_versioning(Bucket=TEST_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    return client


def given_a_video_with_objects(s3: Any, owner: str = ALICE) -> tuple[str, list[str]]:
    video_id = keys.new_video_id()
    upload = keys.upload_key(video_id, "clip.mp4")
    stored = [
        upload,
        keys.snapshot_key(video_id, 0, b"a"),
        keys.snapshot_key(video_id, 1, b"b"),
        f"covers/{video_id}/abc-1.jpg",
        keys.smart_key(video_id, 0, b"c"),
        keys.animated_key(video_id, b"d", "gif"),
        keys.storyboard_vtt_key(video_id, "r1"),
        keys.embed_key(video_id),
    ]
    for key in stored:
        s3.put_object(Bucket=TEST_BUCKET, Key=key, Body=b"first")
    s3.put_object(Bucket=TEST_BUCKET, Key=stored[1], Body=b"second")  # a noncurrent version too
    s3.delete_object(Bucket=TEST_BUCKET, Key=f"covers/{video_id}/old-0.jpg")  # a delete marker
    now = utc_now()
    record = VideoRecord(
        video_id=video_id,
        owner=owner,
        title="Holiday",
        status=VideoStatus.NORMAL,
        created_at=now,
        updated_at=now,
        file_name="clip.mp4",
        source=SourceObject(key=upload, size=5, etag="e"),
        cover=StoredCover(key=stored[3], source=CoverSource.USER, width=2, height=2, updated_at=now),
    )
    DynamoVideoRepository(TEST_TABLE).update(video_id, lambda current: record)
    return video_id, stored


def versions_under(s3: Any, video_id: str) -> list[str]:
    found = []
    for prefix in [*keys.video_prefixes(video_id), keys.embed_key(video_id)]:
        answer = s3.list_object_versions(Bucket=TEST_BUCKET, Prefix=prefix)
        found += [v["Key"] for v in answer.get("Versions", []) + answer.get("DeleteMarkers", [])]
    return found


def test_deleting_a_video_removes_the_record_and_every_version_of_its_objects(
    videos_api: Any, s3: Any
) -> None:
    video_id, _ = given_a_video_with_objects(s3)
    other_id, other_keys = given_a_video_with_objects(s3)

    status, body = call(videos_api, api_event("DELETE", f"/videos/{video_id}"))

    assert status == 204 and body in (None, "", {})
    status, answer = call(videos_api, api_event("GET", f"/videos/{video_id}"))
    assert status == 404 and answer["error"]["code"] == "InvalidVideo.NotFound"
    assert versions_under(s3, video_id) == []
    assert set(other_keys) <= set(versions_under(s3, other_id))
    status, library = call(videos_api, api_event("GET", "/videos"))
    assert [v["videoId"] for v in library["videos"]] == [other_id]


def test_deleting_again_succeeds_but_only_for_the_owner_and_never_for_unknown_ids(
    videos_api: Any, s3: Any
) -> None:
    video_id, _ = given_a_video_with_objects(s3)
    assert call(videos_api, api_event("DELETE", f"/videos/{video_id}", caller=BOB))[1]["error"]["code"] == (
        "Forbidden.NotOwner"
    )
    assert call(videos_api, api_event("DELETE", f"/videos/{video_id}"))[0] == 204

    assert call(videos_api, api_event("DELETE", f"/videos/{video_id}"))[0] == 204
    status, answer = call(videos_api, api_event("DELETE", f"/videos/{video_id}", caller=BOB))
    assert status == 404 and answer["error"]["code"] == "InvalidVideo.NotFound"
    status, answer = call(videos_api, api_event("DELETE", f"/videos/{keys.new_video_id()}"))
    assert status == 404 and answer["error"]["code"] == "InvalidVideo.NotFound"


def test_a_late_upload_event_of_a_deleted_video_brings_nothing_back(videos_api: Any, s3: Any) -> None:
    from vodcover.media.snapshots import capture_snapshots

    screenshot = load_function("screenshot")
    video_id, stored = given_a_video_with_objects(s3)
    assert call(videos_api, api_event("DELETE", f"/videos/{video_id}"))[0] == 204
    late = s3.put_object(Bucket=TEST_BUCKET, Key=stored[0], Body=b"late bytes")  # an old upload URL

    job = screenshot.build_job()
    assert job._capture is capture_snapshots
    resolved = job.resolve_video_id(stored[0])
    result = job.run(stored[0], video_id=resolved, size=10, etag=late["ETag"].strip('"'), timeout=30)

    assert resolved == video_id and result.outcome == Outcome.SKIPPED
    assert DynamoVideoRepository(TEST_TABLE).get(video_id) is None
    assert versions_under(s3, video_id) == []
    assert call(videos_api, api_event("GET", f"/videos/{video_id}"))[0] == 404


def test_batch_delete_answers_per_item(videos_api: Any, s3: Any) -> None:
    mine, _ = given_a_video_with_objects(s3)
    theirs, _ = given_a_video_with_objects(s3, owner=BOB)
    unknown = keys.new_video_id()

    status, answer = call(
        videos_api, api_event("POST", "/videos/delete", body={"videoIds": [mine, theirs, unknown, mine]})
    )

    assert status == 200
    assert answer == {
        "deleted": [mine],
        "nonExistVideoIds": [unknown],
        "forbiddenVideoIds": [theirs],
        "failed": [],
    }
    assert versions_under(s3, mine) == [] and versions_under(s3, theirs) != []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"videoIds": []}, "InvalidParameter.VideoIds"),
        ({"videoIds": ["a"] * 21}, "Batch.TooLarge"),
        ({"videoIds": ["../x"]}, "InvalidParameter.VideoIds"),
        ({"ids": ["a"]}, "InvalidParameter.VideoIds"),
    ],
)
def test_batch_delete_refuses_bad_bodies_with_a_stable_code(videos_api: Any, body: Any, code: str) -> None:
    status, answer = call(videos_api, api_event("POST", "/videos/delete", body=body))

    assert status == 400 and answer["error"]["code"] == code
