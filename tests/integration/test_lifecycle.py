"""A video's life after upload, through signed HTTP on the local stack: snapshot jobs on demand,
the storyboard made on upload, and deletion that nothing brings back."""

from __future__ import annotations

import io
from typing import Any

import blurhash
import pytest
import requests
import webvtt
from PIL import Image

from tests.integration.api_client import Api
from tests.integration.conftest import Clips, create_upload, put_upload, upload_and_wait, wait_until_settled
from vodcover.domain import keys
from vodcover_dev.local.stack import LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.media]


@pytest.fixture(scope="module")
def fresh_video(stack: LocalStack, alice: Api, clips: Clips) -> dict[str, Any]:
    video = upload_and_wait(stack, alice, clips.sample.read_bytes(), title="Lifecycle")
    assert video["status"] == "Normal", video
    return video


def object_versions(stack: LocalStack, video_id: str) -> list[str]:
    s3 = stack.client("s3")
    found: list[str] = []
    for prefix in [*keys.video_prefixes(video_id), keys.embed_key(video_id)]:
        answer = s3.list_object_versions(Bucket=stack.bucket, Prefix=prefix)
        found += [v["Key"] for v in answer.get("Versions", []) + answer.get("DeleteMarkers", [])]
    return found


def test_the_storyboard_made_on_upload_parses_and_every_cue_lies_inside_its_sheet(
    fresh_video: dict[str, Any],
) -> None:
    board = fresh_video["storyboard"]
    assert board["status"] == "Done", board
    text = requests.get(board["vtt"], timeout=30).text
    cues = webvtt.from_buffer(io.StringIO(text))
    sheets = [Image.open(io.BytesIO(requests.get(url, timeout=30).content)) for url in board["sheets"]]

    assert len(cues) == board["tiles"] >= 5  # a 5 s video: one tile a second
    assert board["tileWidth"] == 160 and board["tileHeight"] == 90
    for cue in cues:
        name, _, fragment = cue.text.partition("#xywh=")
        x, y, w, h = (int(v) for v in fragment.split(","))
        sheet = sheets[int(name.removesuffix(".jpg"))]
        assert (w, h) == (board["tileWidth"], board["tileHeight"])
        assert x >= 0 and x + w <= sheet.width and y >= 0 and y + h <= sheet.height, cue.text
    assert cues[0].start == "00:00:00.000"
    assert seconds(cues[-1].end) == pytest.approx(fresh_video["media"]["duration"], abs=0.01)


def seconds(timestamp: str) -> float:
    hours, minutes, rest = timestamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


def test_a_snapshot_job_with_count_12_gives_12_snapshots_of_the_asked_width(
    stack: LocalStack, alice: Api, fresh_video: dict[str, Any]
) -> None:
    video_id = fresh_video["videoId"]

    job = alice.expect(
        202, "POST", "/videos/{videoId}/snapshots", videoId=video_id, json={"count": 12, "width": 320}
    )
    stack.wait_idle(120)
    video = alice.video(video_id)

    assert job["status"] == "Processing" and len(job["times"]) == 12
    assert video["snapshotJob"]["jobId"] == job["jobId"] and video["snapshotJob"]["status"] == "Done"
    assert len(video["snapshots"]) == 12
    assert {s["width"] for s in video["snapshots"]} == {320}
    assert video["cover"]["source"] == "snapshot"
    assert video["cover"]["url"].split("?")[0] in {s["url"].split("?")[0] for s in video["snapshots"]}


def test_the_automatic_cover_of_a_snapshot_job_gets_renditions_and_a_placeholder(
    stack: LocalStack, alice: Api, fresh_video: dict[str, Any]
) -> None:
    """A snapshot job that moves the automatic cover gives it what every cover gets (issue 14/16)."""
    video_id = fresh_video["videoId"]
    before = alice.video(video_id)["cover"]
    assert before["source"] == "snapshot"

    alice.expect(
        202, "POST", "/videos/{videoId}/snapshots", videoId=video_id, json={"count": 3, "width": 640}
    )
    stack.wait_idle(120)
    cover = alice.video(video_id)["cover"]

    assert cover["source"] == "snapshot" and cover["url"] != before["url"]
    assert cover["width"] == 640
    renditions = cover["renditions"]
    assert {(r["format"], r["aspect"]) for r in renditions} >= {("jpeg", "original"), ("webp", "original")}
    assert {r["width"] for r in renditions if r["aspect"] == "original"} == {320, 640}  # never upscaled
    assert not {r["url"] for r in renditions} & {r["url"] for r in before["renditions"]}  # the new cover's
    for rendition in renditions:
        image = Image.open(io.BytesIO(requests.get(rendition["url"], timeout=30).content))
        assert image.size == (rendition["width"], rendition["height"]), rendition
    placeholder = cover["placeholder"]
    assert len(blurhash.decode(placeholder["blurhash"], 8, 8)) == 8  # the reference decoder reads it
    assert placeholder["dataUri"].startswith("data:image/") and len(placeholder["dataUri"]) <= 2048
    # embedUrl follows the new cover: its bytes are the cover's
    embedded = requests.get(cover["embedUrl"], timeout=30).content
    assert embedded == requests.get(cover["url"], timeout=30).content


def test_snapshot_jobs_at_offsets_keep_a_persons_cover(
    stack: LocalStack, alice: Api, fresh_video: dict[str, Any]
) -> None:
    video_id = fresh_video["videoId"]
    alice.expect(200, "PATCH", "/videos/{videoId}", videoId=video_id, json={"coverSnapshot": 0})

    alice.expect(202, "POST", "/videos/{videoId}/snapshots", videoId=video_id, json={"offsets": [1.5, 3.5]})
    stack.wait_idle(120)
    video = alice.video(video_id)

    assert [s["time"] for s in video["snapshots"]] == pytest.approx([1.5, 3.5], abs=0.05)
    assert video["cover"]["source"] == "user"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"offsets": [1.0], "count": 2}, "InvalidParameter.Offsets"),
        ({"offsets": [9.0]}, "InvalidParameter.Offsets"),
        ({"offsets": [0.5] * 31}, "InvalidParameter.Offsets"),
        ({"interval": 20}, "InvalidParameter.Interval"),
        ({"interval": 0.1}, "InvalidParameter.Interval"),
        ({"count": 6, "interval": 1}, "InvalidParameter.Count"),
        ({"count": 0}, "InvalidParameter.Count"),
        ({"width": 8}, "InvalidParameter.Width"),
        ({"colour": "red"}, "InvalidParameter.Colour"),
    ],
)
def test_invalid_snapshot_jobs_are_refused_with_a_stable_code(
    alice: Api, fresh_video: dict[str, Any], body: dict[str, Any], code: str
) -> None:
    alice.expect_error(
        400, code, "POST", "/videos/{videoId}/snapshots", videoId=fresh_video["videoId"], json=body
    )


def test_a_deleted_video_is_gone_with_all_its_objects_and_stays_gone_under_a_late_upload(
    stack: LocalStack, alice: Api, bob: Api, clips: Clips
) -> None:
    ticket = create_upload(alice, title="To delete")
    video_id = ticket["videoId"]
    put_upload(ticket, clips.sample.read_bytes())
    assert wait_until_settled(stack, alice, video_id)["status"] == "Normal"
    assert object_versions(stack, video_id)  # upload, snapshots, storyboard

    bob.expect_error(403, "Forbidden.NotOwner", "DELETE", "/videos/{videoId}", videoId=video_id)
    alice.expect(204, "DELETE", "/videos/{videoId}", videoId=video_id)

    alice.expect_error(404, "InvalidVideo.NotFound", "GET", "/videos/{videoId}", videoId=video_id)
    assert object_versions(stack, video_id) == []
    put_upload(ticket, clips.other.read_bytes())  # the upload URL is still valid: a late event
    stack.wait_idle(120)
    alice.expect_error(404, "InvalidVideo.NotFound", "GET", "/videos/{videoId}", videoId=video_id)
    assert object_versions(stack, video_id) == []
    alice.expect(204, "DELETE", "/videos/{videoId}", videoId=video_id)  # idempotent
    library = alice.expect(200, "GET", "/videos", params={"limit": "100"})
    assert video_id not in [v["videoId"] for v in library["videos"]]
