"""No job leaves a record waiting for ever: tiny frames are judged, failures of ours are recorded.

Issue 11, item 1: a video whose frame has a side under ~6 px made the frame scorer raise
``ValueError``; the screenshot job turned only named errors into a status, so Lambda retried,
parked the event and the record stayed ``Processing``. Here real tiny videos (made with the
bundled ffmpeg) go through the screenshot function on moto's server, and an unexpected exception
is injected through a broken dependency into every job: each ends in its failure status with
``Internal.Unexpected``, and a retry after the fault is gone ends correct over it.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.conftest import TEST_BUCKET, TEST_TABLE, create_videos_table
from tests.support.apigw import FakeContext, load_function
from tests.support.uploads import given_an_upload
from vodcover import dependencies
from vodcover.dal.aws import client
from vodcover.dal.videos import DynamoVideoRepository
from vodcover.domain import keys
from vodcover.domain.videos import new_upload_record
from vodcover.errors import InternalUnexpected
from vodcover.jobs.pull import PullJob, PullOptions
from vodcover.jobs.smart_cover import SmartCoverJob, SmartCoverOptions
from vodcover.media import snapshots
from vodcover.media.cover_image import CoverLimits
from vodcover.media.ffmpeg import ffmpeg_executable
from vodcover.models import SmartStatus, VideoRecord, VideoStatus, utc_now
from vodcover.net.fetch import SourceStream
from vodcover.net.url_policy import UrlPolicy
from vodcover_dev.samples import make_sample_video

pytestmark = pytest.mark.media

OWNER = "arn:aws:iam::123456789012:user/alice"
TINY_SIZES = [(1, 1), (2, 2), (1920, 4), (4, 1920), (1920, 1), (1, 1920), (7, 7), (3, 5), (33, 17)]


@pytest.fixture(autouse=True)
def aws_on_moto(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("VODCOVER_SNAPSHOT_COUNT", "3")
    dependencies.reset()
    s3 = boto3.client("s3", endpoint_url=moto_endpoint)
    if TEST_BUCKET not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        s3.create_bucket(Bucket=TEST_BUCKET)
        create_videos_table(boto3.client("dynamodb", endpoint_url=moto_endpoint))
    yield
    dependencies.reset()


def make_tiny_video(path: Path, width: int, height: int) -> Path:
    """3 s of a moving test pattern at ``width``x``height`` (yuv444p: H.264 allows odd sizes then)."""
    source = f"testsrc2=size=64x64:rate=10:duration=3,scale={width}:{height},setsar=1"
    subprocess.run(
        [
            ffmpeg_executable(),
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            source,
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv444p",
            "-g",
            "10",
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return path


@pytest.fixture(scope="module")
def tiny_videos(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[int, int], bytes]:
    folder = tmp_path_factory.mktemp("tiny")
    return {
        size: make_tiny_video(folder / f"{size[0]}x{size[1]}.mp4", *size).read_bytes() for size in TINY_SIZES
    }


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("plain") / "clip.mp4"
    return make_sample_video(path, duration=3, width=320, height=180, scenes=2).read_bytes()


def stored(video_id: str) -> VideoRecord:
    record = DynamoVideoRepository(TEST_TABLE).get(video_id)
    assert record is not None
    return record


def object_exists(key: str) -> bool:
    return bool(client("s3").list_objects_v2(Bucket=TEST_BUCKET, Prefix=key).get("KeyCount"))


# --- tiny frames ------------------------------------------------------------------------------
@pytest.mark.parametrize("size", TINY_SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_a_tiny_video_ends_normal_with_a_cover_or_refused_with_a_media_code(
    tiny_videos: dict[tuple[int, int], bytes], size: tuple[int, int]
) -> None:
    video_id, event = given_an_upload(tiny_videos[size])

    answer = load_function("screenshot").lambda_handler(event, FakeContext())

    record = stored(video_id)
    assert record.status in (VideoStatus.NORMAL, VideoStatus.PROCESS_FAIL), record.status
    if record.status == VideoStatus.NORMAL:
        assert answer["results"] == [{"videoId": video_id, "outcome": "processed"}]
        assert record.cover is not None and object_exists(record.cover.key)
        assert record.snapshots and all(s.width >= 1 and s.height >= 1 for s in record.snapshots)
        assert record.media is not None and (record.media.width, record.media.height) == size
    else:
        assert record.error is not None and record.error.code.startswith("Media."), record.error


# --- an unexpected exception in each job -------------------------------------------------------
def test_a_bug_in_the_scorer_ends_process_fail_and_the_retry_after_the_fix_ends_normal(
    clip: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The frame scorer is broken the way a 1x1 frame once broke it: a ``ValueError`` from Pillow."""
    video_id, event = given_an_upload(clip)
    screenshot = load_function("screenshot")
    working_scorer = snapshots.score_frame

    def broken_scorer(image: Any) -> Any:
        image.resize((image.width, 0))  # Pillow: height and width must be > 0
        raise AssertionError("unreachable")

    monkeypatch.setattr(snapshots, "score_frame", broken_scorer)
    with pytest.raises(ValueError, match="must be > 0"):
        screenshot.lambda_handler(event, FakeContext())  # raised: Lambda will retry the event

    record = stored(video_id)
    assert record.status == VideoStatus.PROCESS_FAIL
    assert record.error is not None and record.error.code == InternalUnexpected.code
    assert "must be > 0" not in record.error.message  # internals go to the logs, not to users

    # Lambda's retry, once the fault is gone (a redriven event after a fix is the same call).
    monkeypatch.setattr(snapshots, "score_frame", working_scorer)
    answer = screenshot.lambda_handler(event, FakeContext())

    assert answer["results"] == [{"videoId": video_id, "outcome": "processed"}]
    record = stored(video_id)
    assert record.status == VideoStatus.NORMAL and record.error is None and record.cover is not None


def test_a_verdict_is_final_and_is_not_overtaken_by_a_redelivery(clip: bytes) -> None:
    video_id, event = given_an_upload(b"\x00not a video at all" * 100)
    screenshot = load_function("screenshot")
    screenshot.lambda_handler(event, FakeContext())
    first = stored(video_id)
    assert first.status == VideoStatus.PROCESS_FAIL and first.error is not None
    assert first.error.code.startswith("Media.")

    answer = screenshot.lambda_handler(event, FakeContext())

    assert answer["results"] == [{"videoId": video_id, "outcome": "skipped"}]
    assert stored(video_id).version == first.version


class _BrokenUploader:
    """A chunk uploader with a bug: it treats the chunk iterator as a list."""

    def __init__(self) -> None:
        self.fixed = False

    def __call__(
        self, bucket: str, key: str, chunks: Iterable[bytes], *, content_type: str, part_size: int
    ) -> int:
        if not self.fixed:
            return len(chunks[0])  # type: ignore[index]  # the bug: TypeError, generators have no [0]
        body = b"".join(chunks)
        client("s3").put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)
        return len(body)


class _OneChunkSource(AbstractContextManager["_OneChunkSource"]):
    file_name = "clip.mp4"
    content_type = "video/mp4"

    def __exit__(self, *exc: object) -> None:
        return None

    def iter_chunks(self, size: int) -> Iterator[bytes]:
        yield b"x" * 1000


def test_a_bug_in_the_pull_worker_ends_upload_fail_and_the_retry_ends_uploaded() -> None:
    video_id = keys.new_video_id()
    record = new_upload_record(
        video_id=video_id,
        owner=OWNER,
        title="t",
        file_name="clip.mp4",
        description="",
        tags=[],
        cover_url=None,
        now=utc_now(),
    )
    DynamoVideoRepository(TEST_TABLE).update(video_id, lambda current: record)
    uploader = _BrokenUploader()
    job = PullJob(
        videos=dependencies.video_repository(),
        bucket=TEST_BUCKET,
        policy=UrlPolicy(allow_hosts=frozenset(), media_bucket=TEST_BUCKET),
        options=PullOptions(max_bytes=10_000, part_size=5 * 1024 * 1024, stall_timeout=5.0),
        opener=lambda url, policy, **_: _as_stream(_OneChunkSource()),
        uploader=uploader,
    )

    with pytest.raises(TypeError):
        job.run(video_id, "https://videos.example.com/clip.mp4")

    failed = stored(video_id)
    assert failed.status == VideoStatus.UPLOAD_FAIL
    assert failed.error is not None and failed.error.code == InternalUnexpected.code

    uploader.fixed = True
    result = job.run(video_id, "https://videos.example.com/clip.mp4")  # Lambda's retry

    assert str(result.outcome) == "uploaded" and result.key is not None and object_exists(result.key)


def _as_stream(source: _OneChunkSource) -> AbstractContextManager[SourceStream]:
    return source  # type: ignore[return-value]  # the parts of SourceStream the job reads


def test_a_bug_in_the_smart_cover_analysis_ends_failed_and_the_retry_ends_done(clip: bytes) -> None:
    video_id, event = given_an_upload(clip)
    load_function("screenshot").lambda_handler(event, FakeContext())
    assert stored(video_id).status == VideoStatus.NORMAL
    calls: list[int] = []

    def selector_with_a_bug(source: str, **_: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            return {}["candidates"]  # KeyError
        from vodcover.media.smart import select_candidates

        return select_candidates(source, **_)

    job = SmartCoverJob(
        videos=dependencies.video_repository(),
        store=dependencies.media_store(),
        events=dependencies.event_publisher(),
        select=selector_with_a_bug,
        animate=None,
        options=SmartCoverOptions(count=2, width=0, quality=80, limits=CoverLimits(), animated=False),
    )

    with pytest.raises(KeyError):
        job.run(video_id, timeout=60)
    smart = stored(video_id).smart_cover
    assert smart is not None and smart.status == SmartStatus.FAILED
    assert smart.error is not None and smart.error.code == InternalUnexpected.code
    assert stored(video_id).status == VideoStatus.NORMAL  # the video itself is fine

    job.run(video_id, timeout=60)  # Lambda's retry

    smart = stored(video_id).smart_cover
    assert smart is not None and smart.status == SmartStatus.DONE and smart.candidates


class _SmartContext(FakeContext):
    def get_remaining_time_in_millis(self) -> int:
        return 120_000


@pytest.mark.parametrize("size", [(1, 1), (1920, 4), (4, 1920)], ids=lambda size: f"{size[0]}x{size[1]}")
def test_smart_cover_on_a_tiny_video_ends_done_or_failed_with_a_media_code(
    tiny_videos: dict[tuple[int, int], bytes], size: tuple[int, int]
) -> None:
    video_id, event = given_an_upload(tiny_videos[size])
    load_function("screenshot").lambda_handler(event, FakeContext())
    assert stored(video_id).status == VideoStatus.NORMAL

    load_function("smart_cover").lambda_handler({"videoId": video_id}, _SmartContext())

    smart = stored(video_id).smart_cover
    assert smart is not None and smart.status in (SmartStatus.DONE, SmartStatus.FAILED), smart
    if smart.status == SmartStatus.FAILED:
        assert smart.error is not None and smart.error.code.startswith("Media."), smart.error
    for candidate in smart.candidates:
        assert object_exists(candidate.key)
