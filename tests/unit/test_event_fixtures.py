"""The ``events/`` fixtures are real events: each one reaches its handler and gets a sensible answer.

They are what ``sam local invoke VideosApiFunction -e events/api-create-upload.json`` feeds a
function, so they must match a route of ``template.yaml`` and pass the handlers' validation.
Here each one runs under moto: first against an empty table (the fixtures' video does not
exist), then with that video processed and owned by the fixtures' caller.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from PIL import Image

from tests.conftest import TEST_BUCKET
from tests.support.apigw import FakeContext, call, load_function
from vodcover import dependencies
from vodcover.dal.webhooks import webhooks_table_definition
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
from vodcover.settings import WebhookSettings
from vodcover_dev.local.template import load_template

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events"
TEMPLATE = load_template(ROOT / "template.yaml")
API_FIXTURES = sorted(EVENTS.glob("api-*.json"))

pytestmark = pytest.mark.usefixtures("aws")


def load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EVENTS / name).read_text(encoding="utf-8"))
    return loaded


def route_function(event: dict[str, Any]) -> str:
    """The function (``functions/<dir>``) the template routes this event's method and resource to."""
    for spec, api in TEMPLATE.api_routes():
        if (api.method, api.path) == (event["httpMethod"], event["resource"]):
            return spec.code_uri.name
    raise AssertionError(f"no route {event['httpMethod']} {event['resource']} in template.yaml")


FIXTURE_VIDEO = load("api-get-video.json")["pathParameters"]["videoId"]
FIXTURE_CALLER = load("api-get-video.json")["requestContext"]["identity"]["userArn"]
REGISTER_KEY = load("api-register-media.json")
REGISTER_KEY = json.loads(REGISTER_KEY["body"])["items"][0]["key"]


@pytest.fixture(autouse=True)
def webhooks_table(aws: None) -> None:
    """The webhooks table under its default name (the /webhooks fixtures)."""
    boto3.client("dynamodb").create_table(
        **webhooks_table_definition(WebhookSettings.model_construct().webhooks_table)
    )


@pytest.fixture(autouse=True)
def started_jobs(aws: None, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Record job starts instead of invoking Lambda (moto would try to run a container)."""
    started: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(
        dependencies.job_starter(), "start", lambda name, payload: started.append((name, payload))
    )
    return started


def answer_to(name: str) -> tuple[int, dict[str, Any]]:
    event = load(name)
    return call(load_function(route_function(event)), event)


def jpeg(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 180), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def given_the_fixtures_video_is_processed() -> None:
    s3 = boto3.client("s3")
    snapshots = []
    for index in range(3):
        key = f"snapshots/{FIXTURE_VIDEO}/{index}.jpg"
        s3.put_object(Bucket=TEST_BUCKET, Key=key, Body=jpeg((index * 80, 60, 60)))
        snapshots.append(StoredSnapshot(index=index, time=1.0 + index, key=key, width=320, height=180))
    now = utc_now()
    record = VideoRecord(
        video_id=FIXTURE_VIDEO,
        owner=FIXTURE_CALLER,
        title="Sunset over the bay",
        status=VideoStatus.NORMAL,
        created_at=now,
        updated_at=now,
        source=SourceObject(key=f"uploads/{FIXTURE_VIDEO}/sunset.mp4", size=10, etag="e"),
        media=MediaInfo(duration=12.0, width=1280, height=720),
        snapshots=snapshots,
        cover=StoredCover(
            key=snapshots[0].key, source=CoverSource.SNAPSHOT, width=320, height=180, updated_at=now
        ),
    )
    dependencies.video_repository().update(FIXTURE_VIDEO, lambda _current: record)


# --- shape --------------------------------------------------------------------------------------
def test_every_route_of_the_template_has_a_fixture_with_an_iam_caller() -> None:
    routes = {(api.method, api.path) for _, api in TEMPLATE.api_routes()}
    fixtures = [load(path.name) for path in API_FIXTURES]

    assert {(event["httpMethod"], event["resource"]) for event in fixtures} == routes
    for event in fixtures:
        assert event["requestContext"]["identity"]["userArn"].startswith("arn:aws:iam::")
        assert event["requestContext"]["resourcePath"] == event["resource"]


# --- against an empty table ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "status", "code"),
    [
        ("api-create-upload.json", 201, None),
        ("api-pull-upload.json", 202, None),
        ("api-register-media.json", 200, None),
        ("api-list-videos.json", 200, None),
        ("api-get-videos-by-ids.json", 200, None),
        ("api-batch-update.json", 200, None),
        ("api-get-video.json", 404, "InvalidVideo.NotFound"),
        ("api-update-video.json", 404, "InvalidVideo.NotFound"),
        ("api-upload-cover.json", 404, "InvalidVideo.NotFound"),
        ("api-start-smart-cover.json", 404, "InvalidVideo.NotFound"),
        ("api-delete-video.json", 404, "InvalidVideo.NotFound"),
        ("api-delete-videos.json", 200, None),
        ("api-submit-snapshot-job.json", 404, "InvalidVideo.NotFound"),
        ("api-start-storyboard.json", 404, "InvalidVideo.NotFound"),
        ("api-list-cover-history.json", 404, "InvalidVideo.NotFound"),
        ("api-create-webhook.json", 201, None),
        ("api-list-webhooks.json", 200, None),
        ("api-delete-webhook.json", 404, "InvalidWebhook.NotFound"),
    ],
)
def test_each_fixture_gets_a_sensible_answer_when_its_video_does_not_exist(
    name: str, status: int, code: str | None
) -> None:
    answer_status, body = answer_to(name)

    assert answer_status == status, body
    assert body.get("error", {}).get("code") == code


def test_the_batch_fixtures_report_missing_videos_per_item() -> None:
    _, read = answer_to("api-get-videos-by-ids.json")
    _, update = answer_to("api-batch-update.json")
    _, register = answer_to("api-register-media.json")

    assert read["videos"] == [] and len(read["nonExistVideoIds"]) == 2
    assert update["updated"] == [] and len(update["nonExistVideoIds"]) == 2
    assert [item["code"] for item in register["failed"]] == ["Register.NotFound"]


def test_the_create_fixture_records_an_upload_for_its_caller() -> None:
    status, ticket = answer_to("api-create-upload.json")

    assert status == 201
    record = dependencies.video_repository().get(ticket["videoId"])
    assert record is not None and record.owner == FIXTURE_CALLER
    assert (record.title, record.status) == ("Sunset over the bay", VideoStatus.UPLOADING)


# --- with the fixtures' video processed and owned by the fixtures' caller ------------------------
@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("api-get-video.json", 200),
        ("api-update-video.json", 200),
        ("api-upload-cover.json", 200),
        ("api-start-smart-cover.json", 202),
        ("api-submit-snapshot-job.json", 202),
        ("api-start-storyboard.json", 202),
    ],
)
@pytest.mark.usefixtures("cover_media_function")  # api-upload-cover checks the image there
def test_each_fixture_succeeds_on_its_callers_processed_video(
    name: str, status: int, started_jobs: list[tuple[str, dict[str, Any]]]
) -> None:
    given_the_fixtures_video_is_processed()

    answer_status, body = answer_to(name)

    assert answer_status == status, body
    assert body["videoId"] == FIXTURE_VIDEO


def test_the_cover_history_fixture_lists_its_callers_covers() -> None:
    given_the_fixtures_video_is_processed()

    status, body = answer_to("api-list-cover-history.json")

    assert status == 200, body
    assert body["current"] == 0 and [c["source"] for c in body["covers"]] == ["snapshot"]


def test_the_delete_fixture_deletes_its_callers_video() -> None:
    given_the_fixtures_video_is_processed()

    assert answer_to("api-delete-video.json")[0] == 204
    assert answer_to("api-get-video.json")[0] == 404


def test_the_update_fixture_picks_a_snapshot_as_the_cover() -> None:
    given_the_fixtures_video_is_processed()

    _, video = answer_to("api-update-video.json")

    assert (video["title"], video["cover"]["source"], video["version"]) == ("Sunset, second cut", "user", 2)


def test_the_register_fixture_registers_an_object_that_exists(
    started_jobs: list[tuple[str, dict[str, Any]]],
) -> None:
    boto3.client("s3").put_object(Bucket=TEST_BUCKET, Key=REGISTER_KEY, Body=b"not decoded here")

    status, body = answer_to("api-register-media.json")

    assert status == 200 and body["failed"] == []
    assert [item["key"] for item in body["registered"]] == [REGISTER_KEY]
    assert [payload for _, payload in started_jobs] == [
        {"register": {"videoId": body["registered"][0]["videoId"], "key": REGISTER_KEY}}
    ]


# --- the asynchronous functions' events ---------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "function"),
    [
        ("smart-cover.json", "smart_cover"),
        ("pull-worker.json", "pull_worker"),
        ("register-job.json", "screenshot"),
    ],
)
def test_job_fixtures_are_accepted_and_do_nothing_for_a_video_that_does_not_exist(
    name: str, function: str
) -> None:
    event = load(name)

    answer = load_function(function).lambda_handler(event, FakeContext())

    results = answer.get("results", [answer])
    assert [(result["videoId"], result["outcome"]) for result in results] == [(FIXTURE_VIDEO, "skipped")]
