"""Cover history and undo through real signed HTTP against the local stack: three kinds of cover
change, the history listing them, a restore, the restored cover's URL, the CoverChanged event."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.integration.api_client import Api
from tests.integration.conftest import Clips, upload_and_wait
from tests.integration.loopback import FileServer
from tests.integration.pictures import difference, download, solid
from vodcover_dev.local.stack import LocalStack

pytestmark = pytest.mark.integration

VIDEO = "/videos/{videoId}"
COVERS = "/videos/{videoId}/covers"


def cover_events(stack: LocalStack) -> Any:
    """A rule on the stack's bus sending every CoverChanged to a queue; returns a reader."""
    sqs, events = stack.client("sqs"), stack.client("events")
    queue = sqs.create_queue(QueueName="history-cover-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="history-covers", EventPattern=json.dumps({"detail-type": ["CoverChanged"]}))
    events.put_targets(Rule="history-covers", Targets=[{"Id": "q", "Arn": arn}])

    def read() -> list[dict[str, Any]]:
        details: list[dict[str, Any]] = []
        while got := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
            details.extend(json.loads(m["Body"])["detail"] for m in got)
            for m in got:
                sqs.delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])
        return details

    return read


def test_each_cover_change_is_listed_and_an_earlier_one_comes_back(
    stack: LocalStack, alice: Api, bob: Api, clips: Clips, cdn: FileServer
) -> None:
    read_events = cover_events(stack)
    video = upload_and_wait(stack, alice, clips.sample.read_bytes(), title="History")
    video_id = video["videoId"]
    default = video["cover"]
    assert default["source"] == "snapshot"

    # Three ways of changing the cover: a snapshot, an uploaded image, a URL
    alice.expect(200, "PATCH", VIDEO, videoId=video_id, json={"coverSnapshot": 0})
    uploaded = alice.call(
        "PUT",
        "/videos/{videoId}/cover",
        videoId=video_id,
        data=solid(640, 360, (200, 30, 30)),
        headers={"Content-Type": "image/png"},
    )
    assert uploaded.status == 200, uploaded.body
    url = cdn.publish("history.jpg", solid(400, 300, (20, 200, 60), "JPEG"), "image/jpeg")
    alice.expect(200, "PATCH", VIDEO, videoId=video_id, json={"coverUrl": url})

    history = alice.expect(200, "GET", COVERS, videoId=video_id)
    assert history["current"] == 0
    assert [(c["index"], c["source"], c["setBy"]) for c in history["covers"]] == [
        (0, "user", "alice"),
        (1, "user", "alice"),
        (2, "user", "alice"),
        (3, "snapshot", None),
    ]
    assert (history["covers"][1]["width"], history["covers"][1]["height"]) == (640, 360)
    red = history["covers"][1]

    # Restore the uploaded image: a new newest entry, source user
    read_events()
    restored = alice.expect(200, "PATCH", VIDEO, videoId=video_id, json={"coverHistory": 1})
    assert (restored["cover"]["source"], restored["cover"]["width"]) == ("user", 640)
    assert download(restored["cover"]["url"]).getpixel((5, 5)) == pytest.approx((200, 30, 30), abs=4)
    assert difference(download(restored["cover"]["url"]), download(red["url"])) < 1.0
    after = alice.expect(200, "GET", COVERS, videoId=video_id)
    assert len(after["covers"]) == 5 and after["covers"][0]["source"] == "user"
    assert after["covers"][1]["url"].split("?")[0] == history["covers"][0]["url"].split("?")[0]

    # The event carries the cover it replaced (the URL's green image)
    details = [d for d in read_events() if d["videoId"] == video_id]
    assert len(details) == 1, details
    previous = details[0]["previous"]
    assert previous["source"] == "user" and (previous["width"], previous["height"]) == (400, 300)
    assert history["covers"][0]["url"].split("?")[0].endswith(previous["key"])

    # Bad indexes are clear refusals; other callers see nothing
    alice.expect_error(
        400, "InvalidParameter.CoverHistory", "PATCH", VIDEO, videoId=video_id, json={"coverHistory": 9}
    )
    alice.expect_error(
        400, "InvalidParameter.CoverHistory", "PATCH", VIDEO, videoId=video_id, json={"coverHistory": 0}
    )
    bob.expect_error(403, "Forbidden.NotOwner", "GET", COVERS, videoId=video_id)
    alice.expect_error(404, "InvalidVideo.NotFound", "GET", COVERS, videoId="0" * 32)
