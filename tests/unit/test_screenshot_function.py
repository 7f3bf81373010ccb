"""The screenshot function end to end on real video: S3 event in, snapshots and cover out.

moto runs as a real HTTP server here, because ffmpeg reads the upload through a presigned URL
exactly as it does on Lambda (a URL that in-process mocking could not serve).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import boto3
import pytest

from tests.conftest import TEST_BUCKET
from tests.support.apigw import FakeContext, load_function
from vodcover import dependencies
from vodcover.models import CoverSource, StoredCover, VideoRecord, VideoStatus, utc_now
from vodcover_dev.samples import make_audio_only, make_corrupt, make_sample_video

pytestmark = pytest.mark.media

EVENT_FIXTURE = Path(__file__).resolve().parents[2] / "events" / "s3-put-uploads.json"
OWNER = "arn:aws:iam::123456789012:user/alice"


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("screenshot-videos")
    return {
        "good": make_sample_video(
            folder / "good.mp4", duration=6, width=640, height=360, black_intro=2, scenes=3
        ),
        "corrupt": make_corrupt(folder / "corrupt.mp4"),
        "audio": make_audio_only(folder / "audio.mp4"),
    }


@pytest.fixture
def screenshot() -> Any:
    return load_function("screenshot")


def upload(key: str, path: Path | None, body: bytes | None = None) -> dict[str, Any]:
    """Put the object and return the S3 event S3 would send, from the events/ fixture."""
    data = path.read_bytes() if path is not None else (body or b"")
    answer = boto3.client("s3").put_object(Bucket=TEST_BUCKET, Key=key, Body=data)
    event = copy.deepcopy(json.loads(EVENT_FIXTURE.read_text()))
    record = event["Records"][0]
    record["s3"]["bucket"]["name"] = TEST_BUCKET
    record["s3"]["object"].update(key=quote_plus(key), size=len(data), eTag=answer["ETag"].strip('"'))
    return event


def stored(video_id: str) -> VideoRecord:
    record = dependencies.video_repository().get(video_id)
    assert record is not None
    return record


def keys_under(prefix: str) -> list[str]:
    return dependencies.media_store().list_keys(prefix)


def given_an_upload_record(video_id: str) -> None:
    now = utc_now()
    record = VideoRecord(
        video_id=video_id,
        owner=OWNER,
        title="Trip",
        status=VideoStatus.UPLOADING,
        created_at=now,
        updated_at=now,
    )
    dependencies.video_repository().update(video_id, lambda _current: record)


@pytest.mark.usefixtures("aws_server")
def test_an_upload_gets_snapshots_and_a_cover_that_is_not_the_black_intro(
    screenshot: Any, videos: Any
) -> None:
    given_an_upload_record("trip1")
    event = upload("uploads/trip1/My Trip été+1.mp4", videos["good"])

    answer = screenshot.lambda_handler(event, FakeContext())

    assert answer == {"results": [{"videoId": "trip1", "outcome": "processed"}]}
    record = stored("trip1")
    assert record.status == VideoStatus.NORMAL and record.owner == OWNER
    assert record.media is not None and (record.media.width, record.media.height) == (640, 360)
    assert len(record.snapshots) == 8
    assert record.cover is not None and record.cover.source == CoverSource.SNAPSHOT
    assert (
        record.snapshots[0].time < 2.0 <= next(s.time for s in record.snapshots if s.key == record.cover.key)
    )
    assert sorted(keys_under("snapshots/trip1/")) == sorted(s.key for s in record.snapshots)


@pytest.mark.usefixtures("aws_server")
def test_the_same_event_twice_yields_the_same_record_and_no_duplicate_objects(
    screenshot: Any, videos: Any
) -> None:
    given_an_upload_record("twice")
    event = upload("uploads/twice/clip.mp4", videos["good"])
    screenshot.lambda_handler(event, FakeContext())
    first = stored("twice")

    answer = screenshot.lambda_handler(event, FakeContext())

    assert answer["results"][0]["outcome"] == "skipped"
    assert stored("twice") == first
    assert len(keys_under("snapshots/twice/")) == len(first.snapshots)


@pytest.mark.usefixtures("aws_server")
def test_a_person_cover_set_before_the_job_finishes_is_kept(screenshot: Any, videos: Any) -> None:
    given_an_upload_record("early")
    person = StoredCover(
        key="covers/early/abc.png", source=CoverSource.USER, width=64, height=64, updated_at=utc_now()
    )
    dependencies.video_repository().update("early", lambda c: c.changed(cover=person) if c else None)
    event = upload("uploads/early/clip.mp4", videos["good"])

    screenshot.lambda_handler(event, FakeContext())

    record = stored("early")
    assert record.status == VideoStatus.NORMAL and len(record.snapshots) == 8
    assert record.cover == person


@pytest.mark.usefixtures("aws_server")
def test_an_object_outside_the_flow_gets_a_record_owned_by_nobody(screenshot: Any, videos: Any) -> None:
    event = upload("uploads/dropped in by hand.mp4", videos["good"])

    answer = screenshot.lambda_handler(event, FakeContext())

    video_id = answer["results"][0]["videoId"]
    record = stored(video_id)
    assert record.owner is None and record.status == VideoStatus.NORMAL
    assert screenshot.lambda_handler(event, FakeContext())["results"][0]["videoId"] == video_id


@pytest.mark.usefixtures("aws_server")
@pytest.mark.parametrize(
    ("name", "code"),
    [("corrupt", "Media.Corrupt"), ("audio", "Media.NoVideoStream"), ("empty", "Media.Empty")],
)
def test_bad_videos_end_in_process_fail_with_a_code_and_nothing_half_written(
    screenshot: Any, videos: Any, name: str, code: str
) -> None:
    given_an_upload_record(f"bad{name}")
    path = None if name == "empty" else videos[name]
    event = upload(f"uploads/bad{name}/clip.mp4", path, body=b"")

    answer = screenshot.lambda_handler(event, FakeContext())

    assert answer["results"][0]["outcome"] == "failed"
    record = stored(f"bad{name}")
    assert record.status == VideoStatus.PROCESS_FAIL
    assert record.error is not None and record.error.code == code
    assert record.snapshots == [] and record.cover is None
    assert keys_under(f"snapshots/bad{name}/") == []


@pytest.mark.usefixtures("aws_server")
def test_objects_outside_uploads_are_ignored(screenshot: Any) -> None:
    event = json.loads((EVENT_FIXTURE.parent / "s3-put-outside-prefix.json").read_text())

    assert screenshot.lambda_handler(event, FakeContext()) == {"results": []}


# --- issue 16: immutable objects, renditions of the default cover, the embed copy ----------------------
@pytest.mark.usefixtures("aws_server")
def test_every_image_written_is_immutable_typed_and_the_cover_has_renditions_and_an_embed_copy(
    screenshot: Any, videos: Any
) -> None:
    from PIL import Image

    given_an_upload_record("cdn1")
    screenshot.lambda_handler(upload("uploads/cdn1/clip.mp4", videos["good"]), FakeContext())

    record = stored("cdn1")
    assert record.cover is not None and record.cover.placeholder is not None
    assert {r.aspect for r in record.cover.renditions} == {"original", "1:1", "9:16"}
    s3 = boto3.client("s3")
    written = [k for prefix in ("snapshots/", "covers/", "embed/") for k in keys_under(prefix + "cdn1")]
    assert set(written) == record.derived_keys | {"embed/cdn1"}  # nothing that no record names
    formats = {"JPEG": "image/jpeg", "WEBP": "image/webp", "AVIF": "image/avif"}
    for key in written:
        answer = s3.get_object(Bucket=TEST_BUCKET, Key=key)
        expected = "public, max-age=30" if key.startswith("embed/") else "public, max-age=31536000, immutable"
        assert answer["CacheControl"] == expected, key
        with Image.open(answer["Body"]) as picture:  # the stored type is what the bytes are
            assert formats[str(picture.format)] == answer["ContentType"], key
    cover_bytes = s3.get_object(Bucket=TEST_BUCKET, Key=record.cover.key)["Body"].read()
    assert s3.get_object(Bucket=TEST_BUCKET, Key="embed/cdn1")["Body"].read() == cover_bytes


@pytest.mark.usefixtures("aws_server")
def test_a_replaced_video_leaves_no_image_of_the_old_one(
    screenshot: Any, videos: Any, tmp_path: Path
) -> None:
    given_an_upload_record("again")
    screenshot.lambda_handler(upload("uploads/again/clip.mp4", videos["good"]), FakeContext())
    old = stored("again")
    other = make_sample_video(tmp_path / "other.mp4", duration=4, width=320, height=180, scenes=2)

    screenshot.lambda_handler(upload("uploads/again/clip.mp4", other), FakeContext())

    new = stored("again")
    # only the old cover stays, as an entry of the cover history a person may go back to
    assert new.source != old.source and old.derived_keys & new.derived_keys == {old.cover.key}  # type: ignore[union-attr]
    assert [entry.key for entry in new.cover_history] == [new.cover.key, old.cover.key]  # type: ignore[union-attr]
    left = set(keys_under("snapshots/again/")) | set(keys_under("covers/again/"))
    assert left == new.derived_keys
