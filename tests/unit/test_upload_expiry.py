"""Abandoned uploads and stalled processing end in a failure status (issue 11, item 8).

The rule is pure (:mod:`vodcover.domain.expiry`); the sweeper applies it to what the sparse
``byWaitingStatus`` index finds, on moto with the table exactly as ``template.yaml`` declares it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws

from tests.conftest import TEST_BUCKET, TEST_TABLE
from vodcover import dependencies
from vodcover.domain import expiry, processing, pull, smart_cover
from vodcover.errors import ProcessStalled, UploadExpired
from vodcover.jobs.upload_sweeper import UploadSweeper
from vodcover.models import ErrorInfo, SmartCover, SmartStatus, SourceObject, VideoRecord, VideoStatus
from vodcover_dev.local.stack import find_template
from vodcover_dev.local.template import load_template

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
TTL = 3600
DEADLINES = expiry.Deadlines.for_url_ttl(TTL)


def at(seconds_ago: float) -> str:
    return expiry.timestamp(NOW - timedelta(seconds=seconds_ago))


def record(
    video_id: str, status: VideoStatus, *, created_ago: float, updated_ago: float | None = None
) -> VideoRecord:
    return VideoRecord(
        video_id=video_id,
        owner="alice",
        status=status,
        created_at=at(created_ago),
        updated_at=at(created_ago if updated_ago is None else updated_ago),
        file_name="clip.mp4",
        source=None if status == VideoStatus.UPLOADING else SourceObject(key=f"uploads/{video_id}/clip.mp4"),
    )


# --- the rule -----------------------------------------------------------------------------------
def test_an_upload_ends_expired_only_after_its_url_expired_plus_the_margin() -> None:
    deadline = TTL + expiry.UPLOAD_MARGIN_SECONDS
    assert (
        expiry.expire_overdue(
            record("v", VideoStatus.UPLOADING, created_ago=deadline - 1), now=NOW, deadlines=DEADLINES
        )
        is None
    )
    ended = expiry.expire_overdue(
        record("v", VideoStatus.UPLOADING, created_ago=deadline + 1), now=NOW, deadlines=DEADLINES
    )
    assert ended is not None and ended.status == VideoStatus.UPLOAD_FAIL
    assert ended.error is not None and ended.error.code == UploadExpired.code and ended.error.message
    assert ended.updated_at == expiry.timestamp(NOW)


def test_an_upload_waits_from_its_creation_a_rename_does_not_extend_its_url() -> None:
    renamed = record(
        "v", VideoStatus.UPLOADING, created_ago=TTL + expiry.UPLOAD_MARGIN_SECONDS + 5, updated_ago=1
    )
    assert expiry.is_overdue(renamed, NOW, DEADLINES)


@pytest.mark.parametrize("status", [VideoStatus.UPLOAD_SUCC, VideoStatus.PROCESSING])
def test_processing_stalls_only_after_lambda_can_no_longer_retry(status: VideoStatus) -> None:
    window = expiry.PROCESSING_WINDOW_SECONDS
    # created long ago, started lately (a re-upload or a registered video): not overdue
    assert not expiry.is_overdue(record("v", status, created_ago=10 * window, updated_ago=60), NOW, DEADLINES)
    ended = expiry.expire_overdue(record("v", status, created_ago=window + 1), now=NOW, deadlines=DEADLINES)
    assert ended is not None and ended.status == VideoStatus.PROCESS_FAIL
    assert ended.error is not None and ended.error.code == ProcessStalled.code


@pytest.mark.parametrize("status", [VideoStatus.NORMAL, VideoStatus.PROCESS_FAIL, VideoStatus.UPLOAD_FAIL])
def test_a_finished_record_never_expires(status: VideoStatus) -> None:
    old = record("v", status, created_ago=10**7)
    assert expiry.expire_overdue(old, now=NOW, deadlines=DEADLINES) is None
    assert expiry.as_seen(old, NOW, DEADLINES) is old


def test_readers_see_an_overdue_upload_as_expired_and_a_fresh_one_as_it_is() -> None:
    fresh = record("v", VideoStatus.UPLOADING, created_ago=60)
    assert expiry.as_seen(fresh, NOW, DEADLINES) is fresh
    seen = expiry.as_seen(record("v", VideoStatus.UPLOADING, created_ago=10**5), NOW, DEADLINES)
    assert (seen.status, seen.error) == (VideoStatus.UPLOAD_FAIL, expiry.upload_expired())


def test_an_object_landing_after_expiry_is_still_processed() -> None:
    expired = expiry.expire_overdue(
        record("v", VideoStatus.UPLOADING, created_ago=10**5), now=NOW, deadlines=DEADLINES
    )
    assert expired is not None
    source = SourceObject(key="uploads/v/clip.mp4", size=10, etag="e")
    landed = processing.record_upload(expired, video_id="v", source=source, file_name="clip.mp4", now=at(0))
    assert landed is not None and (landed.status, landed.error) == (VideoStatus.UPLOAD_SUCC, None)


def test_a_pull_expired_while_its_worker_still_ran_may_still_fail_with_its_real_reason() -> None:
    expired = expiry.expire_overdue(
        record("v", VideoStatus.UPLOADING, created_ago=10**5), now=NOW, deadlines=DEADLINES
    )
    assert pull.awaits_pull(expired)
    reason = ErrorInfo(code="SourceUrl.Unreachable", message="404")
    failed = pull.fail_pull(expired, error=reason, now=at(0))
    assert failed is not None and failed.error == reason
    assert not pull.awaits_pull(failed)  # a verdict is final


def test_a_stalled_video_is_processed_by_a_late_retry() -> None:
    stalled = expiry.expire_overdue(
        record("v", VideoStatus.PROCESSING, created_ago=10**5), now=NOW, deadlines=DEADLINES
    )
    assert stalled is not None and stalled.source is not None
    assert processing.needs_processing(stalled, stalled.source)
    restarted = processing.start_processing(stalled, source=stalled.source, now=at(0))
    assert restarted is not None and (restarted.status, restarted.error) == (VideoStatus.PROCESSING, None)


def analysing(video_id: str, *, started_ago: float) -> VideoRecord:
    return record(video_id, VideoStatus.NORMAL, created_ago=10**6, updated_ago=started_ago).changed(
        smart_cover=SmartCover(status=SmartStatus.PROCESSING)
    )


def test_a_smart_cover_analysis_that_never_finished_ends_failed_and_may_be_started_again() -> None:
    assert expiry.expire_overdue(analysing("v", started_ago=60), now=NOW, deadlines=DEADLINES) is None
    ended = expiry.expire_overdue(
        analysing("v", started_ago=expiry.PROCESSING_WINDOW_SECONDS + 1), now=NOW, deadlines=DEADLINES
    )
    assert ended is not None and ended.status == VideoStatus.NORMAL  # the video itself is fine
    assert ended.smart_cover is not None and ended.smart_cover.status == SmartStatus.FAILED
    assert ended.smart_cover.error is not None and ended.smart_cover.error.code == ProcessStalled.code
    again = smart_cover.start_smart_cover(ended, now=at(0))
    assert again is not None and again.smart_cover is not None
    assert again.smart_cover.status == SmartStatus.PROCESSING


# --- the sweeper on moto ------------------------------------------------------------------------
@pytest.fixture
def table() -> Iterator[None]:
    """The Videos table as the template declares it (both indexes), in moto."""
    with mock_aws():
        spec = load_template(find_template()).table("VideosTable")
        boto3.client("dynamodb").create_table(**spec.create_table_kwargs(TEST_TABLE))
        boto3.client("s3").create_bucket(Bucket=TEST_BUCKET)
        dependencies.reset()
        yield


def store(*records: VideoRecord) -> None:
    for item in records:
        dependencies.video_repository().update(item.video_id, lambda current, item=item: item)


def status_of(video_id: str) -> tuple[VideoStatus, str | None]:
    found = dependencies.video_repository().get(video_id)
    assert found is not None
    return found.status, found.error.code if found.error else None


@pytest.mark.usefixtures("table")
def test_the_sweeper_ends_exactly_the_overdue_records_and_a_second_run_changes_nothing() -> None:
    long_ago = 10 * expiry.PROCESSING_WINDOW_SECONDS
    store(
        record("abandoned", VideoStatus.UPLOADING, created_ago=TTL + expiry.UPLOAD_MARGIN_SECONDS + 60),
        record("dead-pull", VideoStatus.UPLOADING, created_ago=long_ago),
        record("fresh", VideoStatus.UPLOADING, created_ago=60),
        record("stalled", VideoStatus.PROCESSING, created_ago=long_ago),
        record("landed-stuck", VideoStatus.UPLOAD_SUCC, created_ago=long_ago),
        record("started-lately", VideoStatus.PROCESSING, created_ago=long_ago, updated_ago=30),
        record("done", VideoStatus.NORMAL, created_ago=long_ago),
        analysing("analysis-lost", started_ago=long_ago),
        analysing("analysing", started_ago=60),
    )
    sweeper = UploadSweeper(videos=dependencies.video_repository(), deadlines=DEADLINES)

    result = sweeper.run(NOW)

    assert sorted(result.expired) == ["abandoned", "dead-pull"]
    assert sorted(result.stalled) == ["landed-stuck", "stalled"]
    assert status_of("abandoned") == (VideoStatus.UPLOAD_FAIL, UploadExpired.code)
    assert status_of("dead-pull") == (VideoStatus.UPLOAD_FAIL, UploadExpired.code)
    assert status_of("stalled") == (VideoStatus.PROCESS_FAIL, ProcessStalled.code)
    assert status_of("fresh") == (VideoStatus.UPLOADING, None)
    assert status_of("started-lately") == (VideoStatus.PROCESSING, None)
    assert status_of("done") == (VideoStatus.NORMAL, None)
    assert result.smart_stalled == ["analysis-lost"]
    lost, running = (dependencies.video_repository().get(v) for v in ("analysis-lost", "analysing"))
    assert lost is not None and lost.smart_cover is not None and lost.smart_cover.status == SmartStatus.FAILED
    assert running is not None and running.smart_cover is not None
    assert running.smart_cover.status == SmartStatus.PROCESSING
    again = sweeper.run(NOW)
    assert (again.expired, again.stalled, again.smart_stalled, again.errors) == ([], [], [], 0)


@pytest.mark.usefixtures("table")
def test_the_index_holds_only_waiting_records() -> None:
    """Finished records leave the sparse index, so a sweep reads a handful of keys, not the table."""
    store(
        record("waiting", VideoStatus.UPLOADING, created_ago=10**5),
        record("done", VideoStatus.NORMAL, created_ago=10**5),
        record("failed", VideoStatus.PROCESS_FAIL, created_ago=10**5),
    )
    repository = dependencies.video_repository()
    found = {
        video_id
        for status in expiry.WAITING_KEYS
        for video_id in repository.waiting_ids(status, created_before=expiry.timestamp(NOW))
    }
    assert found == {"waiting"}
    UploadSweeper(videos=repository, deadlines=DEADLINES).run(NOW)
    assert list(repository.waiting_ids(VideoStatus.UPLOADING, created_before=expiry.timestamp(NOW))) == []


@pytest.mark.usefixtures("table")
def test_a_sweep_stops_at_its_bound_and_the_next_one_goes_on() -> None:
    store(*(record(f"v{i}", VideoStatus.UPLOADING, created_ago=10**5) for i in range(5)))
    sweeper = UploadSweeper(videos=dependencies.video_repository(), deadlines=DEADLINES, max_records=3)
    assert len(sweeper.run(NOW).expired) == 3
    assert len(sweeper.run(NOW).expired) == 2


@pytest.mark.usefixtures("table")
def test_the_scheduled_function_sweeps_with_the_deployed_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.support.apigw import FakeContext, load_function

    monkeypatch.setenv("VODCOVER_URL_TTL_SECONDS", "60")
    dependencies.reset()
    created = datetime.now(UTC) - timedelta(seconds=60 + expiry.UPLOAD_MARGIN_SECONDS + 30)
    old = record("abandoned", VideoStatus.UPLOADING, created_ago=0).changed(
        created_at=expiry.timestamp(created), updated_at=expiry.timestamp(created)
    )
    store(
        old,
        record("fresh", VideoStatus.UPLOADING, created_ago=0).changed(
            created_at=expiry.timestamp(datetime.now(UTC))
        ),
    )

    answer = load_function("upload_sweeper").lambda_handler({"source": "aws.events"}, FakeContext())

    assert answer == {"expired": ["abandoned"], "stalled": [], "smartStalled": [], "errors": 0}
    assert status_of("abandoned") == (VideoStatus.UPLOAD_FAIL, UploadExpired.code)


def test_the_processing_window_outlasts_lambdas_retries_of_every_media_function() -> None:
    """Past the window no attempt can still be running, so Process.Stalled never cuts one short."""
    functions = load_template(find_template()).document["Resources"]
    for name in ("ScreenshotFunction", "SmartCoverFunction"):
        props = functions[name]["Properties"]
        last_attempt_ends = props["EventInvokeConfig"]["MaximumEventAgeInSeconds"] + props["Timeout"]
        assert last_attempt_ends < expiry.PROCESSING_WINDOW_SECONDS, name
