"""The smart-cover function end to end under moto's server: real media through a presigned URL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from tests.conftest import TEST_BUCKET, create_videos_table
from tests.support.apigw import FakeContext, load_function
from tests.support.smart_clips import Part, make_clip
from vodcover import dependencies
from vodcover.dal.videos import to_item
from vodcover.models import CoverSource, SmartStatus, SourceObject, StoredCover, VideoRecord, VideoStatus

pytestmark = [pytest.mark.media, pytest.mark.integration]

NOW = "2026-11-25T12:00:00.000Z"
VIDEO_KEY = "uploads/v1/clip.mp4"


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("smart-job") / "clip.mp4"
    make_clip(path, [Part("black", 1.0), Part("scene", 3.0, 0), Part("title", 1.0), Part("scene", 3.0, 1)])
    return path


@pytest.fixture
def stack(moto_endpoint: str, clip: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("VODCOVER_CANDIDATE_COUNT", "3")
    dependencies.reset()
    s3, dynamodb = boto3.client("s3"), boto3.client("dynamodb")
    s3.create_bucket(Bucket=TEST_BUCKET)
    if "vodcover-test-videos" not in dynamodb.list_tables()["TableNames"]:
        create_videos_table(dynamodb)
    s3.upload_file(str(clip), TEST_BUCKET, VIDEO_KEY)
    yield
    dependencies.reset()


def store_record(cover_source: CoverSource) -> None:
    record = VideoRecord(
        video_id="v1",
        owner="alice",
        status=VideoStatus.NORMAL,
        version=1,
        created_at=NOW,
        updated_at=NOW,
        source=SourceObject(key=VIDEO_KEY, size=1, etag="e"),
        cover=StoredCover(key="covers/v1/x.jpg", source=cover_source, width=320, height=180, updated_at=NOW),
    )
    boto3.resource("dynamodb").Table("vodcover-test-videos").put_item(Item=to_item(record))


class SlowFunctionContext(FakeContext):
    def get_remaining_time_in_millis(self) -> int:
        return 120_000


def invoke(video_id: str = "v1") -> dict[str, str]:
    handler = load_function("smart_cover")
    answer: dict[str, str] = handler.lambda_handler({"videoId": video_id}, SlowFunctionContext())
    return answer


def test_given_a_normal_video_when_the_function_runs_then_candidates_animation_and_cover_are_stored(
    stack: None,
) -> None:
    store_record(CoverSource.SNAPSHOT)

    answer = invoke()

    assert answer == {"videoId": "v1", "outcome": "processed"}
    record = dependencies.video_repository().get("v1")
    assert record is not None and record.smart_cover is not None
    assert record.smart_cover.status == SmartStatus.DONE
    keys = [c.key for c in record.smart_cover.candidates]
    # content-addressed: index and digest of the bytes (issue 16)
    assert all(re.fullmatch(rf"smart/v1/{i}-[0-9a-f]{{32}}\.jpg", k) for i, k in enumerate(keys)), keys
    assert 1 <= len(keys) <= 2
    animated = record.smart_cover.animated
    assert animated is not None
    assert re.fullmatch(r"animated/v1/[0-9a-f]{32}\.gif", animated.gif)
    assert re.fullmatch(r"animated/v1/[0-9a-f]{32}\.webp", animated.webp)
    stored = set(dependencies.media_store().list_keys("smart/v1/")) | set(
        dependencies.media_store().list_keys("animated/v1/")
    )
    assert stored == {*keys, animated.gif, animated.webp}
    assert record.cover is not None and (record.cover.key, record.cover.source) == (
        keys[0],
        CoverSource.SMART,
    )
    # the smart cover got its renditions, and they and the snapshot cover's are all that covers/ holds
    assert record.cover.renditions and record.cover.placeholder is not None
    assert set(dependencies.media_store().list_keys("covers/v1/")) == {r.key for r in record.cover.renditions}


def test_given_a_person_chose_the_cover_when_the_function_runs_twice_then_the_cover_stays_and_results_repeat(
    stack: None,
) -> None:
    store_record(CoverSource.USER)

    first = invoke()
    after_first = dependencies.video_repository().get("v1")
    second = invoke()
    after_second = dependencies.video_repository().get("v1")

    assert first["outcome"] == second["outcome"] == "processed"
    assert after_first is not None and after_second is not None
    assert after_second.cover is not None and after_second.cover.source == CoverSource.USER
    assert after_second.smart_cover == after_first.smart_cover
