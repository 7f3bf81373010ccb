"""Other ways in: objects registered where they lie, pulls from URLs, and uploads that are no video."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.api_client import Api
from tests.integration.conftest import Clips, create_upload, put_upload, upload_and_wait, wait_until_settled
from tests.integration.loopback import FileServer
from vodcover_dev.local.stack import LocalStack

pytestmark = pytest.mark.integration


# --- register-media ------------------------------------------------------------------------------
def test_an_object_already_in_the_bucket_is_registered_processed_and_registered_only_once(
    stack: LocalStack, alice: Api, bob: Api, clips: Clips
) -> None:
    # Given a video put straight into the media bucket, outside uploads/ (no trigger fires)
    key = "library/2026/holiday.mp4"
    stack.client("s3").put_object(Bucket=stack.bucket, Key=key, Body=clips.sample.read_bytes())
    stack.wait_idle(30)

    # When alice registers it (with a key that does not exist beside it)
    answer = alice.expect(
        200,
        "POST",
        "/videos/register",
        json={"items": [{"key": key, "title": "From the archive"}, {"key": "library/missing.mp4"}]},
    )

    # Then it is hers and becomes Normal; the missing key fails on its own
    [registered] = answer["registered"]
    assert registered["key"] == key
    assert [(f["key"], f["code"]) for f in answer["failed"]] == [("library/missing.mp4", "Register.NotFound")]
    video = wait_until_settled(stack, alice, registered["videoId"])
    assert (video["status"], video["title"], video["owner"]) == ("Normal", "From the archive", "alice")
    assert len(video["snapshots"]) == 8 and video["cover"]["source"] == "snapshot"
    objects = stack.client("s3").list_objects_v2(
        Bucket=stack.bucket, Prefix=f"uploads/{registered['videoId']}"
    )
    assert objects.get("KeyCount", 0) == 0, "registering never copies the video"

    # And a second registration, by anyone, fails and changes nothing
    for api in (alice, bob):
        again = api.expect(200, "POST", "/videos/register", json={"items": [{"key": key}]})
        assert again["registered"] == []
        assert [(f["key"], f["code"]) for f in again["failed"]] == [(key, "Register.AlreadyRegistered")]
    assert alice.video(registered["videoId"])["version"] == video["version"]


def test_vodcovers_own_output_cannot_be_registered(alice: Api, processed_video: dict) -> None:
    key = f"snapshots/{processed_video['videoId']}/0.jpg"

    answer = alice.expect(200, "POST", "/videos/register", json={"items": [{"key": key}]})

    assert [(f["key"], f["code"]) for f in answer["failed"]] == [(key, "Register.InvalidKey")]


# --- pull-upload ---------------------------------------------------------------------------------
def test_a_pull_from_a_trusted_server_becomes_normal_and_bad_sources_fail_per_item(
    stack: LocalStack, alice: Api, clips: Clips, cdn: FileServer
) -> None:
    # Given a video on the trusted (allow-listed) server, and sources that must not be fetched
    good = cdn.publish("videos/trip.mp4", clips.sample.read_bytes(), "video/mp4")
    sources = [
        good,
        "https://127.0.0.1/private.mp4",  # loopback, not allow-listed
        "http://169.254.169.254/latest/meta-data/iam/",  # cloud metadata
        cdn.url("videos/gone.mp4"),  # trusted, but not there
    ]

    # When alice pulls them all
    answer = alice.expect(
        202,
        "POST",
        "/videos/pull",
        json={"items": [{"url": url, "title": f"Pull {n}"} for n, url in enumerate(sources)]},
    )

    # Then the API answers at once, one item per source, in order
    items = answer["items"]
    assert [item["url"] for item in items] == sources
    assert [item["status"] for item in items[:3]] == ["Uploading", "UploadFail", "UploadFail"]
    assert [item["error"]["code"] for item in items[1:3]] == ["SourceUrl.Forbidden"] * 2

    # And the good one is processed like an upload; the others end UploadFail with a reason
    pulled = wait_until_settled(stack, alice, items[0]["videoId"])
    assert (pulled["status"], pulled["title"], pulled["owner"]) == ("Normal", "Pull 0", "alice")
    assert pulled["media"]["size"] == clips.sample.stat().st_size
    assert pulled["cover"]["source"] == "snapshot"
    outcomes = [wait_until_settled(stack, alice, item["videoId"]) for item in items[1:]]
    assert [(v["status"], v["error"]["code"]) for v in outcomes] == [
        ("UploadFail", "SourceUrl.Forbidden"),
        ("UploadFail", "SourceUrl.Forbidden"),
        ("UploadFail", "SourceUrl.Unreachable"),
    ]


# --- uploads that are not videos -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "code"),
    [("corrupt", "Media.Corrupt"), ("empty", "Media.Empty"), ("audio_only", "Media.NoVideoStream")],
)
def test_an_upload_that_is_no_video_ends_process_fail_with_the_reason(
    stack: LocalStack, alice: Api, clips: Clips, content: str, code: str
) -> None:
    data = b"" if content == "empty" else getattr(clips, content).read_bytes()

    video = upload_and_wait(stack, alice, data, title=content)

    assert video["status"] == "ProcessFail"
    assert video["error"]["code"] == code and video["error"]["message"]
    assert video["snapshots"] == [] and video["cover"] is None
    # and such a video's cover cannot be changed
    alice.expect_error(
        403,
        "Forbidden.IllegalStatus",
        "PATCH",
        "/videos/{videoId}",
        videoId=video["videoId"],
        json={"coverTime": 0.5},
    )


def test_a_failed_video_recovers_when_a_real_video_is_uploaded_again(
    stack: LocalStack, alice: Api, clips: Clips
) -> None:
    ticket = create_upload(alice, title="Second try")
    put_upload(ticket, clips.corrupt.read_bytes())
    assert wait_until_settled(stack, alice, ticket["videoId"])["status"] == "ProcessFail"

    put_upload(ticket, clips.sample.read_bytes())
    video: dict[str, Any] = wait_until_settled(stack, alice, ticket["videoId"])

    assert video["status"] == "Normal" and "error" not in video
