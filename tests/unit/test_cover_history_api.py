"""Cover history through the API functions under moto: GET /videos/{id}/covers, PATCH
{coverHistory}, the images history keeps (and drops when they leave the window), the event."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from tests.support.apigw import api_event, call, load_function
from tests.unit.test_covers_api import ALICE, BOB, cover_objects, given_a_video, image_bytes, stored
from vodcover import dependencies
from vodcover.domain.cover_history import HISTORY_LIMIT

pytestmark = pytest.mark.usefixtures("aws", "cover_media_function")


@pytest.fixture
def covers_api() -> Any:
    return load_function("covers_api")


@pytest.fixture
def videos_api() -> Any:
    return load_function("videos_api")


@pytest.fixture
def cover_events() -> Any:
    """Every CoverChanged detail put on the bus, read back through a rule to a queue."""
    sqs = boto3.client("sqs")
    queue = sqs.create_queue(QueueName="cover-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events = boto3.client("events")
    events.put_rule(Name="covers", EventPattern=json.dumps({"detail-type": ["CoverChanged"]}))
    events.put_targets(Rule="covers", Targets=[{"Id": "q", "Arn": arn}])

    def read() -> list[dict[str, Any]]:
        details = []
        while True:
            got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
            if not got:
                return details
            details.extend(json.loads(m["Body"])["detail"] for m in got)
            for m in got:
                sqs.delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])

    return read


def history(videos_api: Any, video_id: str = "vid1", caller: str = ALICE) -> tuple[int, dict[str, Any]]:
    return call(videos_api, api_event("GET", f"/videos/{video_id}/covers", caller=caller))


def put_cover(covers_api: Any, colour: tuple[int, int, int], size: tuple[int, int] = (640, 360)) -> dict:
    status, video = call(
        covers_api,
        api_event(
            "PUT", "/videos/vid1/cover", raw=image_bytes(*size, colour=colour), content_type="image/png"
        ),
    )
    assert status == 200, video
    return video


def test_the_history_lists_every_cover_newest_first_with_who_and_when(
    covers_api: Any, videos_api: Any
) -> None:
    given_a_video()  # its cover: snapshot 0, chosen by vodcover
    put_cover(covers_api, (200, 0, 0), (640, 360))
    put_cover(covers_api, (0, 200, 0), (480, 270))

    status, answer = history(videos_api)

    assert status == 200, answer
    assert answer["current"] == 0
    covers = answer["covers"]
    assert [c["index"] for c in covers] == [0, 1, 2]
    assert [(c["source"], c["width"], c["height"]) for c in covers] == [
        ("user", 480, 270),
        ("user", 640, 360),
        ("snapshot", 320, 180),
    ]
    assert [c["setBy"] for c in covers] == [ALICE, ALICE, None]
    assert covers[0]["setAt"] > covers[1]["setAt"]
    assert covers[0]["url"].split("?")[0].endswith(stored("vid1").cover.key)  # type: ignore[union-attr]


def test_restoring_an_earlier_cover_makes_it_current_as_a_new_entry(
    covers_api: Any, videos_api: Any, cover_events: Any
) -> None:
    given_a_video()
    put_cover(covers_api, (200, 0, 0))
    cover_events()  # only the restore's event matters here
    before = stored("vid1")

    status, video = call(covers_api, api_event("PATCH", "/videos/vid1", body={"coverHistory": 1}))

    assert status == 200, video
    after = stored("vid1")
    assert after.cover is not None and after.cover.key.startswith("covers/vid1/")  # a copy of snapshot 0
    assert (video["cover"]["source"], video["cover"]["width"]) == ("user", 320)
    assert after.cover.renditions, "a restored cover gets its renditions again"
    restored = boto3.client("s3").get_object(Bucket="vodcover-test-media", Key=after.cover.key)["Body"].read()
    original = boto3.client("s3").get_object(Bucket="vodcover-test-media", Key="snapshots/vid1/0.jpg")
    assert restored == original["Body"].read()
    _, answer = history(videos_api)
    assert [c["source"] for c in answer["covers"]] == ["user", "user", "snapshot"]
    # and the event says what it replaced
    [detail] = cover_events()
    assert (detail["source"], detail["key"], detail["setBy"]) == ("user", after.cover.key, ALICE)
    assert before.cover is not None
    assert detail["previous"]["key"] == before.cover.key and detail["previous"]["source"] == "user"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"coverHistory": 5}, "InvalidParameter.CoverHistory"),  # only 2 entries
        ({"coverHistory": 0}, "InvalidParameter.CoverHistory"),  # the current cover already
        ({"coverHistory": HISTORY_LIMIT}, "InvalidParameter.CoverHistory"),
        ({"coverHistory": -1}, "InvalidParameter.CoverHistory"),
        ({"coverHistory": "1"}, "InvalidParameter.CoverHistory"),
        ({"coverHistory": 1.0}, "InvalidParameter.CoverHistory"),
        ({"coverHistory": 1, "coverSnapshot": 0}, "InvalidParameter.Cover"),
    ],
    ids=["past-the-end", "current", "past-the-window", "negative", "string", "float", "with-snapshot"],
)
def test_a_bad_history_index_is_a_clear_400_and_changes_nothing(
    covers_api: Any, body: dict[str, Any], code: str
) -> None:
    given_a_video()
    put_cover(covers_api, (200, 0, 0))
    before = stored("vid1")

    status, answer = call(covers_api, api_event("PATCH", "/videos/vid1", body={**body, "title": "never"}))

    assert (status, answer["error"]["code"]) == (400, code), answer
    assert stored("vid1") == before


def test_only_the_owner_reads_the_history(videos_api: Any) -> None:
    given_a_video()

    assert history(videos_api, caller=BOB)[1]["error"]["code"] == "Forbidden.NotOwner"
    status, answer = history(videos_api, "nosuchvideo")
    assert (status, answer["error"]["code"]) == (404, "InvalidVideo.NotFound")


def test_an_image_is_dropped_only_when_it_leaves_the_last_20(covers_api: Any) -> None:
    given_a_video()
    first = put_cover(covers_api, (1, 1, 1))
    first_key = stored("vid1").cover.key  # type: ignore[union-attr]
    assert first["cover"]["source"] == "user"
    # 18 more changes: the first image is entry 19 of 20, still kept
    for n in range(18):
        put_cover(covers_api, (n * 10, 100, 100))
    record = stored("vid1")
    assert (
        len(record.cover_history) == HISTORY_LIMIT and record.cover_history[-1].key == "snapshots/vid1/0.jpg"
    )
    assert first_key in cover_objects("vid1")

    put_cover(covers_api, (250, 250, 250))  # the snapshot leaves the window (it stays a snapshot)
    assert first_key in cover_objects("vid1")
    put_cover(covers_api, (240, 240, 240))  # and now the first person's image

    record = stored("vid1")
    assert first_key not in cover_objects("vid1") and first_key not in record.derived_keys
    assert set(cover_objects("vid1")) == {*record.cover.keys, *(e.key for e in record.cover_history[1:])}  # type: ignore[union-attr]


def test_deleting_the_video_removes_every_history_image(covers_api: Any, videos_api: Any) -> None:
    given_a_video()
    for n in range(3):
        put_cover(covers_api, (n * 60, 10, 10))
    assert len(cover_objects("vid1")) > 3

    status, _ = call(videos_api, api_event("DELETE", "/videos/vid1"))

    assert status == 204
    s3 = boto3.client("s3")
    for prefix in ("covers/vid1/", "snapshots/vid1/", "embed/vid1"):
        listed = s3.list_object_versions(Bucket="vodcover-test-media", Prefix=prefix)
        assert not listed.get("Versions") and not listed.get("DeleteMarkers"), prefix
    assert dependencies.video_repository().get("vid1") is None
