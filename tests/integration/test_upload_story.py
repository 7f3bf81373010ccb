"""The upload story through signed HTTP: create an upload, PUT the file, get snapshots and a cover.

Also the cover an uploader names at creation (``coverUrl``), which no later processing replaces.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.api_client import Api
from tests.integration.conftest import (
    SAMPLE,
    Clips,
    create_upload,
    put_upload,
    upload_and_wait,
    wait_until_settled,
)
from tests.integration.loopback import FileServer
from tests.integration.pictures import brightness, download, solid
from vodcover_dev.local.stack import LocalStack

pytestmark = pytest.mark.integration


def test_an_uploaded_video_becomes_normal_with_snapshots_and_a_snapshot_cover(
    stack: LocalStack, alice: Api, clips: Clips
) -> None:
    # Given a new upload with info
    ticket = create_upload(alice, title="Sea", fileName="sea.mp4", description="Waves", tags=["sea", "blue"])
    video_id = ticket["videoId"]
    assert ticket["upload"]["method"] == "PUT"
    assert f"uploads/{video_id}/sea.mp4" in ticket["upload"]["url"]
    assert alice.video(video_id)["status"] == "Uploading"

    # When the client PUTs the file to the presigned URL, and the S3 trigger does its work
    put_upload(ticket, clips.sample.read_bytes())
    video = wait_until_settled(stack, alice, video_id)

    # Then the video is Normal, described, with snapshots and a snapshot cover that is not black
    assert video["status"] == "Normal", video.get("error")
    assert (video["title"], video["description"], video["tags"]) == ("Sea", "Waves", ["sea", "blue"])
    assert video["owner"] == "alice"
    media = video["media"]
    assert (media["width"], media["height"]) == (SAMPLE["width"], SAMPLE["height"])
    assert media["duration"] == pytest.approx(SAMPLE["duration"], abs=0.2)
    assert media["size"] == clips.sample.stat().st_size
    assert len(video["snapshots"]) == 8
    assert [s["index"] for s in video["snapshots"]] == list(range(8))
    cover = video["cover"]
    assert cover["source"] == "snapshot"
    chosen = next(s for s in video["snapshots"] if s["url"].split("?")[0] == cover["url"].split("?")[0])
    assert chosen["time"] >= SAMPLE["black_intro"], "the black intro is never the default cover"
    assert brightness(download(cover["url"])) > 40
    assert video["smartCover"] is None and "error" not in video


def test_a_cover_url_given_at_creation_becomes_the_cover_and_survives_reprocessing(
    stack: LocalStack, alice: Api, clips: Clips, cdn: FileServer
) -> None:
    # Given an upload created with a coverUrl on the allow-listed (trusted) server
    cover_url = cdn.publish("covers/chosen.png", solid(320, 180, (250, 20, 140)), "image/png")
    ticket = create_upload(alice, title="With cover", coverUrl=cover_url)
    assert alice.video(ticket["videoId"])["cover"] is None, "kept until the video exists"

    # When the video is uploaded and processed
    put_upload(ticket, clips.sample.read_bytes())
    video = wait_until_settled(stack, alice, ticket["videoId"])

    # Then the uploader's image is the cover, copied into the bucket, not pointing at the server
    assert video["status"] == "Normal"
    assert video["cover"]["source"] == "upload"
    assert (video["cover"]["width"], video["cover"]["height"]) == (320, 180)
    assert f"/covers/{ticket['videoId']}/" in video["cover"]["url"]
    assert cdn.authority not in video["cover"]["url"]
    assert download(video["cover"]["url"]).getpixel((10, 10)) == pytest.approx((250, 20, 140), abs=3)
    assert len(video["snapshots"]) == 8

    # And when the file is replaced (a new object: processed again, new snapshots)
    put_upload(ticket, clips.other.read_bytes())
    again = wait_until_settled(stack, alice, ticket["videoId"])

    # Then the snapshot job still leaves the uploader's cover alone
    assert again["status"] == "Normal"
    assert again["media"]["duration"] == pytest.approx(4.0, abs=0.2)
    assert again["version"] > video["version"]
    assert again["cover"]["source"] == "upload"
    assert again["cover"]["url"].split("?")[0] == video["cover"]["url"].split("?")[0]


def test_an_unusable_cover_url_at_creation_falls_back_to_a_snapshot(
    stack: LocalStack, alice: Api, clips: Clips, cdn: FileServer
) -> None:
    # Given an upload whose coverUrl (on the trusted server) is gone by the time the video lands
    video = upload_and_wait(
        stack, alice, clips.sample.read_bytes(), title="Lost cover", coverUrl=cdn.url("covers/missing.png")
    )

    # Then the video is still processed, and a snapshot became the cover
    assert video["status"] == "Normal"
    assert video["cover"]["source"] == "snapshot"


def test_a_forbidden_cover_url_is_refused_at_creation_and_nothing_is_created(alice: Api) -> None:
    before = library_ids(alice)

    alice.expect_error(
        400,
        "CoverUrl.Forbidden",
        "POST",
        "/videos",
        json={"title": "t", "fileName": "a.mp4", "coverUrl": "http://169.254.169.254/latest/meta-data/"},
    )

    assert library_ids(alice) == before


def library_ids(api: Api) -> list[str]:
    body: dict[str, Any] = api.expect(200, "GET", "/videos", params={"limit": "100"})
    return [video["videoId"] for video in body["videos"]]
