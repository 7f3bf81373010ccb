"""The pull worker under moto: sources stream into ``uploads/``, failures leave nothing behind.

Sources are served by a loopback server (allow-listed, as an internal CDN would be); parts are
S3's 5 MiB minimum so a few MB exercise the multipart path.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from tests.conftest import TEST_BUCKET, TEST_REGION, TEST_TABLE, create_videos_table
from tests.support.apigw import FakeContext, load_function
from tests.unit.http_source import SourceServer, body, declared, endless
from vodcover import dependencies
from vodcover.domain.file_names import upload_file_name
from vodcover.domain.pull import fail_pull
from vodcover.jobs.pull import Outcome, PullJob, PullOptions
from vodcover.models import ErrorInfo, VideoRecord, VideoStatus, utc_now
from vodcover.net.url_policy import UrlPolicy, source_url_policy

MIB = 1024 * 1024
PART = 5 * MIB


@pytest.fixture(scope="module")
def moto_for_module() -> Iterator[None]:
    """Like conftest's ``aws``, started once: moto's setup costs more than these tests."""
    with mock_aws():
        boto3.client("s3", region_name=TEST_REGION).create_bucket(Bucket=TEST_BUCKET)
        create_videos_table(boto3.client("dynamodb", region_name=TEST_REGION))
        yield


@pytest.fixture
def server(moto_for_module: None) -> Iterator[SourceServer]:
    """The loopback source, with an empty bucket and table (every test that serves one needs them)."""
    dependencies.reset()
    with SourceServer() as running:
        yield running
    empty_bucket_and_table()


def empty_bucket_and_table() -> None:
    s3 = boto3.client("s3")
    for upload in dangling_uploads():
        s3.abort_multipart_upload(Bucket=TEST_BUCKET, Key=upload["Key"], UploadId=upload["UploadId"])
    for key in upload_keys():
        s3.delete_object(Bucket=TEST_BUCKET, Key=key)
    boto3.client("dynamodb").delete_item(TableName=TEST_TABLE, Key={"videoId": {"S": "v1"}})


def policy_for(server: SourceServer) -> UrlPolicy:
    return source_url_policy(UrlPolicy(allow_hosts=frozenset({server.authority}), media_bucket=TEST_BUCKET))


def job_for(server: SourceServer, *, max_bytes: int = 64 * MIB) -> PullJob:
    return PullJob(
        videos=dependencies.video_repository(),
        bucket=TEST_BUCKET,
        policy=policy_for(server),
        options=PullOptions(max_bytes=max_bytes, part_size=PART, stall_timeout=5.0),
    )


def given_video(status: VideoStatus = VideoStatus.UPLOADING, file_name: str = "clip.mp4") -> VideoRecord:
    now = utc_now()
    record = VideoRecord(
        video_id="v1", owner="alice", status=status, created_at=now, updated_at=now, file_name=file_name
    )
    outcome = dependencies.video_repository().update("v1", lambda current: record)
    assert outcome.record is not None
    return outcome.record


def stored_video() -> VideoRecord:
    record = dependencies.video_repository().get("v1")
    assert record is not None
    return record


def upload_keys() -> list[str]:
    answer = boto3.client("s3").list_objects_v2(Bucket=TEST_BUCKET, Prefix="uploads/")
    return [item["Key"] for item in answer.get("Contents", [])]


def dangling_uploads() -> list[Any]:
    return list(boto3.client("s3").list_multipart_uploads(Bucket=TEST_BUCKET).get("Uploads", []))


def source_bytes(size: int) -> bytes:
    """Random bytes, so a misplaced or repeated part cannot pass unnoticed."""
    return os.urandom(size)


def test_a_source_of_several_parts_lands_at_its_upload_key(server: SourceServer) -> None:
    # Given a video awaiting its pull and a 12 MiB source
    given_video()
    data = source_bytes(12 * MIB + 123)
    url = server.add("/media/holiday.mp4", body(data, "video/mp4"))

    # When the job runs
    result = job_for(server).run("v1", url)

    # Then the bytes are at uploads/{id}/{fileName}, written as a 3-part upload, none left open
    assert (result.outcome, result.key, result.size) == (Outcome.UPLOADED, "uploads/v1/clip.mp4", len(data))
    stored = boto3.client("s3").get_object(Bucket=TEST_BUCKET, Key="uploads/v1/clip.mp4")
    assert stored["Body"].read() == data
    assert stored["ContentType"] == "video/mp4"
    assert stored["ETag"].strip('"').endswith("-3")
    assert dangling_uploads() == []
    # and the record is left for the ObjectCreated trigger to move on
    assert stored_video().status == VideoStatus.UPLOADING


def test_a_small_source_is_one_put(server: SourceServer) -> None:
    given_video(file_name="")
    url = server.add("/small.mov", body(b"tiny video", "video/quicktime"))
    result = job_for(server).run("v1", url)
    assert result.key == "uploads/v1/small.mov"  # no recorded name: the source's own
    assert boto3.client("s3").get_object(Bucket=TEST_BUCKET, Key=result.key)["Body"].read() == b"tiny video"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/clip.mp4",  # loopback by another spelling than the allow-list's
        "https://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "s3://another-bucket/clip.mp4",
    ],
)
def test_a_forbidden_source_fails_the_upload_and_writes_nothing(server: SourceServer, url: str) -> None:
    given_video()
    server.add("/clip.mp4", body(b"never fetched"))
    job = PullJob(
        videos=dependencies.video_repository(),
        bucket=TEST_BUCKET,
        policy=source_url_policy(UrlPolicy(allow_hosts=frozenset(), media_bucket=TEST_BUCKET)),
        options=PullOptions(max_bytes=MIB, part_size=PART, stall_timeout=5.0),
    )

    result = job.run("v1", url.format(port=server.port))

    assert result.outcome == Outcome.FAILED
    record = stored_video()
    assert record.status == VideoStatus.UPLOAD_FAIL
    assert record.error is not None and record.error.code == "SourceUrl.Forbidden"
    assert upload_keys() == [] and dangling_uploads() == []
    assert server.requests == []


def test_a_source_over_the_cap_mid_stream_aborts_the_multipart_upload(server: SourceServer) -> None:
    # Given a source that never says its size and never ends, and a cap above one part
    given_video()
    url = server.add("/endless", endless())

    result = job_for(server, max_bytes=7 * MIB).run("v1", url)

    # Then a part was uploaded, the cap hit, and the upload aborted: nothing remains
    assert result.error is not None and result.error.code == "SourceUrl.TooLarge"
    assert stored_video().status == VideoStatus.UPLOAD_FAIL
    assert upload_keys() == [] and dangling_uploads() == []


def test_a_source_declaring_too_much_is_refused_before_reading(server: SourceServer) -> None:
    given_video()
    url = server.add("/big", declared(65 * MIB, b""))
    result = job_for(server).run("v1", url)
    assert result.error is not None and result.error.code == "SourceUrl.TooLarge"
    assert upload_keys() == [] and dangling_uploads() == []


def test_a_source_that_breaks_off_leaves_nothing(server: SourceServer) -> None:
    given_video()
    url = server.add("/broken", declared(12 * MIB, source_bytes(6 * MIB)))
    result = job_for(server).run("v1", url)
    assert result.error is not None and result.error.code == "SourceUrl.Unreachable"
    assert stored_video().status == VideoStatus.UPLOAD_FAIL
    assert upload_keys() == [] and dangling_uploads() == []


@pytest.mark.parametrize("status", [VideoStatus.UPLOAD_SUCC, VideoStatus.NORMAL, VideoStatus.UPLOAD_FAIL])
def test_a_video_not_uploading_is_left_alone(server: SourceServer, status: VideoStatus) -> None:
    before = given_video(status)
    url = server.add("/clip.mp4", body(b"late duplicate"))
    result = job_for(server).run("v1", url)
    assert result.outcome == Outcome.SKIPPED
    assert stored_video() == before
    assert server.requests == [] and upload_keys() == []


def test_a_missing_video_is_skipped(server: SourceServer) -> None:
    assert job_for(server).run("v1", server.add("/a", body(b"a"))).outcome == Outcome.SKIPPED
    assert upload_keys() == []


def test_only_an_uploading_record_can_fail_this_way() -> None:
    now = utc_now()
    error = ErrorInfo(code="SourceUrl.Unreachable", message="gone")
    uploading = VideoRecord(video_id="v", status=VideoStatus.UPLOADING, created_at=now, updated_at=now)
    failed = fail_pull(uploading, error=error, now=now)
    assert failed is not None and (failed.status, failed.error) == (VideoStatus.UPLOAD_FAIL, error)
    for status in set(VideoStatus) - {VideoStatus.UPLOADING}:
        assert fail_pull(uploading.changed(status=status), error=error, now=now) is None
    assert fail_pull(None, error=error, now=now) is None


@pytest.mark.parametrize(
    ("recorded", "from_source", "expected"),
    [
        ("holiday clip.mp4", "x.mp4", "holiday clip.mp4"),
        ("../../x.mp4", "y.mp4", "x.mp4"),
        ("..", "y.mp4", "y.mp4"),
        ("", "y.mp4", "y.mp4"),
        ("a\nb.mp4", "y.mp4", "a_b.mp4"),
    ],
)
def test_upload_file_names_never_act_as_paths(recorded: str, from_source: str, expected: str) -> None:
    assert upload_file_name(recorded, from_source) == expected


def test_the_handler_runs_the_job_from_the_async_event(
    server: SourceServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VODCOVER_COVER_URL_ALLOW_HOSTS", server.authority)
    dependencies.reset()
    given_video()
    url = server.add("/clip.mp4", body(b"from the handler", "video/mp4"))
    handler = load_function("pull_worker")

    answer = handler.lambda_handler({"videoId": "v1", "url": url}, FakeContext())

    assert answer == {"videoId": "v1", "outcome": "uploaded"}
    assert upload_keys() == ["uploads/v1/clip.mp4"]


def test_a_storage_failure_ends_in_upload_fail_not_a_record_stuck_uploading(server: SourceServer) -> None:
    # Given S3 refusing the upload even after botocore's own retries
    given_video()
    url = server.add("/clip.mp4", body(source_bytes(1024), "video/mp4"))

    def refusing_uploader(*args: Any, **kwargs: Any) -> int:
        raise ClientError(
            {"Error": {"Code": "SlowDown", "Message": "Please reduce your request rate."}}, "PutObject"
        )

    job = PullJob(
        videos=dependencies.video_repository(),
        bucket=TEST_BUCKET,
        policy=policy_for(server),
        options=PullOptions(max_bytes=64 * MIB, part_size=PART, stall_timeout=5.0),
        uploader=refusing_uploader,
    )
    # When the pull runs
    result = job.run("v1", url)
    # Then the video says why it failed, and nothing was stored
    assert result.error is not None and result.error.code == "Pull.StorageFailed"
    record = stored_video()
    assert record.status == VideoStatus.UPLOAD_FAIL and record.error == result.error
    assert upload_keys() == []
