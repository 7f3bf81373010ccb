"""Faults: ffmpeg crashing or hanging, S3 cutting a read halfway, DynamoDB throttling and
refusing conditional writes, EventBridge failing, a cover write refused after its image was stored.

Each job ends either retried-and-correct (Lambda retries an asynchronous invocation that raises:
here, the handler is called again with the same event) or decided in ``ProcessFail`` with a
reason; and nothing is half-written: no record names an object that does not exist, and no
object is left that no record names.

AWS is moto's server (real HTTP, so ffmpeg reads real presigned URLs); faults are injected with
botocore's ``before-send`` hook, which answers a request in place of the server, so botocore's
own retry logic sees them exactly as it would see AWS's.
"""

from __future__ import annotations

import json
import socket
import stat
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import boto3
import pytest
import requests
from botocore.awsrequest import AWSResponse

from tests.conftest import TEST_BUCKET, TEST_TABLE, create_videos_table
from tests.reliability import media_corpus as corpus
from tests.support.apigw import FakeContext, api_event, call, load_function
from tests.support.uploads import given_an_upload
from vodcover import dependencies
from vodcover.dal.aws import client
from vodcover.dal.objects import MediaStore
from vodcover.dal.videos import DynamoVideoRepository
from vodcover.domain import keys
from vodcover.domain.videos import new_upload_record
from vodcover.errors import MediaUnavailable, PublishFailed
from vodcover.media import ffmpeg
from vodcover.models import VideoRecord, VideoStatus, utc_now

pytestmark = pytest.mark.media

OWNER = "arn:aws:iam::123456789012:user/alice"
INJECTED: dict[str, int] = {}


# --- moto's server, shared by the module ---------------------------------------------------------


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


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return corpus.plain_clip(tmp_path_factory.mktemp("faults") / "clip.mp4").read_bytes()


@pytest.fixture
def screenshot() -> Any:
    return load_function("screenshot")


def count(fault: str) -> None:
    INJECTED[fault] = INJECTED.get(fault, 0) + 1


# --- helpers --------------------------------------------------------------------------------------
def stored(video_id: str) -> VideoRecord:
    record = DynamoVideoRepository(TEST_TABLE).get(video_id)
    assert record is not None
    return record


def objects_of(video_id: str) -> list[str]:
    found: list[str] = []
    for prefix in ("snapshots/", "covers/", "smart/", "animated/"):
        found += MediaStore(TEST_BUCKET, url_ttl_seconds=60).list_keys(f"{prefix}{video_id}/")
    return sorted(found)


def assert_nothing_half_written(video_id: str) -> VideoRecord:
    """Every key the record names exists, and every object of the video is named by the record."""
    record = stored(video_id)
    named = {s.key for s in record.snapshots}
    if record.cover is not None:
        named.update(record.cover.keys)  # the cover and its renditions (issue 16)
    assert sorted(named) == objects_of(video_id), (sorted(named), objects_of(video_id))
    return record


def assert_processed(video_id: str) -> VideoRecord:
    record = assert_nothing_half_written(video_id)
    assert record.status == VideoStatus.NORMAL and record.error is None
    assert 1 <= len(record.snapshots) <= 3 and len({s.key for s in record.snapshots}) == len(record.snapshots)
    return record


def fake_ffmpeg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    path = tmp_path / "ffmpeg"
    path.write_text("#!/bin/sh\n" + script + "\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(ffmpeg, "ffmpeg_executable", lambda: str(path))


def inject(service: str, operation: str, answer: Callable[[Any], AWSResponse | None]) -> Callable[[], None]:
    """Answer ``operation`` requests of the shared client with ``answer(request)`` (None: let it pass)."""
    events = client(service).meta.events
    name = f"before-send.{service}.{operation}"

    def handler(request: Any, **_: Any) -> AWSResponse | None:
        return answer(request)

    events.register(name, handler)
    return lambda: events.unregister(name, handler)


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def aws_error(request: Any, status: int, code: str, *, protocol: str = "json") -> AWSResponse:
    body = json.dumps({"__type": code, "message": "injected"}).encode()
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-ErrorType": code}
    return AWSResponse(request.url, status, headers, _Raw(body))


def first(n: int, fault: str, make: Callable[[Any], AWSResponse]) -> Callable[[Any], AWSResponse | None]:
    """Fail the first ``n`` requests, then let them through."""
    left = [n]

    def answer(request: Any) -> AWSResponse | None:
        if left[0] <= 0:
            return None
        left[0] -= 1
        count(fault)
        return make(request)

    return answer


# --- ffmpeg -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("script", "code"),
    [
        ("echo 'Segmentation fault' >&2; exit 1", "Media.Corrupt"),
        ("kill -SEGV $$", "Media.Corrupt"),
        ("echo 'garbage on stdout'; exit 0", "Media.Corrupt"),
    ],
    ids=["exits-1", "killed-by-signal", "prints-garbage"],
)
def test_a_crashing_ffmpeg_ends_in_process_fail_with_a_reason(
    screenshot: Any, clip: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str, code: str
) -> None:
    video_id, event = given_an_upload(clip)
    fake_ffmpeg(tmp_path, monkeypatch, script)
    count("ffmpeg crash")

    answer = screenshot.lambda_handler(event, FakeContext())

    assert answer["results"] == [{"videoId": video_id, "outcome": "failed"}]
    record = assert_nothing_half_written(video_id)
    assert (record.status, record.error.code if record.error else None) == (VideoStatus.PROCESS_FAIL, code)
    assert objects_of(video_id) == []


def test_a_hanging_ffmpeg_is_killed_and_ends_in_media_timeout(
    screenshot: Any, clip: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    video_id, event = given_an_upload(clip)
    fake_ffmpeg(tmp_path, monkeypatch, "exec sleep 60")
    count("ffmpeg hang")
    obj = event["Records"][0]["s3"]["object"]

    result = screenshot.build_job().run(
        obj["key"], video_id=video_id, size=obj["size"], etag=obj["eTag"], timeout=1.5
    )

    assert result.outcome == "failed"
    record = assert_nothing_half_written(video_id)
    assert (record.status, record.error.code if record.error else None) == (
        VideoStatus.PROCESS_FAIL,
        "Media.Timeout",
    )


# --- S3 reads cut halfway ---------------------------------------------------------------------------
class CuttingProxy:
    """Forwards GETs to moto; while ``cutting``, sends half of each body and drops the connection."""

    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.cutting = True
        self.cuts = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                headers = {k: v for k, v in self.headers.items() if k.lower() in {"range", "if-match"}}
                answer = requests.get(
                    proxy.upstream.geturl() + self.path,
                    headers=headers | {"Host": proxy.upstream.netloc},
                    timeout=30,
                )
                self.send_response(answer.status_code)
                for name in ("Content-Type", "Content-Range", "Accept-Ranges", "ETag"):
                    if name in answer.headers:
                        self.send_header(name, answer.headers[name])
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                if proxy.cutting and len(answer.content) > 1:
                    proxy.cuts += 1
                    self.wfile.write(answer.content[: len(answer.content) // 2])
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                self.wfile.write(answer.content)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def rewrite(self, url: str) -> str:
        return urlunsplit(urlsplit(url)._replace(netloc=f"127.0.0.1:{self.server.server_address[1]}"))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_read_cut_halfway_is_retried_and_the_retry_ends_correct(
    screenshot: Any, clip: bytes, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    video_id, event = given_an_upload(clip)
    proxy = CuttingProxy(moto_endpoint)
    original = MediaStore.presigned_get
    monkeypatch.setattr(
        MediaStore, "presigned_get", lambda self, key, ttl=None: proxy.rewrite(original(self, key, ttl))
    )
    try:
        # Lambda's first attempt: every read is cut. A network fault is not a verdict on the video.
        with pytest.raises(MediaUnavailable):
            screenshot.lambda_handler(event, FakeContext())
        INJECTED["S3 read cut halfway"] = INJECTED.get("S3 read cut halfway", 0) + proxy.cuts
        assert proxy.cuts > 0
        record = assert_nothing_half_written(video_id)
        assert record.status == VideoStatus.PROCESSING and record.error is None and objects_of(video_id) == []

        # Lambda retries the event once the network is back.
        proxy.cutting = False
        answer = screenshot.lambda_handler(event, FakeContext())
    finally:
        proxy.close()

    assert answer["results"] == [{"videoId": video_id, "outcome": "processed"}]
    assert_processed(video_id)


def test_a_vanished_object_is_not_retried_forever(screenshot: Any, clip: bytes) -> None:
    """The object was deleted before the job read it: ``ProcessFail`` with ``Media.Unavailable``."""
    video_id, event = given_an_upload(clip)
    client("s3").delete_object(Bucket=TEST_BUCKET, Key=event["Records"][0]["s3"]["object"]["key"])
    count("object vanished")

    answer = screenshot.lambda_handler(event, FakeContext())

    assert answer["results"] == [{"videoId": video_id, "outcome": "failed"}]
    record = assert_nothing_half_written(video_id)
    assert (record.status, record.error.code if record.error else None) == (
        VideoStatus.PROCESS_FAIL,
        "Media.Unavailable",
    )


# --- DynamoDB -----------------------------------------------------------------------------------------
@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's retries without their sleeps (up to 20 s each): the same attempts, faster."""
    from botocore.retries import standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0.0)


@pytest.mark.usefixtures("no_backoff")
def test_throttled_writes_are_retried_by_the_client_and_end_correct(screenshot: Any, clip: bytes) -> None:
    video_id, event = given_an_upload(clip)
    throttle = first(
        3, "DynamoDB throttling", lambda r: aws_error(r, 400, "ProvisionedThroughputExceededException")
    )
    remove = inject("dynamodb", "PutItem", throttle)
    try:
        answer = screenshot.lambda_handler(event, FakeContext())
    finally:
        remove()

    assert answer["results"] == [{"videoId": video_id, "outcome": "processed"}]
    assert_processed(video_id)


@pytest.mark.usefixtures("no_backoff")
def test_throttling_past_the_clients_retries_fails_the_attempt_and_lambdas_retry_ends_correct(
    screenshot: Any, clip: bytes
) -> None:
    video_id, event = given_an_upload(clip)
    snapshots_before = None
    throttle = first(
        6, "DynamoDB throttling", lambda r: aws_error(r, 400, "ThrottlingException")
    )  # 1 + 5 client retries
    remove = inject("dynamodb", "PutItem", throttle)
    try:
        with pytest.raises(Exception, match="Throttling"):
            screenshot.lambda_handler(event, FakeContext())
        snapshots_before = objects_of(video_id)
        assert_nothing_half_written(video_id)  # the record write failed before anything was stored
        answer = screenshot.lambda_handler(event, FakeContext())
    finally:
        remove()

    assert snapshots_before == []
    assert answer["results"] == [{"videoId": video_id, "outcome": "processed"}]
    assert_processed(video_id)


def test_a_conditional_write_refused_by_a_rival_is_reapplied_on_the_fresh_record(
    screenshot: Any, clip: bytes
) -> None:
    video_id, event = given_an_upload(clip)
    rival_wrote = []

    def rival(request: Any) -> None:
        body = json.loads(request.body)
        if rival_wrote or body.get("Item", {}).get("status", {}).get("S") != "Normal":
            return None
        rival_wrote.append(True)
        count("DynamoDB conditional failure")
        # a person renames the video between the job's read and its write (another client, no hook)
        rename = boto3.client("dynamodb")
        rename.update_item(
            TableName=TEST_TABLE,
            Key={"videoId": {"S": video_id}},
            UpdateExpression="SET title = :t, version = version + :one",
            ExpressionAttributeValues={":t": {"S": "renamed meanwhile"}, ":one": {"N": "1"}},
        )
        return None

    remove = inject("dynamodb", "PutItem", rival)
    try:
        answer = screenshot.lambda_handler(event, FakeContext())
    finally:
        remove()

    assert rival_wrote and answer["results"] == [{"videoId": video_id, "outcome": "processed"}]
    record = assert_processed(video_id)
    assert record.title == "renamed meanwhile"  # the rival's change survived the job's write
    assert record.version == 7  # created, landed, processing, renamed, processed, storyboard started, made


# --- EventBridge --------------------------------------------------------------------------------------
def put_events_failed_entry(request: Any) -> AWSResponse:
    body = json.dumps(
        {"FailedEntryCount": 1, "Entries": [{"ErrorCode": "InternalFailure", "ErrorMessage": "injected"}]}
    )
    return AWSResponse(request.url, 200, {"Content-Type": "application/x-amz-json-1.1"}, _Raw(body.encode()))


@pytest.mark.parametrize("failing_call", [1, 2], ids=["VideoUploaded", "SnapshotComplete"])
def test_an_eventbridge_failure_fails_the_attempt_and_the_retry_ends_correct_without_duplicates(
    screenshot: Any, clip: bytes, failing_call: int
) -> None:
    video_id, event = given_an_upload(clip)
    calls = [0]
    announced: list[str] = []

    def fail_nth(request: Any) -> AWSResponse | None:
        calls[0] += 1
        if calls[0] == failing_call:
            count("EventBridge failure")
            return put_events_failed_entry(request)
        announced.extend(entry["DetailType"] for entry in json.loads(request.body)["Entries"])
        return None

    remove = inject("events", "PutEvents", fail_nth)
    try:
        with pytest.raises(PublishFailed, match="EventBridge refused"):
            screenshot.lambda_handler(event, FakeContext())
        after_first = objects_of(video_id)
        assert_nothing_half_written(video_id)
        answer = screenshot.lambda_handler(event, FakeContext())
    finally:
        remove()

    assert answer["results"][0]["videoId"] == video_id
    record = assert_processed(video_id)
    # The announcement whose publish failed is made by the retry: no event is lost.
    assert {"VideoUploaded", "SnapshotComplete"} <= set(announced)
    assert objects_of(video_id) == sorted({*after_first, *objects_of(video_id)})  # rewritten in place
    assert len(record.snapshots) == len(objects_of(video_id)) - (
        record.cover is not None and record.cover.key not in {s.key for s in record.snapshots}
    ) - (len({r.key for r in record.cover.renditions}) if record.cover is not None else 0)


# --- a cover write refused after its image was stored --------------------------------------------------
@pytest.mark.usefixtures("cover_media_function")
def test_a_cover_write_refused_after_the_image_was_stored_removes_the_image(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    covers_api = load_function("covers_api")
    video_id = keys.new_video_id()
    record = new_upload_record(
        video_id=video_id,
        owner=OWNER,
        title="t",
        file_name="a.mp4",
        description="",
        tags=[],
        cover_url=None,
        now=utc_now(),
    ).changed(status=VideoStatus.NORMAL)
    DynamoVideoRepository(TEST_TABLE).update(video_id, lambda current: record)
    original = DynamoVideoRepository._put_if_unchanged

    def video_fails_meanwhile(
        self: DynamoVideoRepository, stored_record: VideoRecord, current: VideoRecord | None
    ) -> None:
        if stored_record.cover is not None and not getattr(video_fails_meanwhile, "done", False):
            video_fails_meanwhile.done = True  # type: ignore[attr-defined]
            count("cover write refused")
            failed = current.changed(status=VideoStatus.PROCESS_FAIL, version=current.version + 1)  # type: ignore[union-attr]
            original(self, failed, current)  # the video failed processing between our read and write
        original(self, stored_record, current)

    monkeypatch.setattr(DynamoVideoRepository, "_put_if_unchanged", video_fails_meanwhile)

    status, answer = call(
        covers_api,
        api_event(
            "PUT", f"/videos/{video_id}/cover", caller=OWNER, raw=corpus.jpeg(), content_type="image/jpeg"
        ),
    )

    assert (status, answer["error"]["code"]) == (403, "Forbidden.IllegalStatus")
    assert stored(video_id).cover is None
    assert objects_of(video_id) == []  # the image stored before the refused write is gone


def test_report_the_faults_injected(capsys: pytest.CaptureFixture[str]) -> None:
    """Not a check: prints what this module injected, for the closing note."""
    with capsys.disabled():
        print(f"\nfaults injected: {sum(INJECTED.values())} {dict(sorted(INJECTED.items()))}")
